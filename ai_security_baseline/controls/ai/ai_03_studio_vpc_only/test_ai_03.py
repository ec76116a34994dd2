"""AI-03: the dev stack's Studio domain, the preview rule on each way to open it, the config checks, and the live
probe on moto."""

from __future__ import annotations

import json

import pytest

from ai_security_baseline.components import studio
from ai_security_baseline.components.config import ConfigError
from ai_security_baseline.controls.ai.ai_03_studio_vpc_only import mutation
from ai_security_baseline.controls.det.testing import dev_view, verdicts
from ai_security_baseline.controls.kms.testing import statements_by_sid
from ai_security_baseline.controls.testing import changed, rule_view
from ai_security_baseline.controls.vocabulary import (
    ENDPOINT_BUNDLES,
    KMS_KEY,
    SAGEMAKER_DOMAIN,
    SAGEMAKER_USER_PROFILE,
)
from ai_security_baseline.verify.emulator.preflight import PreflightDeniedError, require
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack
from ai_security_baseline.verify.iam.principals import Call, decide, home_efs_creation_calls
from conftest import LiveAccount

RULE = "ai-03-studio-vpc-only"


def _fail(graph: ResourceGraph, **props: object) -> str:
    [(status, message)] = verdicts(RULE, changed(dev_view(graph), "studio", **props))
    assert status == "fail"
    return message


def test_ai_03_dev_stack_domain_is_vpc_only_under_the_data_key(dev_run: OfflineRun) -> None:
    domain = dev_run.graph.one(SAGEMAKER_DOMAIN, "studio")
    assert (domain.inputs["appNetworkAccessType"], domain.inputs["authMode"]) == ("VpcOnly", "IAM")
    assert domain.inputs["kmsKeyId"] == dev_run.exports["dataKeyArn"]
    assert domain.inputs["subnetIds"] == dev_run.exports["privateSubnetIds"]


def _home_efs_calls(run: OfflineRun, policy: dict[str, object]) -> list[Call]:
    deployer = str(run.exports["deployerArn"])
    return home_efs_creation_calls(
        account=deployer.split(":")[4],
        region="eu-west-1",
        deployer_arn=deployer,
        key_arn=run.exports["dataKeyArn"],
        key_policy=policy,
    )


def _data_key_policy(run: OfflineRun) -> dict[str, object]:
    policy: dict[str, object] = json.loads(run.graph.one(KMS_KEY, "keys-data").inputs["policy"])
    return policy


def test_ai_03_data_key_admits_the_deployer_only_through_efs(dev_run: OfflineRun) -> None:
    statements = statements_by_sid(dev_run.graph.one(KMS_KEY, "keys-data"))
    use, grant = statements["StudioHomeEfsUsesKeyViaEfs"], statements["StudioHomeEfsGrantsViaEfs"]
    assert use["Principal"] == {"AWS": [dev_run.exports["deployerArn"]]}
    assert sorted(use["Action"]) == ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == "elasticfilesystem.eu-west-1.amazonaws.com"
    assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}


def test_ai_03_data_key_lets_efs_create_the_home_file_system_as_the_deployer(dev_run: OfflineRun) -> None:
    outcomes = [decide(c) for c in _home_efs_calls(dev_run, _data_key_policy(dev_run))]
    assert [(o.call.name, o.decision) for o in outcomes if not o.as_expected] == []


def test_ai_03_preflight_refuses_create_domain_when_the_key_lacks_the_efs_grant(dev_run: OfflineRun) -> None:
    policy = _data_key_policy(dev_run)
    statements = policy["Statement"]
    assert isinstance(statements, list)
    without = {**policy, "Statement": [s for s in statements if s.get("Sid") != "StudioHomeEfsGrantsViaEfs"]}
    with pytest.raises(PreflightDeniedError, match="kms:CreateGrant"):
        require(_home_efs_calls(dev_run, without), "AccessDeniedException")


def test_ai_03_studio_off_adds_no_efs_statement_to_the_data_key() -> None:
    run = run_stack("dev", overrides={"baseline:ai": {"studio": False}})
    assert not {"StudioHomeEfsUsesKeyViaEfs", "StudioHomeEfsGrantsViaEfs"} & set(
        statements_by_sid(run.graph.one(KMS_KEY, "keys-data"))
    )


def test_ai_03_efs_via_service_names_the_region() -> None:
    assert studio.efs_via_service("eu-central-1") == "elasticfilesystem.eu-central-1.amazonaws.com"


def test_ai_03_dev_stack_attributes_sessions_to_the_user_profile(dev_graph: ResourceGraph) -> None:
    settings = dev_graph.one(SAGEMAKER_DOMAIN, "studio").inputs["domainSettings"]
    assert settings["executionRoleIdentityConfig"] == "USER_PROFILE_NAME"


def test_ai_03_dev_stack_user_profiles_run_as_the_trainer(dev_run: OfflineRun) -> None:
    [profile] = dev_run.graph.by_type(SAGEMAKER_USER_PROFILE)
    assert profile.inputs["userProfileName"] == "data-scientist"
    assert profile.inputs["userSettings"]["executionRole"] == dev_run.exports["roleArns"]["model-trainer"]


def test_ai_03_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    [(status, _)] = verdicts(RULE, dev_view(dev_graph))
    assert status == "pass"


def test_ai_03_rule_fails_public_internet_access(dev_graph: ResourceGraph) -> None:
    assert "appNetworkAccessType is PublicInternetOnly" in _fail(dev_graph, appNetworkAccessType="PublicInternetOnly")


def test_ai_03_rule_fails_a_subnet_outside_the_isolated_vpc(dev_graph: ResourceGraph) -> None:
    assert "outside the isolated subnets" in _fail(dev_graph, subnetIds=["subnet-public"])


def test_ai_03_rule_fails_another_security_group(dev_graph: ResourceGraph) -> None:
    settings = {"executionRoleIdentityConfig": "USER_PROFILE_NAME", "securityGroupIds": ["sg-open"]}
    assert "are not only the workload group" in _fail(dev_graph, domainSettings=settings)


def test_ai_03_rule_fails_a_user_profile_with_its_own_security_group(dev_graph: ResourceGraph) -> None:
    [profile] = dev_graph.by_type(SAGEMAKER_USER_PROFILE)
    settings = {**profile.inputs["userSettings"], "securityGroups": ["sg-open"]}
    [(status, message)] = verdicts(RULE, changed(dev_view(dev_graph), profile.name, userSettings=settings))
    assert status == "fail"
    assert "security groups ['sg-open'] are not only" in message


def test_ai_03_rule_fails_a_domain_without_the_data_key(dev_graph: ResourceGraph) -> None:
    assert "no customer managed key" in _fail(dev_graph, kmsKeyId=None)


def test_ai_03_rule_fails_sso_authentication(dev_graph: ResourceGraph) -> None:
    assert "authMode is SSO" in _fail(dev_graph, authMode="SSO")


def test_ai_03_rule_fails_source_identity_off(dev_graph: ResourceGraph) -> None:
    assert "no sourceIdentity per user" in _fail(dev_graph, domainSettings={"securityGroupIds": []})


def test_ai_03_studio_off_creates_no_domain_and_is_not_applicable() -> None:
    run = run_stack("dev", overrides={"baseline:ai": json.dumps({"studio": False})})
    assert run.graph.by_type(SAGEMAKER_DOMAIN) == []
    [(status, _)] = verdicts(RULE, rule_view(run.graph))
    assert status == "waived"


def test_ai_03_config_refuses_an_invalid_user_profile_name() -> None:
    with pytest.raises(ConfigError, match="invalid user profile name"):
        run_stack("dev", overrides={"baseline:ai": json.dumps({"studioUsers": ["bad_name"]})})


def test_ai_03_config_refuses_studio_without_the_ml_core_bundle() -> None:
    overrides = {"baseline:network": json.dumps({"endpointBundles": ["bedrock"]})}
    with pytest.raises(ConfigError, match=r"ai\.studio = true"):
        run_stack("dev", overrides=overrides)


def test_ai_03_ml_core_bundle_holds_the_endpoints_a_vpc_only_domain_needs() -> None:
    # A VpcOnly domain without internet reaches the SageMaker API and runtime only through their interface
    # endpoints, and the SDK's role lookups need STS:
    # https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html
    assert {"sagemaker.api", "sagemaker.runtime", "sts"} <= set(ENDPOINT_BUNDLES["ml-core"])


def test_ai_03_probe_passes_the_deployed_domain(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("AI-03")
    assert finding.status == "pass", finding.message


def test_ai_03_probe_fails_a_domain_recreated_on_the_internet_path(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("AI-03", mutation.public_internet_live)
    assert finding.status == "fail"
    assert "AppNetworkAccessType is PublicInternetOnly" in finding.message

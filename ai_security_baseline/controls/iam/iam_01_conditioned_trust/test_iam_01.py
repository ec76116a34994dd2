"""IAM-01: roles trust services only with the source conditions each sends, judged alike by the preview rule and
the live probe (the same ``trust_problems``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.components import documents, identity
from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.iam.common import IAM_ROLE, UNCONDITIONED_TRUST_SERVICES, trust_problems
from ai_security_baseline.controls.iam.iam_01_conditioned_trust import mutation, rule
from ai_security_baseline.controls.kit import UNKNOWN, Res
from ai_security_baseline.controls.testing import ACCOUNT, REGION
from ai_security_baseline.controls.vocabulary import ROLE
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount

PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:aws::aws"


def statuses(rule_name: str, resources: list[Res]) -> dict[str, list[str]]:
    """Outcomes of ``rule_name`` (the unit's rule) by control."""
    assert rule_name == rule.RULE.name, rule_name
    result: dict[str, list[str]] = {}
    for outcome in rule.RULE.evaluate(resources):
        result.setdefault(outcome.control, []).append(outcome.status)
    return result


ROLE_URN = "urn:pulumi:dev::p::aws:iam/role:Role::trainer"


SERVICE_TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SageMaker",
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ],
}


def role(**props: Any) -> Res:
    base = {"assumeRolePolicy": json.dumps(SERVICE_TRUST), "permissionsBoundary": UNKNOWN}
    return Res(urn=ROLE_URN, type=IAM_ROLE, props={**base, **props}, provider_urn=PROVIDER_URN)


def test_iam_01_rule_fails_a_service_trust_without_source_account() -> None:
    bare = {**SERVICE_TRUST, "Statement": [{**SERVICE_TRUST["Statement"][0], "Condition": {}}]}
    assert statuses(rule.RULE.name, [role()]) == {"IAM-01": ["pass"]}
    assert statuses(rule.RULE.name, [role(assumeRolePolicy=json.dumps(bare))]) == {"IAM-01": ["fail"]}


def test_iam_01_rule_passes_the_cloudtrail_delivery_role_trust_without_source_conditions() -> None:
    trust = json.dumps(documents.trail_delivery_trust_policy())
    assert statuses(rule.RULE.name, [role(assumeRolePolicy=trust)]) == {"IAM-01": ["pass"]}


def test_iam_01_rule_fails_a_cloudtrail_trust_conditioned_on_source_keys_it_never_sends() -> None:
    """The shape CreateTrail refuses with InvalidCloudWatchLogsRoleArnException."""
    conditioned = {
        "Sid": "CloudTrailAssumeRole",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t"}},
    }
    trust = json.dumps({**SERVICE_TRUST, "Statement": [conditioned]})
    assert statuses(rule.RULE.name, [role(assumeRolePolicy=trust)]) == {"IAM-01": ["fail"]}


def test_iam_01_rule_keeps_the_unconditioned_trust_services_equal_to_the_builders() -> None:
    trust = documents.trail_delivery_trust_policy()["Statement"][0]
    assert UNCONDITIONED_TRUST_SERVICES == {trust["Principal"]["Service"]} == {vocabulary.CLOUDTRAIL_SERVICE}


def test_iam_01_rule_fails_a_trust_of_everyone() -> None:
    anyone = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
    trust = json.dumps({**SERVICE_TRUST, "Statement": [anyone]})
    assert statuses(rule.RULE.name, [role(assumeRolePolicy=trust)]) == {"IAM-01": ["fail"]}


def test_iam_01_rule_and_probe_share_the_source_account_requirement() -> None:
    source_arn_only = mutation.without_source_account(
        SERVICE_TRUST["Statement"][0]
        | {
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:*"},
            }
        }
    )
    assert trust_problems({"Statement": [source_arn_only]}) == [
        "SageMaker: service principal without aws:SourceAccount"
    ]
    trust = json.dumps({**SERVICE_TRUST, "Statement": [source_arn_only]})
    assert statuses(rule.RULE.name, [role(assumeRolePolicy=trust)]) == {"IAM-01": ["fail"]}


def test_iam_01_probe_passes_every_role_as_deployed(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("IAM-01")
    assert len(findings) == len(live_dev.exports["roleArns"])
    assert all(f.status == "pass" for f in findings), findings


def test_iam_01_probe_fails_a_trust_conditioned_on_source_arn_without_source_account(live_dev: LiveAccount) -> None:
    failed = [f for f in live_dev.probe_mutated("IAM-01", mutation.source_account_dropped_live) if f.status == "fail"]
    assert [f.urn for f in failed] == [live_dev.exports["roleArns"]["model-trainer"]]
    assert "without aws:SourceAccount" in failed[0].message
    assert {f.status for f in live_dev.probe("IAM-01")} == {"pass"}


SAGEMAKER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SageMakerAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:*"},
            },
        }
    ],
}


def graph_role(graph: ResourceGraph, name: str) -> Resource:
    return graph.one(ROLE, f"identity-{name}")


def test_iam_01_roles_exist_with_physical_names_prefix_role(dev_graph: ResourceGraph) -> None:
    assert {graph_role(dev_graph, r).inputs["name"] for r in identity.ROLES} == {
        "aisb-dev-data-processor",
        "aisb-dev-model-trainer",
        "aisb-dev-inference",
        "aisb-dev-auditor",
        "aisb-dev-model-approver",
    }


@pytest.mark.parametrize("name", [vocabulary.PROCESSOR, vocabulary.INFERENCE])
def test_iam_01_execution_roles_trust_only_sagemaker_for_this_accounts_resources(
    dev_graph: ResourceGraph, name: str
) -> None:
    assert json.loads(graph_role(dev_graph, name).inputs["assumeRolePolicy"]) == SAGEMAKER_TRUST


def test_iam_01_studio_execution_role_also_lets_sagemaker_set_the_source_identity(dev_graph: ResourceGraph) -> None:
    """Dev has a Studio domain attributing sessions to the user profile: its execution role (the trainer) trusts
    SageMaker for sts:SetSourceIdentity too, under the same confused-deputy conditions."""
    trust = json.loads(graph_role(dev_graph, vocabulary.TRAINER).inputs["assumeRolePolicy"])
    assert trust["Statement"][0].pop("Action") == ["sts:AssumeRole", "sts:SetSourceIdentity"]
    assert {**trust, "Statement": [{**trust["Statement"][0], "Action": "sts:AssumeRole"}]} == SAGEMAKER_TRUST


def test_iam_01_without_studio_the_trainer_trusts_sagemaker_for_assume_role_only() -> None:
    graph = run_stack("dev", overrides={"baseline:ai": {"studio": False}}).graph
    assert json.loads(graph_role(graph, vocabulary.TRAINER).inputs["assumeRolePolicy"]) == SAGEMAKER_TRUST


def test_iam_01_auditor_trusts_only_this_accounts_iam_by_default(dev_graph: ResourceGraph) -> None:
    assert json.loads(graph_role(dev_graph, vocabulary.AUDITOR).inputs["assumeRolePolicy"])["Statement"] == [
        {
            "Sid": "AccountPrincipalsAssumeRole",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
        }
    ]


def test_iam_01_configured_principals_replace_the_default_trust() -> None:
    auditor, app = "arn:aws:iam::444455556666:role/security-audit", f"arn:aws:iam::{ACCOUNT}:role/chat-app"
    graph = run_stack(
        "dev", overrides={"baseline:identity": {"auditorPrincipalArns": [auditor], "inferencePrincipalArns": [app]}}
    ).graph
    for name, principal in ((vocabulary.AUDITOR, auditor), (vocabulary.INFERENCE, app)):
        assert json.loads(graph_role(graph, name).inputs["assumeRolePolicy"])["Statement"] == [
            {
                "Sid": "ConfiguredPrincipalsAssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": "sts:AssumeRole",
            }
        ]


def test_iam_01_a_malformed_principal_arn_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"baseline:identity\.auditorPrincipalArns\.0 = \"alice\""):
        parse_config({"identity": {"auditorPrincipalArns": ["alice"]}})

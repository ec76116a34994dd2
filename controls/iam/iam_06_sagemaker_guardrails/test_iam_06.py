"""IAM-06: SageMaker creates only inside the baseline network, isolated, with the baseline keys, in the rule and
the live account."""

from __future__ import annotations

import copy
import json
from typing import Any

from conftest import LiveAccount
from controls.iam.common import ROLE_POLICY
from controls.iam.iam_06_sagemaker_guardrails import mutation, rule
from controls.kit import UNKNOWN, Res
from verify.checkers.audit.core import policy_json
from verify.engine.graph import ResourceGraph

POLICY_URN = "urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::trainer"


def outcome(resources: list[Res]) -> list[tuple[str, str]]:
    return [(o.control, o.status) for o in rule.RULE.evaluate(resources)]


GUARDED = {
    "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": ["subnet-1"], "sagemaker:VpcSecurityGroupIds": ["sg-1"]},
    "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"},
    "Bool": {"sagemaker:NetworkIsolation": "true", "sagemaker:InterContainerTrafficEncryption": "true"},
    "ArnEquals": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:eu-west-1:1:key/a", "sagemaker:OutputKmsKeyArn": "k"},
}


def role_policy(*statements: dict[str, Any]) -> Res:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Res(urn=POLICY_URN, type=ROLE_POLICY, props={"policy": json.dumps(document)})


def create_job(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Sid": "Jobs",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateTrainingJob"],
        "Resource": "arn:aws:sagemaker:eu-west-1:1:training-job/aisb-dev-*",
        "Condition": condition,
    }


def test_iam_06_rule_passes_a_training_job_grant_with_every_guardrail() -> None:
    assert outcome([role_policy(create_job(GUARDED))]) == [("IAM-06", "pass")]


def test_iam_06_rule_fails_a_training_job_grant_without_network_isolation() -> None:
    unguarded = {k: v for k, v in GUARDED.items() if k != "Bool"}
    assert outcome([role_policy(create_job(unguarded))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_a_sagemaker_wildcard_grant() -> None:
    wildcard = {"Sid": "All", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}
    assert outcome([role_policy(wildcard)]) == [("IAM-06", "fail")]


LOCAL_STORAGE: dict[str, dict[str, Any]] = {
    "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": ["subnet-1"], "sagemaker:VpcSecurityGroupIds": ["sg-1"]},
    "ForAllValues:StringLike": {"sagemaker:InstanceTypes": ["ml.p4d.*", "ml.g5.*"]},
    "Null": {
        "sagemaker:VpcSubnets": "false",
        "sagemaker:VpcSecurityGroupIds": "false",
        "sagemaker:InstanceTypes": "false",
        "sagemaker:VolumeKmsKeyArn": "true",
    },
    "Bool": {"sagemaker:NetworkIsolation": "true", "sagemaker:InterContainerTrafficEncryption": "true"},
    "ArnEquals": {"sagemaker:OutputKmsKeyArn": "k"},
}


def test_iam_06_rule_passes_no_volume_key_only_on_local_storage_instance_types() -> None:
    assert outcome([role_policy(create_job(LOCAL_STORAGE))]) == [("IAM-06", "pass")]


def test_iam_06_rule_fails_no_volume_key_on_every_instance_type() -> None:
    unrestricted = {k: v for k, v in LOCAL_STORAGE.items() if k != "ForAllValues:StringLike"}
    unrestricted["Null"] = {k: v for k, v in LOCAL_STORAGE["Null"].items() if k != "sagemaker:InstanceTypes"}
    assert outcome([role_policy(create_job(unrestricted))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_local_storage_types_without_the_null_guard_true_when_absent() -> None:
    unguarded = {**LOCAL_STORAGE, "Null": {k: v for k, v in LOCAL_STORAGE["Null"].items() if "Instance" not in k}}
    assert outcome([role_policy(create_job(unguarded))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_no_volume_key_on_an_instance_type_pattern_spanning_families() -> None:
    every_type = {**LOCAL_STORAGE, "ForAllValues:StringLike": {"sagemaker:InstanceTypes": ["ml.*"]}}
    assert outcome([role_policy(create_job(every_type))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_a_volume_key_that_binds_only_if_present() -> None:
    if_exists = {
        **GUARDED,
        "ArnEquals": {"sagemaker:OutputKmsKeyArn": "k"},
        "ArnEqualsIfExists": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:eu-west-1:1:key/a"},
    }
    assert outcome([role_policy(create_job(if_exists))]) == [("IAM-06", "fail")]


def test_iam_06_rule_passes_the_trainer_policy_as_rendered(dev_graph: ResourceGraph) -> None:
    trainer = dev_graph.one(ROLE_POLICY, "identity-policies-model-trainer")
    res = Res(urn=trainer.urn, type=ROLE_POLICY, props={"policy": trainer.inputs["policy"]})
    assert outcome([res]) == [("IAM-06", "pass")]


def test_iam_06_rule_errors_on_an_unknown_policy() -> None:
    unknown = Res(urn=POLICY_URN, type=ROLE_POLICY, props={"policy": UNKNOWN})
    assert outcome([unknown]) == [("IAM-06", "error")]


def test_iam_06_rule_fails_the_rendered_trainer_policy_without_network_isolation(dev_graph: ResourceGraph) -> None:
    [weakened] = [r for r in mutation.MUTATIONS if r.graph is not None]
    assert weakened.graph is not None
    trainer = weakened.graph(dev_graph).one(ROLE_POLICY, "identity-policies-model-trainer")
    res = Res(urn=trainer.urn, type=ROLE_POLICY, props={"policy": trainer.inputs["policy"]})
    assert outcome([res]) == [("IAM-06", "fail")]


def test_iam_06_probe_passes_the_trainer_job_guardrails_as_deployed(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("IAM-06")
    assert (finding.status, finding.urn) == ("pass", live_dev.exports["roleArns"]["model-trainer"])


def test_iam_06_probe_fails_training_jobs_without_network_isolation(live_dev: LiveAccount) -> None:
    undo = mutation.isolation_dropped_live(live_dev.context())
    try:
        [finding] = live_dev.probe("IAM-06")
    finally:
        undo()
    assert finding.status == "fail"
    assert "without network isolation: Allow" in finding.message


def test_iam_06_probe_fails_a_local_storage_job_grant_that_lost_its_instance_type_guard(live_dev: LiveAccount) -> None:
    iam = live_dev.context().client("iam")
    role = live_dev.exports["roleArns"]["model-trainer"].rsplit("/", 1)[-1]
    [name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    original = policy_json(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
    weakened = copy.deepcopy(original)
    [local] = [s for s in weakened["Statement"] if s["Sid"] == "CreateLocalStorageJobsInsideBaselineGuardrails"]
    del local["Condition"]["Null"]["sagemaker:InstanceTypes"]
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(weakened))
    try:
        [finding] = live_dev.probe("IAM-06")
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(original))
    assert finding.status == "fail"
    assert "no instance types and no volume key: Allow" in finding.message

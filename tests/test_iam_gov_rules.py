"""Rules for IAM-06, IAM-08 (inline policies) and the IAM-09 validation findings: a compliant fixture passes,
a violating one fails with the control id."""

from __future__ import annotations

import json
from typing import Any

from controls.kit import UNKNOWN, Res
from policies import rules_iam
from verify.engine.graph import Resource
from verify.engine.offline import run_stack
from verify.iam.validation import validation_finding

POLICY_URN = "urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::trainer"
GUARDED = {
    "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": ["subnet-1"], "sagemaker:VpcSecurityGroupIds": ["sg-1"]},
    "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"},
    "Bool": {"sagemaker:NetworkIsolation": "true", "sagemaker:InterContainerTrafficEncryption": "true"},
    "ArnEquals": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:eu-west-1:1:key/a", "sagemaker:OutputKmsKeyArn": "k"},
}


def role_policy(*statements: dict[str, Any]) -> Res:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Res(urn=POLICY_URN, type=rules_iam.ROLE_POLICY, props={"policy": json.dumps(document)})


def outcome(rule_name: str, resources: list[Res]) -> list[tuple[str, str]]:
    rule = next(r for r in rules_iam.IAM_RULES if r.name == rule_name)
    return [(o.control, o.status) for o in rule.evaluate(resources)]


def create_job(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Sid": "Jobs",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateTrainingJob"],
        "Resource": "arn:aws:sagemaker:eu-west-1:1:training-job/aisb-dev-*",
        "Condition": condition,
    }


def test_iam_06_rule_passes_a_training_job_grant_with_every_guardrail() -> None:
    assert outcome("iam-sagemaker-guardrails", [role_policy(create_job(GUARDED))]) == [("IAM-06", "pass")]


def test_iam_06_rule_fails_a_training_job_grant_without_network_isolation() -> None:
    unguarded = {k: v for k, v in GUARDED.items() if k != "Bool"}
    assert outcome("iam-sagemaker-guardrails", [role_policy(create_job(unguarded))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_a_sagemaker_wildcard_grant() -> None:
    wildcard = {"Sid": "All", "Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}
    assert outcome("iam-sagemaker-guardrails", [role_policy(wildcard)]) == [("IAM-06", "fail")]


#: The local-storage shape: no volume key, only when every instance type is of a named local-storage family.
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
    assert outcome("iam-sagemaker-guardrails", [role_policy(create_job(LOCAL_STORAGE))]) == [("IAM-06", "pass")]


def test_iam_06_rule_fails_no_volume_key_on_every_instance_type() -> None:
    unrestricted = {k: v for k, v in LOCAL_STORAGE.items() if k != "ForAllValues:StringLike"}
    unrestricted["Null"] = {k: v for k, v in LOCAL_STORAGE["Null"].items() if k != "sagemaker:InstanceTypes"}
    assert outcome("iam-sagemaker-guardrails", [role_policy(create_job(unrestricted))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_local_storage_types_without_the_null_guard_true_when_absent() -> None:
    unguarded = {**LOCAL_STORAGE, "Null": {k: v for k, v in LOCAL_STORAGE["Null"].items() if "Instance" not in k}}
    assert outcome("iam-sagemaker-guardrails", [role_policy(create_job(unguarded))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_no_volume_key_on_an_instance_type_pattern_spanning_families() -> None:
    every_type = {**LOCAL_STORAGE, "ForAllValues:StringLike": {"sagemaker:InstanceTypes": ["ml.*"]}}
    assert outcome("iam-sagemaker-guardrails", [role_policy(create_job(every_type))]) == [("IAM-06", "fail")]


def test_iam_06_rule_fails_a_volume_key_that_binds_only_if_present() -> None:
    if_exists = {
        **GUARDED,
        "ArnEquals": {"sagemaker:OutputKmsKeyArn": "k"},
        "ArnEqualsIfExists": {"sagemaker:VolumeKmsKeyArn": "arn:aws:kms:eu-west-1:1:key/a"},
    }
    assert outcome("iam-sagemaker-guardrails", [role_policy(create_job(if_exists))]) == [("IAM-06", "fail")]


def test_iam_06_rule_passes_the_trainer_policy_as_rendered() -> None:
    graph = run_stack("dev").graph
    trainer = graph.one(rules_iam.ROLE_POLICY, "identity-policies-model-trainer")
    res = Res(urn=trainer.urn, type=rules_iam.ROLE_POLICY, props={"policy": trainer.inputs["policy"]})
    assert outcome("iam-sagemaker-guardrails", [res]) == [("IAM-06", "pass")]


def test_iam_06_rule_errors_on_an_unknown_policy() -> None:
    unknown = Res(urn=POLICY_URN, type=rules_iam.ROLE_POLICY, props={"policy": UNKNOWN})
    assert outcome("iam-sagemaker-guardrails", [unknown]) == [("IAM-06", "error")]


def invoke(resource: str) -> dict[str, Any]:
    return {"Sid": "Invoke", "Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"], "Resource": resource}


def test_iam_08_rule_passes_invocation_of_named_endpoints() -> None:
    named = invoke("arn:aws:sagemaker:eu-west-1:1:endpoint/aisb-dev-*")
    assert outcome("iam-scoped-invocation", [role_policy(named)]) == [("IAM-08", "pass")]


def test_iam_08_rule_fails_invocation_of_every_endpoint() -> None:
    assert outcome("iam-scoped-invocation", [role_policy(invoke("*"))]) == [("IAM-08", "fail")]


def iam_resource(policy: str) -> Resource:
    return Resource(
        urn=POLICY_URN, type="aws:iam/rolePolicy:RolePolicy", custom=True, inputs={"policy": policy, "role": "r"}
    )


def test_iam_09_validation_passes_a_policy_of_real_actions() -> None:
    good = json.dumps({"Version": "2012-10-17", "Statement": [invoke("arn:aws:sagemaker:eu-west-1:1:endpoint/x")]})
    assert validation_finding(iam_resource(good)).status == "pass"


def test_iam_09_validation_fails_a_misspelled_action() -> None:
    typo = {**invoke("arn:aws:sagemaker:eu-west-1:1:endpoint/x"), "Action": ["sagemaker:InvokeEndpont"]}
    finding = validation_finding(iam_resource(json.dumps({"Version": "2012-10-17", "Statement": [typo]})))
    assert (finding.control, finding.status) == ("IAM-09", "fail")
    assert "sagemaker:InvokeEndpont" in finding.message


def test_iam_09_validation_errors_on_an_unknown_policy() -> None:
    assert validation_finding(iam_resource(UNKNOWN)).status == "error"

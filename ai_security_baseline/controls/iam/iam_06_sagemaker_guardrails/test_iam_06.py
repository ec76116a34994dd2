"""IAM-06: SageMaker creates only inside the baseline network, isolated, with the baseline keys, in the rule and
the live account."""

from __future__ import annotations

import copy
import json
from typing import Any

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.iam.iam_06_sagemaker_guardrails import mutation, rule
from ai_security_baseline.controls.iam.testing import KEY, by_sid, inline
from ai_security_baseline.controls.kit import UNKNOWN, Res
from ai_security_baseline.controls.testing import ACCOUNT, REGION
from ai_security_baseline.controls.vocabulary import ROLE_POLICY
from ai_security_baseline.verify.checkers.audit.core import policy_json
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount

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
    [finding] = live_dev.probe_mutated("IAM-06", mutation.isolation_dropped_live)
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


def test_iam_06_trainer_creates_jobs_only_inside_the_baseline_guardrails(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    keys = {k.name: k.outputs["arn"] for k in graph.by_type(KEY)}
    subnets = sorted(s.id for s in graph.by_type("aws:ec2/subnet:Subnet"))
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "workloads-sg").id
    assert by_sid(inline(graph, vocabulary.TRAINER))["CreateJobsInsideBaselineGuardrails"] == {
        "Sid": "CreateJobsInsideBaselineGuardrails",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"],
        "Resource": [
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/aisb-dev-*",
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/aisb-dev-*",
        ],
        "Condition": {
            "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": subnets, "sagemaker:VpcSecurityGroupIds": [sg]},
            "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"},
            "Bool": {"sagemaker:NetworkIsolation": "true", "sagemaker:InterContainerTrafficEncryption": "true"},
            "ArnEquals": {
                "sagemaker:VolumeKmsKeyArn": keys["keys-data"],
                "sagemaker:OutputKmsKeyArn": keys["keys-models"],
            },
        },
    }


def test_iam_06_trainer_creates_jobs_without_a_volume_key_only_on_local_storage_instance_types(
    dev_graph: ResourceGraph,
) -> None:
    graph = dev_graph
    keys = {k.name: k.outputs["arn"] for k in graph.by_type(KEY)}
    subnets = sorted(s.id for s in graph.by_type("aws:ec2/subnet:Subnet"))
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "workloads-sg").id
    statement = by_sid(inline(graph, vocabulary.TRAINER))["CreateLocalStorageJobsInsideBaselineGuardrails"]
    assert statement["Condition"] == {
        "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": subnets, "sagemaker:VpcSecurityGroupIds": [sg]},
        "ForAllValues:StringLike": {"sagemaker:InstanceTypes": statement_patterns(statement)},
        "Null": {
            "sagemaker:VpcSubnets": "false",
            "sagemaker:VpcSecurityGroupIds": "false",
            "sagemaker:InstanceTypes": "false",
            "sagemaker:VolumeKmsKeyArn": "true",
        },
        "Bool": {"sagemaker:NetworkIsolation": "true", "sagemaker:InterContainerTrafficEncryption": "true"},
        "ArnEquals": {"sagemaker:OutputKmsKeyArn": keys["keys-models"]},
    }
    assert {"ml.p4d.*", "ml.p4de.*", "ml.p5.*", "ml.g5.*", "ml.g6.*", "ml.g4dn.*", "ml.m5d.*", "ml.c5d.*"} <= set(
        statement_patterns(statement)
    )
    assert not {"ml.m5.*", "ml.c5.*", "ml.p3.*", "ml.*"} & set(statement_patterns(statement))


def test_iam_06_workload_group_allows_https_to_endpoints_and_s3_and_traffic_among_members(
    dev_graph: ResourceGraph,
) -> None:
    graph = dev_graph
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "workloads-sg")
    assert sg.inputs["vpcId"] == graph.one("aws:ec2/vpc:Vpc", "network-vpc").id
    prefix_list = graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "endpoints-s3").outputs["prefixListId"]
    rules = {
        (
            r.type.split(":")[-1],
            r.inputs["ipProtocol"],
            r.inputs.get("fromPort"),
            r.inputs.get("toPort"),
            r.inputs.get("cidrIpv4") or r.inputs.get("prefixListId") or r.inputs.get("referencedSecurityGroupId"),
        )
        for t in (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        )
        for r in graph.by_type(t)
        if r.inputs["securityGroupId"] == sg.id
    }
    assert rules == {
        ("SecurityGroupEgressRule", "tcp", 443, 443, "10.42.0.0/16"),
        ("SecurityGroupEgressRule", "tcp", 443, 443, prefix_list),
        ("SecurityGroupEgressRule", "-1", None, None, sg.id),
        ("SecurityGroupIngressRule", "-1", None, None, sg.id),
    }
    exclusive = graph.one("aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive", "workloads-sg")
    assert (len(exclusive.inputs["ingressRuleIds"]), len(exclusive.inputs["egressRuleIds"])) == (1, 3)


def test_iam_06_only_the_trainer_may_create_sagemaker_resources(dev_graph: ResourceGraph) -> None:
    creators = {
        name
        for name in (vocabulary.PROCESSOR, vocabulary.TRAINER, vocabulary.INFERENCE)
        for s in inline(dev_graph, name)["Statement"]
        if any(a.startswith("sagemaker:Create") for a in s["Action"])
    }
    assert creators == {vocabulary.TRAINER}


def statement_patterns(statement: dict[str, Any]) -> list[str]:
    patterns: list[str] = statement["Condition"]["ForAllValues:StringLike"]["sagemaker:InstanceTypes"]
    return patterns

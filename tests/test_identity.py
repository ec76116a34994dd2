"""KMS-06 and the identity wiring (resource order, outputs, the matrix generator) on the offline dev graph of the real
program; the IAM controls' own tests live in their units (controls/iam/)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
import pytest

from ai_security_baseline.components import identity
from ai_security_baseline.components.config import BucketNamesConfig
from ai_security_baseline.components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.testing import ACCOUNT, REGION
from ai_security_baseline.controls.vocabulary import KMS_KEY, MANAGED_POLICY, ROLE, ROLE_POLICY
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.mocks import BaselineMocks
from ai_security_baseline.verify.engine.offline import OfflineRun, run_program

ARN = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-"


@pytest.fixture(scope="module")
def dev(dev_run: OfflineRun) -> OfflineRun:
    """The session's dev render, under the name these tests read it by."""
    return dev_run


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
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(MANAGED_POLICY)]
    return docs


def test_kms_06_trainer_uses_the_data_key_through_ebs_on_both_sides_under_the_same_conditions(
    dev: OfflineRun,
) -> None:
    graph = dev.graph
    data_key = graph.one(KMS_KEY, "keys-data")
    via_ec2 = {"StringEquals": {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
    grant = {**via_ec2, "Bool": {"kms:GrantIsForAWSResource": "true"}}
    use = [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ]
    trainer = by_sid(inline(graph, vocabulary.TRAINER))
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
        if name != vocabulary.TRAINER
        for s in inline(dev.graph, name)["Statement"]
        if "ec2." in json.dumps(s.get("Condition", {}))
    ]
    via_ec2 += [
        (key.name, s["Sid"])
        for key in dev.graph.by_type(KMS_KEY)
        if key.name not in ("keys-data", "keys-ebs")  # the default EBS key is used through EC2 only (ACC-02)
        for s in json.loads(key.inputs["policy"])["Statement"]
        if "ec2." in json.dumps(s.get("Condition", {}))
    ]
    assert via_ec2 == []


def test_kms_06_data_key_names_exactly_processor_and_trainer_via_s3(dev: OfflineRun) -> None:
    statements = json.loads(dev.graph.one(KMS_KEY, "keys-data").inputs["policy"])["Statement"]
    via_s3 = [
        s for s in statements if s.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService", "")[:3] == "s3."
    ]
    assert [(s["Sid"], s["Principal"]["AWS"], s["Action"]) for s in via_s3] == [
        ("RolesReadDataKeyViaS3", [f"{ARN}model-trainer"], ["kms:Decrypt"]),
        ("RolesWriteDataKeyViaS3", [f"{ARN}data-processor"], ["kms:Decrypt", "kms:GenerateDataKey"]),
        ("MalwareProtectionUsesDataKeyViaS3", [f"{ARN}malware-protection"], ["kms:Decrypt", "kms:GenerateDataKey"]),
    ]
    assert via_s3[0]["Condition"]["StringEquals"]["kms:CallerAccount"] == ACCOUNT


def test_kms_06_models_key_names_exactly_trainer_and_inference_via_s3(dev: OfflineRun) -> None:
    """Object reads and writes; the guardrail's use of the key through Bedrock (AI-02) is pinned by KMS-04's test."""
    statements = json.loads(dev.graph.one(KMS_KEY, "keys-models").inputs["policy"])["Statement"]
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
    users = [s for s in statements if s["Sid"] != "AccountRootManagesKeyOnly" and "bedrock." not in json.dumps(s)]
    assert [(s["Sid"], s["Principal"]["AWS"], s["Condition"]) for s in users] == [
        ("RolesReadModelsKeyViaS3", [f"{ARN}inference"], via_s3),
        ("RolesWriteModelsKeyViaS3", [f"{ARN}model-trainer"], via_s3),
        ("MalwareProtectionUsesModelsKeyViaS3", [f"{ARN}malware-protection"], via_s3),
    ]


def test_roles_exist_before_the_key_policies_and_inline_policies_after_the_keys(dev: OfflineRun) -> None:
    graph = dev.graph
    data_key = graph.one(KMS_KEY, "keys-data")
    assert {role(graph, r).urn for r in (vocabulary.PROCESSOR, vocabulary.TRAINER)} <= set(
        data_key.property_dependencies["policy"]
    )
    trainer_policy = graph.one(ROLE_POLICY, "identity-policies-model-trainer")
    assert data_key.urn in trainer_policy.property_dependencies["policy"]
    assert trainer_policy.inputs["role"] == role(graph, vocabulary.TRAINER).id


def test_gov_04_outputs_name_every_role_and_the_boundary(dev: OfflineRun) -> None:
    exports = dev.exports
    assert {k: exports[k] for k in exports if k.endswith("RoleArn")} == {
        "dataProcessorRoleArn": f"{ARN}data-processor",
        "modelTrainerRoleArn": f"{ARN}model-trainer",
        "inferenceRoleArn": f"{ARN}inference",
        "auditorRoleArn": f"{ARN}auditor",
        "malwareProtectionRoleArn": f"{ARN}malware-protection",
        "modelApproverRoleArn": f"{ARN}model-approver",
    }
    assert exports["permissionsBoundaryArn"] == f"arn:aws:iam::{ACCOUNT}:policy/aisb-dev-workload-boundary"


def test_matrix_generates_auditor_reads_of_the_audit_bucket_when_given() -> None:
    targets = identity.boundary_targets(
        AccountContext(ACCOUNT, REGION, "aws"), "aisb-dev", bucket_names=BucketNamesConfig()
    )
    wired = dataclasses.replace(targets, bucket_arns={vocabulary.AUDIT_LOGS: "arn:aws:s3:::aisb-dev-audit-1234567"})
    document = identity.role_policy_document(vocabulary.AUDITOR, wired)
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
    logs = by_sid(json.loads(graph.one(KMS_KEY, "keys-logs").inputs["policy"]))
    assert logs["RolesReadLogsKeyViaS3"]["Principal"] == {"AWS": [f"{ARN}auditor"]}
    assert logs["RolesReadLogsKeyViaS3"]["Condition"]["StringEquals"]["kms:ViaService"] == f"s3.{REGION}.amazonaws.com"


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
    data_key = graph.one(KMS_KEY, "keys-data")
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
    data_key = graph.one(KMS_KEY, "keys-data")
    statements = by_sid(json.loads(data_key.inputs["policy"]))
    grantees = {sid: statements[sid]["Principal"]["AWS"] for sid in statements if sid.endswith("ForEbs")}
    assert grantees == {
        "RolesUseDataKeyForEbs": [f"{ARN}model-trainer"],
        "RolesCreateDataKeyGrantsForEbs": [f"{ARN}model-trainer"],
    }
    assert graph.one(ROLE, "identity-model-trainer").urn in data_key.property_dependencies["policy"]

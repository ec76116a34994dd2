"""Storage rules (S3-01…S3-14, GOV-02): a small literal stack passes; each violation fails with its control id.

The compliant fixture is built with the project's own pure policy builders (``components.documents``), so a rule
and the component agree on meaning; violations are single edits of that fixture.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import StackValidationArgs

from components import documents
from controls.kit import UNKNOWN, Res
from controls.kms.common import KMS_ALIAS, KMS_KEY
from policies import rules_storage as s3
from tests.test_crossguard import options, policy, resource_args, stack_resources, violations
from verify.checkers.rules import scan_rules, to_rule_resource
from verify.engine.graph import ResourceGraph, load_preview_file
from verify.engine.offline import run_stack
from verify.findings.catalog import load_catalog
from verify.findings.waivers import WAIVERS_PATH, apply_waivers, load_waivers

ACCOUNT = "111122223333"
ENDPOINT = "vpce-0123456789abcdef0"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
PROCESSOR = f"arn:aws:iam::{ACCOUNT}:role/data-processor"
STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
PREVIEW = Path(__file__).parent / "data" / "preview-minimal.json"

Statement = dict[str, Any]
Graph = list[Res]


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:dev::p::{type_token}::{name}"


def key_arn(data_class: str) -> str:
    return f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k-{data_class}"


def kms_key(data_class: str) -> list[Res]:
    key = Res(urn(KMS_KEY, data_class), KMS_KEY, {"arn": key_arn(data_class), "keyId": f"k-{data_class}"})
    alias = Res(
        urn(KMS_ALIAS, data_class),
        KMS_ALIAS,
        {"name": f"alias/aisb-dev-{data_class}", "targetKeyId": f"k-{data_class}"},
        property_dependencies={"targetKeyId": (key.urn,)},
    )
    return [key, alias]


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}-1a2b3c4"


def bucket_policy(name: str, data_class: str | None, extra: Sequence[Statement] = ()) -> str:
    document = documents.bucket_policy(
        bucket_arn(name),
        account_id=ACCOUNT,
        kms_key_arn=key_arn(data_class) if data_class else None,
        vpc_endpoint_ids=[ENDPOINT] if data_class else [],
        exempt_principal_arns=[DEPLOYER],
        extra_statements=extra,
    )
    return json.dumps(document)


def secure_bucket(
    name: str, data_class: str | None, *, policy_extra: Sequence[Statement] = (), log_to: str = "", lock: bool = False
) -> Graph:
    """A bucket and its v7 side resources as the engine records them (property dependencies on ``bucket``)."""
    bucket = Res(
        urn(s3.BUCKET, name),
        s3.BUCKET,
        {"bucket": f"{name}-1a2b3c4", "arn": bucket_arn(name), "forceDestroy": False, "objectLockEnabled": lock},
        retain_on_delete=True,
    )

    def side(type_token: str, *depends_on: Res, **props: Any) -> Res:
        return Res(
            urn(type_token, name),
            type_token,
            {"bucket": bucket.props["bucket"], **props},
            dependencies=(bucket.urn, *(d.urn for d in depends_on)),
            property_dependencies={"bucket": (bucket.urn,)},
            retain_on_delete=True,
        )

    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    pab = side(s3.PUBLIC_ACCESS_BLOCK, **dict.fromkeys(flags, True))
    ownership = side(s3.OWNERSHIP, rule={"objectOwnership": "BucketOwnerEnforced"})
    sse = (
        {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn(data_class)} if data_class else {"sseAlgorithm": "AES256"}
    )
    rule: dict[str, Any] = {"applyServerSideEncryptionByDefault": sse, "blockedEncryptionTypes": ["SSE-C"]}
    if data_class:
        rule["bucketKeyEnabled"] = True
    lifecycle_rules = [
        {
            "id": "abort",
            "status": "Enabled",
            "filter": {},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        },
        {"id": "noncurrent", "status": "Enabled", "filter": {}, "noncurrentVersionExpiration": {"noncurrentDays": 90}},
    ]
    graph = [
        bucket,
        pab,
        ownership,
        side(s3.ENCRYPTION, rules=[rule]),
        side(s3.VERSIONING, versioningConfiguration={"status": "Enabled"}),
        side(s3.LIFECYCLE, rules=lifecycle_rules),
        side(s3.BUCKET_POLICY, pab, ownership, policy=bucket_policy(name, data_class, policy_extra)),
    ]
    if log_to:
        graph.append(side(s3.LOGGING, targetBucket=f"{log_to}-1a2b3c4", targetPrefix=f"{name}/"))
    if lock:
        retention = {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}
        graph.append(side(s3.OBJECT_LOCK, objectLockEnabled="Enabled", rule=retention))
    return graph


def log_grant(*sources: str) -> Statement:
    return documents.allow_server_access_logs_statement(bucket_arn("logs"), [bucket_arn(s) for s in sources], ACCOUNT)


def secret(data_class: str = "data", readers: Sequence[str] = (PROCESSOR,)) -> Graph:
    arn = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:aisb-dev/pseudonymization-key-a1b2c3"
    props = {"name": "aisb-dev/pseudonymization-key", "kmsKeyId": key_arn(data_class), "arn": arn}
    the_secret = Res(urn(s3.SECRET, "pseudonymization"), s3.SECRET, props)
    policy_props = {
        "secretArn": arn,
        "blockPublicPolicy": True,
        "policy": json.dumps(documents.secret_read_policy(readers)),
    }
    return [the_secret, Res(urn(s3.SECRET_POLICY, "pseudonymization"), s3.SECRET_POLICY, policy_props)]


def compliant() -> Graph:
    """Keys, one VPC endpoint, the log bucket (SSE-S3), a data bucket and the model registry, and the secret."""
    endpoint = Res(urn(s3.VPC_ENDPOINT, "s3"), s3.VPC_ENDPOINT, {"id": ENDPOINT})
    return [
        Res(STACK, "pulumi:pulumi:Stack", {}),
        *kms_key("data"),
        *kms_key("models"),
        endpoint,
        *secure_bucket("logs", None, policy_extra=[log_grant("raw", "models")]),
        *secure_bucket("raw", "data", log_to="logs"),
        *secure_bucket("models", "models", log_to="logs", lock=True),
        *secret(),
    ]


# ---- editing the fixture ------------------------------------------------------------------------------------------


def find(graph: Graph, type_token: str, name: str) -> Res:
    return next(r for r in graph if r.type == type_token and r.name == name)


def edited(graph: Graph, type_token: str, name: str, **changes: Any) -> Graph:
    """The graph with one resource's props (and, via ``_fields``, its other fields) changed."""
    fields = changes.pop("_fields", {})
    target = find(graph, type_token, name)
    new = dataclasses.replace(target, props={**target.props, **changes}, **fields)
    return [new if r is target else r for r in graph]


def without(graph: Graph, type_token: str, name: str) -> Graph:
    target = find(graph, type_token, name)
    return [r for r in graph if r is not target]


def with_policy(graph: Graph, name: str, edit: Callable[[list[Statement]], list[Statement]]) -> Graph:
    """The graph with bucket ``name``'s policy statements rewritten by ``edit``."""
    document = json.loads(find(graph, s3.BUCKET_POLICY, name).props["policy"])
    document["Statement"] = edit(document["Statement"])
    return edited(graph, s3.BUCKET_POLICY, name, policy=json.dumps(document))


def drop_sid(sid: str) -> Callable[[list[Statement]], list[Statement]]:
    return lambda sts: [st for st in sts if st["Sid"] != sid]


def change_sid(sid: str, **fields: Any) -> Callable[[list[Statement]], list[Statement]]:
    return lambda sts: [{**st, **fields} if st["Sid"] == sid else st for st in sts]


def results(rule_name: str, graph: Graph) -> dict[tuple[str, str], str]:
    """(control, resource name) -> status of one storage rule over the graph."""
    rule = next(r for r in s3.STORAGE_RULES if r.name == rule_name)
    return {(o.control, o.urn.split("::")[-1]): o.status for o in rule.evaluate(graph)}


def messages(rule_name: str, graph: Graph) -> dict[tuple[str, str], str]:
    rule = next(r for r in s3.STORAGE_RULES if r.name == rule_name)
    return {(o.control, o.urn.split("::")[-1]): o.message for o in rule.evaluate(graph)}


# ---- every rule passes the compliant fixture ----------------------------------------------------------------------

#: The one documented non-pass of the compliant fixture: the log target is SSE-S3 by design (waiver).
BY_DESIGN = {("S3-03", "logs"): "fail"}


@pytest.mark.parametrize("rule_name", [r.name for r in s3.STORAGE_RULES])
def test_storage_rule_passes_the_compliant_fixture(rule_name: str) -> None:
    found = results(rule_name, compliant())
    assert found, "the rule produced no outcome"
    assert {k: v for k, v in found.items() if v != "pass"} == {k: v for k, v in BY_DESIGN.items() if k in found}


# ---- S3-01 public access block ------------------------------------------------------------------------------------


def test_s3_01_rule_fails_a_bucket_with_restrict_public_buckets_off() -> None:
    graph = edited(compliant(), s3.PUBLIC_ACCESS_BLOCK, "raw", restrictPublicBuckets=False)
    assert results("s3-public-access-block", graph)[("S3-01", "raw")] == "fail"


def test_s3_01_rule_fails_a_bucket_without_a_public_access_block() -> None:
    graph = without(compliant(), s3.PUBLIC_ACCESS_BLOCK, "raw")
    assert messages("s3-public-access-block", graph)[("S3-01", "raw")] == "no public access block attached"
    assert results("s3-public-access-block", graph)[("S3-01", "raw")] == "fail"


def test_s3_01_rule_joins_by_bucket_name_when_there_are_no_property_dependencies() -> None:
    graph = edited(compliant(), s3.PUBLIC_ACCESS_BLOCK, "raw", _fields={"property_dependencies": {}})
    assert results("s3-public-access-block", graph)[("S3-01", "raw")] == "pass"


def test_s3_01_rule_errors_when_a_block_of_unknown_bucket_cannot_be_attributed() -> None:
    graph = without(compliant(), s3.PUBLIC_ACCESS_BLOCK, "logs")
    graph = edited(graph, s3.PUBLIC_ACCESS_BLOCK, "raw", bucket=UNKNOWN, _fields={"property_dependencies": {}})
    assert set(results("s3-public-access-block", graph).values()) == {"error"}


def test_s3_01_rule_fails_the_real_preview_file_with_restrict_public_buckets_off() -> None:
    findings = scan_rules(
        load_preview_file(PREVIEW), [r for r in s3.STORAGE_RULES if r.name == "s3-public-access-block"]
    )
    assert [(f.control, f.resource_name, f.status) for f in findings] == [("S3-01", "raw", "fail")]


# ---- S3-02 ownership, S3-09 versioning, S3-12 lifecycle -----------------------------------------------------------


def test_s3_02_rule_fails_object_writer_ownership() -> None:
    graph = edited(compliant(), s3.OWNERSHIP, "raw", rule={"objectOwnership": "ObjectWriter"})
    assert results("s3-ownership-controls", graph)[("S3-02", "raw")] == "fail"


def test_s3_02_rule_fails_a_bucket_without_ownership_controls() -> None:
    graph = without(compliant(), s3.OWNERSHIP, "logs")
    assert results("s3-ownership-controls", graph)[("S3-02", "logs")] == "fail"


def test_s3_09_rule_fails_suspended_versioning() -> None:
    graph = edited(compliant(), s3.VERSIONING, "raw", versioningConfiguration={"status": "Suspended"})
    assert results("s3-versioning", graph)[("S3-09", "raw")] == "fail"


def test_s3_09_rule_fails_a_bucket_without_versioning() -> None:
    graph = without(compliant(), s3.VERSIONING, "models")
    assert results("s3-versioning", graph)[("S3-09", "models")] == "fail"


def test_s3_12_rule_fails_multipart_uploads_kept_for_thirty_days() -> None:
    rules = [
        {
            "id": "abort",
            "status": "Enabled",
            "filter": {},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 30},
        },
        {"id": "noncurrent", "status": "Enabled", "filter": {}, "noncurrentVersionExpiration": {"noncurrentDays": 90}},
    ]
    graph = edited(compliant(), s3.LIFECYCLE, "raw", rules=rules)
    assert results("s3-lifecycle", graph)[("S3-12", "raw")] == "fail"


def test_s3_12_rule_does_not_count_a_rule_limited_to_a_prefix() -> None:
    rules = [
        {
            "id": "abort",
            "status": "Enabled",
            "filter": {"prefix": "tmp/"},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        },
        {"id": "noncurrent", "status": "Enabled", "filter": {}, "noncurrentVersionExpiration": {"noncurrentDays": 90}},
    ]
    graph = edited(compliant(), s3.LIFECYCLE, "raw", rules=rules)
    assert results("s3-lifecycle", graph)[("S3-12", "raw")] == "fail"


def test_s3_12_rule_fails_a_bucket_without_lifecycle() -> None:
    graph = without(compliant(), s3.LIFECYCLE, "logs")
    assert results("s3-lifecycle", graph)[("S3-12", "logs")] == "fail"


# ---- S3-03 default encryption -------------------------------------------------------------------------------------


def test_s3_03_rule_fails_the_log_target_as_the_by_design_waiver() -> None:
    message = messages("s3-default-encryption", compliant())[("S3-03", "logs")]
    assert "server access log target" in message
    assert "WAIVERS_BY_DESIGN" in message


def test_s3_03_rule_fails_sse_s3_on_a_data_bucket_without_naming_a_waiver() -> None:
    graph = edited(
        compliant(), s3.ENCRYPTION, "raw", rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    )
    assert results("s3-default-encryption", graph)[("S3-03", "raw")] == "fail"
    assert "no waiver by design" in messages("s3-default-encryption", graph)[("S3-03", "raw")]


def test_s3_03_rule_fails_sse_kms_without_bucket_key() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn("data")}
    graph = edited(compliant(), s3.ENCRYPTION, "raw", rules=[{"applyServerSideEncryptionByDefault": sse}])
    assert results("s3-default-encryption", graph)[("S3-03", "raw")] == "fail"


def test_s3_03_rule_fails_a_key_that_is_not_in_this_stack() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:eu-west-1:999999999999:key/other"}
    graph = edited(
        compliant(), s3.ENCRYPTION, "raw", rules=[{"applyServerSideEncryptionByDefault": sse, "bucketKeyEnabled": True}]
    )
    assert results("s3-default-encryption", graph)[("S3-03", "raw")] == "fail"


def test_s3_03_rule_resolves_an_unknown_key_arn_through_property_dependencies() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}
    deps = {"bucket": (urn(s3.BUCKET, "raw"),), "rules": (urn(KMS_KEY, "data"),)}
    rules = [{"applyServerSideEncryptionByDefault": sse, "bucketKeyEnabled": True}]
    graph = edited(compliant(), s3.ENCRYPTION, "raw", rules=rules, _fields={"property_dependencies": deps})
    assert results("s3-default-encryption", graph)[("S3-03", "raw")] == "pass"


def test_s3_03_rule_errors_on_an_unknown_key_arn_without_property_dependencies() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}
    rules = [{"applyServerSideEncryptionByDefault": sse, "bucketKeyEnabled": True}]
    graph = edited(compliant(), s3.ENCRYPTION, "raw", rules=rules, _fields={"property_dependencies": {}})
    assert results("s3-default-encryption", graph) == {("S3-03", "p-dev"): "error"}


# ---- S3-04 / S3-05 transport --------------------------------------------------------------------------------------


def test_s3_04_rule_fails_a_policy_without_the_secure_transport_deny() -> None:
    graph = with_policy(compliant(), "raw", drop_sid("DenyInsecureTransport"))
    assert results("s3-policy-transport", graph)[("S3-04", "raw")] == "fail"


def test_s3_04_rule_ignores_sids_and_accepts_the_same_deny_under_another_name() -> None:
    graph = with_policy(compliant(), "raw", change_sid("DenyInsecureTransport", Sid="Whatever"))
    assert results("s3-policy-transport", graph)[("S3-04", "raw")] == "pass"


def test_s3_04_rule_fails_a_deny_that_covers_only_the_objects() -> None:
    graph = with_policy(compliant(), "raw", change_sid("DenyInsecureTransport", Resource=[f"{bucket_arn('raw')}/*"]))
    assert results("s3-policy-transport", graph)[("S3-04", "raw")] == "fail"


def test_s3_04_rule_fails_a_deny_narrowed_by_an_extra_condition() -> None:
    narrowed = {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:PrincipalTag/team": "ml"}}
    graph = with_policy(compliant(), "raw", change_sid("DenyInsecureTransport", Condition=narrowed))
    assert results("s3-policy-transport", graph)[("S3-04", "raw")] == "fail"


def test_s3_04_rule_errors_on_a_policy_unknown_until_apply() -> None:
    graph = edited(compliant(), s3.BUCKET_POLICY, "raw", policy=UNKNOWN)
    assert results("s3-policy-transport", graph) == {("S3-04", "p-dev"): "error", ("S3-05", "p-dev"): "error"}


def test_s3_05_rule_fails_a_policy_without_the_tls_deny() -> None:
    graph = with_policy(compliant(), "models", drop_sid("DenyOutdatedTls"))
    assert results("s3-policy-transport", graph)[("S3-05", "models")] == "fail"


def test_s3_05_rule_fails_a_tls_floor_of_1_1() -> None:
    graph = with_policy(
        compliant(), "raw", change_sid("DenyOutdatedTls", Condition={"NumericLessThan": {"s3:TlsVersion": 1.1}})
    )
    assert results("s3-policy-transport", graph)[("S3-05", "raw")] == "fail"


# ---- S3-06 upload encryption --------------------------------------------------------------------------------------


def test_s3_06_rule_fails_the_if_exists_header_deny_that_breaks_default_encryption() -> None:
    if_exists = {"StringNotEqualsIfExists": {documents.SSE_HEADER: "aws:kms"}}
    graph = with_policy(compliant(), "raw", change_sid("DenyUnexpectedEncryptionHeader", Condition=if_exists))
    assert results("s3-policy-upload-encryption", graph)[("S3-06", "raw")] == "fail"
    assert "default encryption" in messages("s3-policy-upload-encryption", graph)[("S3-06", "raw")]


def test_s3_06_rule_fails_a_header_deny_that_also_admits_aes256() -> None:
    loose = {"StringNotEquals": {documents.SSE_HEADER: ["aws:kms", "AES256"]}, "Null": {documents.SSE_HEADER: "false"}}
    graph = with_policy(compliant(), "raw", change_sid("DenyUnexpectedEncryptionHeader", Condition=loose))
    assert results("s3-policy-upload-encryption", graph)[("S3-06", "raw")] == "fail"


def test_s3_06_rule_fails_a_policy_without_the_foreign_key_deny() -> None:
    graph = with_policy(compliant(), "raw", drop_sid("DenyForeignKmsKey"))
    assert results("s3-policy-upload-encryption", graph)[("S3-06", "raw")] == "fail"


def test_s3_06_rule_fails_a_foreign_key_deny_naming_another_key() -> None:
    other = {
        "StringNotEquals": {documents.SSE_KMS_KEY_HEADER: key_arn("models")},
        "Null": {documents.SSE_KMS_KEY_HEADER: "false"},
    }
    graph = with_policy(compliant(), "raw", change_sid("DenyForeignKmsKey", Condition=other))
    assert results("s3-policy-upload-encryption", graph)[("S3-06", "raw")] == "fail"


def test_s3_06_rule_fails_a_policy_without_the_sse_c_deny() -> None:
    graph = with_policy(compliant(), "logs", drop_sid("DenySseCUploads"))
    assert results("s3-policy-upload-encryption", graph)[("S3-06", "logs")] == "fail"


# ---- S3-07 VPC-only data access -----------------------------------------------------------------------------------


def test_s3_07_rule_fails_a_data_bucket_without_the_vpc_only_deny() -> None:
    graph = with_policy(compliant(), "raw", drop_sid("DenyAccessOutsideVpcEndpoints"))
    assert results("s3-policy-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_does_not_apply_to_the_log_target() -> None:
    assert ("S3-07", "logs") not in results("s3-policy-vpc-only", compliant())


def test_s3_07_rule_fails_an_endpoint_id_that_is_not_in_this_stack() -> None:
    condition = {
        "StringNotEquals": {"aws:SourceVpce": ["vpce-ffffffffffffffff0"]},
        "Bool": {"aws:ViaAWSService": "false"},
    }
    graph = with_policy(compliant(), "raw", change_sid("DenyAccessOutsideVpcEndpoints", Condition=condition))
    assert results("s3-policy-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_fails_an_empty_endpoint_list() -> None:
    condition = {"StringNotEquals": {"aws:SourceVpce": []}, "Bool": {"aws:ViaAWSService": "false"}}
    graph = with_policy(compliant(), "raw", change_sid("DenyAccessOutsideVpcEndpoints", Condition=condition))
    assert results("s3-policy-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_fails_a_deny_without_the_aws_service_exemption() -> None:
    condition = {"StringNotEquals": {"aws:SourceVpce": [ENDPOINT]}}
    graph = with_policy(compliant(), "raw", change_sid("DenyAccessOutsideVpcEndpoints", Condition=condition))
    assert results("s3-policy-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_fails_a_deny_that_locks_admins_out_of_the_bucket_policy() -> None:
    everything = change_sid("DenyAccessOutsideVpcEndpoints", Action="s3:*", Resource=["*"])
    graph = with_policy(compliant(), "raw", everything)
    assert results("s3-policy-vpc-only", graph)[("S3-07", "raw")] == "fail"


# ---- S3-08 perimeter ----------------------------------------------------------------------------------------------


def test_s3_08_rule_fails_a_policy_without_the_account_perimeter() -> None:
    graph = with_policy(compliant(), "raw", drop_sid("DenyPrincipalsOutsideAccount"))
    assert results("s3-policy-perimeter", graph)[("S3-08", "raw")] == "fail"


def test_s3_08_rule_passes_an_organization_perimeter() -> None:
    org = documents.deny_foreign_principals_statement(bucket_arn("raw"), ACCOUNT, "o-abcdefghij")
    graph = with_policy(compliant(), "raw", lambda sts: [*drop_sid("DenyPrincipalsOutsideAccount")(sts), org])
    assert results("s3-policy-perimeter", graph)[("S3-08", "raw")] == "pass"


def test_s3_08_rule_fails_a_bucket_without_a_policy() -> None:
    graph = without(compliant(), s3.BUCKET_POLICY, "raw")
    assert messages("s3-policy-perimeter", graph)[("S3-08", "raw")] == "no bucket policy attached"


# ---- S3-10 model registry -----------------------------------------------------------------------------------------


def test_s3_10_rule_fails_a_model_registry_without_object_lock_configuration() -> None:
    graph = without(compliant(), s3.OBJECT_LOCK, "models")
    assert results("s3-model-registry-lock", graph)[("S3-10", "models")] == "fail"


def test_s3_10_rule_fails_a_model_registry_created_without_object_lock() -> None:
    graph = edited(compliant(), s3.BUCKET, "models", objectLockEnabled=False)
    assert results("s3-model-registry-lock", graph)[("S3-10", "models")] == "fail"


def test_s3_10_rule_recognises_the_registry_by_its_models_key_without_a_tag() -> None:
    graph = without(compliant(), s3.OBJECT_LOCK, "models")  # the fixture's buckets carry no bucket-class tag
    assert ("S3-10", "models") in results("s3-model-registry-lock", graph)
    assert ("S3-10", "raw") not in results("s3-model-registry-lock", graph)


def test_s3_10_rule_fails_a_stack_with_buckets_but_no_model_registry() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn("data")}
    graph = edited(compliant(), s3.ENCRYPTION, "models", rules=[{"applyServerSideEncryptionByDefault": sse}])
    assert results("s3-model-registry-lock", graph) == {("S3-10", "p-dev"): "fail"}


# ---- S3-11 access logging -----------------------------------------------------------------------------------------


def test_s3_11_rule_fails_a_data_bucket_without_access_logging() -> None:
    graph = without(compliant(), s3.LOGGING, "raw")
    assert results("s3-access-logging", graph)[("S3-11", "raw")] == "fail"


def test_s3_11_rule_fails_a_bucket_logging_into_itself() -> None:
    graph = edited(compliant(), s3.LOGGING, "raw", targetBucket="raw-1a2b3c4")
    assert results("s3-access-logging", graph)[("S3-11", "raw")] == "fail"


def test_s3_11_rule_fails_log_delivery_admitted_without_source_arn() -> None:
    loose = change_sid("AllowS3ServerAccessLogs", Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    graph = with_policy(compliant(), "logs", loose)
    assert results("s3-access-logging", graph)[("S3-11", "logs")] == "fail"


def test_s3_11_rule_fails_a_log_grant_that_omits_a_source_bucket() -> None:
    graph = with_policy(compliant(), "logs", lambda sts: [log_grant("raw"), *sts[1:]])
    assert results("s3-access-logging", graph)[("S3-11", "logs")] == "fail"


# ---- S3-13 destroy safety (resource rule) -------------------------------------------------------------------------


def test_s3_13_rule_fails_force_destroy() -> None:
    graph = edited(compliant(), s3.BUCKET, "raw", forceDestroy=True)
    assert results("s3-bucket-retained", graph)[("S3-13", "raw")] == "fail"


def test_s3_13_rule_fails_a_bucket_not_retained_on_delete() -> None:
    graph = edited(compliant(), s3.BUCKET, "raw", _fields={"retain_on_delete": False})
    assert results("s3-bucket-retained", graph)[("S3-13", "raw")] == "fail"


def test_s3_13_rule_says_when_retain_on_delete_is_not_visible() -> None:
    graph = edited(compliant(), s3.BUCKET, "raw", _fields={"retain_on_delete": None})
    assert results("s3-bucket-retained", graph)[("S3-13", "raw")] == "pass"
    assert "retainOnDelete not visible" in messages("s3-bucket-retained", graph)[("S3-13", "raw")]


def test_s3_13_rule_errors_on_an_unknown_force_destroy() -> None:
    graph = edited(compliant(), s3.BUCKET, "raw", forceDestroy=UNKNOWN)
    assert results("s3-bucket-retained", graph)[("S3-13", "raw")] == "error"


# ---- S3-13 a retained bucket keeps its guards (stack rule) --------------------------------------------------------


@pytest.mark.parametrize("guard", s3.GUARDS, ids=[s3.LABELS[g] for g in s3.GUARDS])
def test_s3_13_guard_rule_fails_a_retained_bucket_whose_guard_is_not_retained(guard: str) -> None:
    graph = edited(compliant(), guard, "models", _fields={"retain_on_delete": False})
    assert results("s3-guards-retained", graph)[("S3-13", "models")] == "fail"
    assert s3.LABELS[guard] in messages("s3-guards-retained", graph)[("S3-13", "models")]


def test_s3_13_guard_rule_fails_a_protected_bucket_with_an_unprotected_guard() -> None:
    protected = [dataclasses.replace(r, protect=True) if r.name == "raw" else r for r in compliant()]
    graph = edited(protected, s3.VERSIONING, "raw", _fields={"protect": False})
    assert results("s3-guards-retained", graph)[("S3-13", "raw")] == "fail"
    assert (
        messages("s3-guards-retained", graph)[("S3-13", "raw")]
        == "unprotected guards of a protected bucket: versioning configuration"
    )


def test_s3_13_guard_rule_errors_when_a_guards_retention_cannot_be_seen() -> None:
    graph = edited(compliant(), s3.BUCKET_POLICY, "raw", _fields={"retain_on_delete": None})
    assert set(results("s3-guards-retained", graph).values()) == {"error"}


def test_s3_13_guard_rule_judges_protection_where_retention_is_not_visible() -> None:
    unseen = [dataclasses.replace(r, retain_on_delete=None) for r in compliant()]
    assert results("s3-guards-retained", unseen)[("S3-13", "raw")] == "pass"
    assert "retainOnDelete not visible here" in messages("s3-guards-retained", unseen)[("S3-13", "raw")]


def test_s3_13_guard_stack_policy_fails_an_unprotected_guard_of_a_protected_bucket_through_the_sdk() -> None:
    resources = stack_resources()
    for r in resources:
        if r.name == "aisb-dev-raw" and r.resource_type != s3.LIFECYCLE:
            r.opts = options(protect=True)
    found = violations(policy("s3-guards-retained"), StackValidationArgs(resources, {}))
    assert found == ["[S3-13] unprotected guards of a protected bucket: lifecycle configuration"]


# ---- S3-14 ordering -----------------------------------------------------------------------------------------------


def test_s3_14_rule_fails_a_policy_that_does_not_wait_for_the_public_access_block() -> None:
    policy_res = find(compliant(), s3.BUCKET_POLICY, "raw")
    graph = edited(compliant(), s3.BUCKET_POLICY, "raw", _fields={"dependencies": policy_res.dependencies[:1]})
    assert results("s3-policy-ordering", graph)[("S3-14", "raw")] == "fail"


def test_s3_14_rule_fails_a_bucket_without_a_public_access_block_to_wait_for() -> None:
    graph = without(compliant(), s3.PUBLIC_ACCESS_BLOCK, "raw")
    assert results("s3-policy-ordering", graph)[("S3-14", "raw")] == "fail"


# ---- the dev stack, mutated -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_graph() -> ResourceGraph:
    return run_stack("dev").graph


def dev_resources(graph: ResourceGraph) -> Graph:
    return [to_rule_resource(r) for r in graph]


def test_dev_stack_only_non_pass_storage_findings_are_the_two_by_design_waivers(dev_graph: ResourceGraph) -> None:
    findings = scan_rules(dev_graph, s3.STORAGE_RULES)
    control_waivers = [w for w in load_waivers(WAIVERS_PATH, load_catalog()) if w.control]
    outcome = apply_waivers(findings, control_waivers, date.today())
    assert sorted((f.control, f.resource_name, f.status) for f in outcome.findings if f.status != "pass") == [
        ("S3-03", "aisb-dev-access-logs", "waived"),
        ("S3-03", "aisb-dev-audit", "waived"),
    ]
    assert outcome.warnings == ()


def test_s3_05_rule_fails_the_dev_raw_bucket_without_its_tls_deny(dev_graph: ResourceGraph) -> None:
    graph = with_policy(dev_resources(dev_graph), "aisb-dev-raw", drop_sid("DenyOutdatedTls"))
    found = results("s3-policy-transport", graph)
    assert {k: v for k, v in found.items() if v != "pass"} == {("S3-05", "aisb-dev-raw"): "fail"}


def test_s3_13_rule_fails_the_dev_models_bucket_with_force_destroy(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_resources(dev_graph), s3.BUCKET, "aisb-dev-models", forceDestroy=True)
    found = results("s3-bucket-retained", graph)
    assert {k: v for k, v in found.items() if v != "pass"} == {("S3-13", "aisb-dev-models"): "fail"}


def test_s3_01_and_s3_14_fail_the_dev_curated_bucket_without_its_public_access_block(dev_graph: ResourceGraph) -> None:
    graph = without(dev_resources(dev_graph), s3.PUBLIC_ACCESS_BLOCK, "aisb-dev-curated")
    assert results("s3-public-access-block", graph)[("S3-01", "aisb-dev-curated")] == "fail"
    assert results("s3-policy-ordering", graph)[("S3-14", "aisb-dev-curated")] == "fail"


# ---- through the pulumi-policy SDK ------------------------------------------------------------------------------


def test_s3_01_stack_policy_reports_a_missing_public_access_block_through_the_sdk() -> None:
    resources = [
        r for r in stack_resources() if not (r.resource_type == s3.PUBLIC_ACCESS_BLOCK and r.name == "aisb-dev-raw")
    ]
    found = violations(policy("s3-public-access-block"), StackValidationArgs(resources, {}))
    assert found == ["[S3-01] no public access block attached"]


def test_s3_03_stack_policy_reports_only_the_two_by_design_exceptions_until_waived_through_the_sdk() -> None:
    resources = stack_resources()
    found = sorted(violations(policy("s3-default-encryption"), StackValidationArgs(resources, {})))
    assert len(found) == 2
    assert found[0].startswith("[S3-03] SSE-KMS with keys-logs, S3 Bucket Key off on the CloudTrail archive")
    assert found[1].startswith("[S3-03] SSE-S3 (AES256) on the server access log target")
    waivers = [
        {"control": "S3-03", "resource": "*-access-logs", "reason": "log targets cannot be SSE-KMS (by design)"},
        {"control": "S3-03", "resource": "*-audit", "reason": "CloudTrail would need kms:Decrypt (by design)"},
    ]
    assert violations(policy("s3-default-encryption"), StackValidationArgs(resources, {"waivers": waivers})) == []


def test_s3_13_resource_policy_says_retain_on_delete_is_not_visible_through_the_sdk() -> None:
    args = resource_args(s3.BUCKET, {"bucket": "b", "forceDestroy": True})
    [message] = violations(policy("s3-bucket-retained"), args)
    assert message.startswith("[S3-13] forceDestroy true; retainOnDelete not visible here")


def test_storage_rules_import_only_the_standard_library_and_the_kit() -> None:
    source = Path(s3.__file__).read_text()
    imported = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.lstrip().startswith(("import ", "from ")) and "__future__" not in line
    }
    assert imported - set(sys.stdlib_module_names) == {"controls", "policies"}


def test_s3_07_rule_treats_the_trail_archive_as_a_log_bucket_not_a_data_bucket() -> None:
    findings = scan_rules(run_stack("dev").graph)
    audit = [f for f in findings if f.control == "S3-07" and f.resource_name.endswith("-audit")]
    assert audit == []


def test_s3_06_rule_accepts_only_a_named_aws_service_exemption_from_the_header_deny() -> None:
    exemption = s3.SERVICE_EXEMPTION[("StringNotEquals", "aws:principalservicename")]
    assert exemption(["cloudtrail.amazonaws.com"]) is True
    assert exemption(["*.amazonaws.com"]) is False
    assert exemption(["arn:aws:iam::111122223333:role/attacker"]) is False

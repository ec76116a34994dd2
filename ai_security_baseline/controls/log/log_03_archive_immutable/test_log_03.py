"""LOG-03: the trail archive is SSE-KMS, versioned, object-locked, admits only this trail and denies deletes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.components.storage import design_waiver
from ai_security_baseline.controls.log.log_03_archive_immutable import mutation
from ai_security_baseline.controls.log.testing import (
    ACCOUNT,
    T_BUCKET,
    T_GROUP,
    T_KEY,
    T_LOCK,
    T_LOGGING,
    T_OWNERSHIP,
    T_PAB,
    T_POLICY,
    T_ROLE,
    T_ROLE_POLICY,
    T_SSE,
    T_VERSIONING,
    TRAIL_ARN,
    audit_of,
    edited,
    key_statements,
    logs_key_arn,
    results,
    trail_of,
)
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount


def test_log_03_archive_is_sse_kms_with_the_logs_key_versioned_private_and_acl_free(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    bucket_id = audit_of(graph, T_BUCKET).id
    assert audit_of(graph, T_SSE).inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": logs_key_arn(graph)},
            "bucketKeyEnabled": False,
            "blockedEncryptionTypes": ["SSE-C"],
        }
    ]
    assert audit_of(graph, T_VERSIONING).inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert audit_of(graph, T_PAB).inputs == {
        "bucket": bucket_id,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert audit_of(graph, T_OWNERSHIP).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_log_03_archive_has_no_bucket_key_so_cloudtrail_needs_no_decrypt_on_the_logs_key(
    dev_graph: ResourceGraph,
) -> None:
    """With an S3 Bucket Key on the archive, CloudTrail documents that CreateTrail needs kms:Decrypt on the key; the
    archive turns the bucket key off instead, and the exception is on record as a design waiver."""
    assert audit_of(dev_graph, T_SSE).inputs["rules"][0]["bucketKeyEnabled"] is False
    assert "kms:Decrypt" not in {
        a for st in key_statements(dev_graph).values() if "cloudtrail" in str(st["Principal"]) for a in st["Action"]
    }
    assert "kms:Decrypt" in design_waiver("S3-03", "audit").reason


def test_log_03_archive_has_object_lock_governance_365_days_by_default(dev_graph: ResourceGraph) -> None:
    assert audit_of(dev_graph, T_BUCKET).inputs["objectLockEnabled"] is True
    assert audit_of(dev_graph, T_LOCK).inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}


def test_log_03_archive_policy_is_exactly_the_cloudtrail_grants_no_deletion_and_the_guardrails(
    dev_graph: ResourceGraph,
) -> None:
    arn = str(audit_of(dev_graph, T_BUCKET).outputs["arn"])
    key = logs_key_arn(dev_graph)
    everything = [arn, f"{arn}/*"]
    trail_source = {"aws:SourceArn": TRAIL_ARN, "aws:SourceAccount": ACCOUNT}
    sse = "s3:x-amz-server-side-encryption"
    assert json.loads(audit_of(dev_graph, T_POLICY).inputs["policy"]) == {
        "Version": "2012-10-17",
        "Id": "ai-security-baseline-bucket-policy",
        "Statement": [
            {
                "Sid": "AllowCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn,
                "Condition": {"StringEquals": trail_source},
            },
            {
                "Sid": "AllowCloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **trail_source}},
            },
            {
                "Sid": "DenyAuditLogDeletion",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectVersion"],
                "Resource": f"{arn}/*",
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*"],
                "Resource": everything,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyOutdatedTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*"],
                "Resource": everything,
                "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
            },
            {
                "Sid": "DenyUnexpectedEncryptionHeader",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {
                    "StringNotEquals": {sse: "aws:kms", "aws:PrincipalServiceName": "cloudtrail.amazonaws.com"},
                    "Null": {sse: "false"},
                },
            },
            {
                "Sid": "DenyForeignKmsKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {
                    "StringNotEquals": {f"{sse}-aws-kms-key-id": key},
                    "Null": {f"{sse}-aws-kms-key-id": "false"},
                },
            },
            {
                "Sid": "DenyKmsWithoutKeyId",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {
                    "StringEquals": {sse: "aws:kms"},
                    "Null": {f"{sse}-aws-kms-key-id": "true"},
                },
            },
            {
                "Sid": "DenySseCUploads",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}},
            },
            {
                "Sid": "DenyPrincipalsOutsideAccount",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*"],
                "Resource": everything,
                "Condition": {
                    "StringNotEquals": {"aws:PrincipalAccount": ACCOUNT},
                    "Bool": {"aws:PrincipalIsAWSService": "false"},
                },
            },
        ],
    }


def test_log_03_cloudtrail_writes_with_the_bucket_key_so_the_foreign_key_deny_spares_it(
    dev_graph: ResourceGraph,
) -> None:
    """S3-06 denies a KMS key other than the bucket's: the trail's key must be that very key (same ARN)."""
    sse = audit_of(dev_graph, T_SSE).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert trail_of(dev_graph).inputs["kmsKeyId"] == sse["kmsMasterKeyId"]


def test_log_03_archive_access_logs_go_to_the_access_log_bucket(dev_graph: ResourceGraph) -> None:
    logging = audit_of(dev_graph, T_LOGGING)
    assert (logging.inputs["targetBucket"], logging.inputs["targetPrefix"]) == (
        dev_graph.one(T_BUCKET, "aisb-dev-access-logs").outputs["bucket"],
        "audit/",
    )


def test_log_03_archive_bucket_name_comes_from_config() -> None:
    run = run_stack("dev", overrides={"baseline:storage": {"bucketNames": {"audit": "acme-audit-archive"}}})
    assert run.graph.one(T_BUCKET, "aisb-dev-audit").inputs["bucket"] == "acme-audit-archive"
    assert run.exports["auditBucketName"] == "acme-audit-archive"


@pytest.mark.parametrize(
    ("token", "name"),
    [
        (T_POLICY, "aisb-dev-audit"),
        (T_KEY, "keys-logs"),
        (T_GROUP, "aisb-dev-cloudtrail"),
        (T_ROLE, "aisb-dev-cloudtrail-logs"),
        (T_ROLE_POLICY, "aisb-dev-cloudtrail-logs"),
        (T_SSE, "aisb-dev-audit"),
        (T_VERSIONING, "aisb-dev-audit"),
        (T_LOCK, "aisb-dev-audit"),
    ],
)
def test_log_03_trail_is_created_after_what_cloudtrail_checks_and_the_archive_guards(
    dev_graph: ResourceGraph, token: str, name: str
) -> None:
    assert dev_graph.one(token, name).urn in trail_of(dev_graph).dependencies


def test_log_03_rule_fails_an_archive_policy_that_allows_deletion(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)

    def allow_deletes(props: dict[str, Any]) -> dict[str, Any]:
        document = json.loads(props["policy"])
        document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "DenyAuditLogDeletion"]
        return {**props, "policy": json.dumps(document)}

    graph = edited(dev, T_POLICY, allow_deletes, name="aisb-dev-audit")
    assert results(graph, "LOG-03") == ["fail"]


def test_log_03_rule_fails_an_archive_without_object_lock(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = [r for r in dev if not (r.type == T_LOCK and r.name == "aisb-dev-audit")]
    assert results(graph, "LOG-03") == ["fail"]


def test_log_03_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = results(rule_view(dev_graph), "LOG-03")
    assert statuses
    assert set(statuses) == {"pass"}, statuses


def test_log_03_probe_passes_the_deployed_dev_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("LOG-03")
    assert findings
    assert all(f.status == "pass" for f in findings), findings


def test_log_03_probe_fails_after_the_live_mutation(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("LOG-03", mutation.deletes_allowed_live)]
    assert statuses == ["fail"]

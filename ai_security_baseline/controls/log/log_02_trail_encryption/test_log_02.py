"""LOG-02: the trail is encrypted with the logs key, whose policy admits only this trail."""

from __future__ import annotations

from ai_security_baseline.components.config import parse_config
from ai_security_baseline.components.trail import trail_key_statements
from ai_security_baseline.controls.log.log_02_trail_encryption import mutation
from ai_security_baseline.controls.log.testing import (
    ACCOUNT,
    ACCT,
    T_TRAIL,
    TRAIL_ARN,
    edited,
    key_statements,
    logs_key_arn,
    results,
    trail_of,
)
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_log_02_trail_encrypted_with_the_logs_key(dev_graph: ResourceGraph) -> None:
    assert trail_of(dev_graph).inputs["kmsKeyId"] == logs_key_arn(dev_graph)


def test_log_02_logs_key_admits_cloudtrail_only_for_this_trail_and_context(dev_graph: ResourceGraph) -> None:
    """CloudTrail's documented form: aws:SourceArn = the trail (aws:SourceAccount is supported, not recommended)."""
    statements = key_statements(dev_graph)
    assert [statements["CloudTrailEncryptLogs"], statements["CloudTrailDescribeKey"]] == [
        {
            "Sid": "CloudTrailEncryptLogs",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": TRAIL_ARN,
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*",
                },
            },
        },
        {
            "Sid": "CloudTrailDescribeKey",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:SourceArn": TRAIL_ARN}},
        },
    ]


def test_log_02_key_statements_name_the_trail_arn_the_trail_gets(dev_graph: ResourceGraph) -> None:
    """The ARN is computed from config before the trail exists; it must be the one the trail ends up with."""
    pure = trail_key_statements(parse_config({}), ACCT)["logs"]
    assert pure[0]["Condition"]["ArnLike"]["aws:SourceArn"] == trail_of(dev_graph).outputs["arn"] == TRAIL_ARN


def test_log_02_rule_fails_a_trail_without_a_kms_key(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = edited(dev, T_TRAIL, lambda p: {k: v for k, v in p.items() if k != "kmsKeyId"})
    assert results(graph, "LOG-02") == ["fail"]


def test_log_02_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = results(rule_view(dev_graph), "LOG-02")
    assert statuses
    assert set(statuses) == {"pass"}, statuses


def test_log_02_probe_passes_the_deployed_dev_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("LOG-02")
    assert findings
    assert all(f.status == "pass" for f in findings), findings


def test_log_02_probe_fails_after_the_live_mutation(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("LOG-02", mutation.other_key_live)]
    assert statuses == ["fail"]

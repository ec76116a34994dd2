"""KMS-05: service principals of key policies carry the confused-deputy conditions their service sends."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls.kms.kms_05_service_principals_conditioned import mutation, rule
from ai_security_baseline.controls.kms.testing import (
    FLOW_LOG_GROUP_ARN,
    TRAIL_ARN,
    key,
    keys_program,
    policy_with,
    statements_by_sid,
    statuses,
)
from ai_security_baseline.controls.testing import ACCOUNT
from ai_security_baseline.controls.vocabulary import DATA_CLASSES, KMS_KEY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_kms_05_logs_key_admits_cloudwatch_logs_only_for_the_flow_log_group(dev_graph: ResourceGraph) -> None:
    statement = statements_by_sid(dev_graph.one(KMS_KEY, "keys-logs"))["LogsEncryptVpcFlowLogs"]
    assert statement == {
        "Sid": "LogsEncryptVpcFlowLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
        "Action": statement["Action"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": FLOW_LOG_GROUP_ARN}},
    }
    assert not set(statement["Action"]) - set(documents.KEY_USE_ACTIONS)


def test_kms_05_service_principal_is_admitted_only_with_confused_deputy_conditions() -> None:
    statement = documents.service_principal_key_statement(
        "CloudTrailEncryptsLogs",
        "cloudtrail.amazonaws.com",
        ["kms:GenerateDataKey"],
        source_account="111122223333",
        source_arns=[TRAIL_ARN],
        encryption_context={"aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"},
    )
    graph = keys_program({"logs": [statement]})
    rendered = statements_by_sid(graph.one(KMS_KEY, "keys-logs"))["CloudTrailEncryptsLogs"]
    assert rendered == {
        "Sid": "CloudTrailEncryptsLogs",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": ["kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": "111122223333"},
            "ArnLike": {
                "aws:SourceArn": TRAIL_ARN,
                "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*",
            },
        },
    }


def test_kms_05_service_principal_without_source_or_context_is_refused() -> None:
    with pytest.raises(ValueError, match="needs aws:SourceArn or an encryption context"):
        documents.service_principal_key_statement(
            "Bare", "logs.eu-west-1.amazonaws.com", ["kms:Encrypt"], source_account="111122223333"
        )


def test_kms_05_rule_fails_a_service_principal_without_source_conditions() -> None:
    service = {"Service": "logs.eu-west-1.amazonaws.com"}
    bare = {"Sid": "Logs", "Effect": "Allow", "Principal": service, "Action": ["kms:Encrypt"], "Resource": "*"}
    assert statuses(rule.RULE, key(policy=policy_with(bare))) == ["fail"]


def test_kms_05_rule_passes_cloudwatch_logs_bound_by_its_encryption_context_only() -> None:
    bound = documents.logs_key_statement(
        "Logs", region="eu-west-1", group_arn=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/x"
    )
    assert statuses(rule.RULE, key(policy=policy_with(bound))) == ["pass"]


def test_kms_05_rule_fails_cloudwatch_logs_conditioned_on_a_source_account_it_never_sends() -> None:
    """The shape that breaks CreateLogGroup on AWS: Logs sends the aws:logs:arn context, never aws:SourceAccount."""
    broken = documents.service_principal_key_statement(
        "Logs",
        "logs.eu-west-1.amazonaws.com",
        ["kms:Encrypt"],
        source_account=ACCOUNT,
        encryption_context={"aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/x"},
    )
    assert statuses(rule.RULE, key(policy=policy_with(broken))) == ["fail"]


def test_kms_05_rule_passes_cloudtrail_bound_by_its_source_arn() -> None:
    trail = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/t"
    bound = documents.cloudtrail_key_statements(partition="aws", account_id=ACCOUNT, trail=trail)
    assert statuses(rule.RULE, key(policy=policy_with(*bound))) == ["pass"]


def test_kms_05_rule_fails_a_service_principal_bound_only_by_source_account() -> None:
    loose = {
        "Sid": "Trail",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": ["kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    assert statuses(rule.RULE, key(policy=policy_with(loose))) == ["fail"]


def test_kms_05_rule_judges_a_key_without_policy_as_the_aws_default_which_admits_no_service() -> None:
    assert statuses(rule.RULE, key(policy=None)) == ["pass"]


def test_kms_05_probe_passes_the_deployed_service_grants(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("KMS-05")
    assert [f.status for f in findings] == ["pass"] * len(DATA_CLASSES), findings


def test_kms_05_probe_fails_cloudwatch_logs_admitted_without_conditions(live_dev: LiveAccount) -> None:
    failed = [f for f in live_dev.probe_mutated("KMS-05", mutation.flow_logs_unconditioned_live) if f.status == "fail"]
    assert [f.urn for f in failed] == [live_dev.exports["logsKeyArn"]]
    assert "LogsEncryptVpcFlowLogs:logs." in failed[0].message

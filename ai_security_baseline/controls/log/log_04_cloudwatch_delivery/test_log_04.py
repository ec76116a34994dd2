"""LOG-04: the trail delivers to an encrypted, retained log group through a role only CloudTrail can assume."""

from __future__ import annotations

import json

from ai_security_baseline.components import documents
from ai_security_baseline.controls.log.log_04_cloudwatch_delivery import mutation
from ai_security_baseline.controls.log.testing import (
    GROUP_ARN,
    REGION,
    T_GROUP,
    T_ROLE,
    T_ROLE_POLICY,
    edited,
    key_statements,
    logs_key_arn,
    results,
    trail_of,
)
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_log_04_trail_delivers_to_an_encrypted_retained_log_group(dev_graph: ResourceGraph) -> None:
    group = dev_graph.one(T_GROUP, "aisb-dev-cloudtrail")
    assert {k: group.inputs[k] for k in ("name", "kmsKeyId", "retentionInDays")} == {
        "name": "/aisb/dev/cloudtrail",
        "kmsKeyId": logs_key_arn(dev_graph),
        "retentionInDays": 365,
    }
    trail = trail_of(dev_graph).inputs
    assert trail["cloudWatchLogsGroupArn"] == f"{GROUP_ARN}:*"
    assert trail["cloudWatchLogsRoleArn"] == dev_graph.one(T_ROLE, "aisb-dev-cloudtrail-logs").outputs["arn"]


def test_log_04_logs_key_admits_cloudwatch_logs_only_for_the_trail_group(dev_graph: ResourceGraph) -> None:
    assert key_statements(dev_graph)["LogsEncryptCloudTrailGroup"] == {
        "Sid": "LogsEncryptCloudTrailGroup",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
        "Action": list(documents.LOGS_KEY_ACTIONS),
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": GROUP_ARN}},
    }


def test_log_04_delivery_role_trust_has_no_source_conditions_as_cloudtrail_requires(dev_graph: ResourceGraph) -> None:
    """CloudTrail sends no aws:SourceArn/aws:SourceAccount when it assumes this role: with either, CreateTrail fails
    with InvalidCloudWatchLogsRoleArnException. PassRole on the role is what keeps other accounts out."""
    role = dev_graph.one(T_ROLE, "aisb-dev-cloudtrail-logs")
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudTrailAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def test_log_04_delivery_role_writes_only_the_trail_groups_streams(dev_graph: ResourceGraph) -> None:
    policy = dev_graph.one(T_ROLE_POLICY, "aisb-dev-cloudtrail-logs")
    assert policy.inputs["role"] == dev_graph.one(T_ROLE, "aisb-dev-cloudtrail-logs").id
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteTrailLogStreams",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{GROUP_ARN}:log-stream:*",
            }
        ],
    }


def test_log_04_rule_fails_an_unencrypted_trail_log_group(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = edited(dev, T_GROUP, lambda p: {k: v for k, v in p.items() if k != "kmsKeyId"})
    assert results(graph, "LOG-04") == ["fail"]


def test_log_04_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = results(rule_view(dev_graph), "LOG-04")
    assert statuses
    assert set(statuses) == {"pass"}, statuses


def test_log_04_probe_passes_the_deployed_dev_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("LOG-04")
    assert findings
    assert all(f.status == "pass" for f in findings), findings


def test_log_04_probe_fails_after_the_live_mutation(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("LOG-04", mutation.delivery_off_live)]
    assert statuses == ["fail"]

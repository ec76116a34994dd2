"""LOG-06: metric filters and alarms for tampering events, notifying a KMS-encrypted topic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session  # type: ignore[import-untyped]
import pytest

from ai_security_baseline.components.trail import ALARM_RULES, alarm_rules
from ai_security_baseline.controls import registry
from ai_security_baseline.controls.log.filter_pattern import parse
from ai_security_baseline.controls.log.log_06_alarms import mutation
from ai_security_baseline.controls.log.log_06_alarms import rule as log_06
from ai_security_baseline.controls.log.testing import (
    ACCOUNT,
    ALARMS,
    T_ALARM,
    T_FILTER,
    T_TOPIC,
    T_TOPIC_POLICY,
    TOPIC_ARN,
    edited,
    key_statements,
    logs_key_arn,
    results,
)
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_log_06_one_metric_filter_and_alarm_per_rule_notifying_the_topic(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    topic_arn = graph.one(T_TOPIC, "aisb-dev-security-alarms").outputs["arn"]
    namespace = "AiSecurityBaseline/aisb-dev"
    # LOG-06's 16 detections and, with dev's Bedrock on, AI-01's 3 on the same group and topic
    dev_rules = alarm_rules(bedrock=True)
    assert len(graph.by_type(T_FILTER)) == len(graph.by_type(T_ALARM)) == len(dev_rules) == 16 + 3
    for rule in dev_rules:
        metric_filter = graph.one(T_FILTER, f"aisb-dev-{rule.key}")
        alarm = graph.one(T_ALARM, f"aisb-dev-{rule.key}")
        assert (metric_filter.inputs["logGroupName"], metric_filter.inputs["pattern"]) == (
            "/aisb/dev/cloudtrail",
            rule.pattern,
        )
        assert metric_filter.inputs["metricTransformation"] == {
            "name": rule.metric,
            "namespace": namespace,
            "value": "1",
        }
        expected = {
            "namespace": namespace,
            "metricName": rule.metric,
            "statistic": "Sum",
            "threshold": 1,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "evaluationPeriods": 1,
            "alarmActions": [topic_arn],
        }
        assert {k: alarm.inputs[k] for k in expected} == expected


def test_log_06_topic_encrypted_with_the_logs_key_and_policy_exact(dev_graph: ResourceGraph) -> None:
    topic = dev_graph.one(T_TOPIC, "aisb-dev-security-alarms")
    assert topic.inputs["kmsMasterKeyId"] == logs_key_arn(dev_graph)
    policy = dev_graph.one(T_TOPIC_POLICY, "aisb-dev-security-alarms")
    assert policy.inputs["arn"] == TOPIC_ARN
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Id": "ai-security-baseline-alarm-topic",
        "Statement": [
            {
                "Sid": "AllowCloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": TOPIC_ARN,
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": ALARMS}},
            },
            {
                "Sid": "AllowEventBridgeFindingsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": TOPIC_ARN,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnEquals": {
                        "aws:SourceArn": [
                            f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/aisb-dev-{source}-findings"
                            for source in ("guardduty", "securityhub")
                        ]
                    },
                },
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": TOPIC_ARN,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def test_log_06_logs_key_admits_cloudwatch_alarms_only_for_this_stacks_topic(dev_graph: ResourceGraph) -> None:
    """Bound by the topic's encryption context, which holds whether or not CloudWatch sends aws:SourceArn."""
    assert key_statements(dev_graph)["CloudWatchAlarmsPublishEncrypted"] == {
        "Sid": "CloudWatchAlarmsPublishEncrypted",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC_ARN}},
    }


def test_log_06_every_alarm_name_matches_the_key_and_topic_source_arn_pattern(dev_graph: ResourceGraph) -> None:
    assert {a.inputs["name"].startswith("aisb-dev-") for a in dev_graph.by_type(T_ALARM)} == {True}


def test_log_06_rule_fails_when_the_trail_change_alarm_is_gone(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = [r for r in dev if not (r.type == T_ALARM and r.name == "aisb-dev-trail-changes")]
    assert results(graph, "LOG-06") == ["fail"]


def test_log_06_rule_fails_alarms_to_an_unencrypted_topic(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = edited(dev, T_TOPIC, lambda p: {k: v for k, v in p.items() if k != "kmsMasterKeyId"})
    assert results(graph, "LOG-06") == ["fail"]


def test_log_06_rule_fails_a_security_group_filter_that_no_longer_matches_an_ingress_change(
    dev_graph: ResourceGraph,
) -> None:
    """The rule evaluates each pattern on the detection's recorded event: a filter still present but narrowed to
    deletions no longer raises CIS 4.10."""
    narrowed = "{ ($.eventName = DeleteSecurityGroup) }"
    graph = edited(
        rule_view(dev_graph), T_FILTER, lambda p: {**p, "pattern": narrowed}, name="aisb-dev-security-group-changes"
    )
    [outcome] = log_06.RULE.evaluate(graph)
    assert (outcome.status, "CIS 4.10" in outcome.message) == ("fail", True)


def test_log_06_rule_reports_error_for_a_pattern_it_cannot_evaluate(dev_graph: ResourceGraph) -> None:
    graph = edited(
        rule_view(dev_graph), T_FILTER, lambda p: {**p, "pattern": "%Deny.*%"}, name="aisb-dev-unauthorized-api-calls"
    )
    assert results(graph, "LOG-06") == ["error"]


def test_log_06_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = results(rule_view(dev_graph), "LOG-06")
    assert statuses
    assert set(statuses) == {"pass"}, statuses


def test_log_06_probe_passes_the_deployed_dev_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("LOG-06")
    assert findings
    assert all(f.status == "pass" for f in findings), findings


def test_log_06_probe_fails_after_the_live_mutation(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("LOG-06", mutation.topic_unencrypted_live)]
    assert statuses == ["fail"]


def test_log_06_claims_exactly_the_cis_ids_of_the_metric_filters_the_component_defines() -> None:
    claimed = registry.unit("LOG-06").meta["frameworks"]["cis"]
    defined = sorted({rule.cis for rule in ALARM_RULES if rule.cis}, key=lambda cis: tuple(map(int, cis.split("."))))
    assert claimed == defined


def test_log_06_every_cis_labelled_filter_matches_its_cis_event() -> None:
    """A CIS id on a filter must name the detection CIS defines under it (4.14 is VPC changes, not endpoints)."""
    signature = {"4.1": "UnauthorizedOperation", "4.3": '"Root"', "4.4": "PutRolePolicy", "4.5": "StopLogging"}
    signature |= {"4.7": "ScheduleKeyDeletion", "4.8": "PutBucketPolicy", "4.14": "CreateVpc"}
    signature |= {"4.2": "MFAUsed", "4.6": "Failed authentication", "4.9": "StopConfigurationRecorder"}
    signature |= {"4.10": "AuthorizeSecurityGroupIngress", "4.11": "ReplaceNetworkAclEntry"}
    signature |= {"4.12": "AttachInternetGateway", "4.13": "CreateRoute", "4.15": "organizations.amazonaws.com"}
    for rule in ALARM_RULES:
        if rule.cis:
            assert signature[rule.cis] in rule.pattern, rule.key


EVENTS = Path(__file__).parent / "events"

#: (rule key, recorded CloudTrail event, whether the rule's metric filter must count it). A new pattern needs rows
#: here: at least one event it must match and one near-miss it must not (a guard test below).
VERDICTS: tuple[tuple[str, str, bool], ...] = (
    ("trail-changes", "cloudtrail-stop-logging", True),
    ("trail-changes", "cloudtrail-put-event-selectors", True),
    ("trail-changes", "cloudtrail-describe-trails", False),
    ("kms-key-disabled-or-deleted", "kms-schedule-key-deletion", True),
    ("kms-key-disabled-or-deleted", "kms-disable-key", True),
    ("kms-key-disabled-or-deleted", "kms-enable-key-rotation", False),
    ("kms-key-disabled-or-deleted", "disable-key-from-another-event-source", False),
    ("bucket-policy-changes", "s3-put-bucket-policy", True),
    ("bucket-policy-changes", "s3-delete-bucket-lifecycle", True),
    ("bucket-policy-changes", "s3-get-bucket-policy", False),
    # CIS 4.8 counts attempts: a refused PutBucketPolicy still raises the alarm (and also the 4.1 one).
    ("bucket-policy-changes", "s3-access-denied", True),
    ("vpc-endpoint-policy-changes", "ec2-modify-vpc-endpoint", True),
    ("vpc-endpoint-policy-changes", "ec2-delete-vpc-endpoints", True),
    ("vpc-endpoint-policy-changes", "ec2-create-vpc-endpoint", False),
    ("iam-policy-changes", "iam-attach-role-policy", True),
    ("iam-policy-changes", "iam-put-role-policy", True),
    ("iam-policy-changes", "iam-get-role-policy", False),
    ("unauthorized-api-calls", "ec2-unauthorized-operation", True),
    ("unauthorized-api-calls", "s3-access-denied", True),
    ("unauthorized-api-calls", "access-denied-from-log-delivery", False),
    ("unauthorized-api-calls", "s3-head-bucket-access-denied", False),
    ("unauthorized-api-calls", "s3-put-bucket-policy", False),
    ("root-usage", "root-console-sign-in", True),
    ("root-usage", "root-call-invoked-by-aws-service", False),
    ("root-usage", "root-sign-in-credential-verification-service-event", False),
    ("root-usage", "iam-attach-role-policy", False),
    ("console-sign-in-without-mfa", "iam-user-console-sign-in-without-mfa", True),
    ("console-sign-in-without-mfa", "iam-user-console-sign-in-with-mfa", False),
    ("console-sign-in-without-mfa", "root-console-sign-in", False),
    ("console-sign-in-without-mfa", "console-sign-in-failed-authentication", False),
    ("console-authentication-failures", "console-sign-in-failed-authentication", True),
    ("console-authentication-failures", "iam-user-console-sign-in-without-mfa", False),
    ("config-changes", "config-stop-configuration-recorder", True),
    ("config-changes", "config-describe-configuration-recorders", False),
    ("security-group-changes", "ec2-authorize-security-group-ingress", True),
    ("security-group-changes", "ec2-describe-security-groups", False),
    ("nacl-changes", "ec2-replace-network-acl-entry", True),
    ("nacl-changes", "ec2-describe-network-acls", False),
    ("network-gateway-changes", "ec2-attach-internet-gateway", True),
    ("network-gateway-changes", "ec2-describe-internet-gateways", False),
    ("route-table-changes", "ec2-create-route-default-to-internet", True),
    ("route-table-changes", "ec2-describe-route-tables", False),
    ("vpc-changes", "ec2-create-vpc-peering-connection", True),
    ("vpc-changes", "ec2-describe-vpcs", False),
    ("vpc-changes", "ec2-modify-vpc-endpoint", False),
    ("organizations-changes", "organizations-leave-organization", True),
    ("organizations-changes", "organizations-describe-organization", False),
)

RULES = {rule.key: rule for rule in ALARM_RULES}


def _verdict_id(row: tuple[str, str, bool]) -> str:
    key, event, expected = row
    cis = RULES[key].cis if key in RULES else ""
    label = f"cis_{cis.replace('.', '_')}" if cis else f"baseline_{key}"
    return f"{label}-{'matches' if expected else 'ignores'}-{event}"


def _event(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((EVENTS / f"{name}.json").read_text())
    return loaded


@pytest.mark.parametrize(("key", "event", "expected"), VERDICTS, ids=[_verdict_id(row) for row in VERDICTS])
def test_log_06_cis_pattern_verdict_on_a_recorded_cloudtrail_event(key: str, event: str, expected: bool) -> None:
    """Each metric filter counts the events its description names and none of the near-misses beside them."""
    assert parse(RULES[key].pattern).matches(_event(event)) is expected


def test_log_06_every_alarm_pattern_parses() -> None:
    for rule in ALARM_RULES:
        assert parse(rule.pattern).text == rule.pattern


def test_log_06_every_alarm_pattern_has_a_matching_and_a_non_matching_recorded_event() -> None:
    """A new pattern without events fails here, so no metric filter ships unproved."""
    verdicts = {(key, expected) for key, _, expected in VERDICTS}
    missing = [
        (rule.key, expected)
        for rule in ALARM_RULES
        for expected in (True, False)
        if (rule.key, expected) not in verdicts
    ]
    assert not missing, f"rules without a matching (True) or non-matching (False) event: {missing}"
    assert {key for key, _, _ in VERDICTS} == set(RULES), "a verdict names a rule ALARM_RULES does not define"


def test_log_06_every_recorded_event_is_used_and_is_a_cloudtrail_record() -> None:
    used = {event for _, event, _ in VERDICTS}
    recorded = {path.stem for path in EVENTS.glob("*.json")}
    assert used == recorded, (sorted(used - recorded), sorted(recorded - used))
    fields = {"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress"}
    fields |= {"eventID", "eventType", "recipientAccountId"}
    for name in sorted(recorded):
        record = _event(name)
        assert fields <= set(record), (name, sorted(fields - set(record)))
        identity = record["userIdentity"]
        assert isinstance(identity, dict), name
        assert "type" in identity, name


def _refused_by_aws(operation: str, service: str, values: dict[str, str]) -> list[str]:
    """The values AWS's own request model (botocore's shipped service model) would refuse in ``operation``."""
    members = botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape.members
    refused = []
    for key, value in values.items():
        shape = members[key] if key in members else members["metricTransformations"].member.members[key]
        limits = shape.metadata
        if len(value) > limits.get("max", len(value)) or len(value) < limits.get("min", 0):
            refused.append(f"{key} length {len(value)} outside {limits}")
        elif "pattern" in limits and not re.fullmatch(limits["pattern"], value):
            refused.append(f"{key} {value!r} does not match {limits['pattern']}")
    return refused


def test_log_06_every_metric_filter_and_alarm_fits_what_aws_validates_at_creation(dev_graph: ResourceGraph) -> None:
    """PutMetricFilter refuses a pattern over 1024 characters; the lengths and patterns come from AWS's model."""
    refused = []
    for f in dev_graph.by_type(T_FILTER):
        transformation = f.inputs["metricTransformation"]
        values = {
            "filterName": f.inputs["name"],
            "filterPattern": f.inputs["pattern"],
            "logGroupName": f.inputs["logGroupName"],
            "metricName": transformation["name"],
            "metricNamespace": transformation["namespace"],
        }
        refused += _refused_by_aws("PutMetricFilter", "logs", values)
    for a in dev_graph.by_type(T_ALARM):
        values = {"AlarmName": a.inputs["name"], "AlarmDescription": a.inputs["alarmDescription"]}
        values |= {"MetricName": a.inputs["metricName"], "Namespace": a.inputs["namespace"]}
        refused += _refused_by_aws("PutMetricAlarm", "cloudwatch", values)
    assert len(dev_graph.by_type(T_FILTER)) == len(alarm_rules(bedrock=True))  # LOG-06's and AI-01's
    assert refused == []

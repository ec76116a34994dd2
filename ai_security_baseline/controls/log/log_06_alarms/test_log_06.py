"""LOG-06: metric filters and alarms for tampering events, notifying a KMS-encrypted topic."""

from __future__ import annotations

import json

from ai_security_baseline.components.trail import ALARM_RULES
from ai_security_baseline.controls import registry
from ai_security_baseline.controls.log.log_06_alarms import mutation
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
    assert len(graph.by_type(T_FILTER)) == len(graph.by_type(T_ALARM)) == len(ALARM_RULES) == 7
    for rule in ALARM_RULES:
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


def test_log_06_rules_cover_every_required_detection() -> None:
    patterns = {rule.key: rule.pattern for rule in ALARM_RULES}
    required = {
        "trail-changes": ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"),
        "kms-key-disabled-or-deleted": ("DisableKey", "ScheduleKeyDeletion"),
        "bucket-policy-changes": ("PutBucketPolicy", "DeleteBucketPolicy"),
        "vpc-endpoint-policy-changes": ("ModifyVpcEndpoint",),
        "iam-policy-changes": ("PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion"),
        "unauthorized-api-calls": ('"*UnauthorizedOperation"', '"AccessDenied*"'),
        "root-usage": ('$.userIdentity.type = "Root"',),
    }
    assert sorted(patterns) == sorted(required)
    for key, needles in required.items():
        missing = [n for n in needles if n not in patterns[key]]
        assert not missing, f"{key} misses {missing}"


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
    for rule in ALARM_RULES:
        if rule.cis:
            assert signature[rule.cis] in rule.pattern, rule.key

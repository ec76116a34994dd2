"""DET-07: the rendered finding rules and targets, the topic and key policies admitting EventBridge for those rules
only, the preview rule on the dev stack changed, and the live probe."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.components.finding_routing import finding_pattern
from ai_security_baseline.controls import kit
from ai_security_baseline.controls.det.det_07_finding_routing import mutation
from ai_security_baseline.controls.det.det_07_finding_routing.rule import RULE, pattern_problem
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import EVENT_RULE, EVENT_TARGET, KMS_KEY, TOPIC, TOPIC_POLICY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.iam.principals import decide, finding_publish_calls
from conftest import LiveAccount

ACCOUNT = "111122223333"
RULES = {
    "guardduty": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/aisb-dev-guardduty-findings",
    "securityhub": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/aisb-dev-securityhub-findings",
}
TOPIC_ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:aisb-dev-security-alarms"


def edited(graph: ResourceGraph, type_token: str, name: str, **props: Any) -> list[kit.Res]:
    return [
        dataclasses.replace(r, props={**r.props, **props}) if r.type == type_token and r.name == name else r
        for r in rule_view(graph)
    ]


def statuses(resources: list[kit.Res]) -> dict[str, tuple[str, str]]:
    return {o.urn.split("::")[-1]: (o.status, o.message) for o in RULE.evaluate(resources)}


def test_det_07_guardduty_rule_selects_findings_of_severity_7_and_above(dev_graph: ResourceGraph) -> None:
    rule = dev_graph.one(EVENT_RULE, "aisb-dev-guardduty-findings")
    assert rule.inputs["state"] == "ENABLED"
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 7]}]},
    }


def test_det_07_security_hub_rule_selects_new_high_and_critical_findings(dev_graph: ResourceGraph) -> None:
    rule = dev_graph.one(EVENT_RULE, "aisb-dev-securityhub-findings")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": {"Severity": {"Label": ["HIGH", "CRITICAL"]}, "Workflow": {"Status": ["NEW"]}}},
    }


def test_det_07_every_rule_targets_the_alarm_topic_after_its_policy(dev_graph: ResourceGraph) -> None:
    topic = dev_graph.one(TOPIC, "aisb-dev-security-alarms")
    policy = dev_graph.one(TOPIC_POLICY, "aisb-dev-security-alarms")
    targets = dev_graph.by_type(EVENT_TARGET)
    assert sorted(t.inputs["rule"] for t in targets) == ["aisb-dev-guardduty-findings", "aisb-dev-securityhub-findings"]
    assert {t.inputs["arn"] for t in targets} == {topic.outputs["arn"]}
    assert all(policy.urn in t.dependencies for t in targets)


def test_det_07_topic_policy_admits_eventbridge_for_the_two_rules_only(dev_graph: ResourceGraph) -> None:
    policy = json.loads(dev_graph.one(TOPIC_POLICY, "aisb-dev-security-alarms").inputs["policy"])
    [statement] = [s for s in policy["Statement"] if s["Sid"] == "AllowEventBridgeFindingsPublish"]
    assert statement == {
        "Sid": "AllowEventBridgeFindingsPublish",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": TOPIC_ARN,
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnEquals": {"aws:SourceArn": sorted(RULES.values())},
        },
    }


def test_det_07_logs_key_admits_eventbridge_for_the_alarm_topic_only(dev_graph: ResourceGraph) -> None:
    policy = json.loads(dev_graph.one(KMS_KEY, "keys-logs").inputs["policy"])
    [statement] = [s for s in policy["Statement"] if s["Sid"] == "EventBridgePublishEncrypted"]
    assert (statement["Principal"], statement["Action"], statement["Condition"]) == (
        {"Service": "events.amazonaws.com"},
        ["kms:Decrypt", "kms:GenerateDataKey"],
        {"ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC_ARN}},
    )


@pytest.mark.parametrize("source", sorted(RULES))
def test_det_07_publishing_is_allowed_for_our_rule_and_refused_for_another_account(
    dev_graph: ResourceGraph, source: str
) -> None:
    topic_policy = json.loads(dev_graph.one(TOPIC_POLICY, "aisb-dev-security-alarms").inputs["policy"])
    key = dev_graph.one(KMS_KEY, "keys-logs")
    calls = finding_publish_calls(
        account=ACCOUNT,
        rule_arn=RULES[source],
        topic_arn=TOPIC_ARN,
        topic_policy=topic_policy,
        key_arn=key.outputs["arn"],
        key_policy=json.loads(key.inputs["policy"]),
    )
    assert [(c.expected, decide(c).as_expected) for c in calls] == [("allow", True), ("deny", True)] * 3


def test_det_07_rules_exist_when_guardduty_and_security_hub_are_centrally_managed() -> None:
    pieces = {"guardDuty": "the organization's delegated administrator", "securityHub": "the security account"}
    run = run_stack("dev", overrides={"baseline:centrallyManaged": json.dumps(pieces)})
    assert sorted(r.name for r in run.graph.by_type(EVENT_RULE)) == sorted(RULES[s].rsplit("/", 1)[1] for s in RULES)


def test_det_07_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert {s for s, _ in statuses(rule_view(dev_graph)).values()} == {"pass"}


def test_det_07_rule_fails_a_disabled_guardduty_rule(dev_graph: ResourceGraph) -> None:
    found = statuses(edited(dev_graph, EVENT_RULE, "aisb-dev-guardduty-findings", state="DISABLED"))
    assert found["aisb-dev-guardduty-findings"] == ("fail", "aisb-dev-guardduty-findings: state DISABLED")


def test_det_07_rule_fails_a_guardduty_rule_that_drops_high_findings(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_graph, EVENT_RULE, "aisb-dev-guardduty-findings", eventPattern=mutation.CRITICAL_ONLY)
    status, message = statuses(graph)["aisb-dev-guardduty-findings"]
    assert (status, message.endswith("drops findings >= 7")) == ("fail", True)


def test_det_07_rule_fails_rules_without_targets(dev_graph: ResourceGraph) -> None:
    graph = [r for r in rule_view(dev_graph) if r.type != EVENT_TARGET]
    assert {m for _, m in statuses(graph).values()} == {
        "aisb-dev-guardduty-findings: no target on an SNS topic of the stack",
        "aisb-dev-securityhub-findings: no target on an SNS topic of the stack",
    }


def test_det_07_rule_fails_a_topic_policy_without_eventbridge(dev_graph: ResourceGraph) -> None:
    policy = documents.alarm_topic_policy(TOPIC_ARN, account_id=ACCOUNT, alarms="arn:aws:cloudwatch:*")
    graph = edited(dev_graph, TOPIC_POLICY, "aisb-dev-security-alarms", policy=json.dumps(policy))
    assert {s for s, _ in statuses(graph).values()} == {"fail"}


def test_det_07_rule_fails_without_any_finding_rule(dev_graph: ResourceGraph) -> None:
    graph = [r for r in rule_view(dev_graph) if r.type != EVENT_RULE]
    assert sorted((o.status, o.message) for o in RULE.evaluate(graph)) == [
        ("fail", "no EventBridge rule routes aws.guardduty findings"),
        ("fail", "no EventBridge rule routes aws.securityhub findings"),
    ]


@pytest.mark.parametrize(
    ("severity", "problem"),
    [
        ([{"numeric": [">", 6.9]}], False),
        (None, False),
        ([{"numeric": [">=", 7, "<", 9]}], True),
        ([8], True),
    ],
)
def test_det_07_severity_filter_must_keep_every_finding_from_7_up(severity: Any, problem: bool) -> None:
    pattern = finding_pattern("guardduty")
    pattern["detail"] = {} if severity is None else {"severity": severity}
    assert (pattern_problem("guardduty", pattern) is not None) == problem


def test_det_07_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("DET-07")
    assert sorted(f.urn for f in findings) == sorted(live_dev.exports["findingRuleArns"].values())
    assert {f.status for f in findings} == {"pass"}, findings


def test_det_07_probe_fails_a_disabled_rule(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("DET-07", mutation.rule_disabled_live)
    assert failed == [live_dev.exports["findingRuleArns"]["guardduty"]]


def test_det_07_probe_fails_a_rule_without_its_target(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("DET-07", mutation.target_removed_live)
    assert failed == [live_dev.exports["findingRuleArns"]["securityhub"]]

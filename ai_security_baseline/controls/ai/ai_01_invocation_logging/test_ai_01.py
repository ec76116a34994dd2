"""AI-01: Bedrock model invocation logging in the dev stack, its grants, the preview rule, and the live probe."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest

from ai_security_baseline.components import bedrock_logging, trail
from ai_security_baseline.components.config import parse_config
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.acc.testing import dev_view, verdicts
from ai_security_baseline.controls.ai.ai_01_invocation_logging import mutation
from ai_security_baseline.controls.ai.ai_01_invocation_logging import rule as ai_01_rule
from ai_security_baseline.controls.log.filter_pattern import parse
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import (
    ALARM,
    BEDROCK_DATA_EVENT_TYPES,
    BEDROCK_LOG_BUCKET_CLASS,
    BEDROCK_LOG_STREAM,
    BEDROCK_LOGGING_TYPE,
    BEDROCK_SERVICE,
    BUCKET,
    BUCKET_OBJECT_LOCK,
    INVOCATION_LOGGING_OUTPUT,
    KMS_KEY,
    LOG_GROUP,
    MANAGEMENT_EVENTS_SELECTOR,
    METRIC_FILTER,
    ROLE,
    TOPIC,
    TRAIL,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount

RULE = "ai-01-invocation-logging"
ACCOUNT, REGION = "111122223333", "eu-west-1"
ACCT = AccountContext(ACCOUNT, REGION, "aws")
SOURCE = {
    "StringEquals": {"aws:SourceAccount": ACCOUNT},
    "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"},
}
SETTING = "aisb-dev-invocation-logging"


def _setting(graph: ResourceGraph) -> dict[str, Any]:
    return dict(graph.one(BEDROCK_LOGGING_TYPE, SETTING).inputs["loggingConfig"])


def test_ai_01_dev_logs_text_to_the_locked_archive_and_the_encrypted_group(dev_graph: ResourceGraph) -> None:
    config = _setting(dev_graph)
    archive = dev_graph.one(BUCKET, f"aisb-dev-{BEDROCK_LOG_BUCKET_CLASS}")
    group = dev_graph.one(LOG_GROUP, "aisb-dev-bedrock-invocations")
    assert config["s3Config"] == {"bucketName": archive.outputs["bucket"], "keyPrefix": "bedrock"}
    assert config["cloudwatchConfig"]["logGroupName"] == "/aisb/dev/bedrock-invocations"
    assert (config["textDataDeliveryEnabled"], config["imageDataDeliveryEnabled"]) == (True, False)
    assert archive.inputs["objectLockEnabled"] is True
    assert group.inputs["kmsKeyId"] == dev_graph.one(KMS_KEY, "keys-logs").outputs["arn"]


def test_ai_01_archive_policy_admits_bedrock_only_under_its_prefix_for_this_account() -> None:
    arn = "arn:aws:s3:::archive"
    write, deny = bedrock_logging.bedrock_bucket_statements(arn, ACCT)
    assert write["Principal"] == {"Service": BEDROCK_SERVICE}
    assert write["Resource"] == f"{arn}/bedrock/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"
    assert write["Condition"] == SOURCE
    assert (deny["Sid"], deny["Principal"]) == ("DenyAuditLogDeletion", "*")


def test_ai_01_delivery_role_trusts_bedrock_only_for_this_account(dev_graph: ResourceGraph) -> None:
    role = dev_graph.one(ROLE, "aisb-dev-bedrock-logs")
    [statement] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert (statement["Principal"], statement["Condition"]) == ({"Service": BEDROCK_SERVICE}, SOURCE)
    assert role.inputs["permissionsBoundary"]


def test_ai_01_delivery_role_writes_only_the_invocation_stream() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/bedrock-invocations"
    [statement] = bedrock_logging.bedrock_delivery_policy(group)["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == f"{group}:log-stream:{BEDROCK_LOG_STREAM}"


def test_ai_01_logs_key_lets_bedrock_generate_data_keys_only_for_this_account() -> None:
    [bedrock, _logs] = bedrock_logging.bedrock_key_statements(ACCT, "/aisb/dev/bedrock-invocations")["logs"]
    assert (bedrock["Principal"], bedrock["Action"]) == ({"Service": BEDROCK_SERVICE}, ["kms:GenerateDataKey"])
    assert bedrock["Condition"] == SOURCE


def test_ai_01_logging_is_on_by_default_only_with_the_bedrock_bundle() -> None:
    assert parse_config({"network": {"endpointBundles": ["ml-core", "bedrock"]}}).invocation_logging
    assert not parse_config({}).invocation_logging
    assert parse_config({"ai": {"invocationLogging": True}}).invocation_logging


def test_ai_01_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert [s for s, _ in verdicts(RULE, rule_view(dev_graph), "AI-01")] == ["pass"]


def test_ai_01_rule_fails_text_delivery_off(dev_graph: ResourceGraph) -> None:
    config = {**_setting(dev_graph), "textDataDeliveryEnabled": False}
    [(status, message)] = verdicts(RULE, dev_view(dev_graph, **{SETTING: {"loggingConfig": config}}), "AI-01")
    assert (status, message) == ("fail", "text data delivery is off (prompts and completions are not logged)")


def test_ai_01_rule_fails_delivery_to_a_foreign_bucket(dev_graph: ResourceGraph) -> None:
    config = _setting(dev_graph)
    config = {**config, "s3Config": {"bucketName": "someone-elses-bucket"}}
    [(status, message)] = verdicts(RULE, dev_view(dev_graph, **{SETTING: {"loggingConfig": config}}), "AI-01")
    assert (status, message) == ("fail", "invocation logs are not delivered to a bucket of the stack")


def test_ai_01_rule_fails_an_archive_without_object_lock(dev_graph: ResourceGraph) -> None:
    view = [r for r in rule_view(dev_graph) if not (r.type == BUCKET_OBJECT_LOCK and r.name.endswith("bedrock-logs"))]
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert status == "fail"
    assert "has no Object Lock" in message


def test_ai_01_rule_fails_an_unencrypted_group(dev_graph: ResourceGraph) -> None:
    view = dev_view(dev_graph, **{"aisb-dev-bedrock-invocations": {"kmsKeyId": None}})
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert (status, message) == ("fail", "the invocation log group aisb-dev-bedrock-invocations is not KMS-encrypted")


#: The dev stack without its Bedrock endpoints and allowlist (the network and identity defaults).
WITHOUT_BEDROCK_ENDPOINTS: dict[str, object] = {"baseline:network": {}, "baseline:identity": {}}


def test_ai_01_rule_fails_the_logging_setting_dropped() -> None:
    # Bedrock not reachable from the VPC, so the exported destinations are what betray the missing setting
    graph = run_stack("dev", overrides=WITHOUT_BEDROCK_ENDPOINTS).graph
    view = [r for r in rule_view(graph) if r.type != BEDROCK_LOGGING_TYPE]
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert (status, message) == (
        "fail",
        "the stack exports invocation log destinations but sets no invocation logging",
    )


def test_ai_01_rule_fails_bedrock_reachable_without_logging() -> None:
    graph = run_stack(
        "dev",
        overrides={
            "baseline:network": {"endpointBundles": ["ml-core", "bedrock"]},
            "baseline:ai": {"invocationLogging": False},
        },
    ).graph
    [(status, message)] = verdicts(RULE, rule_view(graph), "AI-01")
    assert (status, message) == ("fail", "Bedrock is reachable from the VPC but model invocations are not logged")


def test_ai_01_rule_waives_a_stack_without_bedrock() -> None:
    graph = run_stack("dev", overrides={**WITHOUT_BEDROCK_ENDPOINTS, "baseline:ai": {"invocationLogging": False}}).graph
    [(status, _)] = verdicts(RULE, rule_view(graph), "AI-01")
    assert status == "waived"


def test_ai_01_probe_passes_the_deployed_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("AI-01")
    assert finding.status == "pass", finding.message


def test_ai_01_probe_fails_logging_deleted(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("AI-01", mutation.logging_deleted_live)
    assert (finding.status, finding.message) == ("fail", "Bedrock model invocation logging is off in this region")


def test_ai_01_probe_waives_a_stack_without_bedrock_logging(live_dev: LiveAccount) -> None:
    exports = {**live_dev.exports, INVOCATION_LOGGING_OUTPUT: {"enabled": False}}
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("AI-01")
    assert finding.status == "waived"


def test_ai_01_probe_reports_a_missing_logging_output_as_an_error(live_dev: LiveAccount) -> None:
    exports = {k: v for k, v in live_dev.exports.items() if k != INVOCATION_LOGGING_OUTPUT}
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("AI-01")
    assert finding.status == "error"


# ---- Bedrock data events in the trail ------------------------------------------------------------------------------


def _trail_selectors(graph: ResourceGraph) -> list[dict[str, Any]]:
    return list(graph.one(TRAIL, "aisb-dev-trail").inputs["advancedEventSelectors"])


def test_ai_01_trail_records_every_bedrock_data_event_type_whole(dev_graph: ResourceGraph) -> None:
    bedrock = [s for s in _trail_selectors(dev_graph) if s["name"].startswith("Bedrock")]
    assert bedrock == [
        {
            "name": f"Bedrock data events {t.split('::')[-1]}",
            "fieldSelectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": [t]},
            ],
        }
        for t in BEDROCK_DATA_EVENT_TYPES
    ]


def test_ai_01_trail_keeps_the_management_selector_beside_the_bedrock_ones(dev_graph: ResourceGraph) -> None:
    """InvokeModel and Converse are management events: the management selector, unnarrowed, records them."""
    [first, *_] = _trail_selectors(dev_graph)
    assert first == {
        "name": MANAGEMENT_EVENTS_SELECTOR,
        "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
    }


def test_ai_01_dev_trail_selectors_fit_cloudtrails_500_condition_values(dev_graph: ResourceGraph) -> None:
    selectors = _trail_selectors(dev_graph)
    values = sum(len(v) for s in selectors for f in s["fieldSelectors"] for k, v in f.items() if k != "field")
    # management 1, S3 2 + 3 bucket prefixes, Bedrock 2 per type
    assert values == 1 + 5 + 2 * len(BEDROCK_DATA_EVENT_TYPES) <= trail.MAX_SELECTOR_VALUES


def test_ai_01_trail_selectors_refuse_more_than_500_condition_values() -> None:
    # 1 management + 2 S3 fields + 16 Bedrock values leave 481 bucket prefixes: 482 make 501
    buckets = [f"arn:aws:s3:::bucket-{i}" for i in range(482)]
    with pytest.raises(ValueError, match="more than 500 condition values"):
        trail.trail_event_selectors(buckets, bedrock=True)


def test_ai_01_trail_has_no_bedrock_selectors_without_bedrock() -> None:
    names = [s["name"] for s in trail.trail_event_selectors(["arn:aws:s3:::raw"])]
    assert names == [MANAGEMENT_EVENTS_SELECTOR, "S3 data events of the training data and model buckets"]


def test_ai_01_rule_fails_a_bedrock_type_not_recorded(dev_graph: ResourceGraph) -> None:
    kept = [s for s in _trail_selectors(dev_graph) if s["name"] != "Bedrock data events Guardrail"]
    view = dev_view(dev_graph, **{"aisb-dev-trail": {"advancedEventSelectors": kept}})
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert (status, message) == (
        "fail",
        "the trail does not record the Bedrock data events of ['AWS::Bedrock::Guardrail']",
    )


def test_ai_01_rule_fails_a_bedrock_selector_narrowed_to_writes(dev_graph: ResourceGraph) -> None:
    writes = {"field": "readOnly", "equals": ["false"]}
    narrowed = [
        {**s, "fieldSelectors": [*s["fieldSelectors"], writes]} if s["name"] == "Bedrock data events Model" else s
        for s in _trail_selectors(dev_graph)
    ]
    view = dev_view(dev_graph, **{"aisb-dev-trail": {"advancedEventSelectors": narrowed}})
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert (status, message) == ("fail", "the trail does not record the Bedrock data events of ['AWS::Bedrock::Model']")


def test_ai_01_probe_fails_the_deployed_trail_without_bedrock_data_events(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("AI-01", mutation.bedrock_selectors_removed_live)
    assert finding.status == "fail"
    assert f"Bedrock data events of {list(BEDROCK_DATA_EVENT_TYPES)}" in finding.message


# ---- alarms on changes to the AI controls --------------------------------------------------------------------------

#: (alarm rule key, recorded CloudTrail event, whether its metric filter must count it)
VERDICTS: tuple[tuple[str, str, bool], ...] = (
    ("bedrock-logging-changes", "bedrock-delete-model-invocation-logging-configuration", True),
    ("bedrock-logging-changes", "bedrock-put-model-invocation-logging-configuration", True),
    ("bedrock-logging-changes", "bedrock-get-model-invocation-logging-configuration", False),
    ("bedrock-guardrail-changes", "bedrock-update-guardrail", True),
    ("bedrock-guardrail-changes", "bedrock-get-guardrail", False),
    ("bedrock-model-access-changes", "bedrock-create-foundation-model-agreement", True),
    ("bedrock-model-access-changes", "bedrock-list-foundation-model-agreement-offers", False),
    ("bedrock-model-access-changes", "bedrock-update-guardrail", False),
)
ALARMS = {rule.key: rule for rule in trail.BEDROCK_ALARM_RULES}


@pytest.mark.parametrize(("key", "event", "expected"), VERDICTS, ids=[f"{k}-{e}-{x}" for k, e, x in VERDICTS])
def test_ai_01_alarm_pattern_verdict_on_a_recorded_bedrock_event(key: str, event: str, expected: bool) -> None:
    assert parse(ALARMS[key].pattern).matches(ai_01_rule.recorded_event(event)) is expected


def test_ai_01_every_alarm_has_a_matching_and_a_non_matching_recorded_event() -> None:
    covered = {(key, expected) for key, _, expected in VERDICTS}
    assert covered == {(key, expected) for key in ALARMS for expected in (True, False)}
    recorded = {path.stem for path in ai_01_rule.EVENTS.glob("*.json")}
    assert recorded == {event for _, event, _ in VERDICTS}


def test_ai_01_alarms_name_only_bedrock_api_operations_of_bedrock_amazonaws_com() -> None:
    """CloudTrail records a Bedrock control-plane call under its API operation name (botocore's service model)."""
    operations = set(botocore.session.get_session().get_service_model("bedrock").operation_names)
    for rule in trail.BEDROCK_ALARM_RULES:
        names = re.findall(r"\$\.eventName = (\w+)", rule.pattern)
        assert names, rule.key
        assert set(names) <= operations, (rule.key, sorted(set(names) - operations))
        assert "($.eventSource = bedrock.amazonaws.com)" in rule.pattern


def test_ai_01_every_detection_event_is_a_bedrock_cloudtrail_record() -> None:
    for event in ai_01_rule.DETECTIONS.values():
        record = ai_01_rule.recorded_event(event)
        assert (record["eventSource"], record["eventCategory"]) == (BEDROCK_SERVICE, "Management")


def test_ai_01_dev_alarms_on_the_trail_group_notify_the_encrypted_topic(dev_graph: ResourceGraph) -> None:
    topic = dev_graph.one(TOPIC, "aisb-dev-security-alarms").outputs["arn"]
    for rule in trail.BEDROCK_ALARM_RULES:
        metric_filter = dev_graph.one(METRIC_FILTER, f"aisb-dev-{rule.key}")
        alarm = dev_graph.one(ALARM, f"aisb-dev-{rule.key}")
        assert (metric_filter.inputs["logGroupName"], metric_filter.inputs["pattern"]) == (
            "/aisb/dev/cloudtrail",
            rule.pattern,
        )
        assert (alarm.inputs["metricName"], alarm.inputs["alarmActions"]) == (rule.metric, [topic])


def test_ai_01_rule_fails_the_logging_change_filter_dropped(dev_graph: ResourceGraph) -> None:
    view = [
        r for r in rule_view(dev_graph) if not (r.type == METRIC_FILTER and r.name.endswith("bedrock-logging-changes"))
    ]
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert (status, message) == (
        "fail",
        "no alarmed metric filter matches ['Bedrock invocation logging deleted', 'Bedrock invocation logging changed']",
    )


def test_ai_01_rule_fails_the_logging_change_alarm_without_action(dev_graph: ResourceGraph) -> None:
    view = dev_view(dev_graph, **{"aisb-dev-bedrock-logging-changes": {"alarmActions": None}})
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert status == "fail"
    assert "'Bedrock invocation logging deleted'" in message


def test_ai_01_stack_without_bedrock_has_no_bedrock_alarms_or_selectors() -> None:
    graph = run_stack("dev", overrides={"baseline:ai": {"invocationLogging": False}}).graph
    names = {r.name for r in graph.by_type(METRIC_FILTER)}
    assert names == {f"aisb-dev-{rule.key}" for rule in trail.ALARM_RULES}
    assert not [s for s in _trail_selectors(graph) if s["name"].startswith("Bedrock")]


def test_ai_01_probe_fails_the_logging_change_filter_deleted(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("AI-01", mutation.logging_filter_deleted_live)
    assert finding.status == "fail"
    assert "'Bedrock invocation logging deleted'" in finding.message


def test_ai_01_rule_fails_the_logging_change_alarm_with_actions_disabled(dev_graph: ResourceGraph) -> None:
    view = dev_view(dev_graph, **{"aisb-dev-bedrock-logging-changes": {"actionsEnabled": False}})
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert status == "fail"
    assert "'Bedrock invocation logging deleted'" in message


def test_ai_01_probe_fails_the_logging_change_alarm_silenced(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("AI-01", mutation.logging_alarm_silenced_live)
    assert finding.status == "fail"
    assert "'Bedrock invocation logging changed'" in finding.message

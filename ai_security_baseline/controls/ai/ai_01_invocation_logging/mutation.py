"""AI-01 mutations: text delivery off, the archive not locked, logging switched off in the account, the trail without
Bedrock data events, and the logging-change alarm's filter or action gone."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    ALARM,
    BEDROCK_LOGGING_TYPE,
    BUCKET_OBJECT_LOCK,
    METRIC_FILTER,
    TRAIL,
    TRAIL_LOG_GROUP_OUTPUT,
    TRAIL_OUTPUT,
)
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    drop_property,
    drop_resources,
    edit_resources,
)
from ai_security_baseline.verify.engine.graph import Resource

#: The metric filter and alarm on changes to the invocation logging (``BEDROCK_ALARM_RULES``' first key).
LOGGING_ALARM = "-bedrock-logging-changes"


def _is_bedrock(selector: dict[str, Any], fields_key: str, field: str, equals: str) -> bool:
    """Whether an advanced selector (graph keys or API keys) names a Bedrock resource type."""
    types = [v for f in selector.get(fields_key) or [] if f.get(field) == "resources.type" for v in f.get(equals) or []]
    return any(str(t).startswith("AWS::Bedrock::") for t in types)


def _without_bedrock_selectors(resource: Resource) -> Resource:
    kept = [
        s
        for s in resource.inputs.get("advancedEventSelectors") or []
        if not _is_bedrock(s, "fieldSelectors", "field", "equals")
    ]
    outputs = {**resource.outputs, "advancedEventSelectors": kept} if resource.outputs else resource.outputs
    return dataclasses.replace(resource, inputs={**resource.inputs, "advancedEventSelectors": kept}, outputs=outputs)


def bedrock_selectors_removed_live(ctx: Any) -> Callable[[], None]:
    cloudtrail = ctx.client("cloudtrail")
    trail = str(ctx.output(TRAIL_OUTPUT))
    original = cloudtrail.get_event_selectors(TrailName=trail)["AdvancedEventSelectors"]
    kept = [s for s in original if not _is_bedrock(s, "FieldSelectors", "Field", "Equals")]
    cloudtrail.put_event_selectors(TrailName=trail, AdvancedEventSelectors=kept)
    return lambda: cloudtrail.put_event_selectors(TrailName=trail, AdvancedEventSelectors=original)


def logging_alarm_silenced_live(ctx: Any) -> Callable[[], None]:
    cloudwatch = ctx.client("cloudwatch")
    names = [
        a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"] if a["AlarmName"].endswith(LOGGING_ALARM)
    ]
    cloudwatch.disable_alarm_actions(AlarmNames=names)
    return lambda: cloudwatch.enable_alarm_actions(AlarmNames=names)


def logging_filter_deleted_live(ctx: Any) -> Callable[[], None]:
    logs = ctx.client("logs")
    group = str(ctx.output(TRAIL_LOG_GROUP_OUTPUT))
    [found] = [
        f
        for f in logs.describe_metric_filters(logGroupName=group)["metricFilters"]
        if f["filterName"].endswith(LOGGING_ALARM)
    ]
    logs.delete_metric_filter(logGroupName=group, filterName=found["filterName"])
    return lambda: logs.put_metric_filter(
        logGroupName=group,
        filterName=found["filterName"],
        filterPattern=found["filterPattern"],
        metricTransformations=found["metricTransformations"],
    )


def logging_deleted_live(ctx: Any) -> Callable[[], None]:
    bedrock = ctx.client("bedrock")
    config = bedrock.get_model_invocation_logging_configuration()["loggingConfig"]
    bedrock.delete_model_invocation_logging_configuration()
    return lambda: bedrock.put_model_invocation_logging_configuration(loggingConfig=config)


MUTATIONS = (
    Mutation("AI-01", "invocation logging removed", graph=drop_resources(BEDROCK_LOGGING_TYPE, "invocation-logging")),
    Mutation(
        "AI-01", "invocation archive without Object Lock", graph=drop_resources(BUCKET_OBJECT_LOCK, "bedrock-logs")
    ),
    Mutation("AI-01", "invocation logging deleted in the account", live=logging_deleted_live),
    Mutation(
        "AI-01", "trail without Bedrock data events", graph=edit_resources(TRAIL, "-trail", _without_bedrock_selectors)
    ),
    Mutation("AI-01", "deployed trail loses its Bedrock data events", live=bedrock_selectors_removed_live),
    Mutation("AI-01", "no metric filter on logging changes", graph=drop_resources(METRIC_FILTER, LOGGING_ALARM)),
    Mutation(
        "AI-01", "logging-change alarm notifies nobody", graph=drop_property(ALARM, LOGGING_ALARM, "alarmActions")
    ),
    Mutation("AI-01", "logging-change metric filter deleted in the account", live=logging_filter_deleted_live),
    Mutation("AI-01", "logging-change alarm actions disabled in the account", live=logging_alarm_silenced_live),
)

"""AI-01 live probe: the region's Bedrock invocation logging delivers text to the stack's archive and log group, the
trail records every Bedrock data-event type, and the trail's alarmed metric filters catch changes to the logging,
guardrails and model access."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.ai.ai_01_invocation_logging.rule import (
    DETECTIONS,
    Selector,
    recorded_event,
    unrecorded_bedrock_types,
)
from ai_security_baseline.controls.log.filter_pattern import FilterPatternError, parse
from ai_security_baseline.controls.vocabulary import (
    ALARM_TOPIC_OUTPUT,
    BEDROCK_LOG_BUCKET_CLASS,
    BEDROCK_LOG_GROUP_OUTPUT,
    INVOCATION_LOGGING_OUTPUT,
    TRAIL_LOG_GROUP_OUTPUT,
    TRAIL_OUTPUT,
    bucket_output,
)
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    built_output,
    check,
    waived,
)


def logging_problems(config: dict[str, object], bucket: str, group: str) -> list[str]:
    """What differs from the stack's setting in the ``loggingConfig`` Bedrock answers."""
    s3 = config.get("s3Config") or {}
    cloudwatch = config.get("cloudWatchConfig") or {}
    problems = []
    if config.get("textDataDeliveryEnabled") is not True:
        problems.append("text data delivery is off")
    if not isinstance(s3, dict) or s3.get("bucketName") != bucket:
        problems.append(f"invocation logs do not go to the archive {bucket} (found {s3})")
    if not isinstance(cloudwatch, dict) or cloudwatch.get("logGroupName") != group:
        problems.append(f"invocation logs do not go to the group {group} (found {cloudwatch})")
    return problems


def trail_problems(answer: dict[str, Any]) -> list[str]:
    """What ``GetEventSelectors`` shows missing of the Bedrock data events."""
    selectors: list[Selector] = [
        (
            str(s.get("Name") or ""),
            {str(f.get("Field")): list(f.get("Equals") or [None]) for f in s.get("FieldSelectors") or []},
        )
        for s in answer.get("AdvancedEventSelectors") or []
    ]
    missing = unrecorded_bedrock_types(selectors)
    return [f"the trail does not record the Bedrock data events of {missing}"] if missing else []


def _alarmed_patterns(ctx: AuditContext) -> list[str]:
    """Patterns of the trail group's metric filters whose metric has an alarm notifying the alarm topic, its actions
    enabled (DisableAlarmActions keeps the topic in AlarmActions but silences it)."""
    topic = str(ctx.output(ALARM_TOPIC_OUTPUT))
    group = str(ctx.output(TRAIL_LOG_GROUP_OUTPUT))
    filters = ctx.client("logs").describe_metric_filters(logGroupName=group)["metricFilters"]
    alarms = ctx.client("cloudwatch").describe_alarms()["MetricAlarms"]
    alarmed = {
        (a.get("Namespace"), a.get("MetricName"))
        for a in alarms
        if a.get("ActionsEnabled") is True and topic in a.get("AlarmActions", [])
    }
    return [
        str(f.get("filterPattern"))
        for f in filters
        if any((t["metricNamespace"], t["metricName"]) in alarmed for t in f["metricTransformations"])
    ]


def alarm_problems(patterns: list[str]) -> list[str]:
    """The AI-01 detections none of ``patterns`` raises; a pattern CloudWatch may read otherwise is an error."""
    parsed = []
    for pattern in patterns:
        try:
            parsed.append(parse(pattern))
        except FilterPatternError as exc:
            raise LookupError(f"metric filter pattern not evaluable offline: {exc}") from None
    missing = [d for d, event in DETECTIONS.items() if not any(p.matches(recorded_event(event)) for p in parsed)]
    return [f"no alarmed metric filter matches {missing}"] if missing else []


@check("AI-01", account_subject)
def invocation_logging(ctx: AuditContext, _region: str) -> Verdict:
    if built_output(ctx, INVOCATION_LOGGING_OUTPUT) is None:  # the stack neither reaches nor logs Bedrock
        return waived("not applicable: the stack builds no Bedrock invocation logging")
    bucket = str(ctx.output(bucket_output(BEDROCK_LOG_BUCKET_CLASS)))
    group = str(ctx.output(BEDROCK_LOG_GROUP_OUTPUT))
    answer = ctx.observe("bedrock", "GetModelInvocationLoggingConfiguration")
    config = answer.get("loggingConfig")
    if not config:
        return Verdict(False, "Bedrock model invocation logging is off in this region")
    problems = logging_problems(dict(config), bucket, group)
    problems += trail_problems(ctx.client("cloudtrail").get_event_selectors(TrailName=str(ctx.output(TRAIL_OUTPUT))))
    problems += alarm_problems(_alarmed_patterns(ctx))
    return Verdict(
        not problems,
        "; ".join(problems)
        or f"text invocations logged to {bucket} and {group}; Bedrock data events in the trail; changes alarmed",
    )

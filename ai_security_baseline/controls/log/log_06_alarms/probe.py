"""LOG-06 live probe: every metric filter on the trail's group has an alarm notifying the KMS-encrypted topic."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ALARM_TOPIC_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.log import alarm_subject


@check("LOG-06", alarm_subject)
def alarms(ctx: AuditContext, group: str) -> Verdict:
    topic = str(ctx.output(ALARM_TOPIC_OUTPUT))
    filters = ctx.client("logs").describe_metric_filters(logGroupName=group)["metricFilters"]
    metrics = {(t["metricNamespace"], t["metricName"]) for f in filters for t in f["metricTransformations"]}
    alarms = ctx.client("cloudwatch").describe_alarms()["MetricAlarms"]
    alarmed = {(a.get("Namespace"), a.get("MetricName")) for a in alarms if topic in a.get("AlarmActions", [])}
    key = ctx.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"].get("KmsMasterKeyId")
    unalarmed = sorted(f"{n}/{m}" for n, m in metrics - alarmed)
    ok = bool(filters) and not unalarmed and bool(key)
    return Verdict(ok, f"{len(filters)} metric filters, unalarmed {unalarmed}, topic key {key}", {"topicKey": key})

"""What the LOG probes share: the trail and alarm subjects and the trail read, from the stack outputs.

A stack whose outputs lack the trail keys (an older stack, a partial ``pulumi stack output``) gets ``error``
"output X missing" for these controls, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_security_baseline.controls.log.common import retention_waiver
from ai_security_baseline.controls.vocabulary import ALARM_TOPIC_OUTPUT, TRAIL_LOG_GROUP_OUTPUT, TRAIL_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject

MIN_LOG_RETENTION = 365


def log_group(logs: Any, name: str) -> dict[str, Any] | None:
    """The log group named exactly ``name`` as ``DescribeLogGroups`` returns it (the API matches by prefix), or
    None when there is none."""
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    found: dict[str, Any] | None = next((g for g in groups if g["logGroupName"] == name), None)
    return found


def live_retention_waiver(ctx: AuditContext, group: Mapping[str, Any]) -> str | None:
    """``retention_waiver`` of a deployed log group (as ``DescribeLogGroups`` returns it), from its tags."""
    days = int(group.get("retentionInDays") or 0)
    if not days or days >= MIN_LOG_RETENTION:
        return None
    arn = str(group.get("arn", "")).removesuffix(":*")
    tags = ctx.client("logs").list_tags_for_resource(resourceArn=arn).get("tags", {})
    return retention_waiver(tags, days)


def trail_subject(ctx: AuditContext) -> list[Subject]:
    arn = ctx.outputs.get(TRAIL_OUTPUT)
    return [Subject(urn=str(arn), value=str(arn))] if arn else [Subject(urn="stack", missing=TRAIL_OUTPUT)]


def trail(ctx: AuditContext, arn: str) -> dict[str, Any]:
    """The trail as ``DescribeTrails`` reports it (read once per context)."""
    trails = ctx.cached(("trail", arn), lambda: ctx.client("cloudtrail").describe_trails(trailNameList=[arn]))
    listed = trails["trailList"]
    if len(listed) != 1:
        raise LookupError(f"trail {arn} not found")
    return dict(listed[0])


def alarm_subject(ctx: AuditContext) -> list[Subject]:
    """The alarm topic, carrying the trail's log group name (the group its metric filters read)."""
    for key in (TRAIL_LOG_GROUP_OUTPUT, ALARM_TOPIC_OUTPUT):
        if not ctx.outputs.get(key):
            return [Subject(urn="stack", missing=key)]
    return [Subject(urn=str(ctx.outputs[ALARM_TOPIC_OUTPUT]), value=str(ctx.outputs[TRAIL_LOG_GROUP_OUTPUT]))]

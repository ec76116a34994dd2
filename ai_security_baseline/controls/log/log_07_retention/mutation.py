"""LOG-07 mutations: the trail's log group kept 180 days, in the graph and in the deployed account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import LOG_GROUP
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property


def retention_180_live(ctx: Any) -> Callable[[], None]:
    logs = ctx.client("logs")
    group = str(ctx.output("trailLogGroupName"))
    days = next(
        g["retentionInDays"]
        for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        if g["logGroupName"] == group
    )
    logs.put_retention_policy(logGroupName=group, retentionInDays=180)
    return lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=days)


MUTATIONS = (
    Mutation(
        "LOG-07", "trail log group kept 180 days", graph=set_property(LOG_GROUP, "-cloudtrail", "retentionInDays", 180)
    ),
    Mutation("LOG-07", "deployed trail log group kept 180 days", live=retention_180_live),
)

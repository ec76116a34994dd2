"""LOG-07 mutations: the trail's log group kept 180 days, in the graph and in the deployed account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import LOG_GROUP
from ai_security_baseline.verify.checkers.audit.log import log_group
from ai_security_baseline.verify.checkers.mutation import Mutation, MutationError, set_property


def retention_180_live(ctx: Any) -> Callable[[], None]:
    logs = ctx.client("logs")
    group = str(ctx.output("trailLogGroupName"))
    found = log_group(logs, group)
    if found is None:
        raise MutationError(f"no log group {group} in the account")
    days = found["retentionInDays"]
    logs.put_retention_policy(logGroupName=group, retentionInDays=180)
    return lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=days)


MUTATIONS = (
    Mutation(
        "LOG-07", "trail log group kept 180 days", graph=set_property(LOG_GROUP, "-cloudtrail", "retentionInDays", 180)
    ),
    Mutation("LOG-07", "deployed trail log group kept 180 days", live=retention_180_live),
)

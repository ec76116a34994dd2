"""NET-05 mutations: no flow log, rejected traffic only, short retention, an unconditioned delivery role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.net.common import IAM_ROLE
from ai_security_baseline.controls.vocabulary import FLOW_LOG, LOG_GROUP
from ai_security_baseline.verify.checkers.audit.log import log_group
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    MutationError,
    changed_statement,
    drop_resources,
    edit_document,
    set_property,
    without_condition,
)

FLOW_LOGS = "network-flow-logs"


def short_retention_live(ctx: Any) -> Callable[[], None]:
    logs = ctx.client("logs")
    name = ctx.output("flowLogGroupName")
    group = log_group(logs, name)
    if group is None:
        raise MutationError(f"no log group {name} in the account")
    logs.put_retention_policy(logGroupName=name, retentionInDays=30)
    return lambda: logs.put_retention_policy(logGroupName=name, retentionInDays=group["retentionInDays"])


MUTATIONS = (
    Mutation(  # the access analysis judges who may assume the delivery role, not whether a flow log exists
        "NET-05", "no flow log", graph=drop_resources(FLOW_LOG), layers=("rule", "checkov")
    ),
    Mutation(  # checkov's CKV2_AWS_11 asks only that a flow log exists
        "NET-05",
        "rejected traffic only",
        graph=set_property(FLOW_LOG, FLOW_LOGS, "trafficType", "REJECT"),
        layers=("rule",),
    ),
    Mutation(  # nor how long the group keeps it
        "NET-05",
        "retention 30 days",
        graph=set_property(LOG_GROUP, FLOW_LOGS, "retentionInDays", 30),
        layers=("rule", "checkov"),
    ),
    Mutation(  # checkov does not read the trust conditions
        "NET-05",
        "delivery role trusted without source conditions",
        graph=edit_document(
            IAM_ROLE, FLOW_LOGS, "assumeRolePolicy", changed_statement("VpcFlowLogsAssumeRole", without_condition)
        ),
        layers=("rule", "access"),
    ),
    Mutation("NET-05", "flow log group kept 30 days", live=short_retention_live),
)

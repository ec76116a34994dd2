"""NET-07 mutations: no query log association, a short or unencrypted group, a resource policy missing or open to
any account; live, the group kept 30 days and the resource policy deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    LOG_GROUP,
    LOG_RESOURCE_POLICY,
    QUERY_LOG_ASSOCIATION,
    QUERY_LOG_GROUP_OUTPUT,
)
from ai_security_baseline.verify.checkers.audit.log import log_group
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    MutationError,
    changed_statement,
    drop_reference,
    drop_resources,
    edit_document,
    set_property,
    without_condition,
)

QUERY_LOGS = "dns-query-logs"
DELIVERY_SID = "AWSLogDeliveryWriteResolverQueryLogs"


def short_retention_live(ctx: Any) -> Callable[[], None]:
    logs = ctx.client("logs")
    name = ctx.output(QUERY_LOG_GROUP_OUTPUT)
    group = log_group(logs, name)
    if group is None:
        raise MutationError(f"no log group {name} in the account")
    logs.put_retention_policy(logGroupName=name, retentionInDays=30)
    return lambda: logs.put_retention_policy(logGroupName=name, retentionInDays=group["retentionInDays"])


def resource_policy_deleted_live(ctx: Any) -> Callable[[], None]:
    logs = ctx.client("logs")
    policies = logs.describe_resource_policies()["resourcePolicies"]
    ours = [p for p in policies if DELIVERY_SID in p["policyDocument"]]
    if not ours:
        raise MutationError("no resource policy admitting the query-log delivery in the account")
    for policy in ours:
        logs.delete_resource_policy(policyName=policy["policyName"])

    def undo() -> None:
        for policy in ours:
            logs.put_resource_policy(policyName=policy["policyName"], policyDocument=policy["policyDocument"])

    return undo


MUTATIONS = (
    Mutation(  # the analysis evaluates the delivery into the configured group, whether or not a VPC logs into it
        "NET-07", "no query log association", graph=drop_resources(QUERY_LOG_ASSOCIATION), layers=("rule",)
    ),
    Mutation(
        "NET-07",
        "query log group kept 30 days",
        graph=set_property(LOG_GROUP, f"{QUERY_LOGS}-group", "retentionInDays", 30),
        layers=("rule",),
    ),
    Mutation(
        "NET-07",
        "query log group unencrypted",
        graph=drop_reference(LOG_GROUP, f"{QUERY_LOGS}-group", "kmsKeyId"),
        layers=("rule",),
    ),
    Mutation(  # the access analysis needs the policy to evaluate delivery: its absence is an error there, not a kill
        "NET-07", "no resource policy for the delivery", graph=drop_resources(LOG_RESOURCE_POLICY), layers=("rule",)
    ),
    Mutation(
        "NET-07",
        "delivery admitted for any account",
        graph=edit_document(
            LOG_RESOURCE_POLICY, QUERY_LOGS, "policyDocument", changed_statement(DELIVERY_SID, without_condition)
        ),
    ),
    Mutation("NET-07", "query log group kept 30 days live", live=short_retention_live),
    Mutation("NET-07", "query-log resource policy deleted", live=resource_policy_deleted_live),
)

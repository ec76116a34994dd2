"""NET-07 live probe: a query log config associated with the VPC delivers into the logs-key-encrypted, retained group,
and the account's CloudWatch Logs resource policies let the delivery service write it for this account only."""

from __future__ import annotations

import json
from typing import Any

from ai_security_baseline.controls.net.common import MIN_RETENTION_DAYS
from ai_security_baseline.controls.vocabulary import QUERY_LOG_GROUP_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.log import live_retention_waiver, log_group
from ai_security_baseline.verify.checkers.audit.network import vpc_subject
from ai_security_baseline.verify.iam.principals import decide, query_log_delivery_calls


def account_log_policy(ctx: AuditContext) -> dict[str, Any]:
    """Every CloudWatch Logs resource policy of the account as one document (AWS evaluates them together)."""
    policies = ctx.client("logs").describe_resource_policies()["resourcePolicies"]
    statements = [s for p in policies for s in json.loads(p["policyDocument"]).get("Statement", [])]
    return {"Version": "2012-10-17", "Statement": statements}


def _destination_problems(
    ctx: AuditContext, config: dict[str, Any], expected: tuple[str, str]
) -> tuple[list[str], str | None]:
    """What is wrong with one config's destination (``expected``: the stack's query-log group and logs key), and the
    retention waiver it carries (if any)."""
    group_name, logs_key = expected
    destination = str(config.get("DestinationArn", "")).removesuffix(":*")
    name = destination.split(":log-group:", 1)[1] if ":log-group:" in destination else ""
    if name != group_name:
        return [f"destination {destination} is not the query-log group {group_name}"], None
    group = log_group(ctx.client("logs"), name)
    if group is None:
        return [f"query log group {name} does not exist"], None
    problems = []
    if group.get("kmsKeyId") != logs_key:
        problems.append(f"log group key {group.get('kmsKeyId')} (expected the logs key)")
    waiver = live_retention_waiver(ctx, group)
    if int(group.get("retentionInDays") or 0) < MIN_RETENTION_DAYS and not waiver:
        problems.append(f"retention {group.get('retentionInDays')} < {MIN_RETENTION_DAYS}")
    calls = query_log_delivery_calls(
        account=ctx.account_id,
        partition=destination.split(":")[1],
        region=ctx.region,
        group_arn=destination,
        resource_policy=account_log_policy(ctx),
    )
    wrong = [o.call.name for o in map(decide, calls) if not o.as_expected]
    if wrong:
        problems.append(f"resource policies: {', '.join(wrong)} not as expected")
    return problems, waiver


@check("NET-07", vpc_subject)
def query_logging(ctx: AuditContext, vpc_id: str) -> Verdict:
    # the outputs first: a stack without them is an error, never judged on what happens to be in the account
    expected = (str(ctx.output(QUERY_LOG_GROUP_OUTPUT)), str(ctx.output("logsKeyArn")))
    resolver = ctx.client("route53resolver")
    associations = resolver.list_resolver_query_log_config_associations(
        Filters=[{"Name": "ResourceId", "Values": [vpc_id]}]
    )["ResolverQueryLogConfigAssociations"]
    active = [a for a in associations if a.get("Status") in ("ACTIVE", "CREATING")]
    if not active:
        return Verdict(False, f"no active Resolver query log association of {vpc_id}", {"associations": associations})
    verdicts = []
    for association in active:
        config_id = association["ResolverQueryLogConfigId"]
        config = resolver.get_resolver_query_log_config(ResolverQueryLogConfigId=config_id)["ResolverQueryLogConfig"]
        verdicts.append((config_id, *_destination_problems(ctx, config, expected)))
    good = sorted((v for v in verdicts if not v[1]), key=lambda v: bool(v[2]))
    if not good:
        return Verdict(False, "; ".join(f"{c}: {p}" for c, problems, _ in verdicts for p in problems), {})
    config_id, _, waiver = good[0]
    return Verdict(
        True,
        f"query logs {config_id} to a logs-key-encrypted, retained group the delivery service may write",
        {"queryLogConfigId": config_id},
        status="waived" if waiver else None,
        waiver=waiver or "",
    )

"""NET-07: the VPC's Resolver query logs go to a logs-key-encrypted, retained group, under a resource policy of the
stack that admits CloudWatch Logs' delivery service for that group and this account only."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, partial
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import Found, Stack, log_group_problems, logs_keys_of, no_vpc
from ai_security_baseline.controls.vocabulary import (
    LOG_DELIVERY_SERVICE,
    LOG_GROUP,
    LOG_RESOURCE_POLICY,
    QUERY_LOG_ASSOCIATION,
    QUERY_LOG_CONFIG,
    VPC,
)

DELIVERY_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def delivery_problem(documents: Sequence[dict[str, Any]], group_arn: str) -> str | None:
    """Whether some resource policy lets the delivery service write ``group_arn``'s streams, bound to this account
    (aws:SourceAccount: without it any account's delivery could write here)."""
    admitting = [
        st
        for document in documents
        for st in kit.statements(document)
        if st.get("Effect") == "Allow"
        and LOG_DELIVERY_SERVICE in kit.principals(st, "Service")
        and set(DELIVERY_ACTIONS) <= set(kit.as_list(st.get("Action")))
        and any(_covers(str(r), group_arn) for r in kit.as_list(st.get("Resource")))
    ]
    if not admitting:
        return f"no resource policy of the stack admits {LOG_DELIVERY_SERVICE} to write {group_arn}"
    if not any("aws:sourceaccount" in kit.condition_keys(st) for st in admitting):
        return f"the resource policy admits {LOG_DELIVERY_SERVICE} for {group_arn} without aws:SourceAccount"
    return None


def _covers(resource: str, group_arn: str) -> bool:
    """Whether a Resource pattern matches the streams of the group (the ARNs logs:PutLogEvents is authorized on)."""
    return resource == "*" or (resource.endswith("*") and f"{group_arn}:log-stream:x".startswith(resource[:-1]))


def _config_problems(stack: Stack, config: kit.Res, relaxed: list[str]) -> list[str]:
    groups = stack.linker((LOG_GROUP,), ("arn",))(config, "destinationArn")
    if not groups:
        return [f"{config.name}: destination is not a log group of the stack"]
    group = groups[0]
    problems = log_group_problems(stack, group, cache(partial(logs_keys_of, stack)), relaxed)
    arn = str(kit.known(group, "arn"))
    policies = [kit.policy_document(p, "policyDocument") for p in stack.of(LOG_RESOURCE_POLICY)]
    delivery = delivery_problem(policies, arn)
    return [f"{config.name}: {p}" for p in [*problems, *([delivery] if delivery else [])]]


def check_query_logging(resources: Sequence[kit.Res]) -> Found:
    """NET-07 per VPC: one associated query log config whose destination passes is enough."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("NET-07",))
    configs = stack.linker((QUERY_LOG_CONFIG,))
    for vpc in stack.vpcs():
        associated = [
            c
            for a in stack.referrers((QUERY_LOG_ASSOCIATION,), "resourceId", (VPC,)).get(vpc.urn, ())
            for c in configs(a, "resolverQueryLogConfigId")
        ]
        if not associated:
            yield vpc.urn, "NET-07", False, "no Resolver query log config is associated with the VPC"
            continue
        relaxed: dict[str, list[str]] = {c.name: [] for c in associated}
        verdicts = {c.name: _config_problems(stack, c, relaxed[c.name]) for c in associated}
        good = sorted((n for n, p in verdicts.items() if not p), key=lambda n: bool(relaxed[n]))
        if good and relaxed[good[0]]:
            yield vpc.urn, "NET-07", kit.RELAXED, f"query logs {good[0]}: " + "; ".join(relaxed[good[0]])
        elif good:
            yield vpc.urn, "NET-07", True, f"query logs {good[0]} to a logs-key-encrypted, retained group"
        else:
            yield vpc.urn, "NET-07", False, "; ".join(p for problems in verdicts.values() for p in problems)


RULE = kit.Rule(
    "net-07-query-logging",
    "The VPC's Resolver query logs go to a logs-key-encrypted, retained group its resource policy admits",
    ("NET-07",),
    stack_check=check_query_logging,
)

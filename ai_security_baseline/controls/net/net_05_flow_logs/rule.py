"""NET-05: every VPC's flow log captures ALL traffic into a logs-key-encrypted, retained group."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import (
    IAM_ROLE,
    MIN_RETENTION_DAYS,
    Found,
    Stack,
    log_group_problems,
    logs_keys_of,
    no_vpc,
)
from ai_security_baseline.controls.vocabulary import FLOW_LOG, FLOW_LOG_SERVICE, LOG_GROUP

__all__ = ["MIN_RETENTION_DAYS", "RULE"]


def _flow_log_problems(
    stack: Stack, flow_log: kit.Res, logs_keys: Callable[[], set[str]], relaxed: list[str]
) -> list[str]:
    problems = []
    traffic = kit.known(flow_log, "trafficType")
    if traffic != "ALL":
        problems.append(f"traffic type {traffic} (expected ALL)")
    destination_type = kit.known(flow_log, "logDestinationType") or "cloud-watch-logs"
    if destination_type != "cloud-watch-logs":
        return [*problems, f"destination type {destination_type} (expected cloud-watch-logs)"]
    found = stack.linker((LOG_GROUP,), ("arn",))(flow_log, "logDestination") or stack.linker((LOG_GROUP,), ("name",))(
        flow_log, "logGroupName"
    )
    if not found:
        problems.append("destination log group not found in the stack")
    problems += [p for g in found for p in log_group_problems(stack, g, logs_keys, relaxed)]
    roles = stack.linker((IAM_ROLE,), ("arn",))(flow_log, "iamRoleArn")
    if not roles:
        problems.append("delivery role not found in the stack")
    problems += [p for r in roles for p in kit.service_trust_problems(r, FLOW_LOG_SERVICE)]
    return [f"{flow_log.name}: {p}" for p in problems]


def check_flow_logs(resources: Sequence[kit.Res]) -> Found:
    """NET-05: each VPC has a flow log (ALL) to a logs-key-encrypted group kept >= 365 days, via a conditioned role."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("NET-05",))
    logs_keys = cache(partial(logs_keys_of, stack))  # read once, and only when a log group is keyed
    for vpc in stack.vpcs():
        flow_logs = stack.in_vpc(vpc, FLOW_LOG)
        if not flow_logs:
            yield vpc.urn, "NET-05", False, "no flow log attached; expected one with traffic type ALL"
            continue
        relaxed: dict[str, list[str]] = {f.name: [] for f in flow_logs}
        verdicts = {f.name: _flow_log_problems(stack, f, logs_keys, relaxed[f.name]) for f in flow_logs}
        good = sorted((name for name, problems in verdicts.items() if not problems), key=lambda n: bool(relaxed[n]))
        if good and relaxed[good[0]]:
            yield vpc.urn, "NET-05", kit.RELAXED, f"flow log {good[0]}: " + "; ".join(relaxed[good[0]])
            continue
        message = (
            f"flow log {good[0]}: ALL traffic to a logs-key-encrypted group kept >= {MIN_RETENTION_DAYS} days, "
            "delivery role conditioned on aws:SourceAccount and aws:SourceArn"
            if good
            else "; ".join(p for problems in verdicts.values() for p in problems)
        )
        yield vpc.urn, "NET-05", bool(good), message


RULE = kit.Rule(
    "net-05-flow-logs",
    "Every VPC has an ALL-traffic flow log to a logs-key-encrypted, retained group via a conditioned role",
    ("NET-05",),
    stack_check=check_flow_logs,
)

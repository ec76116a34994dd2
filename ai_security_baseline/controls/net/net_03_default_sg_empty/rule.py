"""NET-03: the default security group is managed with no rules."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import Found, Stack, names, no_vpc, rules_on
from ai_security_baseline.controls.vocabulary import DEFAULT_SG


def check_default_security_group(resources: Sequence[kit.Res]) -> Found:
    """NET-03: each VPC's default SG is managed with explicitly empty ingress and egress, and no rule targets it."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("NET-03",))
    for vpc in stack.vpcs():
        defaults = stack.in_vpc(vpc, DEFAULT_SG)
        if not defaults:
            yield vpc.urn, "NET-03", False, "default security group not managed (AWS's default allows traffic)"
            continue
        problems = []
        for group in defaults:
            for key in ("ingress", "egress"):
                value = kit.known(group, key)
                if value != []:
                    problems.append(f"{group.name}.{key} = {value!r}")
        attached = rules_on(stack, defaults, vpc)
        if attached:
            problems.append(f"rules attached to the default SG: {names(attached)}")
        message = "; ".join(problems) + "; expected ingress [] and egress []" if problems else "no rules at all"
        yield vpc.urn, "NET-03", not problems, f"default security group: {message}"


RULE = kit.Rule(
    "net-03-default-sg-empty",
    "The default security group is managed with no rules",
    ("NET-03",),
    stack_check=check_default_security_group,
)

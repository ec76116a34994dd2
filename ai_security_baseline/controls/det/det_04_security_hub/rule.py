"""DET-04: Security Hub with consolidated control findings, no default standards, and the stack's standards."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.det.common import Found, central_piece, of
from ai_security_baseline.controls.vocabulary import (
    SECURITY_HUB,
    SECURITY_HUB_FINDING_GENERATOR,
    SECURITY_HUB_STANDARD,
    SECURITY_HUB_STANDARDS,
)


def subscribed(subscriptions: Sequence[kit.Res], standard: str) -> list[kit.Res]:
    """Subscriptions to ``standard`` (its ARN in any partition and region: ``arn:<p>:securityhub:<region>::<path>``)."""
    path = f"::{SECURITY_HUB_STANDARDS[standard]}"
    return [s for s in subscriptions if str(kit.known(s, "standardsArn") or "").endswith(path)]


def hub_problems(hub: kit.Res, subscriptions: Sequence[kit.Res]) -> list[str]:
    problems = []
    if kit.known(hub, "enableDefaultStandards") is not False:
        problems.append("default standards are enabled (the stack chooses its standards: enableDefaultStandards false)")
    generator = kit.known(hub, "controlFindingGenerator")
    if generator != SECURITY_HUB_FINDING_GENERATOR:
        problems.append(
            f"control findings generated {generator or 'unset'} (expected {SECURITY_HUB_FINDING_GENERATOR})"
        )
    for standard in SECURITY_HUB_STANDARDS:
        found = subscribed(subscriptions, standard)
        if not found:
            problems.append(f"no subscription to {SECURITY_HUB_STANDARDS[standard]}")
        # AWS refuses a subscription before the hub is enabled: it must wait for the hub
        problems += [f"{s.name} does not wait for {hub.name}" for s in found if hub.urn not in s.dependencies]
    return [f"{hub.name}: {p}" for p in problems]


def check_security_hub(resources: Sequence[kit.Res]) -> Found:
    hubs = of(resources, SECURITY_HUB)
    central = list(central_piece(resources, "securityHub", hubs))
    if central:
        yield from central
        return
    if not hubs:
        yield kit.stack_urn(resources), "DET-04", False, "Security Hub is not enabled by the stack"
        return
    subscriptions = of(resources, SECURITY_HUB_STANDARD)
    for hub in hubs:
        problems = hub_problems(hub, subscriptions)
        ok_message = f"{hub.name}: consolidated control findings, subscribed to {', '.join(SECURITY_HUB_STANDARDS)}"
        yield hub.urn, "DET-04", not problems, "; ".join(problems) or ok_message


RULE = kit.Rule(
    "det-04-security-hub",
    "Security Hub is enabled with consolidated findings and the FSBP and CIS standards (or centrally managed)",
    ("DET-04",),
    stack_check=check_security_hub,
)

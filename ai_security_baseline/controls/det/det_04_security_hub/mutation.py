"""DET-04 mutations: no hub, default standards on, per-standard findings, a standard missing, Security Hub off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    SECURITY_HUB,
    SECURITY_HUB_FINDING_GENERATOR,
    SECURITY_HUB_STANDARD,
)
from ai_security_baseline.verify.checkers.mutation import Mutation, chain, drop_resources, set_property


def security_hub_off_live(ctx: Any) -> Callable[[], None]:
    hub = ctx.client("securityhub")
    hub.disable_security_hub()
    return lambda: hub.enable_security_hub(
        EnableDefaultStandards=False, ControlFindingGenerator=SECURITY_HUB_FINDING_GENERATOR
    )


MUTATIONS = (
    Mutation(
        "DET-04", "no Security Hub", graph=chain(drop_resources(SECURITY_HUB_STANDARD), drop_resources(SECURITY_HUB))
    ),
    Mutation(
        "DET-04",
        "default standards on",
        graph=set_property(SECURITY_HUB, "securityhub", "enableDefaultStandards", True),
    ),
    Mutation(
        "DET-04",
        "control findings per standard",
        graph=set_property(SECURITY_HUB, "securityhub", "controlFindingGenerator", "STANDARD_CONTROL"),
    ),
    Mutation(
        "DET-04", "no CIS subscription", graph=drop_resources(SECURITY_HUB_STANDARD, "cis-aws-foundations-benchmark")
    ),
    Mutation("DET-04", "Security Hub disabled in the account", live=security_hub_off_live),
)

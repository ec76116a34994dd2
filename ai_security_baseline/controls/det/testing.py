"""What the DET units' tests share: the rules over the dev graph, the stack with every account-wide detection
piece centrally managed, and the probes run on outputs that name them centrally managed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from functools import cache

from ai_security_baseline.controls import kit, registry
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import CENTRALLY_MANAGED_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import CHECKS, AuditContext, run_checks
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack
from ai_security_baseline.verify.findings.finding import Finding

#: Every account-wide detection piece, left to the organization, with the reason the stack file gives.
CENTRAL: dict[str, str] = {
    "guardDuty": "GuardDuty is enabled by the security account for the whole organization",
    "securityHub": "Security Hub is administered by the security account for the organization",
    "accessAnalyzer": "The organization analyzer lives in the security account",
}


@cache
def central_run() -> OfflineRun:
    """The dev stack with every account-wide detection piece centrally managed (rendered once)."""
    return run_stack("dev", overrides={"baseline:centrallyManaged": json.dumps(CENTRAL)})


def outcomes(rule_name: str, view: Sequence[kit.Res]) -> list[kit.Outcome]:
    rule = next(r for r in registry.rules() if r.name == rule_name)
    found: list[kit.Outcome] = rule.evaluate(view)
    return found


def verdicts(rule_name: str, view: Sequence[kit.Res]) -> list[tuple[str, str]]:
    """(status, message) of every outcome of the rule."""
    return [(o.status, o.message) for o in outcomes(rule_name, view)]


def dev_view(graph: ResourceGraph) -> list[kit.Res]:
    return rule_view(graph)


def with_outputs(view: Sequence[kit.Res], **outputs: object) -> list[kit.Res]:
    """The view with the root stack's outputs extended (the rules read centrallyManaged there)."""
    return [dataclasses.replace(r, props={**r.props, **outputs}) if r.type == kit.STACK else r for r in view]


def probe_with(server_context: AuditContext, control: str, outputs: Mapping[str, object]) -> list[Finding]:
    """The live probe of ``control`` on the account, reading ``outputs`` instead of the deployed ones."""
    context = dataclasses.replace(server_context, outputs={**server_context.outputs, **outputs}, _clients={})
    return run_checks(context, [c for c in CHECKS if c.control == control])


def central_outputs(piece: str) -> dict[str, object]:
    return {CENTRALLY_MANAGED_OUTPUT: {piece: CENTRAL[piece]}}

"""What the ACC and DET-05 tests share: the dev stack as the rules see it, with stack outputs replaced, a stack run
with pieces centrally managed, and the live probe of an account whose stack outputs say otherwise."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit, registry
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import CENTRAL_PIECES, CENTRALLY_MANAGED_OUTPUT
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.mocks import FakeAccount
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack

#: A reason of the right length for every centrally managed piece.
REASON = "the organization's security account manages this"


def outcomes(rule_name: str, view: Sequence[kit.Res], control: str) -> list[kit.Outcome]:
    rule = next(r for r in registry.rules() if r.name == rule_name)
    return [o for o in rule.evaluate(view) if o.control == control]


def verdicts(rule_name: str, view: Sequence[kit.Res], control: str) -> list[tuple[str, str]]:
    """(status, message) of every outcome of ``control``."""
    return [(o.status, o.message) for o in outcomes(rule_name, view, control)]


def with_outputs(view: Sequence[kit.Res], **outputs: Any) -> list[kit.Res]:
    """The view with the root stack's outputs changed (a value of ``None`` removes it)."""

    def edit(r: kit.Res) -> kit.Res:
        props = {k: v for k, v in {**r.props, **outputs}.items() if v is not None}
        return dataclasses.replace(r, props=props)

    return [edit(r) if r.type == kit.STACK else r for r in view]


def central(*pieces: str) -> dict[str, str]:
    return {p: REASON for p in pieces}


def dev_view(graph: ResourceGraph, **changes: Mapping[str, Any]) -> list[kit.Res]:
    """The dev graph as the rules see it, with ``changes`` (logical name -> properties; None removes one)."""
    view = rule_view(graph)
    for name, props in changes.items():
        assert any(r.name == name for r in view), name
        view = [
            dataclasses.replace(r, props={k: v for k, v in {**r.props, **props}.items() if v is not None})
            if r.name == name
            else r
            for r in view
        ]
    return view


def central_run(**account: Any) -> OfflineRun:
    """The dev stack with every account-wide piece of DET-05 and ACC-01…03 centrally managed."""
    pieces = central(*(p for p, c in CENTRAL_PIECES.items() if c in ("DET-05", "ACC-01", "ACC-02", "ACC-03")))
    return run_stack("dev", overrides={"baseline:centrallyManaged": json.dumps(pieces)}, account=FakeAccount(**account))


def centrally_managed_exports(exports: Mapping[str, Any], *pieces: str) -> dict[str, Any]:
    return {**exports, CENTRALLY_MANAGED_OUTPUT: central(*pieces)}

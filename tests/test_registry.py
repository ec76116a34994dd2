"""One control = one unit folder = one rule name = one test module; the units are the only place a control lives."""

from __future__ import annotations

import ast

import pytest

from ai_security_baseline.controls import registry
from ai_security_baseline.policies import baseline_rules
from ai_security_baseline.verify.checkers.audit.core import CHECKS
from ai_security_baseline.verify.checkers.mutation import mutations

UNITS = registry.units()
IDS = [u.id for u in UNITS]


def test_every_control_id_has_exactly_one_unit() -> None:
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("unit", UNITS, ids=IDS)
def test_unit_rule_carries_the_unit_name_and_only_its_control(unit: registry.Unit) -> None:
    assert unit.has("rule") == ("rule" in unit.evidence)
    if unit.has("rule"):
        rule = unit.load("rule").RULE
        assert (rule.name, rule.controls) == (unit.rule_name, (unit.id,))


@pytest.mark.parametrize("unit", UNITS, ids=IDS)
def test_unit_has_one_test_module_whose_tests_are_named_after_its_control(unit: registry.Unit) -> None:
    prefix = unit.id.lower().replace("-", "_")
    module = unit.path / f"test_{prefix}.py"
    assert module.is_file(), module.name
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert names
    assert [n for n in names if not n.startswith(f"test_{prefix}_")] == []


@pytest.mark.parametrize("unit", UNITS, ids=IDS)
def test_unit_probe_is_the_only_live_check_of_its_control(unit: registry.Unit) -> None:
    mine = [c for c in CHECKS if c.control == unit.id]
    assert bool(mine) == ("audit" in unit.evidence)
    assert {c.decide.__module__ for c in mine} <= {f"{unit.module}.probe"}


@pytest.mark.parametrize("unit", UNITS, ids=IDS)
def test_unit_has_mutations_of_its_own_control(unit: registry.Unit) -> None:
    assert mutations(unit)


def test_rule_registry_is_exactly_the_units_rules() -> None:
    assert registry.rules() == baseline_rules.RULES

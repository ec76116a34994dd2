"""Every control has an implementation, and every implementation names a real control."""

from __future__ import annotations

import re
from pathlib import Path

from components import documents
from policies import baseline_rules, rules_kms
from verify.findings.catalog import load_catalog

TESTS = Path(__file__).resolve().parent


def defined_test_names() -> set[str]:
    return {
        m.group(1) for path in TESTS.glob("test_*.py") for m in re.finditer(r"^def (test_\w+)", path.read_text(), re.M)
    }


def control_prefix(control_id: str) -> str:
    return "test_" + control_id.lower().replace("-", "_") + "_"


def test_every_rule_names_only_catalog_controls() -> None:
    ids = load_catalog().ids()
    assert {c for rule in baseline_rules.RULES for c in rule.controls} <= set(ids)


def test_every_implemented_control_has_a_test_named_after_it() -> None:
    names = defined_test_names()
    untested = [
        c.id
        for c in load_catalog().controls
        if not c.planned and not any(n.startswith(control_prefix(c.id)) for n in names)
    ]
    assert untested == []


def test_every_unimplemented_control_names_the_issue_that_implements_it() -> None:
    planned = [c for c in load_catalog().controls if c.planned]
    assert all(re.fullmatch(r"issue \d+", c.planned) for c in planned)


def test_a_control_with_a_rule_is_not_marked_planned() -> None:
    catalog = load_catalog()
    ruled = {c for rule in baseline_rules.RULES for c in rule.controls}
    assert [c.id for c in catalog.controls if c.id in ruled and c.planned] == []


def test_rules_and_builders_agree_on_what_a_cryptographic_kms_action_is() -> None:
    assert {a.lower() for a in documents.CRYPTO_ACTIONS} == rules_kms.KMS_CRYPTO

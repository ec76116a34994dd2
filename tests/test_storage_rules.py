"""Storage rules (S3-01…S3-14, GOV-02, GOV-03): the literal compliant stack of ``controls.s3.testing`` passes, and
the dev stack's only non-pass findings are the by-design waivers."""

from __future__ import annotations

from datetime import date

import pytest

from ai_security_baseline.controls.s3 import common as s3
from ai_security_baseline.controls.s3.testing import STORAGE_RULES, compliant, results, without
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH, apply_waivers, load_waivers

# ---- every rule passes the compliant fixture ----------------------------------------------------------------------

#: The one documented non-pass of the compliant fixture: the log target is SSE-S3 by design (waiver).
BY_DESIGN = {("S3-03", "logs"): "fail"}


@pytest.mark.parametrize("rule_name", [r.name for r in STORAGE_RULES])
def test_storage_rule_passes_the_compliant_fixture(rule_name: str) -> None:
    found = results(rule_name, compliant())
    assert found, "the rule produced no outcome"
    assert {k: v for k, v in found.items() if v != "pass"} == {k: v for k, v in BY_DESIGN.items() if k in found}


# ---- the dev stack, mutated -------------------------------------------------------------------------------------


def test_dev_stack_only_non_pass_storage_findings_are_the_two_by_design_waivers(dev_graph: ResourceGraph) -> None:
    findings = scan_rules(dev_graph, STORAGE_RULES)
    control_waivers = [w for w in load_waivers(WAIVERS_PATH, load_catalog()) if w.control]
    outcome = apply_waivers(findings, control_waivers, date.today())
    assert sorted((f.control, f.resource_name, f.status) for f in outcome.findings if f.status != "pass") == [
        ("S3-03", "aisb-dev-access-logs", "waived"),
        ("S3-03", "aisb-dev-audit", "waived"),
    ]
    assert outcome.warnings == ()


def test_s3_01_fails_the_dev_curated_bucket_without_its_public_access_block(dev_graph: ResourceGraph) -> None:
    graph = without(rule_view(dev_graph), s3.PUBLIC_ACCESS_BLOCK, "aisb-dev-curated")
    assert results("s3-01-public-access-block", graph)[("S3-01", "aisb-dev-curated")] == "fail"

"""GOV-03: each bucket's retention is configuration and is stated in the report."""

from __future__ import annotations

from ai_security_baseline.controls.gov.gov_03_retention_reported import mutation
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph


def test_gov_03_dev_stack_reports_the_retention_of_every_bucket(dev_graph: ResourceGraph) -> None:
    findings = [f for f in scan_rules(dev_graph) if f.control == "GOV-03"]
    assert {f.status for f in findings} == {"pass"}
    raw = next(f for f in findings if f.resource_name == "aisb-dev-raw")
    assert raw.message == "retention of aisb-dev-raw: current objects 730 days; noncurrent versions 90 days"


def test_gov_03_a_bucket_without_lifecycle_fails(dev_graph: ResourceGraph) -> None:
    stripped = type(dev_graph)([r for r in dev_graph if r.type != mutation.LIFECYCLE], stack="dev", project="p")
    statuses = {f.status for f in scan_rules(stripped) if f.control == "GOV-03"}
    assert statuses == {"fail"}

"""LOG-01: the trail is multi-region, records global service events and validates its log files."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.controls.log.log_01_trail_scope import mutation
from ai_security_baseline.controls.log.log_01_trail_scope.rule import RULE
from ai_security_baseline.controls.log.testing import T_BUCKET, T_TRAIL, audit_of, edited, results, trail_of
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_log_01_trail_is_multi_region_with_global_events_and_log_file_validation(dev_graph: ResourceGraph) -> None:
    inputs = trail_of(dev_graph).inputs
    flags = ("isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation", "enableLogging")
    assert {k: inputs[k] for k in (*flags, "isOrganizationTrail", "name")} == {
        "isMultiRegionTrail": True,
        "includeGlobalServiceEvents": True,
        "enableLogFileValidation": True,
        "enableLogging": True,
        "isOrganizationTrail": False,
        "name": "aisb-dev-trail",
    }
    assert inputs["s3BucketName"] == audit_of(dev_graph, T_BUCKET).outputs["bucket"]


def test_log_01_rule_fails_a_trail_without_log_file_validation(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = edited(dev, T_TRAIL, lambda p: {**p, "enableLogFileValidation": False})
    assert results(graph, "LOG-01") == ["fail"]


def test_log_01_rule_errors_on_an_unknown_flag(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = edited(dev, T_TRAIL, lambda p: {**p, "isMultiRegionTrail": UNKNOWN})
    assert results(graph, "LOG-01") == ["error"]


def test_log_01_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = results(rule_view(dev_graph), "LOG-01")
    assert statuses
    assert set(statuses) == {"pass"}, statuses


def test_log_01_probe_passes_the_deployed_dev_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("LOG-01")
    assert findings
    assert all(f.status == "pass" for f in findings), findings


def test_log_01_probe_fails_after_the_live_mutation(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("LOG-01", mutation.validation_off_live)]
    assert statuses == ["fail"]


def test_log_01_management_selector_carries_the_name_scanners_expect(dev_graph: ResourceGraph) -> None:
    [management] = [s for s in trail_of(dev_graph).inputs["advancedEventSelectors"] if s["name"].startswith("Manage")]
    assert management == {
        "name": "Management events selector",
        "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
    }


def test_log_01_rule_fails_a_management_selector_under_another_name(dev_graph: ResourceGraph) -> None:
    def renamed(props: dict[str, Any]) -> dict[str, Any]:
        selectors = [
            {**s, "name": "Management events"} if s["name"] == "Management events selector" else s
            for s in props["advancedEventSelectors"]
        ]
        return {**props, "advancedEventSelectors": selectors}

    [outcome] = [o for o in RULE.evaluate(edited(rule_view(dev_graph), T_TRAIL, renamed)) if o.control == "LOG-01"]
    assert (outcome.status, outcome.message) == (
        "fail",
        "management-events selector named 'Management events' (expected 'Management events selector')",
    )


def test_log_01_rule_fails_management_events_narrowed_to_writes(dev_graph: ResourceGraph) -> None:
    def writes_only(props: dict[str, Any]) -> dict[str, Any]:
        read_only = {"field": "readOnly", "equals": ["false"]}
        selectors = [
            {**s, "fieldSelectors": [*s["fieldSelectors"], read_only]} if s["name"].startswith("Manage") else s
            for s in props["advancedEventSelectors"]
        ]
        return {**props, "advancedEventSelectors": selectors}

    [outcome] = [o for o in RULE.evaluate(edited(rule_view(dev_graph), T_TRAIL, writes_only)) if o.control == "LOG-01"]
    assert (outcome.status, outcome.message) == ("fail", "management-events selector narrowed by ['readOnly']")


def test_log_01_probe_fails_the_deployed_selector_renamed(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("LOG-01", mutation.selector_renamed_live)
    assert (finding.status, "expected 'Management events selector'" in finding.message) == ("fail", True)

"""LOG-05: S3 data events for exactly the raw, curated and models buckets."""

from __future__ import annotations

import pytest

from ai_security_baseline.components.trail import trail_event_selectors
from ai_security_baseline.controls.log.log_05_data_events import mutation
from ai_security_baseline.controls.log.testing import T_BUCKET, T_TRAIL, edited, results, trail_of
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import BEDROCK_DATA_EVENT_TYPES
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_log_05_data_events_for_exactly_raw_curated_models(dev_graph: ResourceGraph) -> None:
    arns = sorted(str(dev_graph.one(T_BUCKET, f"aisb-dev-{c}").outputs["arn"]) for c in ("raw", "curated", "models"))
    assert trail_of(dev_graph).inputs["advancedEventSelectors"] == [
        {
            "name": "Management events selector",
            "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
        },
        {
            "name": "S3 data events of the training data and model buckets",
            "fieldSelectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "startsWiths": [f"{a}/" for a in arns]},
            ],
        },
        # then dev's Bedrock data-event selectors (AI-01), one per resource type
        *[
            {
                "name": f"Bedrock data events {t.rsplit('::', 1)[-1]}",
                "fieldSelectors": [
                    {"field": "eventCategory", "equals": ["Data"]},
                    {"field": "resources.type", "equals": [t]},
                ],
            }
            for t in BEDROCK_DATA_EVENT_TYPES
        ],
    ]


def test_log_05_rule_fails_an_s3_selector_unscoped_beside_bedrock_types(dev_graph: ResourceGraph) -> None:
    """Another service's data selectors are not LOG-05's, but S3 objects named among several types still count."""
    mixed = {
        "name": "mixed",
        "fieldSelectors": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::Bedrock::Model", "AWS::S3::Object"]},
        ],
    }
    graph = edited(
        rule_view(dev_graph), T_TRAIL, lambda p: {**p, "advancedEventSelectors": [*p["advancedEventSelectors"], mixed]}
    )
    assert results(graph, "LOG-05") == ["fail"]


def test_log_05_selectors_refuse_an_empty_bucket_list() -> None:
    """No bucket would mean no data-event selector narrowing at all; refuse instead."""
    with pytest.raises(ValueError, match="at least one data bucket"):
        trail_event_selectors([])


def test_log_05_rule_fails_data_events_for_every_bucket(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    every_bucket = [{"fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}]}]
    graph = edited(dev, T_TRAIL, lambda p: {**p, "advancedEventSelectors": every_bucket})
    assert results(graph, "LOG-05") == ["fail"]


def test_log_05_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = results(rule_view(dev_graph), "LOG-05")
    assert statuses
    assert set(statuses) == {"pass"}, statuses


def test_log_05_probe_passes_the_deployed_dev_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("LOG-05")
    assert findings
    assert all(f.status == "pass" for f in findings), findings


def test_log_05_probe_fails_after_the_live_mutation(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("LOG-05", mutation.raw_only_live)]
    assert statuses == ["fail"]

"""ResourceGraph: loaders for real preview/export files, writers, queries, and round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_security_baseline.verify.engine.graph import (
    GraphFormatError,
    ResourceGraph,
    graph_from_preview,
    graph_from_stack_export,
    load_preview_file,
    load_stack_export_file,
)

DATA = Path(__file__).parent / "data"


def test_stack_export_round_trip_keeps_every_resource_field(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    loaded = graph_from_stack_export(json.loads(json.dumps(graph.to_stack_export())))
    assert [r.to_state() for r in loaded] == [r.to_state() for r in graph._ordered()]


def test_preview_json_round_trip_keeps_every_resource_field(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    loaded = graph_from_preview(json.loads(json.dumps(graph.to_preview_json())))
    assert sorted(json.dumps(r.to_state(), sort_keys=True) for r in loaded) == sorted(
        json.dumps(r.to_state(), sort_keys=True) for r in graph
    )


def test_loaders_recover_stack_and_project_from_urns(dev_graph: ResourceGraph) -> None:
    loaded = graph_from_stack_export(dev_graph.to_stack_export())
    assert (loaded.stack, loaded.project) == ("dev", "ai-security-baseline")


def test_writers_put_parents_and_dependencies_first(dev_graph: ResourceGraph) -> None:
    states = dev_graph.to_stack_export()["deployment"]["resources"]
    seen: set[str] = set()
    for state in states:
        for before in [state.get("parent"), *state.get("dependencies", [])]:
            assert before is None or before in seen, f"{state['urn']} precedes {before}"
        seen.add(state["urn"])


def test_real_preview_file_loads_with_its_documented_shape() -> None:
    graph = load_preview_file(DATA / "preview-minimal.json")
    bucket = graph.one("aws:s3/bucket:Bucket", "raw")
    assert bucket.inputs["forceDestroy"] is False
    assert graph.dependents(bucket.urn)[0].name == "raw-pab"
    assert graph.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "raw-pab").property_dependencies == {
        "bucket": (bucket.urn,)
    }


def test_preview_loader_skips_deleted_resources() -> None:
    document = json.loads((DATA / "preview-minimal.json").read_text())
    document["steps"].append({"op": "delete", "urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::gone", "oldState": {}})
    assert len(graph_from_preview(document)) == 4


def test_real_stack_export_file_loads_with_its_documented_shape() -> None:
    graph = load_stack_export_file(DATA / "stack-export-minimal.json")
    key = graph.one("aws:kms/key:Key", "data")
    assert key.protect is True
    assert key.outputs["enableKeyRotation"] is True
    assert key.provider_urn == "urn:pulumi:prod::ai-security-baseline::pulumi:providers:aws::default_7_51_1"


def test_missing_file_is_one_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(GraphFormatError, match=r"nope\.json: file not found"):
        load_preview_file(tmp_path / "nope.json")


def test_malformed_json_is_one_error_naming_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"steps": [\n,]}')
    with pytest.raises(GraphFormatError, match=r"bad\.json: not valid JSON \(line 2"):
        load_preview_file(path)


def test_preview_without_steps_names_the_field() -> None:
    with pytest.raises(GraphFormatError, match=r"x\.json: steps: must be a list, got null"):
        graph_from_preview({"resources": []}, "x.json")


def test_step_without_new_state_names_the_step() -> None:
    with pytest.raises(GraphFormatError, match=r"steps\[0\]\.newState: missing"):
        graph_from_preview({"steps": [{"op": "create", "urn": "urn:pulumi:a::b::c::d"}]}, "x.json")


def test_bad_urn_names_the_position() -> None:
    document = {"deployment": {"resources": [{"urn": "bucket", "type": "aws:s3/bucket:Bucket"}]}}
    with pytest.raises(GraphFormatError, match=r"deployment\.resources\[0\]\.urn: not a Pulumi URN"):
        graph_from_stack_export(document, "e.json")


def test_duplicate_urn_is_rejected() -> None:
    state = {"urn": "urn:pulumi:a::b::aws:s3/bucket:Bucket::x", "type": "aws:s3/bucket:Bucket", "custom": True}
    with pytest.raises(GraphFormatError, match="duplicate URN"):
        graph_from_stack_export({"deployment": {"resources": [state, state]}})


def test_query_by_type_and_children(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    keys = graph.by_type("aws:kms/key:Key")
    assert sorted(k.name for k in keys) == ["keys-data", "keys-ebs", "keys-logs", "keys-models"]
    component = graph.one("baseline:keys:EncryptionKeys", "keys")
    assert sorted(c.name for c in graph.children(component.urn)) == [
        "keys-data",
        "keys-data",
        "keys-ebs",
        "keys-ebs",
        "keys-logs",
        "keys-logs",
        "keys-models",
        "keys-models",
    ]

"""S3-13: nothing lost on destroy: buckets and their guards are retained."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from pulumi_policy import StackValidationArgs

from ai_security_baseline.controls.kit import UNKNOWN, Res
from ai_security_baseline.controls.s3.common import LABELS, LIFECYCLE, VERSIONING
from ai_security_baseline.controls.s3.s3_13_retained import rule
from ai_security_baseline.controls.s3.testing import compliant, edited
from ai_security_baseline.controls.vocabulary import BUCKET, BUCKET_POLICY
from ai_security_baseline.verify.checkers.rules import to_rule_resource
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack
from tests import test_lifecycle as lifecycle
from tests.test_crossguard import options, policy, stack_resources, violations
from tests.test_storage import (
    ALL_BUCKETS,
    T_BUCKET,
    _bucket,
)

Graph = list[Res]


@pytest.fixture(scope="module")
def dev_options() -> tuple[ResourceGraph, lifecycle.OptionRecorder]:
    """The dev stack with the lifecycle options of every registration (import, ignoreChanges)."""
    return lifecycle.run("dev")


SEVERITY = ("pass", "fail", "error")


@pytest.fixture(scope="module")
def prod(prod_run: OfflineRun) -> OfflineRun:
    """The session's prod render, under the name these tests read it by."""
    return prod_run


def results(graph: Graph) -> dict[tuple[str, str], str]:
    """(control, resource name) -> the worst status of the rule's outcomes there (a bucket gets two)."""
    worst: dict[tuple[str, str], str] = {}
    for o in rule.RULE.evaluate(graph):
        key = (o.control, o.urn.split("::")[-1])
        worst[key] = max(worst.get(key, "pass"), o.status, key=SEVERITY.index)
    return worst


def messages(graph: Graph) -> dict[tuple[str, str], str]:
    """(control, resource name) -> the rule's messages there, joined."""
    joined: dict[tuple[str, str], list[str]] = {}
    for o in rule.RULE.evaluate(graph):
        joined.setdefault((o.control, o.urn.split("::")[-1]), []).append(o.message)
    return {k: " | ".join(v) for k, v in joined.items()}


def test_s3_13_rule_passes_the_compliant_fixture() -> None:
    found = [o.status for o in rule.RULE.evaluate(compliant())]
    assert found
    assert set(found) == {"pass"}


@pytest.mark.parametrize("bucket_class", ALL_BUCKETS)
def test_s3_13_bucket_is_never_force_destroyed_and_retained_on_delete(
    dev_graph: ResourceGraph, bucket_class: str
) -> None:
    bucket = _bucket(dev_graph, bucket_class)
    assert (bucket.inputs["forceDestroy"], bucket.retain_on_delete, bucket.protect) == (False, True, False)


@pytest.mark.parametrize("bucket_class", ALL_BUCKETS)
def test_s3_13_prod_protects_every_bucket(bucket_class: str, prod: OfflineRun) -> None:
    bucket = prod.graph.one(T_BUCKET, f"aisb-prod-{bucket_class}")
    assert (bucket.protect, bucket.retain_on_delete, bucket.inputs["forceDestroy"]) == (True, True, False)


def test_s3_13_rule_fails_force_destroy() -> None:
    graph = edited(compliant(), BUCKET, "raw", forceDestroy=True)
    assert results(graph)[("S3-13", "raw")] == "fail"


def test_s3_13_rule_fails_a_bucket_not_retained_on_delete() -> None:
    graph = edited(compliant(), BUCKET, "raw", _fields={"retain_on_delete": False})
    assert results(graph)[("S3-13", "raw")] == "fail"


def test_s3_13_rule_says_when_retain_on_delete_is_not_visible() -> None:
    graph = edited(compliant(), BUCKET, "raw", _fields={"retain_on_delete": None})
    assert results(graph)[("S3-13", "raw")] == "pass"
    assert "retainOnDelete not visible" in messages(graph)[("S3-13", "raw")]


def test_s3_13_rule_errors_on_an_unknown_force_destroy() -> None:
    graph = edited(compliant(), BUCKET, "raw", forceDestroy=UNKNOWN)
    assert results(graph) == {("S3-13", "p-dev"): "error"}


@pytest.mark.parametrize("guard", rule.GUARDS, ids=[LABELS[g] for g in rule.GUARDS])
def test_s3_13_guard_rule_fails_a_retained_bucket_whose_guard_is_not_retained(guard: str) -> None:
    graph = edited(compliant(), guard, "models", _fields={"retain_on_delete": False})
    assert results(graph)[("S3-13", "models")] == "fail"
    assert LABELS[guard] in messages(graph)[("S3-13", "models")]


def test_s3_13_guard_rule_fails_a_protected_bucket_with_an_unprotected_guard() -> None:
    protected = [dataclasses.replace(r, protect=True) if r.name == "raw" else r for r in compliant()]
    graph = edited(protected, VERSIONING, "raw", _fields={"protect": False})
    assert results(graph)[("S3-13", "raw")] == "fail"
    assert messages(graph)[("S3-13", "raw")].split(" | ") == [
        "forceDestroy false; retainOnDelete true",
        "unprotected guards of a protected bucket: versioning configuration",
    ]


def test_s3_13_guard_rule_errors_when_a_guards_retention_cannot_be_seen() -> None:
    graph = edited(compliant(), BUCKET_POLICY, "raw", _fields={"retain_on_delete": None})
    assert set(results(graph).values()) == {"error"}


def test_s3_13_guard_rule_judges_protection_where_retention_is_not_visible() -> None:
    unseen = [dataclasses.replace(r, retain_on_delete=None) for r in compliant()]
    assert results(unseen)[("S3-13", "raw")] == "pass"
    assert "retainOnDelete not visible here" in messages(unseen)[("S3-13", "raw")]


def test_s3_13_guard_stack_policy_fails_an_unprotected_guard_of_a_protected_bucket_through_the_sdk(
    dev_graph: ResourceGraph,
) -> None:
    resources = stack_resources(dev_graph)
    for r in resources:
        if r.name == "aisb-dev-raw" and r.resource_type != LIFECYCLE:
            r.opts = options(protect=True)
    found = violations(policy("s3-13-retained"), StackValidationArgs(resources, {}))
    assert found == ["[S3-13] unprotected guards of a protected bucket: lifecycle configuration"]


def test_s3_13_rule_fails_the_dev_models_bucket_with_force_destroy(dev_graph: ResourceGraph) -> None:
    graph = edited([to_rule_resource(r) for r in dev_graph], BUCKET, "aisb-dev-models", forceDestroy=True)
    found = results(graph)
    assert {k: v for k, v in found.items() if v != "pass"} == {("S3-13", "aisb-dev-models"): "fail"}


def test_s3_13_stack_policy_says_retain_on_delete_is_not_visible_through_the_sdk(dev_graph: ResourceGraph) -> None:
    resources = stack_resources(dev_graph)
    for r in resources:
        if r.resource_type == BUCKET and r.name == "aisb-dev-raw":
            r.props = {**r.props, "forceDestroy": True}
    found = violations(policy("s3-13-retained"), StackValidationArgs(resources, {}))
    assert [m for m in found if m.startswith("[S3-13] forceDestroy true; retainOnDelete not visible here")] == [
        found[0]
    ]
    assert len(found) == 1


# ---- destroy and rename: the component keeps buckets and their guards ----------------------------------------------


@pytest.mark.parametrize("guard", lifecycle.GUARDS)
def test_s3_13_retained_bucket_keeps_its_guard_on_destroy(
    dev_options: tuple[ResourceGraph, lifecycle.OptionRecorder], guard: str
) -> None:
    carriers = lifecycle.CARRIERS.get(guard, lifecycle.ALL_BUCKETS)
    assert lifecycle._flags(dev_options[0].by_type(lifecycle.GUARDS[guard])) == dict.fromkeys(carriers, (True, False))


def test_s3_13_extra_data_buckets_removed_from_config_keep_their_guards() -> None:
    graph, _ = lifecycle.run(overrides={"baseline:storage": {"extraDataBuckets": 1}})
    extra = [r for r in graph.custom_resources() if r.name == "aisb-dev-extra-1"]
    assert len(extra) == 8  # the bucket and its seven guards (no object lock)
    assert {r.retain_on_delete for r in extra} == {True}


def test_s3_13_engine_keeps_each_deployed_bucket_name(
    dev_options: tuple[ResourceGraph, lifecycle.OptionRecorder],
) -> None:
    graph, recorder = dev_options
    assert {b.name: recorder.options[b.urn].ignore_changes for b in graph.by_type(BUCKET)} == dict.fromkeys(
        lifecycle.ALL_BUCKETS, ("bucket",)
    )


def test_s3_13_bucket_replacement_relaxation_lets_the_engine_replace_renamed_buckets() -> None:
    graph, recorder = lifecycle.run(overrides={"baseline:relaxations": {"bucketReplacement": True}})
    assert {recorder.options[b.urn].ignore_changes for b in graph.by_type(BUCKET)} == {()}


@pytest.mark.parametrize("deployed", ["acme-raw-old", "aisb-dev-raw-5432598"], ids=["named", "autonamed"])
def test_s3_13_a_new_name_for_a_deployed_bucket_is_refused_naming_the_key(deployed: str) -> None:
    overrides = {"baseline:storage": {"bucketNames": {"raw": "acme-raw-new"}}}
    with pytest.raises(ValueError, match=r"baseline:storage\.bucketNames\.raw = \"acme-raw-new\"") as error:
        run_stack("dev", overrides=overrides, mocks=lifecycle.DeployedNames({"aisb-dev-raw": deployed}))
    assert f'the stack\'s raw bucket is "{deployed}"' in str(error.value)
    assert "baseline:relaxations.bucketReplacement true" in str(error.value)


def test_s3_13_a_new_extra_bucket_name_is_refused_naming_its_list_entry() -> None:
    overrides = {"baseline:storage": {"extraDataBuckets": 1, "bucketNames": {"extra": ["acme-team-b"]}}}
    with pytest.raises(ValueError, match=r"baseline:storage\.bucketNames\.extra\.0 = \"acme-team-b\""):
        run_stack("dev", overrides=overrides, mocks=lifecycle.DeployedNames({"aisb-dev-extra-1": "acme-team-a"}))


def test_s3_13_with_the_relaxation_a_renamed_bucket_is_replaced_not_refused() -> None:
    overrides = {
        "baseline:storage": {"bucketNames": {"raw": "acme-raw-new"}},
        "baseline:relaxations": {"bucketReplacement": True},
    }
    run = run_stack("dev", overrides=overrides, mocks=lifecycle.DeployedNames({"aisb-dev-raw": "acme-raw-old"}))
    assert "acme-raw-new" in {b.inputs.get("bucket") for b in run.graph.by_type(BUCKET)}


def test_s3_13_bucket_replacement_relaxation_is_reported_on_every_run(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        run_stack("dev", overrides={"baseline:relaxations": {"bucketReplacement": True}})
    assert any("baseline:relaxations.bucketReplacement is on (S3-13 relaxed)" in r.message for r in caplog.records)

"""S3-12: lifecycle on every bucket; rule and probe judge the same property."""

from __future__ import annotations

import pytest

from ai_security_baseline.controls.kit import Res
from ai_security_baseline.controls.s3.common import (
    LIFECYCLE,
)
from ai_security_baseline.controls.s3.s3_12_lifecycle import mutation, probe, rule
from ai_security_baseline.controls.s3.testing import (
    compliant,
    edited,
    results,
    without,
)
from ai_security_baseline.verify.checkers.rules import to_rule_resource
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount
from tests.test_storage import (
    ALL_BUCKETS,
    PREFIX,
    _lifecycle,
)

Graph = list[Res]


def rule_resources(graph: ResourceGraph) -> Graph:
    return [to_rule_resource(r) for r in graph]


def test_s3_12_rule_passes_the_compliant_fixture() -> None:
    found = [o.status for o in rule.RULE.evaluate(compliant())]
    assert found
    assert set(found) == {"pass"}


def test_s3_12_raw_bucket_expires_current_objects_after_the_configured_days(dev_graph: ResourceGraph) -> None:
    assert _lifecycle(dev_graph, "raw")["expire-current-objects"] == {
        "id": "expire-current-objects",
        "status": "Enabled",
        "filter": {},
        "expiration": {"days": 730},
    }


@pytest.mark.parametrize("bucket_class", ALL_BUCKETS)
def test_s3_12_bucket_expires_noncurrent_versions_and_aborts_multipart_uploads(
    dev_graph: ResourceGraph, bucket_class: str
) -> None:
    rules = _lifecycle(dev_graph, bucket_class)
    assert rules["expire-noncurrent-versions"] == {
        "id": "expire-noncurrent-versions",
        "status": "Enabled",
        "filter": {},
        "noncurrentVersionExpiration": {"noncurrentDays": 90},
    }
    assert rules["abort-incomplete-multipart-uploads"] == {
        "id": "abort-incomplete-multipart-uploads",
        "status": "Enabled",
        "filter": {},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
    }


@pytest.mark.parametrize("bucket_class", ["curated", "models", "access-logs"])
def test_s3_12_only_raw_expires_current_objects(dev_graph: ResourceGraph, bucket_class: str) -> None:
    assert "expire-current-objects" not in _lifecycle(dev_graph, bucket_class)


def test_s3_12_rule_fails_multipart_uploads_kept_for_thirty_days() -> None:
    rules = [
        {
            "id": "abort",
            "status": "Enabled",
            "filter": {},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 30},
        },
        {"id": "noncurrent", "status": "Enabled", "filter": {}, "noncurrentVersionExpiration": {"noncurrentDays": 90}},
    ]
    graph = edited(compliant(), LIFECYCLE, "raw", rules=rules)
    assert results(rule.RULE, graph)[("S3-12", "raw")] == "fail"


def test_s3_12_rule_does_not_count_a_rule_limited_to_a_prefix() -> None:
    rules = [
        {
            "id": "abort",
            "status": "Enabled",
            "filter": {"prefix": "tmp/"},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        },
        {"id": "noncurrent", "status": "Enabled", "filter": {}, "noncurrentVersionExpiration": {"noncurrentDays": 90}},
    ]
    graph = edited(compliant(), LIFECYCLE, "raw", rules=rules)
    assert results(rule.RULE, graph)[("S3-12", "raw")] == "fail"


def test_s3_12_rule_fails_a_bucket_without_lifecycle() -> None:
    graph = without(compliant(), LIFECYCLE, "logs")
    assert results(rule.RULE, graph)[("S3-12", "logs")] == "fail"


# ---- the one property rule and probe share: raw expiry is configuration, models needs noncurrent expiry -----------


def test_s3_12_rule_passes_raw_kept_forever_when_configured_with_null_expiry() -> None:
    graph = run_stack("dev", overrides={"baseline:storage": {"rawExpirationDays": None}}).graph
    assert "expire-current-objects" not in _lifecycle(graph, "raw")
    found = {o.urn.split("::")[-1]: (o.status, o.message) for o in rule.RULE.evaluate(rule_resources(graph))}
    assert found[f"{PREFIX}-raw"][0] == "pass"
    assert found[f"{PREFIX}-raw"][1].endswith("current objects kept")


def test_s3_12_rule_fails_the_model_registry_without_noncurrent_expiry(dev_graph: ResourceGraph) -> None:
    [models] = [m for m in mutation.MUTATIONS if m.name == "noncurrent model versions kept forever"]
    assert models.graph is not None
    found = rule.RULE.evaluate(rule_resources(models.graph(dev_graph)))
    assert {o.urn.split("::")[-1] for o in found if o.status == "fail"} == {f"{PREFIX}-models"}


def test_s3_12_probe_passes_every_bucket_of_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-12")
    assert len(findings) == len(ALL_BUCKETS)
    assert {f.status for f in findings} == {"pass"}, findings


def test_s3_12_probe_passes_raw_without_current_object_expiry(live_dev: LiveAccount) -> None:
    s3 = live_dev.context().client("s3")
    raw = str(live_dev.exports["rawBucketName"])
    original = s3.get_bucket_lifecycle_configuration(Bucket=raw)["Rules"]
    kept = [r for r in original if "Expiration" not in r]
    assert len(kept) == len(original) - 1
    s3.put_bucket_lifecycle_configuration(Bucket=raw, LifecycleConfiguration={"Rules": kept})
    try:
        findings = {f.urn: f for f in live_dev.probe("S3-12")}
    finally:
        s3.put_bucket_lifecycle_configuration(Bucket=raw, LifecycleConfiguration={"Rules": original})
    assert findings[f"arn:aws:s3:::{raw}"].status == "pass"
    assert findings[f"arn:aws:s3:::{raw}"].message.endswith("current objects kept")


def test_s3_12_probe_fails_the_model_registry_without_noncurrent_expiry(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("S3-12", mutation.noncurrent_kept_live)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['modelsBucketName']}"]


def test_s3_12_probe_does_not_count_a_rule_limited_to_a_prefix() -> None:
    scoped = {"Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "AbortIncompleteMultipartUpload": {}}
    assert probe.whole_bucket(scoped) is False
    assert probe.whole_bucket({"Status": "Enabled", "Filter": {"Prefix": ""}}) is True
    assert probe.whole_bucket({"Status": "Enabled", "Filter": {"Tag": {"Key": "k", "Value": "v"}}}) is False
    assert probe.whole_bucket({"Status": "Disabled", "Filter": {}}) is False

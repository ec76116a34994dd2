"""S3-09: versioning on every bucket."""

from __future__ import annotations

import pytest

from ai_security_baseline.controls.s3.common import (
    VERSIONING,
)
from ai_security_baseline.controls.s3.s3_09_versioning import mutation, rule
from ai_security_baseline.controls.s3.testing import (
    compliant,
    edited,
    results,
    without,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount
from tests.test_storage import (
    ALL_BUCKETS,
    T_VERSIONING,
    _bucket,
    _res,
)


def test_s3_09_rule_passes_the_compliant_fixture() -> None:
    found = [o.status for o in rule.RULE.evaluate(compliant())]
    assert found
    assert set(found) == {"pass"}


@pytest.mark.parametrize("bucket_class", ALL_BUCKETS)
def test_s3_09_bucket_has_versioning_enabled(dev_graph: ResourceGraph, bucket_class: str) -> None:
    versioning = _res(dev_graph, T_VERSIONING, bucket_class)
    assert versioning.inputs == {
        "bucket": _bucket(dev_graph, bucket_class).id,
        "versioningConfiguration": {"status": "Enabled"},
    }


def test_s3_09_rule_fails_suspended_versioning() -> None:
    graph = edited(compliant(), VERSIONING, "raw", versioningConfiguration={"status": "Suspended"})
    assert results(rule.RULE, graph)[("S3-09", "raw")] == "fail"


def test_s3_09_rule_fails_a_bucket_without_versioning() -> None:
    graph = without(compliant(), VERSIONING, "models")
    assert results(rule.RULE, graph)[("S3-09", "models")] == "fail"


def test_s3_09_probe_passes_every_deployed_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-09")
    assert len(findings) == len(ALL_BUCKETS)
    assert all(f.status == "pass" and f.message == "versioning Enabled" for f in findings), findings


def test_s3_09_probe_fails_the_bucket_whose_versioning_was_suspended(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("S3-09", mutation.versioning_suspended_live)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['curatedBucketName']}"]

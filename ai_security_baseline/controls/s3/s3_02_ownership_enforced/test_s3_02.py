"""S3-02: every bucket enforces BucketOwnerEnforced ownership in the rendered stack, the rule and the live account."""

from __future__ import annotations

import pytest

from ai_security_baseline.controls.s3 import common
from ai_security_baseline.controls.s3 import testing as fixture
from ai_security_baseline.controls.s3.s3_02_ownership_enforced import mutation
from ai_security_baseline.verify.engine.offline import OfflineRun
from conftest import LiveAccount
from tests import test_storage as storage

#: The dev stack rendered once per module (OfflineRun: graph and exports).
dev = storage.dev


def test_s3_02_rule_fails_object_writer_ownership() -> None:
    graph = fixture.edited(fixture.compliant(), common.OWNERSHIP, "raw", rule={"objectOwnership": "ObjectWriter"})
    assert fixture.results("s3-02-ownership-enforced", graph)[("S3-02", "raw")] == "fail"


def test_s3_02_rule_fails_a_bucket_without_ownership_controls() -> None:
    graph = fixture.without(fixture.compliant(), common.OWNERSHIP, "logs")
    assert fixture.results("s3-02-ownership-enforced", graph)[("S3-02", "logs")] == "fail"


@pytest.mark.parametrize("bucket_class", storage.ALL_BUCKETS)
def test_s3_02_bucket_disables_acls_with_bucket_owner_enforced(dev: OfflineRun, bucket_class: str) -> None:
    ownership = storage._res(dev.graph, storage.T_OWNERSHIP, bucket_class)
    assert ownership.inputs == {
        "bucket": storage._bucket(dev.graph, bucket_class).id,
        "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }


def test_s3_02_probe_reads_bucket_owner_enforced_on_every_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-02")
    assert len(findings) == 4
    assert all(f.status == "pass" and "BucketOwnerEnforced" in f.message for f in findings), findings


def test_s3_02_probe_fails_the_bucket_switched_to_object_writer(live_dev: LiveAccount) -> None:
    edit = mutation.object_writer_live
    assert edit is not None
    failed = live_dev.failing_under("S3-02", edit)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['modelsBucketName']}"]
    assert all(f.status != "fail" for f in live_dev.probe("S3-02"))

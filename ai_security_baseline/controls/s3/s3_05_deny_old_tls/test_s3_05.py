"""S3-05: bucket policies deny TLS older than 1.2, in the builders, the rendered stack, the rule and the account."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls.s3 import testing as fixture
from ai_security_baseline.controls.s3.s3_05_deny_old_tls import mutation
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun
from conftest import LiveAccount
from tests import test_bucket_policy_documents as builders
from tests import test_storage as storage

#: The dev stack rendered once per module (OfflineRun: graph and exports).
dev = storage.dev


def test_s3_05_rule_fails_a_policy_without_the_tls_deny() -> None:
    graph = fixture.with_policy(fixture.compliant(), "models", fixture.drop_sid("DenyOutdatedTls"))
    assert fixture.results("s3-05-deny-old-tls", graph)[("S3-05", "models")] == "fail"


def test_s3_05_rule_fails_a_tls_floor_of_1_1() -> None:
    graph = fixture.with_policy(
        fixture.compliant(),
        "raw",
        fixture.change_sid("DenyOutdatedTls", Condition={"NumericLessThan": {"s3:TlsVersion": 1.1}}),
    )
    assert fixture.results("s3-05-deny-old-tls", graph)[("S3-05", "raw")] == "fail"


def test_s3_05_rule_fails_the_dev_raw_bucket_without_its_tls_deny(dev_graph: ResourceGraph) -> None:
    graph = fixture.with_policy(rule_view(dev_graph), "aisb-dev-raw", fixture.drop_sid("DenyOutdatedTls"))
    found = fixture.results("s3-05-deny-old-tls", graph)
    assert {k: v for k, v in found.items() if v != "pass"} == {("S3-05", "aisb-dev-raw"): "fail"}


@pytest.mark.parametrize("bucket_class", storage.ALL_BUCKETS)
def test_s3_05_bucket_policy_denies_tls_below_1_2(dev: OfflineRun, bucket_class: str) -> None:
    arn = storage._arn(dev.graph, bucket_class)
    assert storage._statements(dev.graph, bucket_class)["DenyOutdatedTls"] == {
        "Sid": "DenyOutdatedTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
    }


def test_s3_05_builder_denies_tls_below_1_2_numerically() -> None:
    assert documents.deny_outdated_tls_statement(builders.BUCKET) == {
        "Sid": "DenyOutdatedTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [builders.BUCKET, f"{builders.BUCKET}/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
    }


def test_s3_05_probe_finds_tls_1_0_and_1_1_denied_on_every_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-05")
    assert len(findings) == 4
    assert all(f.status == "pass" and "s3:TlsVersion: denied" in f.message for f in findings), findings


def test_s3_05_probe_fails_the_bucket_whose_tls_floor_was_lowered(live_dev: LiveAccount) -> None:
    edit = mutation.MUTATIONS[-1].live
    assert edit is not None
    failed = live_dev.failing_under("S3-05", edit)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['modelsBucketName']}"]
    assert all(f.status != "fail" for f in live_dev.probe("S3-05"))

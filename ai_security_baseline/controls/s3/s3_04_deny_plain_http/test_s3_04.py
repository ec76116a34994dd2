"""S3-04: bucket policies deny plain HTTP, in the builders, the rendered stack, the rule and the live account."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.controls.s3 import testing as fixture
from ai_security_baseline.controls.s3.s3_04_deny_plain_http import mutation
from ai_security_baseline.verify.engine.offline import OfflineRun
from conftest import LiveAccount
from tests import test_bucket_policy_documents as builders
from tests import test_storage as storage

#: The dev stack rendered once per module (OfflineRun: graph and exports).
dev = storage.dev


def test_s3_04_rule_fails_a_policy_without_the_secure_transport_deny() -> None:
    graph = fixture.with_policy(fixture.compliant(), "raw", fixture.drop_sid("DenyInsecureTransport"))
    assert fixture.results("s3-04-deny-plain-http", graph)[("S3-04", "raw")] == "fail"


def test_s3_04_rule_ignores_sids_and_accepts_the_same_deny_under_another_name() -> None:
    graph = fixture.with_policy(fixture.compliant(), "raw", fixture.change_sid("DenyInsecureTransport", Sid="Whatever"))
    assert fixture.results("s3-04-deny-plain-http", graph)[("S3-04", "raw")] == "pass"


def test_s3_04_rule_fails_a_deny_that_covers_only_the_objects() -> None:
    graph = fixture.with_policy(
        fixture.compliant(),
        "raw",
        fixture.change_sid("DenyInsecureTransport", Resource=[f"{fixture.bucket_arn('raw')}/*"]),
    )
    assert fixture.results("s3-04-deny-plain-http", graph)[("S3-04", "raw")] == "fail"


def test_s3_04_rule_fails_a_deny_narrowed_by_an_extra_condition() -> None:
    narrowed = {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:PrincipalTag/team": "ml"}}
    graph = fixture.with_policy(
        fixture.compliant(), "raw", fixture.change_sid("DenyInsecureTransport", Condition=narrowed)
    )
    assert fixture.results("s3-04-deny-plain-http", graph)[("S3-04", "raw")] == "fail"


def test_s3_04_rule_errors_on_a_policy_unknown_until_apply() -> None:
    graph = fixture.edited(fixture.compliant(), vocabulary.BUCKET_POLICY, "raw", policy=UNKNOWN)
    assert fixture.results("s3-04-deny-plain-http", graph) == {("S3-04", "p-dev"): "error"}


@pytest.mark.parametrize("bucket_class", storage.ALL_BUCKETS)
def test_s3_04_bucket_policy_denies_plain_http(dev: OfflineRun, bucket_class: str) -> None:
    arn = storage._arn(dev.graph, bucket_class)
    assert storage._statements(dev.graph, bucket_class)["DenyInsecureTransport"] == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_s3_04_builder_denies_plain_http_on_bucket_and_objects() -> None:
    assert documents.deny_insecure_transport_statement(builders.BUCKET) == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [builders.BUCKET, f"{builders.BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_s3_04_probe_finds_plain_http_denied_on_every_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-04")
    assert len(findings) == 4
    assert all(f.status == "pass" and "aws:SecureTransport: denied" in f.message for f in findings), findings


def test_s3_04_probe_fails_the_bucket_without_the_tls_deny(live_dev: LiveAccount) -> None:
    edit = mutation.MUTATIONS[-1].live
    assert edit is not None
    failed = live_dev.failing_under("S3-04", edit)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['curatedBucketName']}"]
    assert all(f.status != "fail" for f in live_dev.probe("S3-04"))

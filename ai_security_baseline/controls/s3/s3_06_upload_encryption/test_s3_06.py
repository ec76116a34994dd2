"""S3-06: uploads may name only the bucket's encryption and key, SSE-C denied, default encryption unbroken."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.s3 import testing as fixture
from ai_security_baseline.controls.s3.s3_06_upload_encryption import mutation, rule
from ai_security_baseline.verify.engine.offline import OfflineRun
from conftest import LiveAccount
from tests import test_bucket_policy_documents as builders
from tests import test_storage as storage

#: The dev stack rendered once per module (OfflineRun: graph and exports).
dev = storage.dev


def test_s3_06_rule_fails_the_if_exists_header_deny_that_breaks_default_encryption() -> None:
    if_exists = {"StringNotEqualsIfExists": {vocabulary.SSE_HEADER: "aws:kms"}}
    graph = fixture.with_policy(
        fixture.compliant(), "raw", fixture.change_sid("DenyUnexpectedEncryptionHeader", Condition=if_exists)
    )
    assert fixture.results("s3-06-upload-encryption", graph)[("S3-06", "raw")] == "fail"
    assert "default encryption" in fixture.messages("s3-06-upload-encryption", graph)[("S3-06", "raw")]


def test_s3_06_rule_fails_a_header_deny_that_also_admits_aes256() -> None:
    loose = {
        "StringNotEquals": {vocabulary.SSE_HEADER: ["aws:kms", "AES256"]},
        "Null": {vocabulary.SSE_HEADER: "false"},
    }
    graph = fixture.with_policy(
        fixture.compliant(), "raw", fixture.change_sid("DenyUnexpectedEncryptionHeader", Condition=loose)
    )
    assert fixture.results("s3-06-upload-encryption", graph)[("S3-06", "raw")] == "fail"


def test_s3_06_rule_fails_a_policy_without_the_foreign_key_deny() -> None:
    graph = fixture.with_policy(fixture.compliant(), "raw", fixture.drop_sid("DenyForeignKmsKey"))
    assert fixture.results("s3-06-upload-encryption", graph)[("S3-06", "raw")] == "fail"


def test_s3_06_rule_fails_a_foreign_key_deny_naming_another_key() -> None:
    other = {
        "StringNotEquals": {vocabulary.SSE_KMS_KEY_HEADER: fixture.key_arn("models")},
        "Null": {vocabulary.SSE_KMS_KEY_HEADER: "false"},
    }
    graph = fixture.with_policy(fixture.compliant(), "raw", fixture.change_sid("DenyForeignKmsKey", Condition=other))
    assert fixture.results("s3-06-upload-encryption", graph)[("S3-06", "raw")] == "fail"


def test_s3_06_rule_fails_a_policy_without_the_sse_c_deny() -> None:
    graph = fixture.with_policy(fixture.compliant(), "logs", fixture.drop_sid("DenySseCUploads"))
    assert fixture.results("s3-06-upload-encryption", graph)[("S3-06", "logs")] == "fail"


def test_s3_06_rule_accepts_only_a_named_aws_service_exemption_from_the_header_deny() -> None:
    exemption = rule.SERVICE_EXEMPTION[("StringNotEquals", "aws:principalservicename")]
    assert exemption(["cloudtrail.amazonaws.com"]) is True
    assert exemption(["*.amazonaws.com"]) is False
    assert exemption(["arn:aws:iam::111122223333:role/attacker"]) is False


@pytest.mark.parametrize("bucket_class", storage.DATA_BUCKETS)
def test_s3_06_data_bucket_denies_foreign_encryption_foreign_key_and_sse_c(dev: OfflineRun, bucket_class: str) -> None:
    arn = storage._arn(dev.graph, bucket_class)
    key_arn = dev.exports[f"{storage.KEY_CLASS[bucket_class]}KeyArn"]
    sse, key_id, sse_c = (
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-server-side-encryption-customer-algorithm",
    )
    statements = storage._statements(dev.graph, bucket_class)
    assert [statements[s] for s in ("DenyUnexpectedEncryptionHeader", "DenyForeignKmsKey", "DenySseCUploads")] == [
        storage._put_deny(
            "DenyUnexpectedEncryptionHeader", arn, {"StringNotEquals": {sse: "aws:kms"}, "Null": {sse: "false"}}
        ),
        storage._put_deny("DenyForeignKmsKey", arn, {"StringNotEquals": {key_id: key_arn}, "Null": {key_id: "false"}}),
        storage._put_deny("DenySseCUploads", arn, {"Null": {sse_c: "false"}}),
    ]


def test_s3_06_access_log_bucket_denies_uploads_naming_anything_but_sse_s3(dev: OfflineRun) -> None:
    arn = storage._arn(dev.graph, "access-logs")
    sse = "s3:x-amz-server-side-encryption"
    statements = storage._statements(dev.graph, "access-logs")
    assert "DenyForeignKmsKey" not in statements
    assert statements["DenyUnexpectedEncryptionHeader"] == storage._put_deny(
        "DenyUnexpectedEncryptionHeader", arn, {"StringNotEquals": {sse: "AES256"}, "Null": {sse: "false"}}
    )


@pytest.mark.parametrize("bucket_class", storage.ALL_BUCKETS)
def test_s3_06_header_denies_never_fire_on_uploads_without_the_header(dev: OfflineRun, bucket_class: str) -> None:
    """Every Deny on a header key also requires an encryption header to be present (``Null false``, or a positive
    ``StringEquals`` on it): an upload without any header, relying on default encryption, is never denied."""
    for statement in storage._statements(dev.graph, bucket_class).values():
        condition = statement["Condition"]
        headers = [k for keys in condition.values() for k in keys if k.startswith("s3:x-amz-server-side-encryption")]
        assert not any(op.endswith("IfExists") for op in condition), statement["Sid"]
        if headers:
            present = [k for k, v in condition.get("Null", {}).items() if v == "false"]
            present += [k for k in condition.get("StringEquals", {}) if k.startswith("s3:x-amz-server-side")]
            assert present, statement["Sid"]


def test_s3_06_builder_denies_a_present_non_kms_encryption_header_only() -> None:
    assert documents.deny_unexpected_encryption_header_statement(builders.BUCKET, "aws:kms")["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
        "Null": {"s3:x-amz-server-side-encryption": "false"},
    }


def test_s3_06_builder_denies_a_present_foreign_kms_key_only() -> None:
    assert documents.deny_foreign_kms_key_statement(builders.BUCKET, builders.KEY) == {
        "Sid": "DenyForeignKmsKey",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:PutObject"],
        "Resource": [f"{builders.BUCKET}/*"],
        "Condition": {
            "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": builders.KEY},
            "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
        },
    }


def test_s3_06_builder_denies_sse_c_uploads() -> None:
    assert documents.deny_sse_c_statement(builders.BUCKET)["Condition"] == {
        "Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}
    }


def test_s3_06_no_statement_uses_an_ifexists_operator_that_would_deny_default_encryption_uploads() -> None:
    statements = documents.baseline_bucket_statements(
        builders.BUCKET, account_id=builders.ACCOUNT, kms_key_arn=builders.KEY
    )
    operators = {op for s in statements for op in s["Condition"]}
    assert not [op for op in operators if op.endswith("IfExists")]


def test_s3_06_rejects_an_unknown_encryption_algorithm() -> None:
    with pytest.raises(ValueError, match="unknown S3 encryption algorithm"):
        documents.deny_unexpected_encryption_header_statement(builders.BUCKET, "aws:kms:dsse-typo")


def test_s3_06_rejects_a_key_id_that_is_not_an_arn() -> None:
    with pytest.raises(ValueError, match="not a KMS key ARN"):
        documents.deny_foreign_kms_key_statement(builders.BUCKET, "0000aaaa-1111-2222-3333-444455556666")


def test_s3_06_builder_denies_aws_kms_without_a_key_id_but_not_uploads_without_any_header() -> None:
    statement = documents.deny_kms_without_key_id_statement(builders.BUCKET)
    assert statement["Condition"] == {
        "StringEquals": {vocabulary.SSE_HEADER: "aws:kms"},
        "Null": {vocabulary.SSE_KMS_KEY_HEADER: "true"},
    }


def test_s3_06_probe_finds_wrong_encryption_denied_on_every_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-06")
    assert len(findings) == 4
    assert all(f.status == "pass" and "encryption: denied" in f.message for f in findings), findings


def test_s3_06_probe_fails_the_bucket_without_the_foreign_key_deny(live_dev: LiveAccount) -> None:
    edit = mutation.MUTATIONS[-1].live
    assert edit is not None
    failed = live_dev.failing_under("S3-06", edit)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['rawBucketName']}"]
    assert all(f.status != "fail" for f in live_dev.probe("S3-06"))

"""S3-03: SSE-KMS with the class key and a Bucket Key (SSE-S3 only by design waiver), rendered, ruled and live."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pulumi_policy import StackValidationArgs

from ai_security_baseline.components.storage import design_waiver
from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.controls.s3 import common
from ai_security_baseline.controls.s3 import testing as fixture
from ai_security_baseline.controls.s3.s3_03_default_encryption import mutation
from ai_security_baseline.controls.testing import urn
from ai_security_baseline.controls.vocabulary import BUCKET, KMS_KEY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_program
from conftest import LiveAccount
from tests import test_storage as storage
from tests.test_crossguard import policy, stack_resources, violations

#: The dev stack rendered once per module (OfflineRun: graph and exports).
dev = storage.dev


def test_s3_03_rule_fails_the_log_target_as_the_by_design_waiver() -> None:
    message = fixture.messages("s3-03-default-encryption", fixture.compliant())[("S3-03", "logs")]
    assert "server access log target" in message
    assert "WAIVERS_BY_DESIGN" in message


def test_s3_03_rule_fails_sse_s3_on_a_data_bucket_without_naming_a_waiver() -> None:
    graph = fixture.edited(
        fixture.compliant(),
        common.ENCRYPTION,
        "raw",
        rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}],
    )
    assert fixture.results("s3-03-default-encryption", graph)[("S3-03", "raw")] == "fail"
    assert "no waiver by design" in fixture.messages("s3-03-default-encryption", graph)[("S3-03", "raw")]


def test_s3_03_rule_fails_sse_kms_without_bucket_key() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": fixture.key_arn("data")}
    graph = fixture.edited(
        fixture.compliant(), common.ENCRYPTION, "raw", rules=[{"applyServerSideEncryptionByDefault": sse}]
    )
    assert fixture.results("s3-03-default-encryption", graph)[("S3-03", "raw")] == "fail"


def test_s3_03_rule_fails_a_key_that_is_not_in_this_stack() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:eu-west-1:999999999999:key/other"}
    graph = fixture.edited(
        fixture.compliant(),
        common.ENCRYPTION,
        "raw",
        rules=[{"applyServerSideEncryptionByDefault": sse, "bucketKeyEnabled": True}],
    )
    assert fixture.results("s3-03-default-encryption", graph)[("S3-03", "raw")] == "fail"


def test_s3_03_rule_resolves_an_unknown_key_arn_through_property_dependencies() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}
    deps = {"bucket": (urn(BUCKET, "raw"),), "rules": (urn(KMS_KEY, "data"),)}
    rules = [{"applyServerSideEncryptionByDefault": sse, "bucketKeyEnabled": True}]
    graph = fixture.edited(
        fixture.compliant(), common.ENCRYPTION, "raw", rules=rules, _fields={"property_dependencies": deps}
    )
    assert fixture.results("s3-03-default-encryption", graph)[("S3-03", "raw")] == "pass"


def test_s3_03_rule_errors_on_an_unknown_key_arn_without_property_dependencies() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}
    rules = [{"applyServerSideEncryptionByDefault": sse, "bucketKeyEnabled": True}]
    graph = fixture.edited(
        fixture.compliant(), common.ENCRYPTION, "raw", rules=rules, _fields={"property_dependencies": {}}
    )
    assert fixture.results("s3-03-default-encryption", graph) == {("S3-03", "p-dev"): "error"}


def test_s3_03_stack_policy_reports_only_the_two_by_design_exceptions_until_waived_through_the_sdk(
    dev_graph: ResourceGraph,
) -> None:
    resources = stack_resources(dev_graph)
    found = sorted(violations(policy("s3-03-default-encryption"), StackValidationArgs(resources, {})))
    assert len(found) == 2
    assert found[0].startswith("[S3-03] SSE-KMS with keys-logs, S3 Bucket Key off on the CloudTrail archive")
    assert found[1].startswith("[S3-03] SSE-S3 (AES256) on the server access log target")
    accepted = {"owner": "platform-security", "expires": (date.today() + timedelta(days=30)).isoformat()}
    waivers = [
        {"control": "S3-03", "resource": "*-access-logs", "reason": "log targets cannot be SSE-KMS (by design)"},
        {"control": "S3-03", "resource": "*-audit", "reason": "CloudTrail would need kms:Decrypt (by design)"},
    ]
    waivers = [{**w, **accepted} for w in waivers]
    assert violations(policy("s3-03-default-encryption"), StackValidationArgs(resources, {"waivers": waivers})) == []


@pytest.mark.parametrize("bucket_class", storage.DATA_BUCKETS)
def test_s3_03_data_bucket_encrypts_with_its_class_key_and_a_bucket_key(dev: OfflineRun, bucket_class: str) -> None:
    key_arn = dev.exports[f"{storage.KEY_CLASS[bucket_class]}KeyArn"]
    assert storage._res(dev.graph, storage.T_SSE, bucket_class).inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn},
            "bucketKeyEnabled": True,
            "blockedEncryptionTypes": ["SSE-C"],
        }
    ]


def test_s3_03_access_log_bucket_uses_sse_s3_as_aws_requires(dev: OfflineRun) -> None:
    assert storage._res(dev.graph, storage.T_SSE, "access-logs").inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "blockedEncryptionTypes": ["SSE-C"]}
    ]


def test_s3_03_access_log_sse_s3_exception_is_a_recorded_waiver_with_reason() -> None:
    waiver = design_waiver("S3-03", "access-logs")
    assert "SSE-KMS" in waiver.reason
    assert waiver.reference.startswith("https://docs.aws.amazon.com/")


def test_s3_03_sse_s3_without_a_waiver_is_refused() -> None:
    with pytest.raises(KeyError, match="no design waiver for S3-03 on 'raw'"):
        run_program(storage._standalone_bucket(kms_key_arn=None))


def test_s3_03_probe_fails_the_data_bucket_switched_to_sse_s3(live_dev: LiveAccount) -> None:
    edit = mutation.sse_s3_live
    assert edit is not None
    failed = live_dev.failing_under("S3-03", edit)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['rawBucketName']}"]
    assert all(f.status != "fail" for f in live_dev.probe("S3-03"))


def test_s3_03_probe_waives_sse_s3_only_on_the_access_log_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-03")
    waived = [f.urn for f in findings if f.status == "waived"]
    assert waived == [f"arn:aws:s3:::{live_dev.exports['accessLogsBucketName']}"]
    assert {f.status for f in findings if f.urn not in waived} == {"pass"}

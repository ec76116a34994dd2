"""S3-08: bucket policies deny principals outside the account or organization."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls.s3.s3_08_perimeter import mutation, rule
from ai_security_baseline.controls.s3.testing import (
    bucket_arn,
    compliant,
    drop_sid,
    messages,
    results,
    with_policy,
    without,
)
from ai_security_baseline.controls.testing import ACCOUNT
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount
from tests.test_storage import (
    ALL_BUCKETS,
    _arn,
    _statements,
)

RAW_ARN = "arn:aws:s3:::aisb-dev-raw-1234567"


def test_s3_08_rule_passes_the_compliant_fixture() -> None:
    found = [o.status for o in rule.RULE.evaluate(compliant())]
    assert found
    assert set(found) == {"pass"}


@pytest.mark.parametrize("bucket_class", ALL_BUCKETS)
def test_s3_08_bucket_policy_denies_principals_outside_the_account(dev_graph: ResourceGraph, bucket_class: str) -> None:
    arn = _arn(dev_graph, bucket_class)
    assert _statements(dev_graph, bucket_class)["DenyPrincipalsOutsideAccount"] == {
        "Sid": "DenyPrincipalsOutsideAccount",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [arn, f"{arn}/*"],
        "Condition": {
            "StringNotEquals": {"aws:PrincipalAccount": ACCOUNT},
            "Bool": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def test_s3_08_configured_org_id_scopes_the_bucket_policies_to_the_organization() -> None:
    graph = run_stack("dev", overrides={"baseline:identity": {"orgId": "o-abcdefghij"}}).graph
    for bucket_class in ALL_BUCKETS:
        statement = _statements(graph, bucket_class)["DenyPrincipalsOutsideOrganization"]
        assert statement["Condition"]["StringNotEquals"] == {"aws:PrincipalOrgID": "o-abcdefghij"}


def test_s3_08_builder_denies_principals_outside_the_account_except_aws_services() -> None:
    assert documents.deny_foreign_principals_statement(RAW_ARN, ACCOUNT) == {
        "Sid": "DenyPrincipalsOutsideAccount",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [RAW_ARN, f"{RAW_ARN}/*"],
        "Condition": {
            "StringNotEquals": {"aws:PrincipalAccount": ACCOUNT},
            "Bool": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def test_s3_08_builder_scopes_to_the_organization_when_an_org_id_is_given() -> None:
    statement = documents.deny_foreign_principals_statement(RAW_ARN, ACCOUNT, "o-abcdefghij")
    assert (statement["Sid"], statement["Condition"]["StringNotEquals"]) == (
        "DenyPrincipalsOutsideOrganization",
        {"aws:PrincipalOrgID": "o-abcdefghij"},
    )


def test_s3_08_rule_fails_a_policy_without_the_account_perimeter() -> None:
    graph = with_policy(compliant(), "raw", drop_sid("DenyPrincipalsOutsideAccount"))
    assert results(rule.RULE, graph)[("S3-08", "raw")] == "fail"


def test_s3_08_rule_passes_an_organization_perimeter() -> None:
    org = documents.deny_foreign_principals_statement(bucket_arn("raw"), ACCOUNT, "o-abcdefghij")
    graph = with_policy(compliant(), "raw", lambda sts: [*drop_sid("DenyPrincipalsOutsideAccount")(sts), org])
    assert results(rule.RULE, graph)[("S3-08", "raw")] == "pass"


def test_s3_08_rule_fails_a_bucket_without_a_policy() -> None:
    graph = without(compliant(), BUCKET_POLICY, "raw")
    assert messages(rule.RULE, graph)[("S3-08", "raw")] == "no bucket policy attached"


def test_s3_08_probe_denies_a_foreign_principal_on_every_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-08")
    assert len(findings) == len(ALL_BUCKETS)
    assert {f.status for f in findings} == {"pass"}, findings


def test_s3_08_probe_fails_the_bucket_whose_perimeter_was_removed(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("S3-08", mutation.perimeter_removed_live)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['rawBucketName']}"]


def test_s3_08_probe_reports_error_not_pass_when_the_bucket_policy_cannot_be_read(live_dev: LiveAccount) -> None:
    s3 = live_dev.context().client("s3")
    raw = str(live_dev.exports["rawBucketName"])
    original = s3.get_bucket_policy(Bucket=raw)["Policy"]
    s3.delete_bucket_policy(Bucket=raw)
    try:
        [finding] = [f for f in live_dev.probe("S3-08") if f.urn == f"arn:aws:s3:::{raw}"]
    finally:
        s3.put_bucket_policy(Bucket=raw, Policy=original)
    assert (finding.status, "NoSuchBucketPolicy" in finding.message) == ("error", True)

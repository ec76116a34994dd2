"""S3-11: server access logging into access-logs, whose grant is bound to our buckets."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls.s3.common import (
    LOGGING,
)
from ai_security_baseline.controls.s3.s3_11_access_logging import mutation, rule
from ai_security_baseline.controls.s3.testing import (
    change_sid,
    compliant,
    edited,
    log_grant,
    results,
    with_policy,
    without,
)
from ai_security_baseline.controls.testing import ACCOUNT
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount
from tests.test_storage import (
    ALL_BUCKETS,
    DATA_BUCKETS,
    PREFIX,
    T_LOGGING,
    T_POLICY,
    _arn,
    _bucket,
    _res,
    _statements,
)


def test_s3_11_rule_passes_the_compliant_fixture() -> None:
    found = [o.status for o in rule.RULE.evaluate(compliant())]
    assert found
    assert set(found) == {"pass"}


#: The archives that log their access besides the data buckets: CloudTrail's, AWS Config's, Bedrock's invocation logs.
LOGGED_ARCHIVES = ("audit", "config", "bedrock-logs")


@pytest.mark.parametrize("bucket_class", DATA_BUCKETS)
def test_s3_11_data_bucket_logs_to_the_access_log_bucket(dev_graph: ResourceGraph, bucket_class: str) -> None:
    logging = _res(dev_graph, T_LOGGING, bucket_class)
    assert logging.inputs == {
        "bucket": _bucket(dev_graph, bucket_class).id,
        "targetBucket": _bucket(dev_graph, "access-logs").prop("bucket"),
        "targetPrefix": f"{bucket_class}/",
        "targetObjectKeyFormat": {"partitionedPrefix": {"partitionDateSource": "EventTime"}},
    }


def test_s3_11_access_log_policy_admits_log_delivery_only_from_the_stack_buckets(
    dev_graph: ResourceGraph,
) -> None:
    assert _statements(dev_graph, "access-logs")["AllowS3ServerAccessLogs"] == {
        "Sid": "AllowS3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"],
        "Resource": f"{_arn(dev_graph, 'access-logs')}/*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": sorted(_arn(dev_graph, c) for c in (*DATA_BUCKETS, *LOGGED_ARCHIVES))},
        },
    }


@pytest.mark.parametrize("bucket_class", DATA_BUCKETS)
def test_s3_11_logging_is_configured_after_the_access_log_bucket_policy(
    dev_graph: ResourceGraph, bucket_class: str
) -> None:
    log_policy = _res(dev_graph, T_POLICY, "access-logs")
    assert log_policy.urn in _res(dev_graph, T_LOGGING, bucket_class).dependencies


def test_s3_11_access_log_bucket_itself_has_no_logging(dev_graph: ResourceGraph) -> None:
    expected = sorted(f"{PREFIX}-{c}" for c in (*DATA_BUCKETS, *LOGGED_ARCHIVES))
    assert sorted(r.name for r in dev_graph.by_type(T_LOGGING)) == expected


def test_s3_11_builder_admits_log_delivery_only_from_named_sources_in_the_account() -> None:
    sources = ["arn:aws:s3:::b-raw", "arn:aws:s3:::a-curated"]
    assert documents.allow_server_access_logs_statement("arn:aws:s3:::logs", sources, ACCOUNT) == {
        "Sid": "AllowS3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"],
        "Resource": "arn:aws:s3:::logs/*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": sorted(sources)},
        },
    }


def test_s3_11_builder_refuses_a_log_grant_without_sources() -> None:
    with pytest.raises(ValueError, match="at least one source"):
        documents.allow_server_access_logs_statement("arn:aws:s3:::logs", [], ACCOUNT)


def test_s3_11_rule_fails_a_data_bucket_without_access_logging() -> None:
    graph = without(compliant(), LOGGING, "raw")
    assert results(rule.RULE, graph)[("S3-11", "raw")] == "fail"


def test_s3_11_rule_fails_a_bucket_logging_into_itself() -> None:
    graph = edited(compliant(), LOGGING, "raw", targetBucket="raw-1a2b3c4")
    assert results(rule.RULE, graph)[("S3-11", "raw")] == "fail"


def test_s3_11_rule_fails_log_delivery_admitted_without_source_arn() -> None:
    loose = change_sid("AllowS3ServerAccessLogs", Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    graph = with_policy(compliant(), "logs", loose)
    assert results(rule.RULE, graph)[("S3-11", "logs")] == "fail"


def test_s3_11_rule_fails_a_log_grant_that_omits_a_source_bucket() -> None:
    graph = with_policy(compliant(), "logs", lambda sts: [log_grant("raw"), *sts[1:]])
    assert results(rule.RULE, graph)[("S3-11", "logs")] == "fail"


def test_s3_11_probe_passes_every_deployed_log_source(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-11")
    assert len(findings) == len(ALL_BUCKETS) - 1  # every bucket but access-logs itself
    assert {f.status for f in findings} == {"pass"}, findings


def test_s3_11_probe_fails_the_bucket_whose_logging_was_switched_off(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("S3-11", mutation.logging_off_live)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['rawBucketName']}"]

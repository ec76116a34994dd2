"""S3-10: the model registry is write-once (Object Lock with default retention)."""

from __future__ import annotations

from ai_security_baseline.controls.s3.common import ENCRYPTION, OBJECT_LOCK
from ai_security_baseline.controls.s3.s3_10_model_registry_lock import mutation, rule
from ai_security_baseline.controls.s3.testing import compliant, edited, key_arn, results, without
from ai_security_baseline.controls.vocabulary import BUCKET
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount
from tests.test_storage import (
    PREFIX,
    T_BUCKET,
    T_LOCK,
    _bucket,
    _res,
)


def test_s3_10_rule_passes_the_compliant_fixture() -> None:
    found = [o.status for o in rule.RULE.evaluate(compliant())]
    assert found
    assert set(found) == {"pass"}


def test_s3_10_models_bucket_enables_object_lock_at_creation(dev_graph: ResourceGraph) -> None:
    assert _bucket(dev_graph, "models").inputs["objectLockEnabled"] is True


def test_s3_10_models_bucket_defaults_to_governance_retention_from_config(dev_graph: ResourceGraph) -> None:
    assert _res(dev_graph, T_LOCK, "models").inputs == {
        "bucket": _bucket(dev_graph, "models").id,
        "objectLockEnabled": "Enabled",
        "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}},
    }


def test_s3_10_compliance_mode_and_days_are_configurable() -> None:
    graph = run_stack("dev", overrides={"baseline:storage": {"modelLock": {"mode": "COMPLIANCE", "days": 1095}}}).graph
    rule = _res(graph, T_LOCK, "models").inputs["rule"]
    assert rule == {"defaultRetention": {"mode": "COMPLIANCE", "days": 1095}}


def test_s3_10_only_the_models_and_the_audit_archives_are_object_locked(dev_graph: ResourceGraph) -> None:
    locked = {b.name for b in dev_graph.by_type(T_BUCKET) if b.inputs["objectLockEnabled"]}
    # the CloudTrail archive is locked by LOG-03, Bedrock's invocation archive by AI-01
    expected = [f"{PREFIX}-audit", f"{PREFIX}-bedrock-logs", f"{PREFIX}-models"]
    assert (sorted(locked), sorted(r.name for r in dev_graph.by_type(T_LOCK))) == (expected, expected)


def test_s3_10_rule_fails_a_model_registry_without_object_lock_configuration() -> None:
    graph = without(compliant(), OBJECT_LOCK, "models")
    assert results(rule.RULE, graph)[("S3-10", "models")] == "fail"


def test_s3_10_rule_fails_a_model_registry_created_without_object_lock() -> None:
    graph = edited(compliant(), BUCKET, "models", objectLockEnabled=False)
    assert results(rule.RULE, graph)[("S3-10", "models")] == "fail"


def test_s3_10_rule_recognises_the_registry_by_its_models_key_without_a_tag() -> None:
    graph = without(compliant(), OBJECT_LOCK, "models")  # the fixture's buckets carry no bucket-class tag
    assert ("S3-10", "models") in results(rule.RULE, graph)
    assert ("S3-10", "raw") not in results(rule.RULE, graph)


def test_s3_10_rule_fails_a_stack_with_buckets_but_no_model_registry() -> None:
    sse = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn("data")}
    graph = edited(compliant(), ENCRYPTION, "models", rules=[{"applyServerSideEncryptionByDefault": sse}])
    assert results(rule.RULE, graph) == {("S3-10", "p-dev"): "fail"}


def test_s3_10_probe_passes_the_deployed_model_registry(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("S3-10")
    assert (finding.urn, finding.status) == (f"arn:aws:s3:::{live_dev.exports['modelsBucketName']}", "pass")


def test_s3_10_probe_fails_the_model_registry_whose_default_retention_was_cleared(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("S3-10", mutation.retention_cleared_live)]
    assert statuses == ["fail"]
    assert [f.status for f in live_dev.probe("S3-10")] == ["pass"]

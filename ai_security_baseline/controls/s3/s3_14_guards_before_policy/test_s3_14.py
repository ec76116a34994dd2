"""S3-14: the bucket policy waits for the public access block and ownership controls."""

from __future__ import annotations

import pytest

from ai_security_baseline.controls.s3.common import PUBLIC_ACCESS_BLOCK
from ai_security_baseline.controls.s3.s3_14_guards_before_policy import rule
from ai_security_baseline.controls.s3.testing import compliant, edited, find, results, without
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.rules import to_rule_resource
from ai_security_baseline.verify.engine.graph import ResourceGraph
from tests.test_storage import (
    ALL_BUCKETS,
    T_LOCK,
    T_OWNERSHIP,
    T_PAB,
    T_POLICY,
    T_VERSIONING,
    _res,
)


def test_s3_14_rule_passes_the_compliant_fixture() -> None:
    found = [o.status for o in rule.RULE.evaluate(compliant())]
    assert found
    assert set(found) == {"pass"}


@pytest.mark.parametrize("bucket_class", ALL_BUCKETS)
def test_s3_14_bucket_policy_depends_on_public_access_block_and_ownership_controls(
    dev_graph: ResourceGraph, bucket_class: str
) -> None:
    dependencies = _res(dev_graph, T_POLICY, bucket_class).dependencies
    pab, ownership = _res(dev_graph, T_PAB, bucket_class), _res(dev_graph, T_OWNERSHIP, bucket_class)
    assert {pab.urn, ownership.urn} <= set(dependencies)


def test_s3_14_object_lock_configuration_follows_versioning(dev_graph: ResourceGraph) -> None:
    assert _res(dev_graph, T_VERSIONING, "models").urn in _res(dev_graph, T_LOCK, "models").dependencies


def test_s3_14_rule_fails_a_policy_that_does_not_wait_for_the_public_access_block() -> None:
    policy_res = find(compliant(), BUCKET_POLICY, "raw")
    graph = edited(compliant(), BUCKET_POLICY, "raw", _fields={"dependencies": policy_res.dependencies[:1]})
    assert results(rule.RULE, graph)[("S3-14", "raw")] == "fail"


def test_s3_14_rule_fails_a_bucket_without_a_public_access_block_to_wait_for() -> None:
    graph = without(compliant(), PUBLIC_ACCESS_BLOCK, "raw")
    assert results(rule.RULE, graph)[("S3-14", "raw")] == "fail"


def test_s3_14_rule_fails_the_dev_curated_bucket_without_its_public_access_block(dev_graph: ResourceGraph) -> None:
    graph = without([to_rule_resource(r) for r in dev_graph], PUBLIC_ACCESS_BLOCK, "aisb-dev-curated")
    assert results(rule.RULE, graph)[("S3-14", "aisb-dev-curated")] == "fail"

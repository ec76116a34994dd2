"""S3-01: every bucket blocks public access (all four flags) in the rendered stack, the rule and the live account."""

from __future__ import annotations

import pytest
from pulumi_policy import StackValidationArgs

from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.controls.s3 import common
from ai_security_baseline.controls.s3 import testing as fixture
from ai_security_baseline.controls.s3.s3_01_public_access_block import mutation, rule
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph, load_preview_file
from ai_security_baseline.verify.engine.offline import OfflineRun
from conftest import LiveAccount
from tests import test_storage as storage
from tests.test_crossguard import policy, stack_resources, violations

#: The dev stack rendered once per module (OfflineRun: graph and exports).
dev = storage.dev


def test_s3_01_rule_fails_a_bucket_with_restrict_public_buckets_off() -> None:
    graph = fixture.edited(fixture.compliant(), common.PUBLIC_ACCESS_BLOCK, "raw", restrictPublicBuckets=False)
    assert fixture.results("s3-01-public-access-block", graph)[("S3-01", "raw")] == "fail"


def test_s3_01_rule_fails_a_bucket_without_a_public_access_block() -> None:
    graph = fixture.without(fixture.compliant(), common.PUBLIC_ACCESS_BLOCK, "raw")
    assert fixture.messages("s3-01-public-access-block", graph)[("S3-01", "raw")] == "no public access block attached"
    assert fixture.results("s3-01-public-access-block", graph)[("S3-01", "raw")] == "fail"


def test_s3_01_rule_joins_by_bucket_name_when_there_are_no_property_dependencies() -> None:
    graph = fixture.edited(
        fixture.compliant(), common.PUBLIC_ACCESS_BLOCK, "raw", _fields={"property_dependencies": {}}
    )
    assert fixture.results("s3-01-public-access-block", graph)[("S3-01", "raw")] == "pass"


def test_s3_01_rule_errors_when_a_block_of_unknown_bucket_cannot_be_attributed() -> None:
    graph = fixture.without(fixture.compliant(), common.PUBLIC_ACCESS_BLOCK, "logs")
    graph = fixture.edited(
        graph, common.PUBLIC_ACCESS_BLOCK, "raw", bucket=UNKNOWN, _fields={"property_dependencies": {}}
    )
    assert set(fixture.results("s3-01-public-access-block", graph).values()) == {"error"}


def test_s3_01_rule_fails_the_real_preview_file_with_restrict_public_buckets_off() -> None:
    findings = scan_rules(load_preview_file(fixture.PREVIEW), [rule.RULE])
    assert [(f.control, f.resource_name, f.status) for f in findings] == [("S3-01", "raw", "fail")]


def test_s3_01_stack_policy_reports_a_missing_public_access_block_through_the_sdk(dev_graph: ResourceGraph) -> None:
    resources = [
        r
        for r in stack_resources(dev_graph)
        if not (r.resource_type == common.PUBLIC_ACCESS_BLOCK and r.name == "aisb-dev-raw")
    ]
    found = violations(policy("s3-01-public-access-block"), StackValidationArgs(resources, {}))
    assert found == ["[S3-01] no public access block attached"]


@pytest.mark.parametrize("bucket_class", storage.ALL_BUCKETS)
def test_s3_01_bucket_blocks_all_public_access(dev: OfflineRun, bucket_class: str) -> None:
    pab = storage._res(dev.graph, storage.T_PAB, bucket_class)
    assert pab.inputs == {
        "bucket": storage._bucket(dev.graph, bucket_class).id,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }


def test_s3_01_probe_reads_all_four_flags_on_every_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-01")
    assert len(findings) == 4
    assert all(f.status == "pass" and "public access block: all on" in f.message for f in findings), findings


def test_s3_01_probe_fails_the_bucket_whose_restrict_flag_was_turned_off(live_dev: LiveAccount) -> None:
    edit = mutation.restrict_off_live
    assert edit is not None
    failed = live_dev.failing_under("S3-01", edit)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['curatedBucketName']}"]
    assert all(f.status != "fail" for f in live_dev.probe("S3-01"))

"""S3-07: data buckets deny object access outside this stack's VPC endpoints, lock-out safe: rendered, ruled, live."""

from __future__ import annotations

import json

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.components.documents import S3_BUCKET_LIST_ACTIONS, S3_OBJECT_DATA_ACTIONS
from ai_security_baseline.components.storage import Storage, malware_scanner_arn
from ai_security_baseline.controls.s3 import testing as fixture
from ai_security_baseline.controls.s3.s3_07_vpc_only import mutation
from ai_security_baseline.controls.vocabulary import SCANNED_BUCKETS
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_program
from conftest import LiveAccount
from tests import test_bucket_policy_documents as builders
from tests import test_storage as storage

#: The dev stack rendered once per module (OfflineRun: graph and exports).
dev = storage.dev


def test_s3_07_rule_fails_a_data_bucket_without_the_vpc_only_deny() -> None:
    graph = fixture.with_policy(fixture.compliant(), "raw", fixture.drop_sid("DenyAccessOutsideVpcEndpoints"))
    assert fixture.results("s3-07-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_does_not_apply_to_the_log_target() -> None:
    assert ("S3-07", "logs") not in fixture.results("s3-07-vpc-only", fixture.compliant())


def test_s3_07_rule_fails_an_endpoint_id_that_is_not_in_this_stack() -> None:
    condition = {
        "StringNotEquals": {"aws:SourceVpce": ["vpce-ffffffffffffffff0"]},
        "Bool": {"aws:ViaAWSService": "false"},
    }
    graph = fixture.with_policy(
        fixture.compliant(), "raw", fixture.change_sid("DenyAccessOutsideVpcEndpoints", Condition=condition)
    )
    assert fixture.results("s3-07-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_fails_an_empty_endpoint_list() -> None:
    condition = {"StringNotEquals": {"aws:SourceVpce": []}, "Bool": {"aws:ViaAWSService": "false"}}
    graph = fixture.with_policy(
        fixture.compliant(), "raw", fixture.change_sid("DenyAccessOutsideVpcEndpoints", Condition=condition)
    )
    assert fixture.results("s3-07-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_fails_a_deny_without_the_aws_service_exemption() -> None:
    condition = {"StringNotEquals": {"aws:SourceVpce": [fixture.ENDPOINT]}}
    graph = fixture.with_policy(
        fixture.compliant(), "raw", fixture.change_sid("DenyAccessOutsideVpcEndpoints", Condition=condition)
    )
    assert fixture.results("s3-07-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_fails_a_deny_that_locks_admins_out_of_the_bucket_policy() -> None:
    everything = fixture.change_sid("DenyAccessOutsideVpcEndpoints", Action="s3:*", Resource=["*"])
    graph = fixture.with_policy(fixture.compliant(), "raw", everything)
    assert fixture.results("s3-07-vpc-only", graph)[("S3-07", "raw")] == "fail"


def test_s3_07_rule_treats_the_trail_archive_as_a_log_bucket_not_a_data_bucket(dev_graph: ResourceGraph) -> None:
    findings = scan_rules(dev_graph)
    audit = [f for f in findings if f.control == "S3-07" and f.resource_name.endswith("-audit")]
    assert audit == []


def test_s3_07_standalone_bucket_denies_object_access_outside_the_vpc_endpoints() -> None:
    graph = run_program(storage._standalone_bucket()).graph
    policy = json.loads(graph.one(storage.T_POLICY, "training").inputs["policy"])
    statement = {s["Sid"]: s for s in policy["Statement"]}["DenyAccessOutsideVpcEndpoints"]
    assert statement == {
        "Sid": "DenyAccessOutsideVpcEndpoints",
        "Effect": "Deny",
        "Principal": "*",
        "Action": [*S3_OBJECT_DATA_ACTIONS, *S3_BUCKET_LIST_ACTIONS],
        "Resource": ["arn:aws:s3:::training-raw", "arn:aws:s3:::training-raw/*"],
        "Condition": {
            "StringNotEquals": {"aws:SourceVpce": list(storage.VPCE)},
            "ArnNotEquals": {"aws:PrincipalArn": [storage.BREAK_GLASS, storage.DEPLOYER]},
            "Bool": {"aws:ViaAWSService": "false", "aws:PrincipalIsAWSService": "false"},
        },
    }


@pytest.mark.parametrize("bucket_class", storage.DATA_BUCKETS)
def test_s3_07_storage_makes_every_data_bucket_vpc_only_with_deployer_and_break_glass_exempt(bucket_class: str) -> None:
    graph = run_program(storage._storage_program([], storage.VPCE)).graph
    condition = storage._statements(graph, bucket_class)["DenyAccessOutsideVpcEndpoints"]["Condition"]
    assert condition["StringNotEquals"] == {"aws:SourceVpce": list(storage.VPCE)}
    # DET-03: on the scanned buckets GuardDuty's malware protection role reads from outside the VPC too
    scanner = [malware_scanner_arn(storage.ACCT, storage.PREFIX)] if bucket_class in SCANNED_BUCKETS else []
    assert condition["ArnNotEquals"] == {"aws:PrincipalArn": sorted([storage.BREAK_GLASS, storage.DEPLOYER, *scanner])}


@pytest.mark.parametrize("bucket_class", storage.DATA_BUCKETS)
def test_s3_07_baseline_data_buckets_accept_data_access_only_through_the_s3_gateway_endpoint(
    dev: OfflineRun, bucket_class: str
) -> None:
    gateway = dev.exports["s3GatewayEndpointId"]
    assert gateway.startswith("vpce-")
    condition = storage._statements(dev.graph, bucket_class)["DenyAccessOutsideVpcEndpoints"]["Condition"]
    assert condition["StringNotEquals"] == {"aws:SourceVpce": [gateway]}


def test_s3_07_access_log_bucket_is_not_vpc_only_so_log_delivery_and_auditors_reach_it() -> None:
    graph = run_program(storage._storage_program([], storage.VPCE)).graph
    assert "DenyAccessOutsideVpcEndpoints" not in storage._statements(graph, "access-logs")


def test_s3_07_storage_without_endpoint_ids_reports_the_gap_and_renders_no_vpc_rule() -> None:
    holder: list[Storage] = []
    graph = run_program(storage._storage_program(holder, ())).graph
    assert holder[0].gaps == ("S3-07: no VPC endpoint ids given; data buckets not VPC-only",)
    assert all("DenyAccessOutsideVpcEndpoints" not in storage._statements(graph, c) for c in storage.DATA_BUCKETS)


def test_s3_07_builder_denies_object_access_and_listing_outside_endpoints_with_exemptions() -> None:
    statement = documents.deny_outside_vpc_endpoints_statement(
        builders.BUCKET, builders.VPCE, [builders.DEPLOYER, builders.BREAK_GLASS]
    )
    assert statement == {
        "Sid": "DenyAccessOutsideVpcEndpoints",
        "Effect": "Deny",
        "Principal": "*",
        "Action": [*documents.S3_OBJECT_DATA_ACTIONS, *documents.S3_BUCKET_LIST_ACTIONS],
        "Resource": [builders.BUCKET, f"{builders.BUCKET}/*"],
        "Condition": {
            "StringNotEquals": {"aws:SourceVpce": sorted(builders.VPCE)},
            "ArnNotEquals": {"aws:PrincipalArn": [builders.BREAK_GLASS, builders.DEPLOYER]},
            "Bool": {"aws:ViaAWSService": "false", "aws:PrincipalIsAWSService": "false"},
        },
    }


def test_s3_07_never_covers_bucket_policy_management_so_admins_cannot_be_locked_out() -> None:
    actions = set(documents.deny_outside_vpc_endpoints_statement(builders.BUCKET, builders.VPCE)["Action"])
    assert actions.isdisjoint({"s3:*", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:GetBucketPolicy"})


@pytest.mark.parametrize("ids", [(), ("", "vpce-0a1b2c3d4e5f60718"), ("sg-0a1b2c3d",)])
def test_s3_07_refuses_to_render_without_real_endpoint_ids(ids: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="needs vpce-"):
        documents.deny_outside_vpc_endpoints_statement(builders.BUCKET, ids)


def test_s3_07_is_left_out_of_the_bundle_when_no_endpoint_ids_are_given() -> None:
    sids = [
        s["Sid"]
        for s in documents.baseline_bucket_statements(
            builders.BUCKET, account_id=builders.ACCOUNT, kms_key_arn=builders.KEY
        )
    ]
    assert sids == [
        "DenyInsecureTransport",
        "DenyOutdatedTls",
        "DenyUnexpectedEncryptionHeader",
        "DenyForeignKmsKey",
        "DenyKmsWithoutKeyId",
        "DenySseCUploads",
        "DenyPrincipalsOutsideAccount",
    ]


def test_s3_07_probe_finds_outside_access_denied_on_every_data_bucket(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("S3-07")
    assert len(findings) == 3
    assert all(f.status == "pass" and "aws:SourceVpce: denied" in f.message for f in findings), findings


def test_s3_07_probe_fails_the_bucket_without_the_vpc_only_deny(live_dev: LiveAccount) -> None:
    edit = mutation.MUTATIONS[-1].live
    assert edit is not None
    failed = live_dev.failing_under("S3-07", edit)
    assert failed == [f"arn:aws:s3:::{live_dev.exports['curatedBucketName']}"]
    assert all(f.status != "fail" for f in live_dev.probe("S3-07"))

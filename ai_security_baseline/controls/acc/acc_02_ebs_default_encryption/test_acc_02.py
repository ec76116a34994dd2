"""ACC-02: EBS encryption by default with the ebs key in the dev stack, the key's policy, the preview rule, and the
live probe on moto (which has no GetEbsDefaultKmsKeyId)."""

from __future__ import annotations

import dataclasses
import json

from ai_security_baseline.controls.acc.acc_02_ebs_default_encryption import mutation
from ai_security_baseline.controls.acc.testing import (
    REASON,
    central,
    central_run,
    centrally_managed_exports,
    dev_view,
    verdicts,
    with_outputs,
)
from ai_security_baseline.controls.vocabulary import (
    CENTRALLY_MANAGED_OUTPUT,
    EBS_DEFAULT_KMS_KEY,
    EBS_ENCRYPTION_BY_DEFAULT,
    KMS_KEY,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount

RULE = "acc-02-ebs-default-encryption"
ACCOUNT, REGION = "111122223333", "eu-west-1"


def _statements(graph: ResourceGraph, key: str) -> dict[str, dict[str, object]]:
    return {s["Sid"]: s for s in json.loads(graph.one(KMS_KEY, key).inputs["policy"])["Statement"]}


def test_acc_02_dev_stack_encrypts_by_default_with_the_ebs_key_retained(dev_graph: ResourceGraph) -> None:
    [enabled] = dev_graph.by_type(EBS_ENCRYPTION_BY_DEFAULT)
    [default] = dev_graph.by_type(EBS_DEFAULT_KMS_KEY)
    assert enabled.inputs["enabled"] is True
    assert default.inputs["keyArn"] == dev_graph.one(KMS_KEY, "keys-ebs").outputs["arn"]
    assert (enabled.retain_on_delete, default.retain_on_delete) == (True, True)
    assert default.urn in enabled.dependencies


def test_acc_02_ebs_key_lets_the_account_use_it_only_through_ec2(dev_graph: ResourceGraph) -> None:
    statements = _statements(dev_graph, "keys-ebs")
    via_ec2 = {"kms:ViaService": f"ec2.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    assert statements["AccountUsesKeyOnlyViaEc2"]["Principal"] == {"AWS": [f"arn:aws:iam::{ACCOUNT}:root"]}
    assert statements["AccountUsesKeyOnlyViaEc2"]["Condition"] == {"StringEquals": via_ec2}
    assert statements["AccountCreatesGrantsOnlyViaEc2"]["Action"] == ["kms:CreateGrant"]
    assert statements["AccountCreatesGrantsOnlyViaEc2"]["Condition"] == {
        "StringEquals": via_ec2,
        "Bool": {"kms:GrantIsForAWSResource": "true"},
    }


def test_acc_02_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    [(status, _)] = verdicts(RULE, dev_view(dev_graph), "ACC-02")
    assert status == "pass"


def test_acc_02_rule_fails_encryption_by_default_off(dev_graph: ResourceGraph) -> None:
    view = dev_view(dev_graph, **{"guardrails-ebs-encryption": {"enabled": False}})
    [(status, message)] = verdicts(RULE, view, "ACC-02")
    assert (status, message) == ("fail", "guardrails-ebs-encryption turns EBS encryption by default off")


def test_acc_02_rule_fails_volumes_left_to_the_aws_managed_key(dev_graph: ResourceGraph) -> None:
    view = [r for r in dev_view(dev_graph) if r.type != EBS_DEFAULT_KMS_KEY]
    [(status, message)] = verdicts(RULE, view, "ACC-02")
    assert status == "fail"
    assert "volumes would use the AWS managed aws/ebs key" in message


def test_acc_02_rule_fails_the_data_key_as_default_key(dev_graph: ResourceGraph) -> None:
    data_key = dev_graph.one(KMS_KEY, "keys-data").outputs["arn"]
    view = [
        dataclasses.replace(r, property_dependencies={}) if r.type == EBS_DEFAULT_KMS_KEY else r
        for r in dev_view(dev_graph, **{"guardrails-ebs-default-key": {"keyArn": data_key}})
    ]
    [(status, message)] = verdicts(RULE, view, "ACC-02")
    assert (status, message) == ("fail", f"guardrails-ebs-default-key names {data_key!r}, not the stack's ebs key")


def test_acc_02_rule_waives_centrally_managed_encryption_with_its_reason(dev_graph: ResourceGraph) -> None:
    view = with_outputs(dev_view(dev_graph), **{CENTRALLY_MANAGED_OUTPUT: central("ebsDefaultEncryption")})
    assert verdicts(RULE, view, "ACC-02") == [("waived", f"centrally managed: {REASON}")]


def test_acc_02_centrally_managed_encryption_creates_nothing_and_grants_no_ec2_use() -> None:
    graph = central_run().graph
    assert graph.by_type(EBS_ENCRYPTION_BY_DEFAULT) == graph.by_type(EBS_DEFAULT_KMS_KEY) == []
    assert "AccountUsesKeyOnlyViaEc2" not in _statements(graph, "keys-ebs")


def test_acc_02_probe_passes_the_deployed_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("ACC-02")
    assert finding.status == "pass", finding.message
    assert finding.evidence == {"defaultKey": live_dev.exports["ebsKeyArn"]}


def test_acc_02_probe_fails_another_default_key(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("ACC-02", mutation.default_key_data_live)
    assert finding.status == "fail"
    assert finding.message.endswith(f"(expected {live_dev.exports['ebsKeyArn']})")


def test_acc_02_probe_fails_encryption_by_default_disabled(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("ACC-02", mutation.encryption_off_live)
    assert (finding.status, finding.message) == ("fail", "EBS encryption by default is off in eu-west-1")


def test_acc_02_probe_waives_centrally_managed_encryption(live_dev: LiveAccount) -> None:
    exports = centrally_managed_exports(live_dev.exports, "ebsDefaultEncryption")
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("ACC-02")
    assert (finding.status, finding.waiver) == ("waived", REASON)

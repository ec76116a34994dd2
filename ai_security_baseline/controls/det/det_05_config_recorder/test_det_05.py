"""DET-05: the AWS Config recorder, its role, bucket and rules in the dev stack, the preview rule, and the live probe
on moto."""

from __future__ import annotations

import dataclasses
import fnmatch
import json

import pytest

from ai_security_baseline.components import config_recorder
from ai_security_baseline.components.baseline import rendered_policies
from ai_security_baseline.components.config import parse_config
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.acc.testing import (
    REASON,
    central,
    central_run,
    centrally_managed_exports,
    dev_view,
    verdicts,
    with_outputs,
)
from ai_security_baseline.controls.det.det_05_config_recorder import mutation
from ai_security_baseline.controls.iam.common import undenied_tampering
from ai_security_baseline.controls.vocabulary import (
    BUCKET,
    CENTRALLY_MANAGED_OUTPUT,
    CONFIG_DELIVERY_CHANNEL,
    CONFIG_GLOBAL_TYPES,
    CONFIG_MANAGED_RULES,
    CONFIG_RECORDED_TYPES,
    CONFIG_RECORDER,
    CONFIG_RECORDER_STATUS,
    CONFIG_RULE,
    KMS_KEY,
    MANAGED_POLICY,
    ROLE,
    ROLE_POLICY_ATTACHMENT,
)
from ai_security_baseline.verify.emulator.deploy import HANDLERS, MotoDeployError, MotoMocks
from ai_security_baseline.verify.emulator.server import MotoServer
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount

RULE = "det-05-config-recorder"
ACCOUNT, REGION = "111122223333", "eu-west-1"
CHANNEL = "config-recorder"


def test_det_05_recorder_records_the_baseline_types_and_iam_once(dev_graph: ResourceGraph) -> None:
    recorder = dev_graph.one(CONFIG_RECORDER, "config-recorder")
    group = recorder.inputs["recordingGroup"]
    assert sorted(group["resourceTypes"]) == sorted((*CONFIG_RECORDED_TYPES, *CONFIG_GLOBAL_TYPES))
    assert (group["allSupported"], group["includeGlobalResourceTypes"]) == (False, False)
    assert recorder.inputs["roleArn"] == dev_graph.one(ROLE, "config-recorder").outputs["arn"]


def test_det_05_other_regional_stacks_leave_the_global_iam_types_out() -> None:
    overrides = {"baseline:accountGuardrails": json.dumps({"configGlobalTypes": False})}
    group = run_stack("dev", overrides=overrides).graph.one(CONFIG_RECORDER, "config-recorder").inputs["recordingGroup"]
    assert sorted(group["resourceTypes"]) == sorted(CONFIG_RECORDED_TYPES)


def test_det_05_channel_delivers_to_its_own_bucket_with_the_logs_key(dev_graph: ResourceGraph) -> None:
    channel = dev_graph.one(CONFIG_DELIVERY_CHANNEL, CHANNEL)
    bucket = next(b for b in dev_graph.by_type(BUCKET) if (b.inputs.get("tags") or {}).get("bucket-class") == "config")
    assert channel.inputs["s3BucketName"] == bucket.outputs["bucket"]
    assert channel.inputs["s3KmsKeyArn"] == dev_graph.one(KMS_KEY, "keys-logs").outputs["arn"]
    assert channel.inputs["s3KeyPrefix"] == "config"
    assert not bucket.inputs.get("objectLockEnabled")  # AWS Config does not deliver into an Object Lock bucket


def test_det_05_recording_starts_after_the_channel_exists(dev_graph: ResourceGraph) -> None:
    status = dev_graph.one(CONFIG_RECORDER_STATUS, "config-recorder")
    assert status.inputs["isEnabled"] is True
    assert dev_graph.one(CONFIG_DELIVERY_CHANNEL, CHANNEL).urn in status.dependencies


def test_det_05_every_managed_rule_of_the_baseline_is_deployed(dev_graph: ResourceGraph) -> None:
    identifiers = sorted(r.inputs["source"]["sourceIdentifier"] for r in dev_graph.by_type(CONFIG_RULE))
    assert identifiers == sorted(CONFIG_MANAGED_RULES)
    assert len(identifiers) >= 10


def test_det_05_role_trusts_config_for_this_account_with_aws_config_role(dev_graph: ResourceGraph) -> None:
    role = dev_graph.one(ROLE, "config-recorder")
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"] == [
        {
            "Sid": "ConfigAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    [attachment] = [a for a in dev_graph.by_type(ROLE_POLICY_ATTACHMENT) if a.name == "config-recorder"]
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
    assert (
        role.inputs["permissionsBoundary"] == dev_graph.one(MANAGED_POLICY, "config-recorder-boundary").outputs["arn"]
    )


def test_det_05_logs_key_admits_the_recorder_role_only_through_s3(dev_graph: ResourceGraph) -> None:
    statements = {s["Sid"]: s for s in json.loads(dev_graph.one(KMS_KEY, "keys-logs").inputs["policy"])["Statement"]}
    grant = statements["ConfigRecorderEncryptsViaS3"]
    assert grant["Principal"] == {"AWS": [dev_graph.one(ROLE, "config-recorder").outputs["arn"]]}
    assert grant["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    }


def test_det_05_quota_check_renders_the_recorder_policies() -> None:
    account = AccountContext(account_id=ACCOUNT, region=REGION, partition="aws")
    subjects = {p.subject for p in rendered_policies(parse_config({}), account)}
    role = config_recorder.config_role_name("aisb-dev")
    assert {f"the trust policy of role {role}", f"the permissions boundary {role}-boundary"} <= subjects
    assert "the bucket policy of aisb-dev-config" in subjects


def test_det_05_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    [(status, _)] = verdicts(RULE, dev_view(dev_graph), "DET-05")
    assert status == "pass"


def test_det_05_rule_fails_a_missing_managed_rule(dev_graph: ResourceGraph) -> None:
    view = [r for r in dev_view(dev_graph) if not r.name.endswith("cloud-trail-enabled")]
    assert verdicts(RULE, view, "DET-05") == [("fail", "AWS managed rules missing: ['CLOUD_TRAIL_ENABLED']")]


def test_det_05_rule_fails_delivery_without_the_logs_key(dev_graph: ResourceGraph) -> None:
    view = [
        dataclasses.replace(r, property_dependencies={}) if r.type == CONFIG_DELIVERY_CHANNEL else r
        for r in dev_view(dev_graph, **{CHANNEL: {"s3KmsKeyArn": None}})
    ]
    [(status, message)] = verdicts(RULE, view, "DET-05")
    assert status == "fail"
    assert "delivers without s3KmsKeyArn" in message


def test_det_05_rule_fails_recording_started_before_the_channel(dev_graph: ResourceGraph) -> None:
    view = [
        dataclasses.replace(r, dependencies=()) if r.type == CONFIG_RECORDER_STATUS else r for r in dev_view(dev_graph)
    ]
    [(status, message)] = verdicts(RULE, view, "DET-05")
    assert (status, message) == (
        "fail",
        "the recorder starts before its delivery channel exists (StartConfigurationRecorder fails)",
    )


def test_det_05_rule_waives_centrally_managed_config_with_its_reason(dev_graph: ResourceGraph) -> None:
    view = with_outputs(dev_view(dev_graph), **{CENTRALLY_MANAGED_OUTPUT: central("config")})
    assert verdicts(RULE, view, "DET-05") == [("waived", f"centrally managed: {REASON}")]


def test_det_05_centrally_managed_config_creates_no_recorder_role_or_key_grant() -> None:
    graph = central_run().graph
    assert graph.by_type(CONFIG_RECORDER) == graph.by_type(CONFIG_RULE) == []
    assert "config-recorder" not in {r.name for r in graph.by_type(ROLE)}
    assert "ConfigRecorderEncryptsViaS3" not in graph.one(KMS_KEY, "keys-logs").inputs["policy"]


def test_det_05_probe_passes_the_deployed_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("DET-05")
    assert finding.status == "pass", finding.message


def test_det_05_probe_fails_recording_stopped(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("DET-05", mutation.recording_stopped_live)
    assert (finding.status, finding.message) == ("fail", "aisb-dev-recorder is not recording")


def test_det_05_probe_waives_centrally_managed_config(live_dev: LiveAccount) -> None:
    exports = centrally_managed_exports(live_dev.exports, "config")
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("DET-05")
    assert (finding.status, finding.waiver) == ("waived", REASON)


def test_det_05_emulator_refuses_a_channel_into_an_object_lock_bucket(moto_server: MotoServer) -> None:
    mocks = MotoMocks(endpoint_url=moto_server.endpoint_url, region=moto_server.region)
    mocks.client("s3").create_bucket(
        Bucket="det-05-locked",
        CreateBucketConfiguration={"LocationConstraint": moto_server.region},
        ObjectLockEnabledForBucket=True,
    )
    with pytest.raises(MotoDeployError, match="does not support a delivery channel to bucket det-05-locked"):
        HANDLERS[CONFIG_DELIVERY_CHANNEL](mocks, "channel", {"name": "det-05", "s3BucketName": "det-05-locked"})


def test_det_05_recorder_boundary_admits_no_object_or_secret_value_and_denies_tampering() -> None:
    account = AccountContext(account_id=ACCOUNT, region=REGION, partition="aws")
    document = config_recorder.config_boundary_document(account)
    allowed = [str(a) for s in document["Statement"] if s["Effect"] == "Allow" for a in s["Action"]]
    data_reads = ("s3:GetObject", "secretsmanager:GetSecretValue", "kms:Encrypt", "iam:PassRole")
    assert [(p, a) for p in allowed for a in data_reads if fnmatch.fnmatchcase(a.lower(), p.lower())] == []
    assert undenied_tampering(document) == []

"""Live audit against the dev stack deployed into moto: clean passes, a broken account fails the right controls,
and anything unreadable is an error, never a pass."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest

from tests.moto_support import client, deploy_dev
from verify.checkers.audit import audited_controls, run_audit
from verify.checkers.audit.core import CHECKS, AuditContext, policy_json, run_checks
from verify.demo import Deployment, moto_session
from verify.emulator.server import MotoServer
from verify.findings.finding import Finding

#: Controls that cannot be decided on today's dev stack in moto, and why (never reported as pass).
EXPECTED_ERRORS: dict[str, str] = {}  # verify/emulator/launch.py makes moto report the rotation period (KMS-02)


def audit(server: MotoServer, outputs: dict[str, Any]) -> list[Finding]:
    return run_audit(outputs, region=server.region, endpoint_url=server.endpoint_url, session=moto_session(server))


def statuses(findings: list[Finding], control: str) -> Counter[str]:
    return Counter(f.status for f in findings if f.control == control)


@pytest.fixture(scope="module")
def clean(moto_server: MotoServer) -> tuple[Deployment, list[Finding]]:
    deployment = deploy_dev(moto_server)
    return deployment, audit(moto_server, deployment.run.exports)


@pytest.fixture(scope="module")
def broken(moto_server: MotoServer, clean: tuple[Deployment, list[Finding]]) -> list[Finding]:
    """The clean account broken through boto3 after the deploy (rotation, TLS deny, no policy), audited again."""
    exports = clean[0].run.exports
    client(moto_server, "kms").disable_key_rotation(KeyId=exports["modelsKeyArn"])
    s3 = client(moto_server, "s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=exports["curatedBucketName"])["Policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "DenyInsecureTransport"]
    s3.put_bucket_policy(Bucket=exports["curatedBucketName"], Policy=json.dumps(policy))
    s3.delete_bucket_policy(Bucket=exports["rawBucketName"])  # unreadable now: S3-04..08 on raw must be errors
    return audit(moto_server, exports)


def test_audit_clean_dev_stack_passes_every_control_it_can_read(clean: tuple[Deployment, list[Finding]]) -> None:
    findings = clean[1]
    not_passing = {(f.control, f.status) for f in findings if f.status not in ("pass", "waived")}
    assert not_passing == {(c, "error") for c in EXPECTED_ERRORS}


def test_audit_covers_every_observable_control(clean: tuple[Deployment, list[Finding]]) -> None:
    assert {f.control for f in clean[1]} == set(audited_controls())
    assert {f.source for f in clean[1]} == {"audit"}


def test_s3_03_audit_waives_sse_s3_only_on_the_access_log_bucket(clean: tuple[Deployment, list[Finding]]) -> None:
    waived = [f.urn for f in clean[1] if f.status == "waived"]
    assert waived == [f"arn:aws:s3:::{clean[0].run.exports['accessLogsBucketName']}"]


def test_s3_04_audit_fails_the_bucket_without_the_tls_deny(broken: list[Finding], clean: Any) -> None:
    failed = [f.urn for f in broken if f.control == "S3-04" and f.status == "fail"]
    assert failed == [f"arn:aws:s3:::{clean[0].run.exports['curatedBucketName']}"]


@pytest.mark.parametrize("control", ["S3-04", "S3-05", "S3-06", "S3-07", "S3-08"])
def test_audit_reports_error_not_pass_when_the_bucket_policy_cannot_be_read(
    control: str, broken: list[Finding], clean: Any
) -> None:
    raw = f"arn:aws:s3:::{clean[0].run.exports['rawBucketName']}"
    [finding] = [f for f in broken if f.control == control and f.urn == raw]
    assert (finding.status, "NoSuchBucketPolicy" in finding.message) == ("error", True)


def test_audit_reports_error_for_every_control_whose_output_is_missing(
    moto_server: MotoServer, clean: tuple[Deployment, list[Finding]]
) -> None:
    outputs = {k: v for k, v in clean[0].run.exports.items() if k != "vpcId"}
    findings = [f for f in audit(moto_server, outputs) if f.control.startswith("NET-")]
    assert {(f.control, f.status, f.message) for f in findings} == {
        (c, "error", "output vpcId missing") for c in ("NET-01", "NET-02", "NET-03", "NET-04", "NET-05")
    }


def test_audit_of_outputs_without_the_trail_and_roles_reports_errors_not_passes(
    moto_server: MotoServer, clean: tuple[Deployment, list[Finding]]
) -> None:
    partial = {k: v for k, v in clean[0].run.exports.items() if k not in ("trailArn", "trailLogGroupName", "roleArns")}
    findings = audit(moto_server, partial)
    for control in ("LOG-01", "LOG-06", "IAM-01"):
        assert statuses(findings, control) == Counter({"error": 1}), control


def audit_only(server: MotoServer, outputs: dict[str, Any], control: str) -> list[Finding]:
    ctx = AuditContext(
        outputs=outputs, region=server.region, endpoint_url=server.endpoint_url, session=moto_session(server)
    )
    return run_checks(ctx, [c for c in CHECKS if c.control == control])


def test_iam_06_audit_passes_the_trainer_job_guardrails_as_deployed(clean: tuple[Deployment, list[Finding]]) -> None:
    [finding] = [f for f in clean[1] if f.control == "IAM-06"]
    assert (finding.status, finding.urn) == ("pass", clean[0].run.exports["roleArns"]["model-trainer"])


def test_iam_06_audit_fails_a_local_storage_job_grant_that_lost_its_instance_type_guard(
    moto_server: MotoServer, clean: tuple[Deployment, list[Finding]]
) -> None:
    exports = clean[0].run.exports
    iam = client(moto_server, "iam")
    role = exports["roleArns"]["model-trainer"].rsplit("/", 1)[-1]
    [name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    original = policy_json(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
    weakened = copy.deepcopy(original)
    [local] = [s for s in weakened["Statement"] if s["Sid"] == "CreateLocalStorageJobsInsideBaselineGuardrails"]
    del local["Condition"]["Null"]["sagemaker:InstanceTypes"]
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(weakened))
    try:
        [finding] = audit_only(moto_server, exports, "IAM-06")
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(original))
    assert finding.status == "fail"
    assert "no instance types and no volume key: Allow" in finding.message


def test_kms_06_audit_fails_a_data_key_grant_for_ebs_not_restricted_to_aws_resources(
    moto_server: MotoServer, clean: tuple[Deployment, list[Finding]]
) -> None:
    key = clean[0].run.exports["dataKeyArn"]
    kms = client(moto_server, "kms")
    original = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    weakened = json.loads(original)
    [grants] = [s for s in weakened["Statement"] if s["Sid"] == "RolesCreateDataKeyGrantsForEbs"]
    del grants["Condition"]["Bool"]
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(weakened))
    try:
        findings = audit_only(moto_server, clean[0].run.exports, "KMS-06")
    finally:
        kms.put_key_policy(KeyId=key, PolicyName="default", Policy=original)
    [finding] = [f for f in findings if f.urn == key]
    assert finding.status == "fail"
    assert "grant for a person via ec2" in finding.message

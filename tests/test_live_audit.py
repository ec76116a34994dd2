"""Live audit against the dev stack deployed into moto: clean passes, a broken account fails the right controls,
and anything unreadable is an error, never a pass."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from ai_security_baseline.verify.checkers.audit import audited_controls, run_audit
from ai_security_baseline.verify.checkers.audit import s3 as s3_audit
from ai_security_baseline.verify.checkers.audit.core import CHECKS, AuditContext, run_checks
from ai_security_baseline.verify.demo import Deployment, moto_session
from ai_security_baseline.verify.emulator.deploy import MotoMocks
from ai_security_baseline.verify.emulator.server import MotoServer, running_moto
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.findings.finding import Finding
from tests.moto_support import NOT_OBSERVABLE_ON_MOTO, client, deploy_dev

#: Controls that cannot be decided on today's dev stack in moto, and why (never reported as pass).
EXPECTED_ERRORS: dict[str, str] = dict(NOT_OBSERVABLE_ON_MOTO)


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
    """The clean account broken three ways through boto3 after the deploy, then audited again."""
    exports = clean[0].run.exports
    client(moto_server, "kms").disable_key_rotation(KeyId=exports["modelsKeyArn"])
    s3 = client(moto_server, "s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=exports["curatedBucketName"])["Policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "DenyInsecureTransport"]
    s3.put_bucket_policy(Bucket=exports["curatedBucketName"], Policy=json.dumps(policy))
    ec2 = client(moto_server, "ec2")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=exports["vpcId"])
    s3.delete_bucket_policy(Bucket=exports["rawBucketName"])  # unreadable now: S3-04..08 on raw must be errors
    return audit(moto_server, exports)


def test_audit_clean_dev_stack_passes_every_control_it_can_read(clean: tuple[Deployment, list[Finding]]) -> None:
    findings = clean[1]
    not_passing = {(f.control, f.status) for f in findings if f.status not in ("pass", "waived")}
    assert not_passing == {(c, "error") for c in EXPECTED_ERRORS}


def test_audit_covers_every_observable_control(clean: tuple[Deployment, list[Finding]]) -> None:
    assert {f.control for f in clean[1]} == set(audited_controls())
    assert {f.source for f in clean[1]} == {"audit"}


@pytest.mark.parametrize("control", ["S3-04", "S3-05", "S3-06", "S3-07"])
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
        (c, "error", "output vpcId missing")
        for c in ("NET-01", "NET-02", "NET-03", "NET-04", "NET-05", "NET-06", "NET-07")
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


# ---- extra data buckets: the S3 probes' subjects come from the stack outputs -----------------------------------

EXTRA = {"baseline:storage": {"extraDataBuckets": 2}}
#: Every S3 control probed on each data bucket; S3-10 is the model registry's alone.
DATA_BUCKET_CONTROLS = tuple(f"S3-{n:02d}" for n in range(1, 13) if n != 10)


@pytest.fixture(scope="module")
def extra_account() -> Iterator[tuple[dict[str, Any], list[Finding]]]:
    """The dev stack with two extra data buckets, deployed into its own moto server and audited once."""
    with running_moto("eu-west-1") as server:
        mocks = MotoMocks(server.endpoint_url, server.region)
        exports = dict(run_stack("dev", overrides=EXTRA, mocks=mocks).exports)
        mocks.finish()
        yield exports, audit(server, exports)


@pytest.mark.moto
@pytest.mark.parametrize("control", DATA_BUCKET_CONTROLS)
def test_audit_probes_every_extra_data_bucket(
    control: str, extra_account: tuple[dict[str, Any], list[Finding]]
) -> None:
    exports, findings = extra_account
    for key in ("extra1BucketName", "extra2BucketName"):
        [finding] = [f for f in findings if f.control == control and f.urn == f"arn:aws:s3:::{exports[key]}"]
        assert finding.status == "pass", finding


@pytest.mark.moto
def test_audit_probes_the_model_lock_only_on_the_model_registry(
    extra_account: tuple[dict[str, Any], list[Finding]],
) -> None:
    exports, findings = extra_account
    assert [f.urn for f in findings if f.control == "S3-10"] == [f"arn:aws:s3:::{exports['modelsBucketName']}"]


@pytest.mark.moto
def test_audit_of_the_stack_with_extra_buckets_passes_every_control(
    extra_account: tuple[dict[str, Any], list[Finding]],
) -> None:
    not_passing = {(f.control, f.status) for f in extra_account[1] if f.status not in ("pass", "waived")}
    assert not_passing == {(c, "error") for c in EXPECTED_ERRORS}


def _outputs(**names: str) -> AuditContext:
    return AuditContext(outputs=names, region="eu-west-1", endpoint_url="http://127.0.0.1:1", session=None)


def test_storage_buckets_are_the_fixed_classes_and_every_extra_bucket_of_the_outputs() -> None:
    fixed = {f"{p}BucketName": p for p in ("raw", "curated", "models", "accessLogs")}
    ctx = _outputs(**fixed, extra10BucketName="x10", extra2BucketName="x2", auditBucketName="archive")
    buckets = [s.value for s in s3_audit.storage_buckets(ctx)]
    assert [(b.bucket_class, b.name, b.key_class) for b in buckets] == [
        ("raw", "raw", "data"),
        ("curated", "curated", "data"),
        ("models", "models", "models"),
        ("access-logs", "accessLogs", None),
        ("extra-2", "x2", "data"),
        ("extra-10", "x10", "data"),
    ]
    assert [s.urn for s in s3_audit.data_buckets(ctx)] == [
        f"arn:aws:s3:::{n}" for n in ("raw", "curated", "models", "x2", "x10")
    ]
    assert [s.urn for s in s3_audit.log_sources(ctx)] == [s.urn for s in s3_audit.data_buckets(ctx)]
    assert [s.urn for s in s3_audit.model_bucket(ctx)] == ["arn:aws:s3:::models"]


def test_storage_buckets_report_a_missing_fixed_bucket_output_as_an_error_subject() -> None:
    ctx = _outputs(rawBucketName="raw", curatedBucketName="curated", accessLogsBucketName="logs")
    assert [s.missing for s in s3_audit.storage_buckets(ctx) if s.missing] == ["modelsBucketName"]
    assert [s.missing for s in s3_audit.model_bucket(ctx)] == ["modelsBucketName"]

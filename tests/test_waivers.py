"""Waivers: valid ones turn a failure into a visible, justified `waived`; everything doubtful is refused or flagged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ai_security_baseline.components.storage import design_waiver
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH, Waiver, WaiverError, apply_waivers, load_waivers

CATALOG = load_catalog()
TODAY = date(2026, 3, 1)
BUCKET = "urn:pulumi:dev::aisb::baseline:storage:SecureBucket$aws:s3/bucket:BucketV2::"
ACCESS_LOGS = BUCKET + "aisb-dev-access-logs"
RAW = BUCKET + "aisb-dev-raw"

VALID_ENTRY = """
  - control: S3-03
    resource: aisb-dev-access-logs
    reason: log delivery cannot write to SSE-KMS targets
    owner: platform-security
    expires: 2026-06-30
"""


def load(tmp_path: Path, entries: str) -> list[Waiver]:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n" + entries)
    return load_waivers(path, CATALOG)


def waiver(resource: str = "aisb-dev-access-logs", control: str = "S3-03", **fields: object) -> Waiver:
    values: dict[str, object] = {
        "index": 0,
        "control": control,
        "checkov": "",
        "resource": resource,
        "reason": "log delivery cannot write to SSE-KMS targets",
        "owner": "platform-security",
        "expires": date(2026, 6, 30),
        **fields,
    }
    return Waiver(**values)  # type: ignore[arg-type]


def test_shipped_waiver_file_holds_the_by_design_waivers_and_checkov_waivers_only() -> None:
    shipped = load_waivers(WAIVERS_PATH, CATALOG)
    controls = [w for w in shipped if w.control]
    assert [(w.control, w.reason) for w in controls] == [
        ("S3-03", design_waiver("S3-03", "access-logs").reason),
        ("S3-03", design_waiver("S3-03", "audit").reason),
    ]
    checkov = [w for w in shipped if w.checkov]
    assert {w.checkov for w in checkov} == {
        "CKV2_AWS_62",
        "CKV_AWS_144",
        "CKV_AWS_145",
        "CKV2_AWS_1",
        "CKV2_AWS_57",
        "CKV_AWS_352",
        "CKV_AWS_252",
        "CKV2_AWS_5",
        "CKV_AWS_61",
        "CKV2_AWS_3",
        "CKV2_AWS_45",
        "CKV2_AWS_48",
        "CKV_AWS_355",
    }
    assert all(w.owner == "platform-security" and w.expires <= date(2027, 12, 31) for w in shipped)


def test_valid_waiver_file_loads_with_its_fields(tmp_path: Path) -> None:
    [loaded] = load(tmp_path, VALID_ENTRY)
    assert loaded == waiver()


def test_valid_waiver_turns_the_matching_failure_into_waived_with_its_justification() -> None:
    finding = Finding("S3-03", ACCESS_LOGS, "fail", "rule", "bucket uses SSE-S3, not SSE-KMS")
    outcome = apply_waivers([finding], [waiver()], TODAY)
    assert outcome.findings[0].status == "waived"
    expected = "log delivery cannot write to SSE-KMS targets (platform-security, expires 2026-06-30)"
    assert outcome.findings[0].waiver == expected
    assert outcome.warnings == ()


def test_waiver_resource_glob_matches_the_urn() -> None:
    finding = Finding("S3-03", ACCESS_LOGS, "fail", "rule", "bucket uses SSE-S3")
    outcome = apply_waivers([finding], [waiver(resource="urn:pulumi:dev::*::*access-logs")], TODAY)
    assert outcome.findings[0].status == "waived"


def test_waiver_leaves_other_resources_and_controls_failing() -> None:
    other_bucket = Finding("S3-03", RAW, "fail", "rule", "bucket uses SSE-S3")
    other_control = Finding("S3-04", ACCESS_LOGS, "fail", "rule", "policy allows plain HTTP")
    outcome = apply_waivers([other_bucket, other_control], [waiver()], TODAY)
    assert [f.status for f in outcome.findings] == ["fail", "fail"]


def test_waiver_never_touches_pass_or_error_findings() -> None:
    passing = Finding("S3-03", ACCESS_LOGS, "pass", "rule", "SSE-KMS on")
    undecided = Finding("S3-03", ACCESS_LOGS, "error", "audit", "GetBucketEncryption failed")
    outcome = apply_waivers([passing, undecided], [waiver()], TODAY)
    assert outcome.findings == (passing, undecided)


def test_expired_waiver_keeps_the_finding_failing_and_says_it_expired() -> None:
    finding = Finding("S3-03", ACCESS_LOGS, "fail", "rule", "bucket uses SSE-S3")
    outcome = apply_waivers([finding], [waiver(expires=date(2026, 2, 28))], TODAY)
    assert outcome.findings[0].status == "fail"
    assert outcome.findings[0].waiver == ""
    assert "waiver 0 expired 2026-02-28" in outcome.findings[0].message
    assert outcome.findings[0].message.startswith("bucket uses SSE-S3")
    assert "expired 2026-02-28: renew or remove it" in outcome.warnings[0]


def test_waiver_still_applies_on_its_expiry_day() -> None:
    finding = Finding("S3-03", ACCESS_LOGS, "fail", "rule", "bucket uses SSE-S3")
    outcome = apply_waivers([finding], [waiver(expires=TODAY)], TODAY)
    assert outcome.findings[0].status == "waived"


def test_waiver_matching_no_failing_finding_is_a_warning() -> None:
    passing = Finding("S3-03", ACCESS_LOGS, "pass", "rule", "SSE-KMS on")
    outcome = apply_waivers([passing], [waiver(resource="aisb-dev-acess-logs")], TODAY)
    assert outcome.findings == (passing,)
    assert outcome.warnings == (
        "waiver 0 (S3-03 on aisb-dev-acess-logs, owner platform-security) matched no failing finding: "
        "remove it or fix its resource pattern",
    )


def test_checkov_waiver_waives_only_that_check_not_the_rule_finding() -> None:
    checkov = Finding("S3-11", ACCESS_LOGS, "fail", "checkov", "no access logging", tool_id="CKV_AWS_18")
    rule = Finding("S3-11", ACCESS_LOGS, "fail", "rule", "no access logging")
    only_checkov = waiver(control="", checkov="CKV_AWS_18", reason="the access-log bucket cannot log to itself")
    outcome = apply_waivers([checkov, rule], [only_checkov], TODAY)
    assert [f.status for f in outcome.findings] == ["waived", "fail"]


def test_non_waivable_control_waiver_is_rejected(tmp_path: Path) -> None:
    entry = VALID_ENTRY.replace("control: S3-03", "control: S3-01")
    with pytest.raises(WaiverError) as error:
        load(tmp_path, entry)
    assert "waivers[0].control: control S3-01 is not waivable (waivable: false)" in str(error.value)
    assert "allowed: KMS-01, KMS-02" in str(error.value)


def test_checkov_waiver_on_a_check_backing_a_non_waivable_control_is_rejected(tmp_path: Path) -> None:
    entry = VALID_ENTRY.replace("control: S3-03", "checkov: CKV_AWS_53")
    with pytest.raises(WaiverError, match=r"waivers\[0\]\.checkov: CKV_AWS_53 backs the non-waivable control S3-01"):
        load(tmp_path, entry)


REASON = "log delivery cannot write to SSE-KMS targets"
MALFORMED = [
    # (id, text replaced in the valid entry, replacement, expected part of the message)
    ("unknown-key", "owner:", "ticket: SEC-1\n    owner:", "[1].ticket: unknown key (allowed: control, checkov,"),
    ("missing-owner", "    owner: platform-security\n", "", "[1].owner: missing (required: resource, reason, owner"),
    ("missing-expires", "    expires: 2026-06-30\n", "", "[1].expires: missing (required:"),
    ("missing-reason", f"    reason: {REASON}\n", "", "[1].reason: missing"),
    ("missing-resource", "    resource: aisb-dev-access-logs\n", "", "[1].resource: missing"),
    ("short-reason", REASON, "legacy", "[1].reason: must be at least 20 characters"),
    ("empty-owner", "owner: platform-security", "owner: ''", "[1].owner: must be a non-empty string"),
    (
        "impossible-date",
        "2026-06-30",
        "2026-13-01",
        "[1].expires: must be a calendar date YYYY-MM-DD (got '2026-13-01')",
    ),
    ("date-in-words", "2026-06-30", "end of june", "[1].expires: must be a calendar date YYYY-MM-DD"),
    ("date-with-time", "2026-06-30", "2026-06-30 12:00:00", "[1].expires: must be a calendar date YYYY-MM-DD"),
    (
        "unknown-control",
        "control: S3-03",
        "control: S3-99",
        "[1].control: unknown control id 'S3-99' (allowed: a catalog",
    ),
    ("no-target", "  - control: S3-03\n    resource", "  - resource", "[1].control: give exactly one of 'control'"),
    ("two-targets", "control: S3-03", "control: S3-03\n    checkov: CKV_AWS_19", "[1].control: give exactly one of"),
    ("bad-checkov-id", "control: S3-03", "checkov: AWS_19", "[1].checkov: 'AWS_19' is not a checkov id (allowed: like"),
]


@pytest.mark.parametrize(("old", "new", "expected"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_waiver_is_rejected_naming_file_entry_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    bad = VALID_ENTRY.replace(old, new)
    assert bad != VALID_ENTRY
    with pytest.raises(WaiverError) as error:
        load(tmp_path, VALID_ENTRY + bad)
    assert str(error.value).startswith(f"{tmp_path / 'waivers.yaml'}: ")
    assert f"waivers{expected}" in str(error.value)


def test_waiver_file_without_the_waivers_list_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("- control: S3-03\n")
    with pytest.raises(WaiverError, match="must be a mapping with the single key 'waivers'"):
        load_waivers(path, CATALOG)


def test_reports_doc_names_exactly_the_non_waivable_controls() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "reports.md").read_text()
    fixed = ", ".join(c.id for c in CATALOG.controls if not c.waivable)
    assert f"Not waivable: {fixed}." in doc

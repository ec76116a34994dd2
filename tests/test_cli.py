"""The baseline CLI: offline preview writes loadable files; bad input is one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.engine.graph import ResourceGraph, load_preview_file, load_stack_export_file


def test_preview_prints_the_tree_and_writes_both_loadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dev_graph: ResourceGraph
) -> None:
    assert main(["preview", "--stack", "dev", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "baseline:keys:EncryptionKeys keys (8 resources)" in printed
    assert "aws:kms:Key keys-data" in printed
    preview = load_preview_file(tmp_path / "preview.json")
    export = load_stack_export_file(tmp_path / "stack-export.json")
    expected = {r.urn for r in dev_graph}
    assert {r.urn for r in preview} == {r.urn for r in export} == expected


def test_preview_files_are_byte_identical_across_runs(tmp_path: Path) -> None:
    main(["preview", "--out", str(tmp_path / "a")])
    main(["preview", "--out", str(tmp_path / "b")])
    for name in ("preview.json", "stack-export.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_unknown_stack_is_one_error_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "--stack", "staging", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: unknown stack 'staging': no Pulumi.staging.yaml (available: dev, prod)"
    assert not (tmp_path / "preview.json").exists()


def test_stack_name_with_a_path_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "--stack", "../dev"]) == 2
    assert "stack name '../dev' is invalid" in capsys.readouterr().err


def test_invalid_stack_config_is_one_error_line_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).resolve().parent.parent
    project = tmp_path / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (project / name).write_text((root / name).read_text())
    (project / "Pulumi.bad.yaml").write_text("config:\n  aws:region: eu-west-1\n  baseline:kms:\n    rotationDays: 5\n")
    out = tmp_path / "out"
    assert main(["--project-dir", str(project), "preview", "--stack", "bad", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: invalid configuration: baseline:kms.rotationDays = 5")
    assert not out.exists()


@pytest.mark.parametrize("command", [[], ["preview"]], ids=["baseline", "baseline-preview"])
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ai_security_baseline.verify.cli", *command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: baseline")


def test_unknown_command_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ai_security_baseline.verify.cli", "deploy"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "invalid choice: 'deploy'" in result.stderr


def test_the_baseline_command_exits_with_the_code_of_a_refused_input() -> None:
    """The command's exit path (which freezes the heap before exiting) keeps the code the command returned."""
    result = subprocess.run(
        [sys.executable, "-m", "ai_security_baseline.verify.cli", "scan", "--stack", "no-such-stack", "--no-checkov"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown stack 'no-such-stack'" in result.stderr


def test_access_prints_the_evaluated_matrix_and_exits_0_when_it_matches(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the table at full width
    assert main(["access", "--stack", "dev", "--no-sweep"]) == 0
    printed = capsys.readouterr().out
    assert "data-processor" in printed
    assert "s3:PutBucketPolicy" in printed
    assert "Not in this stack" not in printed
    # 5 roles (the model approver the fifth) x 4 resources x 5 actions, and 6 key uses of each role
    assert "150 matrix cells, 30 key uses, 88 service and 63 deployer calls evaluated, 0 differ" in printed

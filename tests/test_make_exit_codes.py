"""`make scan` and `make demo` cannot pass baseline's exit code on (GNU make exits 2 for any failed recipe): they
name it on stderr, and a clean run stays silent and exits 0."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def make(target: str, code: int) -> subprocess.CompletedProcess[str]:
    """Run ``target`` with ``baseline`` replaced by a command exiting ``code`` (prerequisites taken as built)."""
    assert shutil.which("make"), "GNU make is a prerequisite of the project"
    built = ["-o", ".venv/.synced", "-o", ".tools/checkov/bin/checkov"]
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), *built, target, f"RUN=sh -c 'exit {code}' --"],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("target", "code"), [("scan", 1), ("scan", 2), ("demo", 3)])
def test_make_target_names_the_baseline_exit_code_it_cannot_return(target: str, code: int) -> None:
    result = make(target, code)
    assert result.returncode == 2
    assert f"baseline {target} exited {code} (" in result.stderr


def test_make_target_of_a_clean_baseline_run_exits_0_silently() -> None:
    result = make("scan", 0)
    assert (result.returncode, result.stderr) == (0, "")

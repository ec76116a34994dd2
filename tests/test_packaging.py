"""The baseline ships as one import package: the wheel installs next to other code without clashing."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.packaging


def uv() -> str:
    """uv as the Makefile finds it: on PATH, else the bootstrapped ``.tools/bin/uv``."""
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    assert Path(found).is_file(), "uv is neither on PATH nor in .tools/bin (run `make .venv/.synced`)"
    return found


def build_wheel(out: Path) -> Path:
    """Build the project's wheel into ``out`` and return it."""
    subprocess.run(
        [uv(), "build", "--wheel", "--quiet", "--out-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("ai_security_baseline-*.whl")
    return wheel


def top_level_names(wheel: Path) -> set[str]:
    """The first path segment of every file in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/")[0] for name in archive.namelist()}


def test_wheel_holds_only_the_ai_security_baseline_import_package(tmp_path: Path) -> None:
    names = top_level_names(build_wheel(tmp_path))
    imports = {n for n in names if not n.endswith(".dist-info")}
    assert imports == {"ai_security_baseline"}


def test_wheel_leaves_the_control_units_tests_in_the_repository(tmp_path: Path) -> None:
    with zipfile.ZipFile(build_wheel(tmp_path)) as archive:
        files = archive.namelist()
    assert "ai_security_baseline/controls/s3/s3_01_public_access_block/rule.py" in files
    assert "ai_security_baseline/controls/s3/s3_01_public_access_block/control.json" in files
    assert not [f for f in files if Path(f).name.startswith("test_")]

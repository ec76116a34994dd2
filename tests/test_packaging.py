"""The baseline ships as one import package: the wheel installs next to other code without clashing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ai_security_baseline.verify.project import project_root

ROOT = Path(__file__).resolve().parent.parent
CONSUMER = ROOT / "examples" / "python-consumer"

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


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once for the module's tests (they read it or install it, never change it)."""
    return build_wheel(tmp_path_factory.mktemp("dist"))


def test_wheel_holds_only_the_ai_security_baseline_import_package(wheel: Path) -> None:
    names = top_level_names(wheel)
    imports = {n for n in names if not n.endswith(".dist-info")}
    assert imports == {"ai_security_baseline"}


def test_wheel_leaves_the_control_units_tests_in_the_repository(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        files = archive.namelist()
    assert "ai_security_baseline/controls/s3/s3_01_public_access_block/rule.py" in files
    assert "ai_security_baseline/controls/s3/s3_01_public_access_block/control.json" in files
    assert not [f for f in files if Path(f).name.startswith("test_")]


def lock_requirements(out: Path) -> Path:
    """The locked runtime dependencies as a requirements file, so the fresh venv gets the tested versions."""
    path = out / "requirements.lock.txt"
    subprocess.run(
        [uv(), "export", "--locked", "--no-dev", "--no-emit-project", "--quiet", "-o", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path


def install_into_fresh_venv(wheel: Path, requirements: Path, venv: Path) -> Path:
    """A venv holding only the wheel and its locked dependencies; returns its ``baseline`` command."""
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The Makefile exports UV_COMPILE_BYTECODE for the project's venv; this venv serves one preview and one scan,
    # which import a small part of pulumi_aws, so compiling all of it at install would triple the test's CPU time.
    env = {k: v for k, v in os.environ.items() if k != "UV_COMPILE_BYTECODE"}
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--python", str(python), "-r", str(requirements), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
        env=env,
    )
    return venv / "bin" / "baseline"


def test_python_consumer_program_runs_on_the_installed_wheel_and_scans_clean(tmp_path: Path, wheel: Path) -> None:
    """The example program, copied away from this repository, runs under the offline engine on the wheel alone."""
    baseline = install_into_fresh_venv(wheel, lock_requirements(tmp_path), tmp_path / "venv")
    program = tmp_path / "program"
    shutil.copytree(CONSUMER, program, ignore=shutil.ignore_patterns("venv", "__pycache__", "out"))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    preview = subprocess.run(
        [str(baseline), "preview", "--stack", "dev", "--out", "out"],
        cwd=program,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert preview.returncode == 0, preview.stderr
    urns = [r["urn"] for r in json.loads((program / "out" / "preview.json").read_text())["steps"]]
    assert any(u.endswith("::feature-store-dev") and "feature-store" in u for u in urns)
    assert any(u.endswith("aws:ec2/securityGroup:SecurityGroup::feature-store") for u in urns)
    assert any("baseline:index:AiSecurityBaseline::baseline" in u for u in urns)
    assert any("baseline:network:IsolatedVpc" in u for u in urns)
    scan = subprocess.run(
        [str(baseline), "scan", "--preview", "out/preview.json", "--no-checkov", "--out", "scan"],
        cwd=program,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    findings = json.loads((program / "scan" / "findings.json").read_text())["findings"]
    assert findings
    assert [f for f in findings if f["status"] == "fail"] == []


def test_project_root_is_the_checkout_from_source_and_the_working_directory_when_installed(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "ai_security_baseline").mkdir(parents=True)
    assert project_root(site / "ai_security_baseline", cwd=tmp_path / "program") == tmp_path / "program"
    assert project_root(ROOT / "ai_security_baseline", cwd=tmp_path / "program") == ROOT

"""`baseline demo` and `baseline audit`: reports, exit codes, clear setup errors, and moto always stopped."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from rich.console import Console

from ai_security_baseline.controls import registry
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.demo import EXIT_DEPLOY_FAILED, run_demo
from ai_security_baseline.verify.emulator.server import FAKE_AWS_ENV, MotoServer, free_port, pid_alive, running_moto
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH
from ai_security_baseline.verify.project import PROJECT_ROOT
from tests.moto_support import NOT_OBSERVABLE_ON_MOTO, client


def demo_args(tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(
        stack="dev", project_dir=PROJECT_ROOT, keep=False, port=0, out=tmp_path / "out", waivers=WAIVERS_PATH
    )


@pytest.mark.moto
@pytest.mark.checkov
def test_demo_deploys_scans_audits_writes_reports_and_stops_moto(tmp_path: Path) -> None:
    pids: list[int | None] = []
    console, progress = Console(record=True, width=200), Console(record=True, width=200)
    code = run_demo(demo_args(tmp_path), console, on_server=lambda server: pids.append(server.pid), progress=progress)
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())["findings"]
    # what moto cannot observe is an error, never a pass; the preview verified those controls, so the run passes
    assert code == 0
    assert {f["source"] for f in findings} == {"rule", "checkov", "access", "audit"}
    assert [f for f in findings if f["status"] == "fail"] == []
    errors = {
        (f["control"], f["source"], f["message"].split(" is not implemented")[0])
        for f in findings
        if f["status"] == "error"
    }
    assert errors == {(control, "audit", f"not observable: {api}") for control, api in NOT_OBSERVABLE_ON_MOTO.items()}
    catalog_ids = registry.control_ids()
    assert {f["control"] for f in findings} >= catalog_ids  # every control id in the report
    assert "deploying baseline:network:IsolatedVpc network" in progress.export_text()
    report = console.export_text()
    assert f"{len(NOT_OBSERVABLE_ON_MOTO)} not observable (checked at preview only)" in report
    assert "verdict: PASS" in report
    assert "deploying" not in report
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "findings.json",
        "junit.xml",
        "report.md",
        "results.sarif",
    ]
    assert pids[0] is not None
    assert not pid_alive(pids[0])


@pytest.mark.moto
@pytest.mark.checkov
@pytest.mark.parametrize("keep", [False, True], ids=["default", "keep"])
def test_demo_reports_the_resource_whose_deploy_failed_and_leaves_nothing_running(keep: bool, tmp_path: Path) -> None:
    pids: list[int] = []

    def inject(server: MotoServer) -> None:  # the role exists already: moto answers EntityAlreadyExists
        assert server.pid is not None
        pids.append(server.pid)
        client(server, "iam").create_role(RoleName="aisb-dev-vpc-flow-logs", AssumeRolePolicyDocument="{}")

    console = Console(record=True, width=300)
    args = demo_args(tmp_path)
    args.keep = keep
    code = run_demo(args, console, before_deploy=inject)
    text = console.export_text()
    assert code == EXIT_DEPLOY_FAILED
    assert "deploy failed: aws:iam/role:Role network-flow-logs" in text
    assert "EntityAlreadyExists" in text
    assert not pid_alive(pids[0])
    log = Path(text.split("moto_server log kept: ", 1)[1].split()[0])
    assert "POST / HTTP/1.1" in log.read_text()  # the failed run's requests stay readable
    log.unlink()


def _interrupted_block(started: list[tuple[int, Path]]) -> None:
    with running_moto() as server:
        assert server.pid is not None
        assert server.log_path is not None
        started.append((server.pid, server.log_path))
        raise KeyboardInterrupt  # what Ctrl-C raises in the main thread


@pytest.mark.moto
def test_moto_server_is_stopped_by_pid_when_the_block_raises() -> None:
    started: list[tuple[int, Path]] = []
    with pytest.raises(KeyboardInterrupt):
        _interrupted_block(started)
    pid, log = started[0]
    assert not pid_alive(pid)
    log.unlink()  # kept for the interrupted run to be read


def test_audit_cli_reads_an_outputs_file_and_reports_every_missing_output_as_error(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in moto_server.client_env().items():
        monkeypatch.setenv(name, value)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"vpcId": "vpc-00000000000000000"}))
    args = ["audit", "--outputs", str(outputs), "--endpoint-url", moto_server.endpoint_url, "--region", "eu-west-1"]
    code = main([*args, "--out", str(tmp_path / "out")])
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())["findings"]
    assert code == 1
    assert {f["status"] for f in findings} == {"error"}
    assert "output privateSubnetIds missing" in {f["message"] for f in findings if f["control"] == "NET-02"}


def test_audit_cli_without_outputs_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["audit", "--outputs", str(tmp_path / "none.json"), "--region", "eu-west-1"])
    assert (code, "outputs file not found" in capsys.readouterr().err) == (2, True)


def test_audit_cli_with_unreachable_endpoint_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    outputs = tmp_path / "outputs.json"
    outputs.write_text("{}")
    endpoint = f"http://127.0.0.1:{free_port()}"
    code = main(["audit", "--outputs", str(outputs), "--endpoint-url", endpoint, "--region", "eu-west-1"])
    assert (code, "endpoint unreachable" in capsys.readouterr().err) == (2, True)


def test_audit_cli_without_credentials_exits_2(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(name, "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    outputs = tmp_path / "outputs.json"
    outputs.write_text("{}")
    code = main(
        ["audit", "--outputs", str(outputs), "--endpoint-url", moto_server.endpoint_url, "--region", "eu-west-1"]
    )
    assert (code, "no AWS credentials" in capsys.readouterr().err) == (2, True)

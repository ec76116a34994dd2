"""The emulator in a real terminal and a shared /tmp: it never reads the user's AWS setup, dies with its parent,
keeps its log private, and owns the port it answers on."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.demo import deploy, moto_session
from ai_security_baseline.verify.emulator.deploy import MotoMocks
from ai_security_baseline.verify.emulator.server import (
    FAKE_AWS_ENV,
    MotoServer,
    MotoServerError,
    free_port,
    pid_alive,
    running_moto,
)
from ai_security_baseline.verify.project import PROJECT_ROOT

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def hostile_aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user whose ~/.aws/config does not parse and whose AWS_PROFILE names a profile that does not exist."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text("[default\nregion = \n")
    (home / ".aws" / "credentials").write_text("not an ini file ][")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return home


def test_demo_session_ignores_a_missing_profile_and_a_malformed_aws_config(hostile_aws_home: Path) -> None:
    client = moto_session(MotoServer(region="eu-west-1")).client("sts", endpoint_url="http://127.0.0.1:9")
    credentials = client._request_signer._credentials  # what every request would be signed with
    assert (credentials.access_key, client.meta.region_name) == (FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"], "eu-west-1")


def test_deploy_session_ignores_a_missing_profile_and_a_malformed_aws_config(hostile_aws_home: Path) -> None:
    client = MotoMocks("http://127.0.0.1:9", "eu-west-1").client("s3")
    assert client._request_signer._credentials.access_key == FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"]


@pytest.mark.moto
def test_emulator_process_gets_none_of_the_users_aws_variables(
    hostile_aws_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/real")
    monkeypatch.setenv("AWS_CA_BUNDLE", "/nonexistent/ca.pem")
    with running_moto("eu-west-1") as server:
        raw = Path(f"/proc/{server.pid}/environ").read_bytes()  # Linux, as the project's CI
    env = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
    aws = {k: v for k, v in env.items() if k.startswith("AWS_")}
    assert aws == {**FAKE_AWS_ENV, "AWS_DEFAULT_REGION": "eu-west-1"}


@pytest.mark.moto
def test_demo_deploys_and_reads_back_under_a_hostile_aws_home(hostile_aws_home: Path) -> None:
    with running_moto("eu-west-1") as server:
        deployment = deploy(server, "dev", PROJECT_ROOT)
        identity = moto_session(server).client("sts", endpoint_url=server.endpoint_url).get_caller_identity()
    assert deployment.mocks.created
    assert identity["Account"] == deployment.mocks.account_id


# ---- the emulator dies with its parent ---------------------------------------------------------------------------

PARENT = """
import sys, time
from ai_security_baseline.verify.emulator import server
if {lifeline_only}:
    server._parent_death_signal = lambda: None  # the portable lifeline alone
with server.running_moto(keep={keep}) as s:
    print(s.pid, s.port, s.log_path, flush=True)
    if not {keep}:
        time.sleep(120)
"""


@dataclass(frozen=True)
class Started:
    parent: subprocess.Popen[str]
    pid: int
    port: int


@contextmanager
def parent_with_emulator(*, lifeline_only: bool = False, keep: bool = False) -> Iterator[Started]:
    """A python process that starts the emulator; at the end the emulator is killed by its pid, its log removed."""
    code = textwrap.dedent(PARENT.format(lifeline_only=lifeline_only, keep=keep))
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid, port, log = parent.stdout.readline().split()
    try:
        yield Started(parent, int(pid), int(port))
    finally:
        parent.kill()
        parent.wait()
        if pid_alive(int(pid)):
            os.kill(int(pid), signal.SIGKILL)
        Path(log).unlink(missing_ok=True)


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not pid_alive(pid)


@pytest.mark.moto
@pytest.mark.parametrize("lifeline_only", [False, True], ids=["parent-death-signal", "lifeline-only"])
def test_emulator_dies_when_its_parent_is_killed(lifeline_only: bool) -> None:
    with parent_with_emulator(lifeline_only=lifeline_only) as started:
        started.parent.send_signal(signal.SIGKILL)
        started.parent.wait()
        assert gone_within(started.pid, 5)


@pytest.mark.moto
def test_emulator_is_stopped_when_its_parent_gets_sighup() -> None:
    with parent_with_emulator(lifeline_only=True) as started:
        started.parent.send_signal(signal.SIGHUP)
        assert started.parent.wait(timeout=10) == 128 + signal.SIGHUP  # stopped in order, not killed by SIGHUP
        assert gone_within(started.pid, 5)


@pytest.mark.moto
def test_kept_emulator_outlives_its_parent_and_still_answers() -> None:
    with parent_with_emulator(keep=True) as started:
        assert started.parent.wait(timeout=10) == 0
        time.sleep(1)
        url = f"http://127.0.0.1:{started.port}/moto-api/data.json"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200
        assert pid_alive(started.pid)


# ---- the log ------------------------------------------------------------------------------------------------------


@pytest.mark.moto
def test_emulator_log_never_follows_a_planted_symlink_and_is_removed_after_a_clean_run(tmp_path: Path) -> None:
    port = free_port()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    planted = Path(tempfile.gettempdir()) / f"moto_server-{port}.log"  # the name a local user could predict
    planted.symlink_to(victim)
    try:
        server = MotoServer(port=port).start()
        log = server.log_path
        server.stop()
    finally:
        planted.unlink()
    assert victim.read_text() == "precious"
    assert log is not None
    assert not log.exists()


@pytest.mark.moto
def test_emulator_log_is_kept_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), running_moto() as server:
        raise RuntimeError("deploy went wrong")
    assert server.log_path is not None
    assert server.log_path.is_file()
    assert oct(server.log_path.stat().st_mode & 0o777) == oct(0o600)
    server.log_path.unlink()


# ---- the port -----------------------------------------------------------------------------------------------------


@pytest.mark.moto
def test_second_emulator_on_the_same_port_fails_instead_of_using_the_first(moto_server: MotoServer) -> None:
    with pytest.raises(MotoServerError, match=f"moto port 127.0.0.1:{moto_server.port} is not available"):
        MotoServer(port=moto_server.port).start()


@pytest.mark.moto
def test_demo_on_a_busy_port_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["demo", "--port", str(port), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [f"error: moto port 127.0.0.1:{port} is not available (Address already in use)"]
    assert not (tmp_path / "out").exists()

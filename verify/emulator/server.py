"""A local moto_server: started on 127.0.0.1 on a free port, always stopped by its own pid.

Why a subprocess and not in-process ``mock_aws``: the demo leaves the emulated account running on request
(``--keep``) for the AWS CLI, and the audit must talk HTTP to an endpoint exactly as it would to AWS.
The server never reads a real profile: fake credentials, config and credential files point at /dev/null.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

HOST = "127.0.0.1"
DEFAULT_REGION = "eu-west-1"
STARTUP_SECONDS = 20.0

#: Environment of the server and of every client talking to it: no real account can be reached.
FAKE_AWS_ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


class MotoServerError(RuntimeError):
    """moto_server could not be started or did not become ready."""


def moto_server_path() -> Path:
    """The moto_server of this interpreter's venv (never one found on PATH)."""
    path = Path(sys.executable).parent / "moto_server"
    if not path.is_file():
        raise MotoServerError(f"moto_server not found next to {sys.executable} (is moto[server] installed?)")
    return path


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class MotoServer:
    """A running moto_server; ``stop()`` ends exactly the process it started."""

    region: str = DEFAULT_REGION
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    #: The server's request log (a file, not a pipe: a full pipe would block moto, and --keep outlives us).
    log_path: Path | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def client_env(self) -> dict[str, str]:
        """Environment a client (boto3, aws CLI) needs to reach this server and nothing else."""
        return {**FAKE_AWS_ENV, "AWS_DEFAULT_REGION": self.region, "AWS_ENDPOINT_URL": self.endpoint_url}

    def start(self, timeout: float = STARTUP_SECONDS) -> MotoServer:
        """Start on a free loopback port and wait until it answers; raises MotoServerError (nothing left running)."""
        moto_server_path()  # fails early, naming the venv, when moto[server] is missing
        self.port = self.port or free_port()
        env = {**os.environ, **self.client_env(), "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
        env.pop("AWS_ENDPOINT_URL", None)
        env.pop("AWS_PROFILE", None)
        self.log_path = Path(tempfile.gettempdir()) / f"moto_server-{self.port}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "verify.emulator.launch", "-H", HOST, "-p", str(self.port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal Ctrl-C reaches us, and we stop it in order
            )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                err = self.log_path.read_text(errors="replace") if self.log_path else ""
                raise MotoServerError(f"moto_server exited with {self.process.returncode}: {err.strip()[-500:]}")
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/data.json", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise MotoServerError(f"moto_server on {self.endpoint_url} not ready after {timeout:.0f}s")

    def reset(self) -> None:
        """Drop every resource (POST /moto-api/reset): a fresh emulated account."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status != 200:
                raise MotoServerError(f"moto reset answered HTTP {response.status}")

    def stop(self, grace: float = 5.0) -> None:
        """Terminate the process we started (its pid only), then kill it if it does not exit in time."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def running_moto(region: str = DEFAULT_REGION, *, keep: bool = False) -> Iterator[MotoServer]:
    """A started server for the ``with`` block; stopped on exit, on errors, on Ctrl-C and on SIGTERM.

    ``keep=True`` leaves it running after a *successful* block (the caller prints how to reach it).
    """
    server = MotoServer(region=region)
    previous: Any = None
    main_thread = _in_main_thread()
    if main_thread:
        previous = signal.signal(signal.SIGTERM, _raise_exit)
    ok = False
    try:
        server.start()
        yield server
        ok = True
    finally:
        try:
            if not (keep and ok):
                server.stop()
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def pid_alive(pid: int) -> bool:
    """Is a process with this pid still running (a zombie counts as gone)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        return stat.read_text().split(") ", 1)[-1][:1] != "Z"
    return True


def boto_session_kwargs(server_or_url: MotoServer | str, region: str) -> Mapping[str, str]:
    """Keyword arguments for a boto3 client of the emulated account."""
    url = server_or_url.endpoint_url if isinstance(server_or_url, MotoServer) else server_or_url
    return {
        "endpoint_url": url,
        "region_name": region,
        "aws_access_key_id": FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": FAKE_AWS_ENV["AWS_SESSION_TOKEN"],
    }

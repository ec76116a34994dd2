"""A local moto_server: started on 127.0.0.1 on a free (or a given) port, always stopped by its own pid.

Why a subprocess and not in-process ``mock_aws``: the demo leaves the emulated account running on request
(``--keep``) for the AWS CLI, and the audit must talk HTTP to an endpoint exactly as it would to AWS.
The server and every client of it never read the user's AWS setup: every AWS_* variable is dropped, the
credentials are fake, config and credential files point at /dev/null. The port is bound here and the listening
socket handed to the server, and the log is a private temporary file.
"""

from __future__ import annotations

import ctypes
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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

HOST = "127.0.0.1"
DEFAULT_REGION = "eu-west-1"
STARTUP_SECONDS = 20.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: The server's end of its lifeline to us (an inherited socket-pair fd); read by verify.emulator.launch.
LIFELINE_ENV = "BASELINE_MOTO_LIFELINE_FD"
DETACH = b"detach\n"
DETACHED = b"detached\n"

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


def listening_socket(port: int, host: str = HOST) -> socket.socket:
    """Bind and listen here, so the port is ours before moto starts: a busy port fails now, in one line, and the
    server that answers on it can only be the one we hand this socket to."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # as werkzeug does: a port whose last connections are in TIME_WAIT is reusable, one with a listener is not
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise MotoServerError(f"moto port {host}:{port} is not available ({exc.strerror or exc})") from None
    return sock


def isolated_env(environ: Mapping[str, str], region: str) -> dict[str, str]:
    """``environ`` without any AWS_* variable (profile, role, endpoint, CA bundle...) plus the fake credentials."""
    kept = {k: v for k, v in environ.items() if not k.upper().startswith("AWS_")}
    return {**kept, **FAKE_AWS_ENV, "AWS_DEFAULT_REGION": region}


def isolated_session(region: str) -> Any:
    """A boto3 session that reads nothing of the user's AWS setup: no environment variable, no ~/.aws file, no
    profile; only the fake credentials and ``region``. A set-but-missing AWS_PROFILE or a malformed ~/.aws/config
    cannot break it."""
    import boto3  # type: ignore[import-untyped]  # noqa: PLC0415 - loaded only by the commands that talk to moto
    import botocore.session  # type: ignore[import-untyped]  # noqa: PLC0415
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES  # type: ignore[import-untyped]  # noqa: PLC0415

    no_env = {
        name: (None, None, default, convert)
        for name, (_, _, default, convert) in BOTOCORE_DEFAUT_SESSION_VARIABLES.items()
    }
    core = botocore.session.Session(session_vars=no_env)
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    return boto3.session.Session(
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_AWS_ENV["AWS_SESSION_TOKEN"],
        region_name=region,
        botocore_session=core,
    )


def _parent_death_signal() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when we die (even by SIGKILL); None elsewhere. Linux sends it
    when the *thread* that started the child ends: start servers from a thread that lives as long as they should
    (the main thread, as every caller does)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return preexec


@dataclass
class MotoServer:
    """A running moto_server; ``stop()`` ends exactly the process it started.

    The server dies with this process however it ends: Linux's parent-death signal, and (everywhere) the server
    exits when its end of a socket pair to us reads end-of-file. ``detach()`` releases it (``--keep``).
    """

    region: str = DEFAULT_REGION
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    #: The server's request log: a private file (mkstemp), not a pipe, since a full pipe would block moto and
    #: --keep outlives us. Removed by ``stop()`` unless ``keep_log`` (a failed run keeps it for reading).
    log_path: Path | None = None
    keep_log: bool = False
    _lifeline: socket.socket | None = field(default=None, repr=False)

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
        """Start on ``port`` (a free one when 0) and wait until it answers; raises MotoServerError naming the
        cause and the log (nothing left running)."""
        moto_server_path()  # fails early, naming the venv, when moto[server] is missing
        listener = listening_socket(self.port)
        self.port = listener.getsockname()[1]
        ours, theirs = socket.socketpair()
        env = {
            **isolated_env(os.environ, self.region),
            "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
            # AWS managed policies exist in every account (the Config recorder role attaches AWS_ConfigRole)
            "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
            LIFELINE_ENV: str(theirs.fileno()),
            # werkzeug serves on an inherited listening socket when told it runs under its reloader
            "WERKZEUG_RUN_MAIN": "true",
            "WERKZEUG_SERVER_FD": str(listener.fileno()),
        }
        fd, name = tempfile.mkstemp(prefix="moto_server-", suffix=".log")
        self.log_path = Path(name)
        try:
            with os.fdopen(fd, "wb") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "ai_security_baseline.verify.emulator.launch",
                        "-H",
                        HOST,
                        "-p",
                        str(self.port),
                    ],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(listener.fileno(), theirs.fileno()),
                    preexec_fn=_parent_death_signal(),  # noqa: PLW1509 - one prctl call, no locks taken
                    start_new_session=True,  # a terminal Ctrl-C reaches us, and we stop it in order
                )
        except BaseException:
            ours.close()
            self.remove_log()
            raise
        finally:
            listener.close()
            theirs.close()
        self._lifeline = ours
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.keep_log = True
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                err = self.log_path.read_text(errors="replace") if self.log_path else ""
                raise MotoServerError(
                    f"moto_server exited with {self.process.returncode} (log {self.log_path}): {err.strip()[-500:]}"
                )
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/data.json", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise MotoServerError(
            f"moto_server on {self.endpoint_url} not ready after {timeout:.0f}s (log {self.log_path})"
        )

    def reset(self) -> None:
        """Drop every resource (POST /moto-api/reset): a fresh emulated account."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status != 200:
                raise MotoServerError(f"moto reset answered HTTP {response.status}")

    def detach(self, timeout: float = 5.0) -> None:
        """Let the server outlive us (``--keep``): it drops its parent-death signal and stops watching us, and
        says so before we return, so our exit cannot race it. Its log is kept."""
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is None or self.process is None:  # never started, or already stopped
            return
        self.keep_log = True
        with lifeline:
            lifeline.settimeout(timeout)
            try:
                lifeline.sendall(DETACH)
                answer = lifeline.recv(16)
            except OSError as exc:
                raise MotoServerError(f"moto_server did not confirm --keep: {exc}") from None
        if answer != DETACHED:
            raise MotoServerError(f"moto_server did not confirm --keep (answered {answer!r})")

    def stop(self, grace: float = 5.0) -> None:
        """Terminate the process we started (its pid only), then kill it if it does not exit in time; remove the
        log unless ``keep_log``."""
        process, self.process = self.process, None
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            lifeline.close()
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=grace)
        if not self.keep_log:
            self.remove_log()

    def remove_log(self) -> None:
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


#: Signals that end this process by default and that we turn into SystemExit, so the server is stopped in order:
#: a ``kill``, and the terminal closing (SIGHUP). SIGKILL cannot be caught: the parent-death lifeline covers it.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def running_moto(region: str = DEFAULT_REGION, *, keep: bool = False, port: int = 0) -> Iterator[MotoServer]:
    """A started server for the ``with`` block; stopped on exit, on errors, on Ctrl-C, SIGTERM and SIGHUP.

    ``keep=True`` leaves it running after a *successful* block (the caller prints how to reach it). A block that
    raises keeps the server's log (its path is ``server.log_path``); a clean one removes it.
    """
    server = MotoServer(region=region, port=port)
    previous: dict[int, Any] = {}
    if _in_main_thread():
        previous = {sig: signal.signal(sig, _raise_exit) for sig in STOP_SIGNALS}
    ok = False
    try:
        server.start()
        yield server
        ok = True
    finally:
        try:
            if keep and ok:
                server.detach()
            else:
                server.keep_log = server.keep_log or not ok
                server.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


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


def single_host(client: Any) -> Any:
    """``client`` calling its endpoint's one host: S3 Control's endpoint rules put the account id in front of the
    host (``<account>.s3-control...``), which an emulator on 127.0.0.1 cannot answer."""

    def strip_account(request: Any, **_: Any) -> None:
        scheme, _, rest = request.url.partition("://")
        host, slash, path = rest.partition("/")
        account, dot, base = host.partition(".")
        if dot and account.isdigit() and len(account) == 12:
            request.url = f"{scheme}://{base}{slash}{path}"

    client.meta.events.register("before-sign.s3-control.*", strip_account)
    return client

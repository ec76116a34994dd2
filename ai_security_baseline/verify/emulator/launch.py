"""``python -m verify.emulator.launch -H 127.0.0.1 -p PORT``: moto_server with two fidelity fixes for the audit.

moto 5.2.5 accepts ``EnableKeyRotation(RotationPeriodInDays=…)`` but forgets the period, and its
``GetKeyRotationStatus`` omits ``RotationPeriodInDays``, which AWS returns whenever rotation is on. Without it
the live audit could never decide KMS-02 against the emulated account. This launcher stores the period on
the key (AWS's default 365 when none is given) and reports it. moto keeps the default EBS key that
``ModifyEbsDefaultKmsKeyId`` sets but has no ``GetEbsDefaultKmsKeyId`` (ACC-02): the launcher answers it from the
same state (AWS answers the ``aws/ebs`` key until one is set). Then it runs moto's own server unchanged.

It also holds the server's end of its lifeline to the parent (``verify.emulator.server``): end-of-file there means
the parent is gone, however it died, and the server exits; a detach message (``--keep``) releases it.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import sys
import threading
from types import FrameType
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.responses.elastic_block_store import ElasticBlockStore
from moto.kms.responses import KmsResponse
from moto.server import main

from ai_security_baseline.verify.emulator.server import DETACH, DETACHED, LIFELINE_ENV, PR_SET_PDEATHSIG

DEFAULT_ROTATION_DAYS = 365
_enable = KmsResponse.enable_key_rotation
_status = KmsResponse.get_key_rotation_status


def _key(response: Any) -> Any:
    backend = response.kms_backend
    return backend.keys[backend.get_key_id(response._get_param("KeyId"))]


def enable_key_rotation(self: Any) -> str:
    result: str = _enable(self)
    _key(self).rotation_period_in_days = int(self._get_param("RotationPeriodInDays") or DEFAULT_ROTATION_DAYS)
    return result


def get_key_rotation_status(self: Any) -> str:
    body = json.loads(_status(self))
    if body.get("KeyRotationEnabled"):
        body["RotationPeriodInDays"] = getattr(_key(self), "rotation_period_in_days", DEFAULT_ROTATION_DAYS)
    return json.dumps(body)


def get_ebs_default_kms_key_id(self: Any) -> ActionResult:
    backend = self.ec2_backend
    if not backend.default_kms_key_id:
        backend._create_default_encryption_key()  # moto's aws/ebs stand-in, as volumes get without a set key
    return ActionResult({"KmsKeyId": backend.default_kms_key_id})


KmsResponse.enable_key_rotation = enable_key_rotation  # type: ignore[method-assign]
ElasticBlockStore.get_ebs_default_kms_key_id = get_ebs_default_kms_key_id  # type: ignore[attr-defined]
KmsResponse.get_key_rotation_status = get_key_rotation_status  # type: ignore[method-assign]


def clear_parent_death_signal() -> None:
    """Undo the parent-death signal the parent set before exec (Linux only; a no-op elsewhere). The setting is
    per thread, and the parent set it on what is now the main thread: call this there."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)


def hold_lifeline(lifeline: socket.socket, cleared: threading.Event) -> None:
    """Block until the parent speaks: detach (``--keep``) releases the server, anything else (end-of-file when the
    parent died) ends it at once."""
    try:
        message = lifeline.recv(64)
    except OSError:
        message = b""
    if message != DETACH:
        os._exit(0)
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGUSR1)  # Python runs the handler there
    if cleared.wait(timeout=5):
        lifeline.sendall(DETACHED)
    lifeline.close()


def watch_parent() -> None:
    """Hold the lifeline the parent passed (if any) on a daemon thread; detaching clears the parent-death signal
    through SIGUSR1, whose Python handler runs on the main thread."""
    fd = os.environ.pop(LIFELINE_ENV, "")
    if not fd:
        return
    cleared = threading.Event()

    def on_detach(signum: int, frame: FrameType | None) -> None:
        clear_parent_death_signal()
        cleared.set()

    signal.signal(signal.SIGUSR1, on_detach)
    lifeline = socket.socket(fileno=int(fd))
    threading.Thread(target=hold_lifeline, args=(lifeline, cleared), name="lifeline", daemon=True).start()


if __name__ == "__main__":
    watch_parent()
    main(sys.argv[1:])

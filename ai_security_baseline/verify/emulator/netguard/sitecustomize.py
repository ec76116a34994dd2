"""Network guard for the checkov subprocess (put on its PYTHONPATH by ``ai_security_baseline.verify.checkers.checkov``).

Python imports ``sitecustomize`` at start-up, before checkov's code: this one refuses every socket connection
and DNS lookup that is not loopback or a Unix socket, and appends each refused attempt to the file named by
``BASELINE_NETGUARD_LOG`` so the caller can prove the scan stayed offline (and fail if it did not).
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

_LOG = os.environ.get("BASELINE_NETGUARD_LOG", "")
_LOOPBACK_NAMES = frozenset({"localhost", "::1", "ip6-localhost"})
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _loopback(host: object) -> bool:
    text = host.decode() if isinstance(host, bytes) else str(host)
    return text in _LOOPBACK_NAMES or text.startswith("127.")


def _allowed(address: Any) -> bool:
    """Unix-socket paths and loopback hosts only."""
    if isinstance(address, tuple) and address:
        return _loopback(address[0])
    return True


def _record(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what}\n")


def _connect(self: socket.socket, address: Any) -> None:
    if not _allowed(address):
        _record(f"connect {address!r}")
        raise OSError(errno.ENETUNREACH, f"network disabled for the offline scan: {address!r}")
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    if not _allowed(address):
        _record(f"connect_ex {address!r}")
        return errno.ENETUNREACH
    return _real_connect_ex(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _loopback(host):
        _record(f"getaddrinfo {host!r}")
        raise socket.gaierror(socket.EAI_NONAME, f"name resolution disabled for the offline scan: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign,assignment]
socket.getaddrinfo = _getaddrinfo

"""``python -m verify.emulator.launch -H 127.0.0.1 -p PORT``: moto_server with one fidelity fix for the audit.

moto 5.2.5 accepts ``EnableKeyRotation(RotationPeriodInDays=…)`` but forgets the period, and its
``GetKeyRotationStatus`` omits ``RotationPeriodInDays``, which AWS returns whenever rotation is on. Without it
the live audit could never decide KMS-02 against the emulated account. This launcher stores the period on
the key (AWS's default 365 when none is given) and reports it, then runs moto's own server unchanged.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from moto.kms.responses import KmsResponse
from moto.server import main

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


KmsResponse.enable_key_rotation = enable_key_rotation  # type: ignore[method-assign]
KmsResponse.get_key_rotation_status = get_key_rotation_status  # type: ignore[method-assign]

if __name__ == "__main__":
    main(sys.argv[1:])

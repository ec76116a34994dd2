"""LOG-01 preview rule: the trail is multi-region, records global service events and validates its log files."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import TRAIL

SCOPE_FLAGS = ("isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation")


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    off = [k for k in SCOPE_FLAGS if kit.known(res, k) is not True]
    yield "LOG-01", not off, f"not enabled: {off}" if off else "multi-region, global events, log file validation"


RULE = kit.Rule(
    "log-01-trail-scope",
    "The trail is multi-region with global service events and log file validation",
    ("LOG-01",),
    (TRAIL,),
    check,
)

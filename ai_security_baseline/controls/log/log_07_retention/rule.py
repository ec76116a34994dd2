"""LOG-07 preview rule: log groups keep audit records at least 365 days; 180-364 days under the
``shortLogRetention`` relaxation is reported waived, with its reason."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import MIN_RETENTION_DAYS, relaxed_retention
from ai_security_baseline.controls.vocabulary import LOG_GROUP


def check(res: kit.Res) -> Iterator[tuple[str, kit.Verdict, str]]:
    days = kit.known(res, "retentionInDays")
    ok = isinstance(days, int | float) and days >= MIN_RETENTION_DAYS
    message = f"retention {days} days (minimum {MIN_RETENTION_DAYS})"
    relaxed = None if ok else relaxed_retention(res, days)
    if relaxed:
        yield "LOG-07", kit.RELAXED, f"{message}; waived: {relaxed}"
        return
    yield "LOG-07", ok, message


RULE = kit.Rule("log-07-retention", "Log groups keep records at least 365 days", ("LOG-07",), (LOG_GROUP,), check)

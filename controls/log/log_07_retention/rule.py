"""LOG-07 preview rule: log groups keep audit records at least 365 days (the 180-day relaxation is a waiver)."""

from __future__ import annotations

from collections.abc import Iterator

from controls import kit
from controls.log.common import MIN_RETENTION_DAYS
from controls.vocabulary import LOG_GROUP


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    days = kit.known(res, "retentionInDays")
    ok = isinstance(days, int | float) and days >= MIN_RETENTION_DAYS
    yield "LOG-07", ok, f"retention {days} days (minimum {MIN_RETENTION_DAYS})"


RULE = kit.Rule("log-07-retention", "Log groups keep records at least 365 days", ("LOG-07",), (LOG_GROUP,), check)

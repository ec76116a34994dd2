"""KMS-03 preview rule: keys keep the 30-day deletion window (unset means AWS's default, 30)."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import KMS_KEY

WINDOW_DAYS = 30


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    window = kit.known(res, "deletionWindowInDays")
    days = WINDOW_DAYS if window is None else window
    yield "KMS-03", days == WINDOW_DAYS, f"deletion window {days} days (baseline default {WINDOW_DAYS})"


RULE = kit.Rule("kms-03-deletion-window", "KMS keys keep the 30-day deletion window", ("KMS-03",), (KMS_KEY,), check)

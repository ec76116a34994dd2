"""KMS-02 preview rule: automatic rotation on, with a period AWS accepts (90-2560 days)."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import KMS_KEY

ROTATION_DAYS = (90, 2560)


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    enabled = kit.known(res, "enableKeyRotation") is True
    period = kit.known(res, "rotationPeriodInDays")
    low, high = ROTATION_DAYS
    in_range = period is None or (isinstance(period, int | float) and low <= period <= high)
    yield (
        "KMS-02",
        enabled and in_range,
        f"rotation {'on' if enabled else 'off'}, period {period if period is not None else 'default (365)'} days"
        + ("" if in_range else f" (allowed {low}-{high})"),
    )


RULE = kit.Rule("kms-02-rotation", "KMS keys rotate automatically every 90-2560 days", ("KMS-02",), (KMS_KEY,), check)

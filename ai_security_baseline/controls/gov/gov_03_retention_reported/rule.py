"""GOV-03 preview rule: each bucket's retention comes from configured lifecycle rules, stated in the report.

The bucket joins are the storage rules' (``Stack``): one lifecycle configuration per bucket, an unknown reference
is ``error``, a missing or duplicated one fails.
"""

from __future__ import annotations

from collections.abc import Mapping

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    LIFECYCLE,
    Stack,
    Verdict,
    bucket_rule_check,
    dig,
    whole_bucket,
    with_side,
)


def retention(_stack: Stack, bucket: kit.Res, lifecycle: kit.Res) -> Verdict:
    """The whole-bucket expiry rules of the bucket's lifecycle configuration, as the report states them."""
    rules = [r for r in (dig(lifecycle, "rules") or []) if isinstance(r, Mapping) and whole_bucket(r)]
    expiry = [r["expiration"].get("days") for r in rules if r.get("expiration")]
    noncurrent = [
        r["noncurrentVersionExpiration"].get("noncurrentDays") for r in rules if r.get("noncurrentVersionExpiration")
    ]
    if not rules:
        return False, "no enabled whole-bucket lifecycle rule: retention is not configured"
    current = f"{expiry[0]} days" if expiry else "kept until deleted"
    previous = f"{noncurrent[0]} days" if noncurrent else "kept until deleted"
    return True, f"retention of {bucket.name}: current objects {current}; noncurrent versions {previous}"


RULE = kit.Rule(
    "gov-03-retention-reported",
    "Each bucket's retention comes from configured lifecycle rules and is stated in the report",
    ("GOV-03",),
    stack_check=bucket_rule_check({"GOV-03": with_side(LIFECYCLE, retention)}),
)

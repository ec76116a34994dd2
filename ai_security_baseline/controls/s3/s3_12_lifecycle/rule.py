"""S3-12 preview rule: every bucket aborts incomplete uploads within 7 days and expires noncurrent versions.

The one meaning the rule and the live probe share (``lifecycle_verdict``): among the enabled rules that cover the
whole bucket, one aborts incomplete multipart uploads within 1-7 days and one expires noncurrent versions, on every
bucket, ``models`` included (``storage.noncurrentVersionDays`` applies to all buckets). How long current objects
stay is retention configuration (GOV-03): ``storage.rawExpirationDays`` is a number of days or ``null`` to keep raw
data, so the current-object expiry is reported, never required.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    LIFECYCLE,
    MAX_ABORT_MULTIPART_DAYS,
    Stack,
    Verdict,
    bucket_rule_check,
    dig,
    whole_bucket,
    with_side,
)


def lifecycle_verdict(abort: Sequence[Any], noncurrent: Sequence[Any], expiry: Sequence[Any]) -> Verdict:
    """Days of the enabled whole-bucket rules: abort-multipart, noncurrent-version and current-object expiry."""
    ok_abort = any(isinstance(d, int) and 1 <= d <= MAX_ABORT_MULTIPART_DAYS for d in abort)
    ok_noncurrent = any(isinstance(d, int) and d >= 1 for d in noncurrent)
    retention = f"current objects expire after {expiry[0]} days" if expiry else "current objects kept"
    return ok_abort and ok_noncurrent, (
        f"whole-bucket enabled rules: abort multipart after {list(abort) or 'never'} days "
        f"(<= {MAX_ABORT_MULTIPART_DAYS}), noncurrent versions expire after {list(noncurrent) or 'never'} days; "
        f"{retention}"
    )


def lifecycle(_stack: Stack, _bucket: kit.Res, config: kit.Res) -> Verdict:
    rules = [r for r in (dig(config, "rules") or []) if isinstance(r, Mapping) and whole_bucket(r)]
    abort = [
        r["abortIncompleteMultipartUpload"].get("daysAfterInitiation")
        for r in rules
        if r.get("abortIncompleteMultipartUpload")
    ]
    noncurrent = [
        r["noncurrentVersionExpiration"].get("noncurrentDays") for r in rules if r.get("noncurrentVersionExpiration")
    ]
    expiry = [r["expiration"].get("days") for r in rules if r.get("expiration")]
    return lifecycle_verdict(abort, noncurrent, expiry)


RULE = kit.Rule(
    "s3-12-lifecycle",
    "Every bucket expires noncurrent versions and aborts incomplete uploads within 7 days",
    ("S3-12",),
    stack_check=bucket_rule_check({"S3-12": with_side(LIFECYCLE, lifecycle)}),
)

"""S3-12 live probe: the same property as the rule (``lifecycle_verdict``), on the lifecycle the account reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_security_baseline.controls.s3.s3_12_lifecycle.rule import lifecycle_verdict
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, read


def whole_bucket(rule: Mapping[str, Any]) -> bool:
    """An enabled rule whose filter (or legacy top-level prefix) does not narrow it to part of the bucket."""
    selector = rule.get("Filter") or {}
    prefix = selector.get("Prefix", rule.get("Prefix", ""))
    return rule.get("Status") == "Enabled" and not prefix and set(selector) <= {"Prefix"}


@check("S3-12", all_buckets)
def lifecycle(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = [r for r in read(ctx, "get_bucket_lifecycle_configuration", bucket)["Rules"] if whole_bucket(r)]
    abort = [
        r["AbortIncompleteMultipartUpload"].get("DaysAfterInitiation")
        for r in rules
        if "AbortIncompleteMultipartUpload" in r
    ]
    noncurrent = [
        r["NoncurrentVersionExpiration"].get("NoncurrentDays") for r in rules if "NoncurrentVersionExpiration" in r
    ]
    expiry = [r["Expiration"].get("Days") for r in rules if "Expiration" in r]
    ok, message = lifecycle_verdict(abort, noncurrent, expiry)
    return Verdict(ok, message, {"rules": rules})

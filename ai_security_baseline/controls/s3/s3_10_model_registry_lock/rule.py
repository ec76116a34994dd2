"""S3-10 preview rule: the model registry bucket is write-once (Object Lock with default retention, versioning)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import OBJECT_LOCK, VERSIONING, Stack, Verdict, bucket_rule_check, dig

#: Object Lock modes that make a version immutable for the retention period.
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")


def model_lock(stack: Stack, bucket: kit.Res) -> Verdict | None:
    if not stack.is_model_registry(bucket):
        return None
    if dig(bucket, "objectLockEnabled") is not True:
        return False, "model registry bucket created without objectLockEnabled"
    lock, problem = stack.single(bucket, OBJECT_LOCK)
    if lock is None:
        return False, problem
    mode = dig(lock, "rule", "defaultRetention", "mode")
    period = dig(lock, "rule", "defaultRetention", "days") or dig(lock, "rule", "defaultRetention", "years")
    enabled = dig(lock, "objectLockEnabled") in (None, "Enabled")
    versioning, _ = stack.single(bucket, VERSIONING)
    versioned = versioning is not None and dig(versioning, "versioningConfiguration", "status") == "Enabled"
    ok = enabled and mode in LOCK_MODES and isinstance(period, int) and period > 0 and versioned
    return (
        ok,
        f"object lock default retention {mode} for {period} day(s)/year(s), versioning {'on' if versioned else 'off'}",
    )


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, kit.Verdict, str]]:
    """Every model registry bucket is locked; a stack with buckets but no model registry fails."""
    stack = Stack(resources)
    registries = [b for b in stack.buckets if stack.is_model_registry(b)]
    if stack.buckets and not registries:
        yield kit.stack_urn(resources), "S3-10", False, "no model registry bucket (bucket-class models / models key)"
    yield from bucket_rule_check({"S3-10": model_lock})(resources)


RULE = kit.Rule(
    "s3-10-model-registry-lock",
    "The model registry bucket has Object Lock with default retention and versioning",
    ("S3-10",),
    stack_check=check,
)

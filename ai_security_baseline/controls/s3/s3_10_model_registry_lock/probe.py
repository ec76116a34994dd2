"""S3-10 live probe: the models bucket has Object Lock enabled with a default retention."""

from __future__ import annotations

from ai_security_baseline.controls.s3.s3_10_model_registry_lock.rule import LOCK_MODES
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, model_bucket, read


@check("S3-10", model_bucket)
def object_lock(ctx: AuditContext, bucket: Bucket) -> Verdict:
    config = read(ctx, "get_object_lock_configuration", bucket)["ObjectLockConfiguration"]
    retention = config.get("Rule", {}).get("DefaultRetention", {})
    ok = (
        config.get("ObjectLockEnabled") == "Enabled"
        and retention.get("Mode") in LOCK_MODES
        and bool(retention.get("Days") or retention.get("Years"))
    )
    return Verdict(ok, f"object lock {config.get('ObjectLockEnabled')} retention {retention}", config)

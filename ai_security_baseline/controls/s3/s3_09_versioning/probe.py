"""S3-09 live probe: the account reports versioning Enabled on every bucket."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, read


@check("S3-09", all_buckets)
def versioning(ctx: AuditContext, bucket: Bucket) -> Verdict:
    status = read(ctx, "get_bucket_versioning", bucket).get("Status", "never enabled")
    return Verdict(status == "Enabled", f"versioning {status}", {"Status": status})

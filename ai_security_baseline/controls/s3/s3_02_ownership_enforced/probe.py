"""S3-02 live probe: every storage bucket enforces bucket-owner object ownership (ACLs disabled)."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, read


@check("S3-02", all_buckets)
def ownership(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = read(ctx, "get_bucket_ownership_controls", bucket)["OwnershipControls"]["Rules"]
    owners = [r["ObjectOwnership"] for r in rules]
    return Verdict(owners == ["BucketOwnerEnforced"], f"object ownership {owners}", {"ObjectOwnership": owners})

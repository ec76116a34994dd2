"""S3-04 live probe: the deployed bucket policy explicitly denies a plain-HTTP read, and not a TLS one."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, deny_probe


@check("S3-04", all_buckets)
def denies_plain_http(ctx: AuditContext, bucket: Bucket) -> Verdict:
    return deny_probe(
        ctx, bucket, "s3:GetObject", {"plain HTTP": {"aws:SecureTransport": False}}, what="aws:SecureTransport"
    )

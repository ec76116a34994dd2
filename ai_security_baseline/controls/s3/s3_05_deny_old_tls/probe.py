"""S3-05 live probe: the deployed bucket policy explicitly denies reads over TLS 1.0 and 1.1, not over TLS 1.3."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, deny_probe


@check("S3-05", all_buckets)
def denies_old_tls(ctx: AuditContext, bucket: Bucket) -> Verdict:
    return deny_probe(
        ctx,
        bucket,
        "s3:GetObject",
        {"TLS 1.0": {"s3:TlsVersion": "1.0"}, "TLS 1.1": {"s3:TlsVersion": "1.1"}},
        what="s3:TlsVersion",
    )

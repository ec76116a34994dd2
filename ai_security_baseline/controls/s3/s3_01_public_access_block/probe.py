"""S3-01 live probe: every storage bucket reports all four public access block flags on."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, read


@check("S3-01", all_buckets)
def public_access_block(ctx: AuditContext, bucket: Bucket) -> Verdict:
    config = read(ctx, "get_public_access_block", bucket)["PublicAccessBlockConfiguration"]
    off = sorted(k for k, v in config.items() if v is not True)
    return Verdict(
        not off and len(config) == 4, f"public access block: {'all on' if not off else f'off: {off}'}", config
    )

"""S3-07 live probe: on every data bucket, a read with no VPC endpoint or another endpoint is denied, one through
the stack's S3 gateway endpoint is not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, data_buckets, deny_probe


@check("S3-07", data_buckets)
def denies_outside_vpc(ctx: AuditContext, bucket: Bucket) -> Verdict:
    bad: dict[str, Mapping[str, Any]] = {
        "no endpoint": {"aws:SourceVpce": None},
        "other endpoint": {"aws:SourceVpce": "vpce-0000000000000000f"},
    }
    return deny_probe(ctx, bucket, "s3:GetObject", bad, what="aws:SourceVpce")

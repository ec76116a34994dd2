"""S3-06 live probe: uploads naming another algorithm, a foreign key or SSE-C are denied; the bucket's own
encryption is not."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import FOREIGN_ACCOUNT, AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, deny_probe

SSE = "s3:x-amz-server-side-encryption"


@check("S3-06", all_buckets)
def denies_wrong_encryption(ctx: AuditContext, bucket: Bucket) -> Verdict:
    if bucket.key_class is not None:
        key = str(ctx.output(f"{bucket.key_class}KeyArn"))
        good = {SSE: "aws:kms", f"{SSE}-aws-kms-key-id": key}
        bad = {
            "SSE-S3 header": {SSE: "AES256"},
            "foreign key": {
                SSE: "aws:kms",
                f"{SSE}-aws-kms-key-id": f"arn:aws:kms:{ctx.region}:{FOREIGN_ACCOUNT}:key/x",
            },
        }
    else:
        good = {SSE: "AES256"}
        bad = {"SSE-KMS header": {SSE: "aws:kms"}}
    bad["SSE-C"] = {**good, f"{SSE}-customer-algorithm": "AES256"}
    return deny_probe(
        ctx, bucket, "s3:PutObject", {k: {**good, **v} for k, v in bad.items()}, what="encryption", good=good
    )

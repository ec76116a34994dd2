"""S3-03 live probe: each data bucket defaults to SSE-KMS with its class key and a Bucket Key; the access-log
target is SSE-S3 under its recorded design waiver."""

from __future__ import annotations

from ai_security_baseline.components.storage import design_waiver
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, read


@check("S3-03", all_buckets)
def default_encryption(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = read(ctx, "get_bucket_encryption", bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if len(rules) == 1 else {}
    evidence = {"rules": rules}
    if bucket.key_class is None:
        waiver = design_waiver("S3-03", bucket.bucket_class)
        ok = default.get("SSEAlgorithm") == "AES256"
        return Verdict(
            ok,
            f"SSE-S3 by design ({waiver.reason})" if ok else f"default encryption {default} (expected AES256)",
            evidence,
            status="waived" if ok else None,
            waiver=waiver.reason if ok else "",
        )
    key = str(ctx.output(f"{bucket.key_class}KeyArn"))
    ok = (
        default.get("SSEAlgorithm") == "aws:kms"
        and default.get("KMSMasterKeyID") == key
        and rules[0].get("BucketKeyEnabled") is True
    )
    return Verdict(
        ok, f"SSE {default.get('SSEAlgorithm')} key {default.get('KMSMasterKeyID')} (expected {key})", evidence
    )

"""S3-04 preview rule: every bucket policy denies all requests made without TLS (aws:SecureTransport false)."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    Stack,
    Verdict,
    bucket_arn,
    bucket_document,
    bucket_rule_check,
    has_guardrail,
    is_false,
)


def denies_plain_http(stack: Stack, bucket: kit.Res) -> Verdict:
    document, problem = bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = bucket_arn(bucket)
    ok = has_guardrail(document, ["s3:*"], [arn, f"{arn}/*"], {("Bool", "aws:securetransport"): is_false})
    return ok, ("denies" if ok else "no Deny for '*' on s3:* over the bucket and its objects that denies") + (
        " every request with aws:SecureTransport false"
    )


RULE = kit.Rule(
    "s3-04-deny-plain-http",
    "Bucket policies deny plain HTTP",
    ("S3-04",),
    stack_check=bucket_rule_check({"S3-04": denies_plain_http}),
)

"""S3-05 preview rule: every bucket policy denies requests over TLS older than 1.2."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    MINIMUM_TLS,
    Stack,
    Verdict,
    bucket_arn,
    bucket_document,
    bucket_rule_check,
    has_guardrail,
)


def tls_floor(values: list[str]) -> bool:
    """One numeric floor of at least MINIMUM_TLS (a lower floor still admits the old versions)."""
    try:
        return len(values) == 1 and float(values[0]) >= MINIMUM_TLS
    except ValueError:
        return False


def denies_old_tls(stack: Stack, bucket: kit.Res) -> Verdict:
    document, problem = bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = bucket_arn(bucket)
    ok = has_guardrail(document, ["s3:*"], [arn, f"{arn}/*"], {("NumericLessThan", "s3:tlsversion"): tls_floor})
    return ok, ("denies" if ok else "no Deny for '*' on s3:* over the bucket and its objects that denies") + (
        f" NumericLessThan s3:TlsVersion {MINIMUM_TLS}"
    )


RULE = kit.Rule(
    "s3-05-deny-old-tls",
    "Bucket policies deny TLS older than 1.2",
    ("S3-05",),
    stack_check=bucket_rule_check({"S3-05": denies_old_tls}),
)

"""S3-08 preview rule: every bucket policy denies principals outside this account or organization."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    Expect,
    Stack,
    Verdict,
    bucket_arn,
    bucket_document,
    bucket_rule_check,
    has_guardrail,
    is_false,
)


def _account_ids(values: list[str]) -> bool:
    return bool(values) and all(v.isdigit() and len(v) == 12 for v in values)


def _org_ids(values: list[str]) -> bool:
    return bool(values) and all(v.startswith("o-") for v in values)


#: The perimeter is the account or the organization; either Deny scope satisfies the control.
SCOPES: tuple[dict[tuple[str, str], Expect], ...] = (
    {("StringNotEquals", "aws:principalaccount"): _account_ids},
    {("StringNotEquals", "aws:principalorgid"): _org_ids},
)


def perimeter(stack: Stack, bucket: kit.Res) -> Verdict:
    document, problem = bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = bucket_arn(bucket)
    service = {("Bool", "aws:principalisawsservice"): is_false}
    ok = any(has_guardrail(document, ["s3:*"], [arn, f"{arn}/*"], scope, service) for scope in SCOPES)
    return ok, "principals outside the account/org are denied" if ok else (
        "no Deny for '*' on s3:* over the bucket and objects when aws:PrincipalAccount/aws:PrincipalOrgID differs"
    )


RULE = kit.Rule(
    "s3-08-perimeter",
    "Bucket policies deny principals outside the account or organization",
    ("S3-08",),
    stack_check=bucket_rule_check({"S3-08": perimeter}),
)

"""S3-07 preview rule: data buckets deny object data access outside this stack's VPC endpoints, lock-out safe."""

from __future__ import annotations

from collections.abc import Callable

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    OBJECT_DATA_ACTIONS,
    POLICY_ADMIN_ACTIONS,
    VPC_ENDPOINT,
    Expect,
    Stack,
    Verdict,
    bucket_arn,
    bucket_document,
    bucket_rule_check,
    guardrails,
    has_guardrail,
    is_false,
    non_empty,
)


def endpoint_ids(stack: Stack) -> Callable[[list[str]], bool]:
    ours = stack.all_idents(VPC_ENDPOINT)
    return lambda values: bool(values) and all(v in ours for v in values)


def vpc_only(stack: Stack, bucket: kit.Res) -> Verdict | None:
    """S3-07 on data buckets: object data access outside this stack's VPC endpoints is denied, lock-out safe."""
    if not stack.is_data_bucket(bucket):
        return None
    document, problem = bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = bucket_arn(bucket)
    exemptions: dict[tuple[str, str], Expect] = {
        (op, "aws:principalarn"): non_empty for op in ("ArnNotEquals", "ArnNotLike", "StringNotEquals", "StringNotLike")
    }
    exemptions[("Bool", "aws:principalisawsservice")] = is_false
    required = {("StringNotEquals", "aws:sourcevpce"): endpoint_ids(stack), ("Bool", "aws:viaawsservice"): is_false}
    if not has_guardrail(document, OBJECT_DATA_ACTIONS, [f"{arn}/*"], required, exemptions):
        return False, (
            "no Deny of object data actions unless aws:SourceVpce is one of this stack's VPC endpoints "
            "(with the aws:ViaAWSService exemption and no other narrowing condition)"
        )
    lockout = guardrails(document, POLICY_ADMIN_ACTIONS, [arn])
    if any(("StringNotEquals", "aws:sourcevpce") in c for c in lockout):
        return False, "the VPC-only Deny also covers the bucket-policy actions: a broken network locks admins out"
    return True, "object data access only through this stack's VPC endpoints; bucket-policy actions stay reachable"


RULE = kit.Rule(
    "s3-07-vpc-only",
    "Data buckets deny object access outside this stack's VPC endpoints, lock-out safe",
    ("S3-07",),
    stack_check=bucket_rule_check({"S3-07": vpc_only}),
)

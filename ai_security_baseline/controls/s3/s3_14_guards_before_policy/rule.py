"""S3-14 preview rule: a bucket policy is applied only after the public access block and the ownership controls."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    LABELS,
    OWNERSHIP,
    PUBLIC_ACCESS_BLOCK,
    Stack,
    Verdict,
    bucket_rule_check,
    with_side,
)
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY


def policy_ordering(stack: Stack, bucket: kit.Res, policy: kit.Res) -> Verdict:
    """The policy depends on every public access block and ownership control of its bucket."""
    missing = []
    for side_type in (PUBLIC_ACCESS_BLOCK, OWNERSHIP):
        sides = stack.attached(bucket, side_type)
        if not sides or not all(s.urn in policy.dependencies for s in sides):
            missing.append(LABELS[side_type])
    return not missing, f"bucket policy does not depend on the {missing}" if missing else (
        "bucket policy is applied after the public access block and ownership controls"
    )


RULE = kit.Rule(
    "s3-14-guards-before-policy",
    "Bucket policies depend on the public access block and ownership controls",
    ("S3-14",),
    stack_check=bucket_rule_check({"S3-14": with_side(BUCKET_POLICY, policy_ordering)}),
)

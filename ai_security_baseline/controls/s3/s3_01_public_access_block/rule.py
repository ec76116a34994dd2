"""S3-01 preview rule: every bucket has a public access block with all four flags on."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    PUBLIC_ACCESS_BLOCK,
    Stack,
    Verdict,
    bucket_rule_check,
    dig,
    with_side,
)

FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def public_access_block(_stack: Stack, _bucket: kit.Res, pab: kit.Res) -> Verdict:
    off = [f for f in FLAGS if dig(pab, f) is not True]
    return not off, f"public access flags off: {off}" if off else "all four public access block flags on"


RULE = kit.Rule(
    "s3-01-public-access-block",
    "Every bucket has a public access block with all four flags on",
    ("S3-01",),
    stack_check=bucket_rule_check({"S3-01": with_side(PUBLIC_ACCESS_BLOCK, public_access_block)}),
)

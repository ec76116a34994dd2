"""S3-02 preview rule: every bucket enforces bucket-owner object ownership, so ACLs are disabled."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import OWNERSHIP, Stack, Verdict, bucket_rule_check, dig, with_side


def ownership(_stack: Stack, _bucket: kit.Res, controls: kit.Res) -> Verdict:
    owner = dig(controls, "rule", "objectOwnership")
    return owner == "BucketOwnerEnforced", f"object ownership {owner!r} (BucketOwnerEnforced disables ACLs)"


RULE = kit.Rule(
    "s3-02-ownership-enforced",
    "Every bucket enforces bucket-owner object ownership (ACLs disabled)",
    ("S3-02",),
    stack_check=bucket_rule_check({"S3-02": with_side(OWNERSHIP, ownership)}),
)

"""S3-09 preview rule: every bucket has versioning enabled."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import VERSIONING, Stack, Verdict, bucket_rule_check, dig, with_side


def versioning(_stack: Stack, _bucket: kit.Res, config: kit.Res) -> Verdict:
    status = dig(config, "versioningConfiguration", "status")
    return status == "Enabled", f"versioning {status!r}"


RULE = kit.Rule(
    "s3-09-versioning",
    "Every bucket has versioning enabled",
    ("S3-09",),
    stack_check=bucket_rule_check({"S3-09": with_side(VERSIONING, versioning)}),
)

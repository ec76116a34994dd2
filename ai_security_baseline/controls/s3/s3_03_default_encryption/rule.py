"""S3-03 preview rule: every bucket defaults to SSE-KMS with a key of this stack and an S3 Bucket Key.

The two by-design exceptions (SSE-S3 on the access-log target, no Bucket Key on the CloudTrail archive) fail here
with a message naming their waiver; the waiver turns them into ``waived``.
"""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    ENCRYPTION,
    Stack,
    Verdict,
    bucket_rule_check,
    dig,
    is_unknown,
    with_side,
)


def default_encryption(stack: Stack, bucket: kit.Res, config: kit.Res) -> Verdict:
    rules = config.props.get("rules")
    if is_unknown(rules):
        raise kit.Undecidable(f"{config.name}: rules are not known until apply")
    if not isinstance(rules, list) or len(rules) != 1:
        return False, f"encryption rules {rules!r} (expected exactly one rule)"
    algorithm = dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm")
    if algorithm != "aws:kms":
        if not stack.is_data_bucket(bucket) and algorithm == "AES256":
            return False, (
                "SSE-S3 (AES256) on the server access log target: AWS does not support SSE-KMS there; "
                "by-design waiver (components/storage.py WAIVERS_BY_DESIGN, policies/waivers.yaml)"
            )
        return False, f"default encryption {algorithm!r}, not SSE-KMS (no waiver by design: not a log target)"
    key = stack.encryption_key(bucket)
    if key is None:
        return False, "SSE-KMS with a key that is not a customer-managed key of this stack"
    if dig(config, "rules", 0, "bucketKeyEnabled") is not True:
        if bucket.urn in stack.trail_archives():
            return False, (
                f"SSE-KMS with {key.name}, S3 Bucket Key off on the CloudTrail archive: with a bucket key CloudTrail "
                "needs kms:Decrypt on the key; by-design waiver (components/storage.py WAIVERS_BY_DESIGN, "
                "policies/waivers.yaml)"
            )
        return False, f"SSE-KMS with {key.name} but S3 Bucket Key off"
    return True, f"SSE-KMS with {key.name} ({stack.key_class(key) or 'no alias'}) and S3 Bucket Key on"


RULE = kit.Rule(
    "s3-03-default-encryption",
    "Every bucket defaults to SSE-KMS with a key of this stack and an S3 Bucket Key",
    ("S3-03",),
    stack_check=bucket_rule_check({"S3-03": with_side(ENCRYPTION, default_encryption)}),
)

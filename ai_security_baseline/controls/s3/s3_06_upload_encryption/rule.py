"""S3-06 preview rule: uploads may name only the bucket's encryption and key, SSE-C is denied, and no header Deny
fires on uploads without the header (which would break default encryption)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    ENCRYPTION,
    Expect,
    Stack,
    Verdict,
    bucket_arn,
    bucket_document,
    bucket_rule_check,
    dig,
    guardrails,
    has_guardrail,
    is_false,
    is_values,
)
from ai_security_baseline.controls.vocabulary import SSE_C_HEADER, SSE_HEADER, SSE_KMS_KEY_HEADER


def service_names(values: list[str]) -> bool:
    return bool(values) and all(v.endswith(".amazonaws.com") and "*" not in v for v in values)


#: An AWS service principal named exactly (e.g. CloudTrail, which writes its digest files with SSE-S3) may be
#: exempt from the encryption-header Deny; any other narrowing condition still fails the control.
SERVICE_EXEMPTION: dict[tuple[str, str], Expect] = {("StringNotEquals", "aws:principalservicename"): service_names}


def present_and_not(header: str, expected: str) -> dict[tuple[str, str], Expect]:
    return {("StringNotEquals", header): is_values(expected), ("Null", header): is_false}


def fires_when_absent(document: Mapping[str, Any], objects: str, header: str) -> bool:
    """A header Deny with no ``Null: false`` guard fires on uploads without the header (absent key: negated
    operators and IfExists are true), i.e. it breaks default encryption."""
    return any(
        ("StringNotEquals", header) in c and ("Null", header) not in c
        for c in guardrails(document, ["s3:PutObject"], [objects])
    )


def upload_encryption(stack: Stack, bucket: kit.Res) -> Verdict:
    """S3-06: the header names the bucket's algorithm, the KMS key is the bucket's key, no SSE-C."""
    document, problem = bucket_document(stack, bucket)
    config, config_problem = stack.single(bucket, ENCRYPTION)
    if document is None or config is None:
        return False, problem or f"{config_problem}: cannot tell which encryption uploads must name"
    objects = f"{bucket_arn(bucket)}/*"
    algorithm = str(dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"))
    put = ["s3:PutObject"]
    problems = []
    if fires_when_absent(document, objects, SSE_HEADER.lower()):
        problems.append(
            f"a Deny on {SSE_HEADER} without a 'Null: false' guard (e.g. StringNotEqualsIfExists) also fires when "
            "the header is absent and would refuse uploads relying on default encryption"
        )
    elif not has_guardrail(document, put, [objects], present_and_not(SSE_HEADER.lower(), algorithm), SERVICE_EXEMPTION):
        problems.append(f"no Deny of uploads naming an encryption other than {algorithm!r}")
    if algorithm == "aws:kms":
        key_arn = dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
        if fires_when_absent(document, objects, SSE_KMS_KEY_HEADER.lower()):
            problems.append(f"the foreign-key Deny on {SSE_KMS_KEY_HEADER} fires when the header is absent")
        elif not has_guardrail(document, put, [objects], present_and_not(SSE_KMS_KEY_HEADER.lower(), str(key_arn))):
            problems.append(f"no Deny of uploads naming a KMS key other than the bucket's key {key_arn}")
    if not has_guardrail(document, put, [objects], {("Null", SSE_C_HEADER.lower()): is_false}):
        problems.append("no Deny of SSE-C uploads")
    named = f"{algorithm!r} and the bucket's key" if algorithm == "aws:kms" else repr(algorithm)
    return not problems, "; ".join(problems) or f"uploads may name only {named}; SSE-C denied"


RULE = kit.Rule(
    "s3-06-upload-encryption",
    "Bucket policies deny uploads naming another encryption or key, and SSE-C, without breaking defaults",
    ("S3-06",),
    stack_check=bucket_rule_check({"S3-06": upload_encryption}),
)

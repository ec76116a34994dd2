"""Pure bucket-policy and secret-policy builders (S3-04…S3-11, GOV-02): plain strings in, exact statements out."""

from __future__ import annotations

from typing import Any

import pytest

from ai_security_baseline.components import documents

BUCKET = "arn:aws:s3:::aisb-dev-raw-1234567"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/0000aaaa-1111-2222-3333-444455556666"
ACCOUNT = "111122223333"
VPCE = ("vpce-0b1c2d3e4f5a6b7c8", "vpce-0a1b2c3d4e5f60718")
DEPLOYER = "arn:aws:iam::111122223333:role/deployer"
BREAK_GLASS = "arn:aws:iam::111122223333:role/break-glass"


def _by_sid(statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements}


def test_bucket_policy_puts_callers_grants_first_then_the_guardrails() -> None:
    grant = {"Sid": "ReadForAuditor", "Effect": "Allow", "Principal": {"AWS": DEPLOYER}, "Action": ["s3:GetObject"]}
    policy = documents.bucket_policy(BUCKET, account_id=ACCOUNT, kms_key_arn=KEY, extra_statements=[grant])
    assert [s["Sid"] for s in policy["Statement"]][:2] == ["ReadForAuditor", "DenyInsecureTransport"]


def test_bucket_policy_refuses_a_caller_statement_reusing_a_guardrail_sid() -> None:
    clash = {"Sid": "DenyInsecureTransport", "Effect": "Allow", "Principal": {"AWS": DEPLOYER}, "Action": ["s3:Get"]}
    with pytest.raises(ValueError, match="duplicate Sid 'DenyInsecureTransport'"):
        documents.bucket_policy(BUCKET, account_id=ACCOUNT, kms_key_arn=KEY, extra_statements=[clash])


def test_gov_02_secret_policy_denies_reading_to_all_but_the_data_processor() -> None:
    processor = "arn:aws:iam::111122223333:role/aisb-dev-data-processor"
    assert documents.secret_read_policy([processor])["Statement"] == [
        {
            "Sid": "DenySecretValueExceptDataProcessor",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": "*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [processor]}},
        }
    ]


def test_gov_02_secret_policy_never_denies_policy_management_so_it_cannot_lock_out() -> None:
    actions = {a for s in documents.secret_read_policy([])["Statement"] for a in s["Action"]}
    assert actions == {"secretsmanager:GetSecretValue"}


def test_gov_02_key_use_through_secrets_manager_is_bound_to_the_secret() -> None:
    pattern = documents.secret_arn_pattern("aws", "eu-west-1", ACCOUNT, "aisb-dev/pseudonymization-key")
    statement = documents.secret_key_use_statement(
        "S", [DEPLOYER], ["kms:Decrypt"], region="eu-west-1", account_id=ACCOUNT, secret_arn=pattern
    )
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT},
        "StringLike": {
            "kms:EncryptionContext:SecretARN": (
                "arn:aws:secretsmanager:eu-west-1:111122223333:secret:aisb-dev/pseudonymization-key-??????"
            )
        },
    }

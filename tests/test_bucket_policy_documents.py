"""Pure bucket-policy and secret-policy builders (S3-04…S3-11, GOV-02): plain strings in, exact statements out."""

from __future__ import annotations

from typing import Any

import pytest

from components import documents

BUCKET = "arn:aws:s3:::aisb-dev-raw-1234567"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/0000aaaa-1111-2222-3333-444455556666"
ACCOUNT = "111122223333"
VPCE = ("vpce-0b1c2d3e4f5a6b7c8", "vpce-0a1b2c3d4e5f60718")
DEPLOYER = "arn:aws:iam::111122223333:role/deployer"
BREAK_GLASS = "arn:aws:iam::111122223333:role/break-glass"


def _by_sid(statements: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements}


def test_s3_08_builder_denies_principals_outside_the_account_except_aws_services() -> None:
    assert documents.deny_foreign_principals_statement(BUCKET, ACCOUNT) == {
        "Sid": "DenyPrincipalsOutsideAccount",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {
            "StringNotEquals": {"aws:PrincipalAccount": ACCOUNT},
            "Bool": {"aws:PrincipalIsAWSService": "false"},
        },
    }


def test_s3_08_builder_scopes_to_the_organization_when_an_org_id_is_given() -> None:
    statement = documents.deny_foreign_principals_statement(BUCKET, ACCOUNT, "o-abcdefghij")
    assert (statement["Sid"], statement["Condition"]["StringNotEquals"]) == (
        "DenyPrincipalsOutsideOrganization",
        {"aws:PrincipalOrgID": "o-abcdefghij"},
    )


def test_s3_11_builder_admits_log_delivery_only_from_named_sources_in_the_account() -> None:
    sources = ["arn:aws:s3:::b-raw", "arn:aws:s3:::a-curated"]
    assert documents.allow_server_access_logs_statement("arn:aws:s3:::logs", sources, ACCOUNT) == {
        "Sid": "AllowS3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"],
        "Resource": "arn:aws:s3:::logs/*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": sorted(sources)},
        },
    }


def test_s3_11_builder_refuses_a_log_grant_without_sources() -> None:
    with pytest.raises(ValueError, match="at least one source"):
        documents.allow_server_access_logs_statement("arn:aws:s3:::logs", [], ACCOUNT)


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

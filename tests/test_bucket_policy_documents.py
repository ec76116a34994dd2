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


def test_s3_04_builder_denies_plain_http_on_bucket_and_objects() -> None:
    assert documents.deny_insecure_transport_statement(BUCKET) == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_s3_05_builder_denies_tls_below_1_2_numerically() -> None:
    assert documents.deny_outdated_tls_statement(BUCKET) == {
        "Sid": "DenyOutdatedTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
    }


def test_s3_06_builder_denies_a_present_non_kms_encryption_header_only() -> None:
    assert documents.deny_unexpected_encryption_header_statement(BUCKET, "aws:kms")["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
        "Null": {"s3:x-amz-server-side-encryption": "false"},
    }


def test_s3_06_builder_denies_a_present_foreign_kms_key_only() -> None:
    assert documents.deny_foreign_kms_key_statement(BUCKET, KEY) == {
        "Sid": "DenyForeignKmsKey",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:PutObject"],
        "Resource": [f"{BUCKET}/*"],
        "Condition": {
            "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY},
            "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
        },
    }


def test_s3_06_builder_denies_sse_c_uploads() -> None:
    assert documents.deny_sse_c_statement(BUCKET)["Condition"] == {
        "Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}
    }


def test_s3_06_no_statement_uses_an_ifexists_operator_that_would_deny_default_encryption_uploads() -> None:
    statements = documents.baseline_bucket_statements(BUCKET, account_id=ACCOUNT, kms_key_arn=KEY)
    operators = {op for s in statements for op in s["Condition"]}
    assert not [op for op in operators if op.endswith("IfExists")]


def test_s3_06_rejects_an_unknown_encryption_algorithm() -> None:
    with pytest.raises(ValueError, match="unknown S3 encryption algorithm"):
        documents.deny_unexpected_encryption_header_statement(BUCKET, "aws:kms:dsse-typo")


def test_s3_06_rejects_a_key_id_that_is_not_an_arn() -> None:
    with pytest.raises(ValueError, match="not a KMS key ARN"):
        documents.deny_foreign_kms_key_statement(BUCKET, "0000aaaa-1111-2222-3333-444455556666")


def test_s3_07_builder_denies_object_access_and_listing_outside_endpoints_with_exemptions() -> None:
    statement = documents.deny_outside_vpc_endpoints_statement(BUCKET, VPCE, [DEPLOYER, BREAK_GLASS])
    assert statement == {
        "Sid": "DenyAccessOutsideVpcEndpoints",
        "Effect": "Deny",
        "Principal": "*",
        "Action": [*documents.S3_OBJECT_DATA_ACTIONS, *documents.S3_BUCKET_LIST_ACTIONS],
        "Resource": [BUCKET, f"{BUCKET}/*"],
        "Condition": {
            "StringNotEquals": {"aws:SourceVpce": sorted(VPCE)},
            "ArnNotEquals": {"aws:PrincipalArn": [BREAK_GLASS, DEPLOYER]},
            "Bool": {"aws:ViaAWSService": "false", "aws:PrincipalIsAWSService": "false"},
        },
    }


def test_s3_07_never_covers_bucket_policy_management_so_admins_cannot_be_locked_out() -> None:
    actions = set(documents.deny_outside_vpc_endpoints_statement(BUCKET, VPCE)["Action"])
    assert actions.isdisjoint({"s3:*", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:GetBucketPolicy"})


def test_s3_06_builder_denies_aws_kms_without_a_key_id_but_not_uploads_without_any_header() -> None:
    statement = documents.deny_kms_without_key_id_statement(BUCKET)
    assert statement["Condition"] == {
        "StringEquals": {documents.SSE_HEADER: "aws:kms"},
        "Null": {documents.SSE_KMS_KEY_HEADER: "true"},
    }


@pytest.mark.parametrize("ids", [(), ("", "vpce-0a1b2c3d4e5f60718"), ("sg-0a1b2c3d",)])
def test_s3_07_refuses_to_render_without_real_endpoint_ids(ids: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="needs vpce-"):
        documents.deny_outside_vpc_endpoints_statement(BUCKET, ids)


def test_s3_07_is_left_out_of_the_bundle_when_no_endpoint_ids_are_given() -> None:
    sids = [s["Sid"] for s in documents.baseline_bucket_statements(BUCKET, account_id=ACCOUNT, kms_key_arn=KEY)]
    assert sids == [
        "DenyInsecureTransport",
        "DenyOutdatedTls",
        "DenyUnexpectedEncryptionHeader",
        "DenyForeignKmsKey",
        "DenyKmsWithoutKeyId",
        "DenySseCUploads",
        "DenyPrincipalsOutsideAccount",
    ]


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

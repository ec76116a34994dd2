"""KMS-01…KMS-07: the keys as rendered in the offline graph of the real program."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import documents
from components.config import KmsConfig
from components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from verify.engine.graph import Resource, ResourceGraph
from verify.engine.offline import run_program, run_stack

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ROOT_ARN = "arn:aws:iam::111122223333:root"
ACCOUNT = AccountContext(account_id="111122223333", region="eu-west-1", partition="aws")
TRAINER = "arn:aws:iam::111122223333:role/aisb-dev-model-trainer"
FLOW_LOG_GROUP_ARN = "arn:aws:logs:eu-west-1:111122223333:log-group:/aisb/dev/vpc-flow-logs"
TRAIL_ARN = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/aisb-dev-trail"


@pytest.fixture(scope="module")
def dev() -> ResourceGraph:
    return run_stack("dev").graph


def policy_of(key: Resource) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(key.inputs["policy"])
    return policy


def statements_by_sid(key: Resource) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy_of(key)["Statement"]}


def keys_program(statements: dict[str, list[documents.Statement]]) -> ResourceGraph:
    def program() -> None:
        EncryptionKeys("keys", EncryptionKeysArgs(name_prefix="aisb-dev", account=ACCOUNT, statements=statements))

    return run_program(program, config={"aws:region": "eu-west-1"}).graph


def test_kms_01_one_customer_managed_symmetric_key_per_data_class(dev: ResourceGraph) -> None:
    keys = dev.by_type(KEY)
    assert sorted(k.name for k in keys) == ["keys-data", "keys-logs", "keys-models"]
    assert {(k.inputs["keyUsage"], k.inputs["customerMasterKeySpec"], k.inputs["multiRegion"]) for k in keys} == {
        ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", False)
    }
    assert len({k.outputs["arn"] for k in keys}) == 3


def test_kms_03_deletion_window_30_days_and_keys_retained_on_delete(dev: ResourceGraph) -> None:
    for key in dev.by_type(KEY):
        assert key.inputs["deletionWindowInDays"] == 30
        assert key.retain_on_delete is True
        assert key.protect is False


def test_kms_03_prod_keys_are_protected() -> None:
    prod = run_stack("prod").graph
    assert {(k.protect, k.retain_on_delete) for k in prod.by_type(KEY)} == {(True, True)}


ROOT_MANAGES = {
    "Sid": "AccountRootManagesKeyOnly",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT_ARN},
    "Action": list(documents.KEY_ADMIN_ACTIONS),
    "Resource": "*",
}


PROCESSOR = "arn:aws:iam::111122223333:role/aisb-dev-data-processor"
INFERENCE = "arn:aws:iam::111122223333:role/aisb-dev-inference"
S3_ONLY = {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": "111122223333"}}


READ = ["kms:Decrypt"]
WRITE = ["kms:Decrypt", "kms:GenerateDataKey"]


def roles_via_s3(sid: str, roles: list[str], actions: list[str]) -> dict[str, Any]:
    """KMS-06: a bucket's readers may only decrypt through S3; its writers also generate data keys."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": roles},
        "Action": actions,
        "Resource": "*",
        "Condition": S3_ONLY,
    }


EC2_ONLY = {"StringEquals": {"kms:ViaService": "ec2.eu-west-1.amazonaws.com", "kms:CallerAccount": "111122223333"}}


def test_kms_04_data_key_policy_is_root_management_plus_processor_and_trainer_via_s3_trainer_via_ebs_and_the_secret(
    dev: ResourceGraph,
) -> None:
    secret = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:aisb-dev/pseudonymization-key-??????"
    assert policy_of(dev.one(KEY, "keys-data")) == {
        "Version": "2012-10-17",
        "Id": "ai-security-baseline-key-policy",
        "Statement": [
            ROOT_MANAGES,
            {
                "Sid": "WritersEncryptPseudonymizationSecret",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/offline-deployer"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
                        "kms:CallerAccount": "111122223333",
                    },
                    "StringLike": {"kms:EncryptionContext:SecretARN": secret},
                },
            },
            roles_via_s3("RolesReadDataKeyViaS3", [TRAINER], READ),
            roles_via_s3("RolesWriteDataKeyViaS3", [PROCESSOR], WRITE),
            {
                "Sid": "DataProcessorDecryptsPseudonymizationSecret",
                "Effect": "Allow",
                "Principal": {"AWS": PROCESSOR},
                "Action": ["kms:Decrypt"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
                        "kms:CallerAccount": "111122223333",
                    },
                    "StringLike": {"kms:EncryptionContext:SecretARN": secret},
                },
            },
            {
                "Sid": "RolesUseDataKeyForEbs",
                "Effect": "Allow",
                "Principal": {"AWS": [TRAINER]},
                "Action": [
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                ],
                "Resource": "*",
                "Condition": EC2_ONLY,
            },
            {
                "Sid": "RolesCreateDataKeyGrantsForEbs",
                "Effect": "Allow",
                "Principal": {"AWS": [TRAINER]},
                "Action": ["kms:CreateGrant"],
                "Resource": "*",
                "Condition": {**EC2_ONLY, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    }


def test_kms_04_models_key_policy_is_root_management_plus_trainer_and_inference_via_s3(dev: ResourceGraph) -> None:
    assert policy_of(dev.one(KEY, "keys-models")) == {
        "Version": "2012-10-17",
        "Id": "ai-security-baseline-key-policy",
        "Statement": [
            ROOT_MANAGES,
            roles_via_s3("RolesReadModelsKeyViaS3", [INFERENCE], READ),
            roles_via_s3("RolesWriteModelsKeyViaS3", [TRAINER], WRITE),
        ],
    }


def test_kms_04_logs_key_policy_is_root_management_plus_bound_services(dev: ResourceGraph) -> None:
    body = policy_of(dev.one(KEY, "keys-logs"))["Statement"]
    assert body[0] == ROOT_MANAGES
    assert [s["Sid"] for s in body] == [
        "AccountRootManagesKeyOnly",
        "LogsEncryptVpcFlowLogs",
        "CloudTrailEncryptLogs",
        "CloudTrailDescribeKey",
        "LogsEncryptCloudTrailGroup",
        "CloudWatchAlarmsPublishEncrypted",
        "RolesReadLogsKeyViaS3",
    ]


def test_kms_05_logs_key_admits_cloudwatch_logs_only_for_the_flow_log_group(dev: ResourceGraph) -> None:
    statement = statements_by_sid(dev.one(KEY, "keys-logs"))["LogsEncryptVpcFlowLogs"]
    assert statement == {
        "Sid": "LogsEncryptVpcFlowLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logs.eu-west-1.amazonaws.com"},
        "Action": statement["Action"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": FLOW_LOG_GROUP_ARN}},
    }
    assert not set(statement["Action"]) - set(documents.KEY_USE_ACTIONS)


def test_kms_04_root_statement_has_no_cryptographic_operation() -> None:
    assert not set(documents.KEY_ADMIN_ACTIONS) & documents.CRYPTO_ACTIONS
    assert all(":" in a and "*" not in a for a in documents.KEY_ADMIN_ACTIONS)


def test_kms_04_configured_administrators_manage_but_never_use() -> None:
    admin = "arn:aws:iam::111122223333:role/key-admin"
    graph = run_stack("dev", overrides={"baseline:kms": {"adminArns": [admin]}}).graph
    for key in graph.by_type(KEY):
        statement = statements_by_sid(key)["KeyAdministratorsManageOnly"]
        assert statement == {
            "Sid": "KeyAdministratorsManageOnly",
            "Effect": "Allow",
            "Principal": {"AWS": [admin]},
            "Action": list(documents.KEY_ADMIN_ACTIONS),
            "Resource": "*",
        }


def test_kms_04_users_use_but_never_manage() -> None:
    assert not set(documents.KEY_USE_ACTIONS) - documents.CRYPTO_ACTIONS - {"kms:DescribeKey"}
    assert not {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"} & set(documents.KEY_USE_ACTIONS)


def test_kms_04_key_policy_refuses_kms_star() -> None:
    wildcard = {"Sid": "All", "Effect": "Allow", "Principal": {"AWS": TRAINER}, "Action": "kms:*", "Resource": "*"}
    with pytest.raises(ValueError, match="grants 'kms:\\*'"):
        documents.key_policy(partition="aws", account_id="111122223333", statements=[wildcard])


def test_kms_04_key_policy_refuses_crypto_for_the_account_root() -> None:
    root_use = {"Sid": "RootUse", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": ["kms:Decrypt"]}
    with pytest.raises(ValueError, match="gives \\['kms:Decrypt'\\] to the account root"):
        documents.key_policy(partition="aws", account_id="111122223333", statements=[root_use])


def test_kms_04_key_policy_refuses_crypto_for_any_principal_star() -> None:
    anyone = {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt"]}
    with pytest.raises(ValueError, match="account root or '\\*'"):
        documents.key_policy(partition="aws", account_id="111122223333", statements=[anyone])


def test_kms_04_duplicate_sid_is_refused() -> None:
    statement = documents.key_users_via_service_statement(
        "Users", [TRAINER], via_services=["s3.eu-west-1.amazonaws.com"], account_id="111122223333"
    )
    with pytest.raises(ValueError, match="duplicate Sid 'Users'"):
        documents.key_policy(partition="aws", account_id="111122223333", statements=[statement, statement])


def test_kms_05_service_principal_is_admitted_only_with_confused_deputy_conditions() -> None:
    statement = documents.service_principal_key_statement(
        "CloudTrailEncryptsLogs",
        "cloudtrail.amazonaws.com",
        ["kms:GenerateDataKey"],
        source_account="111122223333",
        source_arns=[TRAIL_ARN],
        encryption_context={"aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"},
    )
    graph = keys_program({"logs": [statement]})
    rendered = statements_by_sid(graph.one(KEY, "keys-logs"))["CloudTrailEncryptsLogs"]
    assert rendered == {
        "Sid": "CloudTrailEncryptsLogs",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": ["kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": "111122223333"},
            "ArnLike": {
                "aws:SourceArn": TRAIL_ARN,
                "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*",
            },
        },
    }


def test_kms_05_service_principal_without_source_or_context_is_refused() -> None:
    with pytest.raises(ValueError, match="needs aws:SourceArn or an encryption context"):
        documents.service_principal_key_statement(
            "Bare", "logs.eu-west-1.amazonaws.com", ["kms:Encrypt"], source_account="111122223333"
        )


def test_kms_06_data_key_users_only_through_s3_from_this_account() -> None:
    statement = documents.key_users_via_service_statement(
        "TrainerUsesDataKeyViaS3",
        [TRAINER],
        via_services=[documents.s3_via_service("eu-west-1")],
        account_id="111122223333",
    )
    graph = keys_program({"data": [statement]})
    rendered = statements_by_sid(graph.one(KEY, "keys-data"))["TrainerUsesDataKeyViaS3"]
    assert rendered == {
        "Sid": "TrainerUsesDataKeyViaS3",
        "Effect": "Allow",
        "Principal": {"AWS": [TRAINER]},
        "Action": list(documents.KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": "111122223333"}
        },
    }
    assert "TrainerUsesDataKeyViaS3" not in statements_by_sid(graph.one(KEY, "keys-models"))


def test_kms_06_statements_for_an_unknown_data_class_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown data class\(es\) \['gpu'\]"):
        keys_program({"gpu": []})


def test_kms_07_an_alias_per_key_named_prefix_class(dev: ResourceGraph) -> None:
    for data_class in ("data", "models", "logs"):
        key = dev.one(KEY, f"keys-{data_class}")
        alias = dev.one(ALIAS, f"keys-{data_class}")
        assert alias.inputs["name"] == f"alias/aisb-dev-{data_class}"
        assert alias.inputs["targetKeyId"] == key.id
        assert alias.property_dependencies == {"targetKeyId": (key.urn,)}


def test_kms_settings_defaults_come_from_the_config_model() -> None:
    assert KmsConfig().rotation_days == 365
    assert KmsConfig().deletion_window_days == 30

"""KMS-04: key policies separate administrators from users, grant no kms:*, and never give the root key use."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.kms.kms_04_admin_user_separation import mutation, rule
from ai_security_baseline.controls.kms.testing import TRAINER, key, policy_with, statements_by_sid, statuses
from ai_security_baseline.controls.testing import ACCOUNT
from ai_security_baseline.controls.vocabulary import DATA_CLASSES, KMS_KEY
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
PROCESSOR = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-data-processor"
INFERENCE = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-inference"
MALWARE = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-malware-protection"  # DET-02: scans raw and models objects
S3_ONLY = {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
EC2_ONLY = {"StringEquals": {"kms:ViaService": "ec2.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
EFS_ONLY = {
    "StringEquals": {"kms:ViaService": "elasticfilesystem.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}
}
READ = ["kms:Decrypt"]
WRITE = ["kms:Decrypt", "kms:GenerateDataKey"]
ROOT_MANAGES = {
    "Sid": "AccountRootManagesKeyOnly",
    "Effect": "Allow",
    "Principal": {"AWS": ROOT_ARN},
    "Action": list(documents.KEY_ADMIN_ACTIONS),
    "Resource": "*",
}


def policy_of(key: Resource) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(key.inputs["policy"])
    return policy


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


def test_kms_04_data_key_policy_is_root_management_plus_processor_and_trainer_via_s3_trainer_via_ebs_and_the_secret(
    dev_graph: ResourceGraph,
) -> None:
    secret = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:aisb-dev/pseudonymization-key-??????"
    assert policy_of(dev_graph.one(KMS_KEY, "keys-data")) == {
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
            # AI-03 (ai.studio on in dev): EFS creates the Studio home file system with the deployer's permissions
            {
                "Sid": "StudioHomeEfsUsesKeyViaEfs",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::111122223333:user/offline-deployer"]},
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"],
                "Resource": "*",
                "Condition": EFS_ONLY,
            },
            {
                "Sid": "StudioHomeEfsGrantsViaEfs",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::111122223333:user/offline-deployer"]},
                "Action": ["kms:CreateGrant"],
                "Resource": "*",
                "Condition": {**EFS_ONLY, "Bool": {"kms:GrantIsForAWSResource": "true"}},
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
            roles_via_s3("MalwareProtectionUsesDataKeyViaS3", [MALWARE], WRITE),
        ],
    }


def test_kms_04_models_key_policy_is_root_management_plus_trainer_and_inference_via_s3_and_bedrock(
    dev_graph: ResourceGraph,
) -> None:
    deployer = ["arn:aws:iam::111122223333:user/offline-deployer"]
    via_bedrock = {"StringEquals": {"kms:ViaService": "bedrock.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
    creator = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]
    assert policy_of(dev_graph.one(KMS_KEY, "keys-models")) == {
        "Version": "2012-10-17",
        "Id": "ai-security-baseline-key-policy",
        "Statement": [
            ROOT_MANAGES,
            # AI-02: the deployer creates the guardrail under this key, inference uses it, both only through Bedrock
            {
                "Sid": "GuardrailCreator",
                "Effect": "Allow",
                "Principal": {"AWS": deployer},
                "Action": creator,
                "Resource": "*",
                "Condition": via_bedrock,
            },
            {
                "Sid": "GuardrailCreatorGrants",
                "Effect": "Allow",
                "Principal": {"AWS": deployer},
                "Action": ["kms:CreateGrant"],
                "Resource": "*",
                "Condition": {**via_bedrock, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
            {
                "Sid": "GuardrailUsers",
                "Effect": "Allow",
                "Principal": {"AWS": [INFERENCE]},
                "Action": ["kms:Decrypt"],
                "Resource": "*",
                "Condition": via_bedrock,
            },
            roles_via_s3("RolesReadModelsKeyViaS3", [INFERENCE], READ),
            roles_via_s3("RolesWriteModelsKeyViaS3", [TRAINER], WRITE),
            roles_via_s3("MalwareProtectionUsesModelsKeyViaS3", [MALWARE], WRITE),
        ],
    }


def test_kms_04_logs_key_policy_is_root_management_plus_bound_services(dev_graph: ResourceGraph) -> None:
    body = policy_of(dev_graph.one(KMS_KEY, "keys-logs"))["Statement"]
    assert body[0] == ROOT_MANAGES
    assert [s["Sid"] for s in body] == [
        "AccountRootManagesKeyOnly",
        "LogsEncryptVpcFlowLogs",
        "LogsEncryptResolverQueryLogs",
        "CloudTrailEncryptLogs",
        "CloudTrailDescribeKey",
        "LogsEncryptCloudTrailGroup",
        "CloudWatchAlarmsPublishEncrypted",
        "EventBridgePublishEncrypted",
        "BedrockEncryptInvocationLogs",
        "LogsEncryptBedrockGroup",
        "RolesReadLogsKeyViaS3",
        "ConfigRecorderEncryptsViaS3",
    ]


def test_kms_04_root_statement_has_no_cryptographic_operation() -> None:
    assert not set(documents.KEY_ADMIN_ACTIONS) & vocabulary.CRYPTO_ACTIONS
    assert all(":" in a and "*" not in a for a in documents.KEY_ADMIN_ACTIONS)


def test_kms_04_configured_administrators_manage_but_never_use() -> None:
    admin = "arn:aws:iam::111122223333:role/key-admin"
    graph = run_stack("dev", overrides={"baseline:kms": {"adminArns": [admin]}}).graph
    for kms_key in graph.by_type(KMS_KEY):
        statement = statements_by_sid(kms_key)["KeyAdministratorsManageOnly"]
        assert statement == {
            "Sid": "KeyAdministratorsManageOnly",
            "Effect": "Allow",
            "Principal": {"AWS": [admin]},
            "Action": list(documents.KEY_ADMIN_ACTIONS),
            "Resource": "*",
        }


def test_kms_04_users_use_but_never_manage() -> None:
    assert not set(documents.KEY_USE_ACTIONS) - vocabulary.CRYPTO_ACTIONS - {"kms:DescribeKey"}
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


def test_kms_04_rule_fails_kms_star_for_a_role() -> None:
    star = {"Sid": "All", "Effect": "Allow", "Principal": {"AWS": TRAINER}, "Action": "kms:*", "Resource": "*"}
    assert statuses(rule.RULE, key(policy=policy_with(star))) == ["fail"]


def test_kms_04_rule_fails_the_aws_default_key_policy() -> None:
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    everything = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": root, "Action": "kms:*"}
    default = {"Version": "2012-10-17", "Statement": [{**everything, "Resource": "*"}]}
    assert statuses(rule.RULE, key(policy=json.dumps(default))) == ["fail"]


def test_kms_04_rule_fails_a_statement_mixing_use_and_management() -> None:
    via_s3 = {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    mixed = {
        "Sid": "Mixed",
        "Effect": "Allow",
        "Principal": {"AWS": TRAINER},
        "Action": ["kms:Decrypt", "kms:PutKeyPolicy"],
        "Resource": "*",
        "Condition": {"StringEquals": via_s3},
    }
    assert statuses(rule.RULE, key(policy=policy_with(mixed))) == ["fail"]


def test_kms_04_rule_fails_a_key_without_policy_as_the_aws_default_root_kms_star() -> None:
    [outcome] = rule.RULE.evaluate([key(policy=None)])
    assert outcome.status == "fail"
    assert "grants ['kms:*']" in outcome.message
    assert "gives cryptographic operations to the account root" in outcome.message


def test_kms_04_rule_errors_on_a_malformed_policy() -> None:
    assert statuses(rule.RULE, key(policy="{not json")) == ["error"]


def test_kms_04_rule_passes_the_baseline_key_policy() -> None:
    assert statuses(rule.RULE, key()) == ["pass"]


def test_kms_04_rule_errors_on_not_action() -> None:
    not_action = {"Sid": "Not", "Effect": "Allow", "Principal": {"AWS": TRAINER}, "NotAction": "kms:PutKeyPolicy"}
    assert statuses(rule.RULE, key(policy=policy_with(not_action))) == ["error"]


def test_kms_04_probe_passes_the_deployed_key_policies(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("KMS-04")
    assert [f.status for f in findings] == ["pass"] * len(DATA_CLASSES), findings


def test_kms_04_probe_fails_a_root_statement_granting_kms_star(live_dev: LiveAccount) -> None:
    failed = [f for f in live_dev.probe_mutated("KMS-04", mutation.root_gets_kms_star_live) if f.status == "fail"]
    assert [f.urn for f in failed] == [live_dev.exports["modelsKeyArn"]]
    assert "kms:* in ['AccountRootManagesKeyOnly']" in failed[0].message


def _root_use(via: str) -> dict[str, Any]:
    return documents.key_user_statement(
        "AccountUse",
        [ROOT_ARN],
        ["kms:Decrypt"],
        {"StringEquals": {"kms:ViaService": via, "kms:CallerAccount": ACCOUNT}},
    )


def test_kms_04_rule_passes_the_account_using_the_default_ebs_key_only_through_ec2() -> None:
    assert statuses(rule.RULE, key(policy=policy_with(_root_use("ec2.eu-west-1.amazonaws.com")))) == ["pass"]


def test_kms_04_rule_fails_the_account_using_a_key_through_s3() -> None:
    assert statuses(rule.RULE, key(policy=policy_with(_root_use("s3.eu-west-1.amazonaws.com")))) == ["fail"]


def test_kms_04_key_policy_refuses_the_account_using_a_key_through_s3() -> None:
    with pytest.raises(ValueError, match="gives \\['kms:Decrypt'\\] to the account root"):
        documents.key_policy(partition="aws", account_id=ACCOUNT, statements=[_root_use("s3.eu-west-1.amazonaws.com")])

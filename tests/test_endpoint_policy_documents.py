"""EP-05 and NET-05 policy builders, called directly (pure functions of plain strings)."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.vocabulary import KNOWN_ENDPOINT_SERVICES

ACCOUNT = "111122223333"
REGION = "eu-west-1"
ORG = "o-abcdefghij"


def test_ep_05_interface_policy_admits_only_this_accounts_principals() -> None:
    policy = documents.interface_endpoint_policy("sts", account_id=ACCOUNT)
    assert policy["Statement"] == [
        {
            "Sid": "AllowAccountPrincipals",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["sts:*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
        }
    ]


def test_ep_05_interface_policy_uses_principal_org_id_when_org_is_set() -> None:
    statement = documents.interface_endpoint_policy("logs", account_id=ACCOUNT, org_id=ORG)["Statement"][0]
    assert statement["Sid"] == "AllowOrgPrincipals"
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}


def test_ep_05_every_known_service_has_actions_and_none_is_a_wildcard() -> None:
    for service in sorted(KNOWN_ENDPOINT_SERVICES):
        actions = documents.endpoint_actions(service)
        assert actions, service
        assert "*" not in actions
        assert "kms:*" not in actions


def test_ep_05_kms_endpoint_names_each_action() -> None:
    actions = documents.endpoint_actions("kms")
    assert all(a.startswith("kms:") and "*" not in a for a in actions)
    assert {"kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"} <= set(actions)


def test_ep_05_unmapped_service_is_refused() -> None:
    with pytest.raises(KeyError, match="s3-express"):
        documents.endpoint_actions("s3-express")


def test_ep_05_s3_gateway_policy_limits_to_account_buckets_and_allowlist() -> None:
    policy = documents.s3_gateway_endpoint_policy(partition="aws", region=REGION, account_id=ACCOUNT)
    assert policy["Statement"] == [
        {
            "Sid": "AllowAccountPrincipalsToAccountBuckets",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT, "aws:ResourceAccount": ACCOUNT}},
        },
        {
            "Sid": "AllowEcrImageLayers",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": f"arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*",
        },
    ]


def test_ep_05_s3_gateway_policy_adds_codeartifact_assets_in_the_documented_form() -> None:
    policy = documents.s3_gateway_endpoint_policy(
        partition="aws", region="us-east-1", account_id=ACCOUNT, services=["sts", "codeartifact.api"]
    )
    assert policy["Statement"][-1] == {
        "Sid": "AllowCodeArtifactAssets",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject"],
        "Resource": "arn:aws:s3:::assets-193858265520-us-east-1/*",
    }


def test_ep_05_s3_gateway_policy_has_no_codeartifact_statement_without_codeartifact() -> None:
    policy = documents.s3_gateway_endpoint_policy(partition="aws", region=REGION, account_id=ACCOUNT, services=["sts"])
    assert [s["Sid"] for s in policy["Statement"]] == ["AllowAccountPrincipalsToAccountBuckets", "AllowEcrImageLayers"]


def test_ep_05_codeartifact_bucket_of_an_unlisted_region_is_refused_not_wildcarded() -> None:
    with pytest.raises(KeyError, match=r"AllowCodeArtifactAssets: no documented owner .* in region ca-central-1"):
        documents.s3_gateway_endpoint_policy(
            partition="aws", region="ca-central-1", account_id=ACCOUNT, services=["codeartifact.repositories"]
        )


def test_ep_05_every_documented_codeartifact_owner_is_one_literal_account() -> None:
    assert len(vocabulary.CODEARTIFACT_ASSET_ACCOUNTS) == 13
    assert all(len(a) == 12 and a.isdigit() for a in vocabulary.CODEARTIFACT_ASSET_ACCOUNTS.values())


def test_ep_05_s3_gateway_policy_with_org_keeps_resources_in_this_account() -> None:
    policy = documents.s3_gateway_endpoint_policy(partition="aws", region=REGION, account_id=ACCOUNT, org_id=ORG)
    first = policy["Statement"][0]
    assert first["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceAccount": ACCOUNT}}


def test_ep_05_every_allowlisted_aws_bucket_says_why_with_a_unique_sid() -> None:
    sids = [entry.sid for entry in vocabulary.AWS_OWNED_BUCKETS]
    assert len(sids) == len(set(sids))
    assert all(len(entry.why) >= 40 for entry in vocabulary.AWS_OWNED_BUCKETS)
    assert all(
        entry.actions and all(a.startswith("s3:Get") for a in entry.actions) for entry in vocabulary.AWS_OWNED_BUCKETS
    )


def test_ep_05_allowlisted_bucket_arn_uses_partition_and_region() -> None:
    entry = vocabulary.AWS_OWNED_BUCKETS[0]
    assert entry.object_arn("aws-cn", "cn-north-1") == "arn:aws-cn:s3:::prod-cn-north-1-starport-layer-bucket/*"


def test_net_05_trust_policy_conditions_on_source_account_and_arn() -> None:
    statement = documents.flow_log_trust_policy(partition="aws", region=REGION, account_id=ACCOUNT)["Statement"][0]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/*"},
    }


def test_net_05_delivery_policy_writes_only_the_named_group() -> None:
    arn = documents.log_group_arn("aws", REGION, ACCOUNT, "/aisb/dev/vpc-flow-logs")
    statements = documents.flow_log_delivery_policy(arn)["Statement"]
    scoped = [s for s in statements if s["Resource"] != "*"]
    assert [s["Resource"] for s in scoped] == [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/vpc-flow-logs:*"]
    assert [s["Action"] for s in statements if s["Resource"] == "*"] == [["logs:DescribeLogGroups"]]


def test_kms_05_logs_key_statement_binds_only_the_group_encryption_context() -> None:
    """CloudWatch Logs sends no aws:SourceAccount on its KMS calls: a condition on it would refuse CreateLogGroup."""
    arn = documents.log_group_arn("aws", REGION, ACCOUNT, "/aisb/dev/vpc-flow-logs")
    statement = documents.logs_key_statement("LogsEncryptVpcFlowLogs", region=REGION, group_arn=arn)
    assert statement["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert statement["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arn}}

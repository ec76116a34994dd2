"""Pure builders for policy documents: plain strings in, JSON-ready dicts out.

Components combine Outputs once and call these; tests call them directly. Every statement carries
a stable ``Sid`` so findings, evaluator decisions and reviewers can point at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Statement = dict[str, Any]
PolicyDocument = dict[str, Any]

POLICY_VERSION = "2012-10-17"

#: Key management, never use (KMS-04). No wildcards: each action is named.
KEY_ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

#: Cryptographic use, never management (KMS-04).
KEY_USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)

#: Cryptographic operations: these must never reach the account-root statement.
CRYPTO_ACTIONS: frozenset[str] = frozenset(
    {
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:Sign",
        "kms:Verify",
        "kms:VerifyMac",
        "kms:CreateGrant",
    }
)


def account_root_arn(partition: str, account_id: str) -> str:
    """ARN of the account principal; used to delegate key management to IAM."""
    return f"arn:{partition}:iam::{account_id}:root"


def _sorted_unique(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def key_root_management_statement(partition: str, account_id: str) -> Statement:
    """Let IAM in this account manage (not use) the key, so the key can never be orphaned."""
    return {
        "Sid": "AccountRootManagesKeyOnly",
        "Effect": "Allow",
        "Principal": {"AWS": account_root_arn(partition, account_id)},
        "Action": list(KEY_ADMIN_ACTIONS),
        "Resource": "*",
    }


def key_admin_statement(admin_arns: Sequence[str]) -> Statement:
    """Named key administrators: manage, never use (KMS-04)."""
    if not admin_arns:
        raise ValueError("key_admin_statement needs at least one administrator ARN")
    return {
        "Sid": "KeyAdministratorsManageOnly",
        "Effect": "Allow",
        "Principal": {"AWS": _sorted_unique(admin_arns)},
        "Action": list(KEY_ADMIN_ACTIONS),
        "Resource": "*",
    }


def key_users_via_service_statement(
    sid: str,
    user_arns: Sequence[str],
    *,
    via_services: Sequence[str],
    account_id: str,
) -> Statement:
    """Principals may use the key only through the named AWS services, from this account (KMS-06)."""
    if not user_arns:
        raise ValueError(f"{sid}: needs at least one user ARN")
    if not via_services:
        raise ValueError(f"{sid}: needs at least one service for kms:ViaService")
    via = _sorted_unique(via_services)
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": _sorted_unique(user_arns)},
        "Action": list(KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:ViaService": via[0] if len(via) == 1 else via,
                "kms:CallerAccount": account_id,
            }
        },
    }


def s3_via_service(region: str) -> str:
    """The kms:ViaService value for S3 in a region."""
    return f"s3.{region}.amazonaws.com"


def service_principal_key_statement(
    sid: str,
    service: str,
    actions: Sequence[str],
    *,
    source_account: str,
    source_arns: Sequence[str] = (),
    encryption_context: Mapping[str, str] | None = None,
) -> Statement:
    """A service principal with confused-deputy conditions (KMS-05).

    ``encryption_context`` maps a context key (e.g. ``aws:logs:arn``) to an ARN pattern; it is
    required so the service can use the key only for this stack's resources.
    """
    if not encryption_context and not source_arns:
        raise ValueError(f"{sid}: a service principal needs aws:SourceArn or an encryption context")
    condition: dict[str, dict[str, Any]] = {"StringEquals": {"aws:SourceAccount": source_account}}
    arn_like: dict[str, Any] = {}
    if source_arns:
        arns = _sorted_unique(source_arns)
        arn_like["aws:SourceArn"] = arns[0] if len(arns) == 1 else arns
    for key, pattern in sorted((encryption_context or {}).items()):
        arn_like[f"kms:EncryptionContext:{key}"] = pattern
    if arn_like:
        condition["ArnLike"] = arn_like
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": list(actions),
        "Resource": "*",
        "Condition": condition,
    }


def _check_actions(statement: Statement) -> None:
    actions = statement.get("Action", [])
    for action in [actions] if isinstance(actions, str) else actions:
        if action == "*" or action.lower() == "kms:*":
            raise ValueError(f"statement {statement.get('Sid')!r} grants {action!r}; name each action")


def key_policy(
    *,
    partition: str,
    account_id: str,
    admin_arns: Sequence[str] = (),
    statements: Sequence[Statement] = (),
) -> PolicyDocument:
    """The whole key policy: root manages, admins manage, then the given use/service statements.

    Raises ValueError on a duplicate Sid, a ``kms:*`` grant, or a crypto action for the root.
    """
    body = [key_root_management_statement(partition, account_id)]
    if admin_arns:
        body.append(key_admin_statement(admin_arns))
    body.extend(statements)
    root = account_root_arn(partition, account_id)
    for statement in body:
        _check_root_not_user(statement, root)
    return finish_document(body, policy_id="ai-security-baseline-key-policy")


def _check_root_not_user(statement: Statement, root_arn: str) -> None:
    principals = statement.get("Principal", {})
    aws = principals.get("AWS", []) if isinstance(principals, dict) else principals
    listed = [aws] if isinstance(aws, str) else list(aws)
    if root_arn in listed or "*" in listed:
        actions = statement.get("Action", [])
        granted = {actions} if isinstance(actions, str) else set(actions)
        crypto = sorted(granted & CRYPTO_ACTIONS)
        if crypto and statement.get("Effect") == "Allow":
            raise ValueError(f"statement {statement.get('Sid')!r} gives {crypto} to the account root or '*'")


def finish_document(statements: Sequence[Statement], *, policy_id: str | None = None) -> PolicyDocument:
    """Assemble a policy document, refusing duplicate or missing Sids and wildcard KMS grants."""
    seen: set[str] = set()
    for statement in statements:
        sid = statement.get("Sid")
        if not sid:
            raise ValueError(f"every statement needs a Sid: {statement}")
        if sid in seen:
            raise ValueError(f"duplicate Sid {sid!r}")
        seen.add(sid)
        _check_actions(statement)
    document: PolicyDocument = {"Version": POLICY_VERSION}
    if policy_id:
        document["Id"] = policy_id
    document["Statement"] = list(statements)
    return document


# ---- network: flow logs and endpoint policies ------------------------------------------------

#: Encryption actions CloudWatch Logs needs on a key that encrypts a log group (KMS-05).
LOGS_KEY_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)

#: What VPC Flow Logs calls on its destination group; DescribeLogGroups has no resource-level scope.
FLOW_LOG_GROUP_ACTIONS: tuple[str, ...] = ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")
FLOW_LOG_ACCOUNT_ACTIONS: tuple[str, ...] = ("logs:DescribeLogGroups",)


def log_group_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """ARN of a CloudWatch Logs group (the form KMS encryption context and IAM use, no ``:*``)."""
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"


def flow_log_source_arn(partition: str, region: str, account_id: str) -> str:
    """``aws:SourceArn`` pattern of any flow log in this account and region."""
    return f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"


def logs_key_statement(sid: str, *, region: str, account_id: str, group_arn: str) -> Statement:
    """Key-policy statement letting CloudWatch Logs encrypt one log group only (NET-05, KMS-05)."""
    return service_principal_key_statement(
        sid,
        f"logs.{region}.amazonaws.com",
        LOGS_KEY_ACTIONS,
        source_account=account_id,
        encryption_context={"aws:logs:arn": group_arn},
    )


def flow_log_trust_policy(*, partition: str, region: str, account_id: str) -> PolicyDocument:
    """Trust of the flow-log delivery role: the service, only for this account's flow logs (NET-05)."""
    return finish_document(
        [
            {
                "Sid": "VpcFlowLogsAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": flow_log_source_arn(partition, region, account_id)},
                },
            }
        ]
    )


def flow_log_delivery_policy(group_arn: str) -> PolicyDocument:
    """Least privilege for flow-log delivery: write streams of one group; describe groups needs ``*``."""
    return finish_document(
        [
            {
                "Sid": "WriteFlowLogStreams",
                "Effect": "Allow",
                "Action": list(FLOW_LOG_GROUP_ACTIONS),
                "Resource": f"{group_arn}:*",
            },
            {
                "Sid": "DescribeLogGroups",
                "Effect": "Allow",
                "Action": list(FLOW_LOG_ACCOUNT_ACTIONS),
                "Resource": "*",
            },
        ]
    )


@dataclass(frozen=True)
class AwsOwnedBucket:
    """An AWS-owned bucket ML traffic must reach through the S3 gateway endpoint (EP-05 allowlist)."""

    sid: str
    bucket: str  # may contain ``{region}``
    actions: tuple[str, ...]
    why: str

    def object_arn(self, partition: str, region: str) -> str:
        return f"arn:{partition}:s3:::{self.bucket.format(region=region)}/*"


#: Explicit allowlist of AWS-owned buckets outside this account; every entry says why.
AWS_OWNED_BUCKETS: tuple[AwsOwnedBucket, ...] = (
    AwsOwnedBucket(
        sid="AllowEcrImageLayers",
        bucket="prod-{region}-starport-layer-bucket",
        actions=("s3:GetObject",),
        why="ECR serves container image layers from this AWS-owned bucket; SageMaker training and "
        "inference images are pulled through the S3 gateway endpoint",
    ),
)

#: IAM action prefixes each interface-endpoint service answers (the endpoint policy scopes to them).
ENDPOINT_ACTION_PREFIXES: dict[str, tuple[str, ...]] = {
    "sagemaker.api": ("sagemaker",),
    "sagemaker.runtime": ("sagemaker",),
    "sagemaker.featurestore-runtime": ("sagemaker",),
    "sts": ("sts",),
    "kms": (),  # named actions below: a ``kms:*`` grant is refused everywhere (KMS-04)
    "logs": ("logs",),
    "monitoring": ("cloudwatch",),
    "ecr.api": ("ecr",),
    "ecr.dkr": ("ecr",),
    "secretsmanager": ("secretsmanager",),
    "bedrock": ("bedrock",),
    "bedrock-runtime": ("bedrock",),
    "bedrock-agent": ("bedrock",),
    "bedrock-agent-runtime": ("bedrock",),
    "ssm": ("ssm",),
    "ssmmessages": ("ssmmessages",),
    "ec2messages": ("ec2messages",),
    "glue": ("glue",),
    "athena": ("athena",),
    "events": ("events",),
    "sns": ("sns",),
    "sqs": ("sqs",),
    "ecs": ("ecs",),
    "elasticfilesystem": ("elasticfilesystem",),
    "codeartifact.api": ("codeartifact",),
    "codeartifact.repositories": ("codeartifact",),
}

#: KMS through its endpoint: use and manage keys, never a wildcard.
KMS_ENDPOINT_ACTIONS: tuple[str, ...] = tuple(
    sorted({*KEY_USE_ACTIONS, *KEY_ADMIN_ACTIONS, "kms:CreateGrant", "kms:CreateKey", "kms:ListKeys"})
)


def endpoint_actions(service: str) -> list[str]:
    """Actions an interface endpoint admits for ``service``; KeyError names an unmapped service."""
    if service not in ENDPOINT_ACTION_PREFIXES:
        raise KeyError(f"no endpoint action mapping for service {service!r}")
    if service == "kms":
        return list(KMS_ENDPOINT_ACTIONS)
    return [f"{prefix}:*" for prefix in ENDPOINT_ACTION_PREFIXES[service]]


def endpoint_principal_condition(account_id: str, org_id: str | None) -> dict[str, str]:
    """``StringEquals`` entries limiting callers to this account, or to the organization when set."""
    if org_id:
        return {"aws:PrincipalOrgID": org_id}
    return {"aws:PrincipalAccount": account_id}


def _principal_sid(org_id: str | None) -> str:
    return "AllowOrgPrincipals" if org_id else "AllowAccountPrincipals"


def interface_endpoint_policy(service: str, *, account_id: str, org_id: str | None = None) -> PolicyDocument:
    """Endpoint policy of an interface endpoint: this service's actions, our principals only (EP-05)."""
    return finish_document(
        [
            {
                "Sid": _principal_sid(org_id),
                "Effect": "Allow",
                "Principal": "*",
                "Action": endpoint_actions(service),
                "Resource": "*",
                "Condition": {"StringEquals": endpoint_principal_condition(account_id, org_id)},
            }
        ]
    )


def s3_gateway_endpoint_policy(
    *,
    partition: str,
    region: str,
    account_id: str,
    org_id: str | None = None,
    aws_owned: Sequence[AwsOwnedBucket] = AWS_OWNED_BUCKETS,
) -> PolicyDocument:
    """S3 gateway policy: our principals, to our account's buckets plus the allowlisted AWS buckets (EP-05)."""
    principals = endpoint_principal_condition(account_id, org_id)
    statements: list[Statement] = [
        {
            "Sid": f"{_principal_sid(org_id)}ToAccountBuckets",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {**principals, "aws:ResourceAccount": account_id}},
        }
    ]
    for entry in aws_owned:
        statements.append(
            {
                "Sid": entry.sid,
                "Effect": "Allow",
                "Principal": "*",
                "Action": list(entry.actions),
                "Resource": entry.object_arn(partition, region),
                "Condition": {"StringEquals": dict(principals)},
            }
        )
    return finish_document(statements)

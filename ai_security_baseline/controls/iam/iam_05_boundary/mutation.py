"""IAM-05 mutations: a role without its boundary, and a boundary that no longer denies tampering, in the graph and
in the deployed account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.iam.common import IAM_POLICY, IAM_ROLE
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_property, edit_document, without_statement


def _role_name(ctx: Any, role: str) -> str:
    return str(ctx.output("roleArns")[role]).rsplit("/", 1)[-1]


def boundary_detached_live(ctx: Any) -> Callable[[], None]:
    iam = ctx.client("iam")
    name = _role_name(ctx, "inference")
    boundary = iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
    iam.delete_role_permissions_boundary(RoleName=name)
    return lambda: iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)


def tamper_deny_dropped_live(ctx: Any) -> Callable[[], None]:
    """A new default version of the boundary without ``DenyKeyTampering``; the undo restores the old default."""
    iam = ctx.client("iam")
    name = _role_name(ctx, "inference")
    arn = iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
    current = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=current)["PolicyVersion"]["Document"]
    document = document if isinstance(document, dict) else json.loads(document)
    weakened = without_statement("DenyKeyTampering")(document)
    version = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(weakened), SetAsDefault=True)

    def undo() -> None:
        iam.set_default_policy_version(PolicyArn=arn, VersionId=current)
        iam.delete_policy_version(PolicyArn=arn, VersionId=version["PolicyVersion"]["VersionId"])

    return undo


MUTATIONS = (
    Mutation(
        "IAM-05",
        "inference role without a boundary",
        graph=drop_property(IAM_ROLE, "identity-inference", "permissionsBoundary"),
    ),
    Mutation(
        "IAM-05",
        "boundary without the trail tampering deny",
        graph=edit_document(IAM_POLICY, "identity-boundary", "policy", without_statement("DenyTrailTampering")),
    ),
    Mutation("IAM-05", "boundary detached from inference", live=boundary_detached_live),
    Mutation("IAM-05", "boundary default version without the key tampering deny", live=tamper_deny_dropped_live),
)

"""DET-06 mutations: no analyzer, an organization analyzer without an organization, and in the account its
service-linked role deleted (moto has no Access Analyzer: the role is what it can observe)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ACCESS_ANALYZER, ACCESS_ANALYZER_ROLE
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property


def service_role_deleted_live(ctx: Any) -> Callable[[], None]:
    iam = ctx.client("iam")
    role = iam.get_role(RoleName=ACCESS_ANALYZER_ROLE)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    iam.delete_role(RoleName=ACCESS_ANALYZER_ROLE)
    return lambda: iam.create_role(
        RoleName=ACCESS_ANALYZER_ROLE,
        Path=role["Path"],
        AssumeRolePolicyDocument=trust if isinstance(trust, str) else json.dumps(trust),
    )


MUTATIONS = (
    Mutation("DET-06", "no analyzer", graph=drop_resources(ACCESS_ANALYZER)),
    Mutation(
        "DET-06",
        "organization analyzer without an organization",
        graph=set_property(ACCESS_ANALYZER, "access-analyzer", "type", "ORGANIZATION"),
    ),
    Mutation("DET-06", "Access Analyzer's service-linked role deleted", live=service_role_deleted_live),
)

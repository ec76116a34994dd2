"""IAM-01 mutations: the trainer's trust loses its source conditions, in the graph and in the deployed account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.iam.common import IAM_ROLE
from ai_security_baseline.verify.checkers.mutation import (
    Document,
    Mutation,
    changed_statement,
    edit_document,
    without_condition,
)

TRAINER = "identity-model-trainer"
SID = "SageMakerAssumeRole"


def without_source_account(statement: Document) -> Document:
    """The trust statement conditioned on aws:SourceArn only (SourceAccount is what IAM-01 requires)."""
    condition = {
        op: {k: v for k, v in block.items() if k != "aws:SourceAccount"} for op, block in statement["Condition"].items()
    }
    return {**statement, "Condition": {op: block for op, block in condition.items() if block}}


def source_account_dropped_live(ctx: Any) -> Callable[[], None]:
    iam = ctx.client("iam")
    name = str(ctx.output("roleArns")["model-trainer"]).rsplit("/", 1)[-1]
    original = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    document = original if isinstance(original, dict) else json.loads(original)
    weakened = changed_statement(SID, without_source_account)(document)
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(weakened))
    return lambda: iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(document))


MUTATIONS = (
    Mutation(
        "IAM-01",
        "trainer trust without any condition",
        graph=edit_document(IAM_ROLE, TRAINER, "assumeRolePolicy", changed_statement(SID, without_condition)),
    ),
    Mutation(  # the access analysis evaluates a foreign deputy, which aws:SourceArn alone still refuses
        "IAM-01",
        "trainer trust without aws:SourceAccount",
        graph=edit_document(IAM_ROLE, TRAINER, "assumeRolePolicy", changed_statement(SID, without_source_account)),
        layers=("rule",),
    ),
    Mutation("IAM-01", "trainer trust without aws:SourceAccount", live=source_account_dropped_live),
)

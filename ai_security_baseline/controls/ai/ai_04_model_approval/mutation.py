"""AI-04 mutations: the trainer's approval Deny dropped or narrowed to one status it never sets, the registration
Deny dropped, in the graph; the approval Deny dropped from the deployed trainer's policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import MODEL_APPROVAL_KEY, ROLE_ARNS_OUTPUT, ROLE_POLICY, TRAINER
from ai_security_baseline.verify.checkers.audit.core import policy_json
from ai_security_baseline.verify.checkers.mutation import (
    Document,
    Mutation,
    MutationError,
    changed_statement,
    edit_document,
    without_statement,
)

TRAINER_POLICY = "identity-policies-model-trainer"
APPROVAL = "DenyModelApproval"
REGISTRATION = "DenyRegisteringUnpendingPackages"


def _rejected_only(statement: Document) -> Document:
    """The Deny names Rejected: Approved is then allowed to whoever grants UpdateModelPackage."""
    return {**statement, "Condition": {"StringEquals": {MODEL_APPROVAL_KEY: "Rejected"}}}


def approval_deny_dropped_live(ctx: Any) -> Callable[[], None]:
    """Rewrite the trainer's inline policy holding ``DenyModelApproval`` without it; the undo puts it back."""
    iam = ctx.client("iam")
    name = str(ctx.output(ROLE_ARNS_OUTPUT)[TRAINER]).rsplit("/", 1)[-1]
    documents = {
        policy: policy_json(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    holding = [p for p, d in documents.items() if any(s.get("Sid") == APPROVAL for s in d.get("Statement") or [])]
    if not holding:
        raise MutationError(f"no inline policy of {name} holds {APPROVAL}")
    policy = holding[0]
    weakened = without_statement(APPROVAL)(documents[policy])
    iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(weakened))
    return lambda: iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(documents[policy]))


MUTATIONS = (
    Mutation(
        "AI-04",
        "trainer's approval Deny removed",
        graph=edit_document(ROLE_POLICY, TRAINER_POLICY, "policy", without_statement(APPROVAL)),
    ),
    Mutation(
        "AI-04",
        "trainer's approval Deny names Rejected instead of Approved",
        graph=edit_document(ROLE_POLICY, TRAINER_POLICY, "policy", changed_statement(APPROVAL, _rejected_only)),
    ),
    Mutation(
        "AI-04",
        "trainer's registration Deny removed",
        graph=edit_document(ROLE_POLICY, TRAINER_POLICY, "policy", without_statement(REGISTRATION)),
    ),
    Mutation("AI-04", "trainer's approval Deny removed from the deployed policy", live=approval_deny_dropped_live),
)

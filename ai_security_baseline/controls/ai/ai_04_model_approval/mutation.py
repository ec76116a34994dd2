"""AI-04 mutations: the trainer's approval Deny dropped or narrowed to one status it never sets, the registration
Deny dropped, in the graph."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import MODEL_APPROVAL_KEY, ROLE_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Document,
    Mutation,
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
)

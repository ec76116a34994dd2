"""IAM-08 mutation: inference invokes every endpoint."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ROLE_POLICY
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, changed_statement, edit_document


def every_endpoint(statement: Document) -> Document:
    return {**statement, "Resource": "*"}


MUTATIONS = (
    Mutation(
        "IAM-08",
        "inference invokes every endpoint",
        graph=edit_document(
            ROLE_POLICY,
            "identity-policies-inference",
            "policy",
            changed_statement("InvokeBaselineEndpoints", every_endpoint),
        ),
    ),
)

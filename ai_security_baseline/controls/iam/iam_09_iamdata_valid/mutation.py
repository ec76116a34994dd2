"""IAM-09 mutation: a misspelled action in the boundary's trail tampering deny (the typo silently voids the Deny)."""

from __future__ import annotations

from ai_security_baseline.controls.iam.common import IAM_POLICY
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, changed_statement, edit_document


def misspelled(statement: Document) -> Document:
    return {**statement, "Action": [*statement["Action"], "cloudtrail:StopLoging"]}


MUTATIONS = (
    Mutation(
        "IAM-09",
        "boundary denies a misspelled cloudtrail:StopLoging",
        graph=edit_document(
            IAM_POLICY, "identity-boundary", "policy", changed_statement("DenyTrailTampering", misspelled)
        ),
    ),
)

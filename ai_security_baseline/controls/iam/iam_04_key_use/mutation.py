"""IAM-04 mutation: inference decrypts with the models key outside S3 (both its grant and the key policy lose
``kms:ViaService``: either alone still refuses the direct call)."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import KMS_KEY, ROLE_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    chain,
    changed_statement,
    edit_document,
    without_condition,
)

MUTATIONS = (
    Mutation(
        "IAM-04",
        "inference uses the models key directly",
        graph=chain(
            edit_document(
                ROLE_POLICY,
                "identity-policies-inference",
                "policy",
                changed_statement("UseModelsKeyViaS3", without_condition),
            ),
            edit_document(
                KMS_KEY, "keys-models", "policy", changed_statement("RolesReadModelsKeyViaS3", without_condition)
            ),
        ),
    ),
)

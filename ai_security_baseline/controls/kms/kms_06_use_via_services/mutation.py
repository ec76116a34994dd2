"""KMS-06 mutations: a key user freed from its service binding, or allowed grants for non-AWS resources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.checkers.audit.kms import put_key_policy_edited
from ai_security_baseline.verify.checkers.mutation import (
    Document,
    Mutation,
    changed_statement,
    edit_document,
    without_condition,
)

GRANTS = "RolesCreateDataKeyGrantsForEbs"
READERS = "RolesReadModelsKeyViaS3"


def without_aws_resource_bound(statement: Document) -> Document:
    """The statement without its ``Bool`` block (kms:GrantIsForAWSResource)."""
    condition = {op: block for op, block in statement.get("Condition", {}).items() if op != "Bool"}
    return {**statement, "Condition": condition}


def grants_for_anyone(document: Document) -> Document:
    return changed_statement(GRANTS, without_aws_resource_bound)(document)


def grants_for_anyone_live(ctx: Any) -> Callable[[], None]:
    return put_key_policy_edited(ctx, "data", grants_for_anyone)


MUTATIONS = (
    Mutation(
        "KMS-06",
        "EBS grants not restricted to AWS resources",
        graph=edit_document(KMS_KEY, "-data", "policy", grants_for_anyone),
    ),
    Mutation(  # the access analysis still sees the readers' identity policies bind kms:Decrypt to S3 (IAM-04)
        "KMS-06",
        "models key readers decrypt directly",
        graph=edit_document(KMS_KEY, "-models", "policy", changed_statement(READERS, without_condition)),
        layers=("rule",),
    ),
    Mutation("KMS-06", "EBS grants on the deployed data key not restricted", live=grants_for_anyone_live),
)

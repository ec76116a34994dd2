"""S3-06 mutations: the SSE-C Deny removed, the foreign-key Deny removed, the header Deny turned into one that
breaks default encryption, in the graph; the foreign-key Deny removed in the account."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.s3.live import bucket_policy_edit
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import Mutation, changed_statement, edit_document, without_statement


def _without_null_guard(statement: dict[str, Any]) -> dict[str, Any]:
    return {**statement, "Condition": {k: v for k, v in statement["Condition"].items() if k != "Null"}}


MUTATIONS = (
    Mutation(
        "S3-06",
        "SSE-C Deny removed from raw",
        graph=edit_document(BUCKET_POLICY, "-raw", "policy", without_statement("DenySseCUploads")),
    ),
    Mutation(
        "S3-06",
        "foreign-key Deny removed from models",
        graph=edit_document(BUCKET_POLICY, "-models", "policy", without_statement("DenyForeignKmsKey")),
    ),
    Mutation(
        "S3-06",
        "header Deny of curated fires on uploads without the header",
        graph=edit_document(
            BUCKET_POLICY,
            "-curated",
            "policy",
            changed_statement("DenyUnexpectedEncryptionHeader", _without_null_guard),
        ),
    ),
    Mutation(
        "S3-06",
        "foreign-key Deny removed from the deployed raw bucket",
        live=bucket_policy_edit("rawBucketName", without_statement("DenyForeignKmsKey")),
    ),
)

"""S3-04 mutations: the plain-HTTP Deny removed or narrowed, in the graph and in the account."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.s3.live import bucket_policy_edit
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import Mutation, changed_statement, edit_document, without_statement

SID = "DenyInsecureTransport"


def _only_objects(statement: dict[str, Any]) -> dict[str, Any]:
    return {**statement, "Resource": [r for r in statement["Resource"] if r.endswith("/*")]}


MUTATIONS = (
    Mutation(
        "S3-04",
        "plain-HTTP Deny removed from raw",
        graph=edit_document(BUCKET_POLICY, "-raw", "policy", without_statement(SID)),
    ),
    Mutation(
        "S3-04",
        "plain-HTTP Deny of models covers only its objects",
        graph=edit_document(BUCKET_POLICY, "-models", "policy", changed_statement(SID, _only_objects)),
    ),
    Mutation(
        "S3-04",
        "plain-HTTP Deny removed from the deployed curated bucket",
        live=bucket_policy_edit("curatedBucketName", without_statement(SID)),
    ),
)

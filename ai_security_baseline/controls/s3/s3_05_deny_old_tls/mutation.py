"""S3-05 mutations: the old-TLS Deny removed or lowered to admit TLS 1.1, in the graph and in the account."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.s3.live import bucket_policy_edit
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import Mutation, changed_statement, edit_document, without_statement

SID = "DenyOutdatedTls"


def _floor_1_1(statement: dict[str, Any]) -> dict[str, Any]:
    return {**statement, "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.1}}}


MUTATIONS = (
    Mutation(
        "S3-05",
        "old-TLS Deny removed from raw",
        graph=edit_document(BUCKET_POLICY, "-raw", "policy", without_statement(SID)),
    ),
    Mutation(
        "S3-05",
        "TLS floor 1.1 on the access-log target",
        graph=edit_document(BUCKET_POLICY, "-access-logs", "policy", changed_statement(SID, _floor_1_1)),
    ),
    Mutation(
        "S3-05",
        "TLS floor 1.1 on the deployed models bucket",
        live=bucket_policy_edit("modelsBucketName", changed_statement(SID, _floor_1_1)),
    ),
)

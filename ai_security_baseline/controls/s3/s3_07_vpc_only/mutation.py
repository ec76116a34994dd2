"""S3-07 mutations: the VPC-only Deny removed or widened to lock admins out, in the graph; removed in the account."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.s3.live import bucket_policy_edit
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import Mutation, changed_statement, edit_document, without_statement

SID = "DenyAccessOutsideVpcEndpoints"


def _without_service_exemption(statement: dict[str, Any]) -> dict[str, Any]:
    return {**statement, "Condition": {k: v for k, v in statement["Condition"].items() if k != "Bool"}}


MUTATIONS = (
    Mutation(
        "S3-07",
        "VPC-only Deny removed from raw",
        graph=edit_document(BUCKET_POLICY, "-raw", "policy", without_statement(SID)),
    ),
    Mutation(
        "S3-07",
        "VPC-only Deny of models without the aws:ViaAWSService exemption",
        graph=edit_document(BUCKET_POLICY, "-models", "policy", changed_statement(SID, _without_service_exemption)),
    ),
    Mutation(
        "S3-07",
        "VPC-only Deny removed from the deployed curated bucket",
        live=bucket_policy_edit("curatedBucketName", without_statement(SID)),
    ),
)

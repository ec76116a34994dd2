"""KMS-05 mutations: a service principal admitted without its confused-deputy conditions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.checkers.audit.kms import put_key_policy_edited
from ai_security_baseline.verify.checkers.mutation import Mutation, changed_statement, edit_document, without_condition

FLOW_LOGS = "LogsEncryptVpcFlowLogs"


def flow_logs_unconditioned_live(ctx: Any) -> Callable[[], None]:
    return put_key_policy_edited(ctx, "logs", changed_statement(FLOW_LOGS, without_condition))


MUTATIONS = (
    Mutation(
        "KMS-05",
        "CloudWatch Logs admitted without its encryption context",
        graph=edit_document(KMS_KEY, "-logs", "policy", changed_statement(FLOW_LOGS, without_condition)),
    ),
    Mutation(
        "KMS-05",
        "CloudTrail admitted without source or context",
        graph=edit_document(KMS_KEY, "-logs", "policy", changed_statement("CloudTrailEncryptLogs", without_condition)),
    ),
    Mutation("KMS-05", "CloudWatch Logs unconditioned on the deployed logs key", live=flow_logs_unconditioned_live),
)

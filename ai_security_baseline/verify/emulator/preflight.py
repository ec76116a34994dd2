"""What AWS checks when a resource is created, checked before the emulated account creates it.

moto stores a trail, an encrypted log group, a secret or a Studio domain without asking whether CloudTrail may
assume the delivery role, whether CloudWatch Logs may use the key, whether the caller may use the secret's key, or
whether EFS may use the domain's key as the caller. AWS asks, and refuses.
So before each such create the moto backend reads the live policies back and evaluates the calls AWS makes at that
moment (the same builders as the access analysis, ``verify.iam.principals``); a call AWS would refuse fails the deploy
with the error AWS gives, naming the resource and the denied call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ai_security_baseline.verify.iam.principals import Call, decide

#: The error AWS returns when the check of a call with this action prefix fails, per API.
CREATE_TRAIL_ERRORS: dict[str, str] = {
    "sts:": "InvalidCloudWatchLogsRoleArnException",
    "s3:": "InsufficientS3BucketPolicyException",
    "kms:": "InsufficientEncryptionPolicyException",
}
LOG_GROUP_KMS_ERROR = "AccessDeniedException"
SECRET_KMS_ERROR = "AccessDeniedException"
#: CreateDomain whose home EFS cannot use the key: how SageMaker reports it (a synchronous error or a domain that
#: turns ``Failed`` with a FailureReason) is not documented; the preflight refuses the create either way.
STUDIO_DOMAIN_KMS_ERROR = "AccessDeniedException"
#: CreateGuardrail whose key Bedrock may not use as the caller (Bedrock API Reference, CreateGuardrail errors).
GUARDRAIL_KMS_ERROR = "AccessDeniedException"
#: The Bedrock rows of the CloudTrail User Guide's data-event table, the ``resources.type`` values PutEventSelectors
#: accepts for Bedrock; any other value is refused with InvalidEventSelectorsException
#: (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
BEDROCK_DATA_EVENT_RESOURCE_TYPES: frozenset[str] = frozenset(
    f"AWS::Bedrock::{name}"
    for name in (
        "AgentAlias",
        "AsyncInvoke",
        "AutomatedReasoningPolicy",
        "AutomatedReasoningPolicyVersion",
        "Blueprint",
        "DataAutomationInvocation",
        "DataAutomationProfile",
        "DataAutomationProject",
        "FlowAlias",
        "FlowExecution",
        "Guardrail",
        "InlineAgent",
        "KnowledgeBase",
        "Model",
        "PromptVersion",
        "Session",
        "Tool",
    )
)


def event_selector_errors(advanced: Sequence[dict[str, Any]]) -> list[str]:
    """What PutEventSelectors refuses in advanced selectors: a Bedrock ``resources.type`` CloudTrail does not know."""
    types = [
        v for s in advanced for f in s["FieldSelectors"] if f["Field"] == "resources.type" for v in f.get("Equals", [])
    ]
    return [
        f"InvalidEventSelectorsException: resources.type {t!r} is not a CloudTrail data-event resource type"
        for t in types
        if t.startswith("AWS::Bedrock::") and t not in BEDROCK_DATA_EVENT_RESOURCE_TYPES
    ]


class PreflightDeniedError(RuntimeError):
    """A call AWS makes at creation would be refused: ``code`` is AWS's error, ``call`` what was denied."""

    def __init__(self, code: str, call: Call, decision: str) -> None:
        super().__init__(
            f"{code}: AWS would refuse this create: {call.principal} {call.action} on {call.resource} is {decision} "
            f"({call.name})"
        )
        self.code = code
        self.call = call


def require(calls: Sequence[Call], errors: dict[str, str] | str) -> None:
    """Raise PreflightDeniedError for the first call that must be allowed and is not (an undecidable one included)."""
    for call in calls:
        if call.expected != "allow":
            continue
        outcome = decide(call)
        if outcome.decision != "allow":
            code = errors if isinstance(errors, str) else _code(errors, call.action)
            raise PreflightDeniedError(code, call, outcome.decision if not outcome.error else f"error: {outcome.error}")


def _code(errors: dict[str, str], action: str) -> str:
    return next(code for prefix, code in errors.items() if action.startswith(prefix))

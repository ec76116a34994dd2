"""AI-02 live probe: the inference role's live policy pins the guardrail version the stack exports (an Allow
conditioned on it, a Deny of any other or none), and Bedrock's GetGuardrail shows that version's filters. An endpoint
without the guardrail API (moto) makes the guardrail check ``error`` (not observable), never a pass."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.ai.ai_02_guardrail.rule import allows_invoke, enforcement_problems
from ai_security_baseline.controls.vocabulary import (
    GUARDRAIL_CONTENT_FILTERS,
    GUARDRAIL_OUTPUT,
    INFERENCE,
    PROMPT_ATTACK,
    ROLE_ARNS_OUTPUT,
)
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    built_output,
    check,
    waived,
)
from ai_security_baseline.verify.checkers.audit.identity import inline_documents

NOT_APPLICABLE = "not applicable: the stack builds no guardrail (Bedrock off)"


def guardrail_problems(answer: dict[str, Any]) -> list[str]:
    """What GetGuardrail shows missing at the pinned version: the filters the rule checks in the preview."""
    filters = {str(f.get("type")): f for f in (answer.get("contentPolicy") or {}).get("filters") or []}
    problems = []
    weak = [
        t
        for t in GUARDRAIL_CONTENT_FILTERS
        if "NONE" in (filters.get(t, {}).get("inputStrength", "NONE"), filters.get(t, {}).get("outputStrength", "NONE"))
    ]
    if weak:
        problems.append(f"content filters {weak} are off for input or output")
    if filters.get(PROMPT_ATTACK, {}).get("inputStrength") != "HIGH":
        problems.append("the prompt attack filter is not HIGH on input")
    if not (answer.get("sensitiveInformationPolicy") or {}).get("piiEntities"):
        problems.append("no PII entity is blocked or anonymized")
    if not answer.get("kmsKeyArn"):
        problems.append("the guardrail is not encrypted with a customer-managed key")
    return problems


@check("AI-02", account_subject)
def guardrail_filters(ctx: AuditContext, _region: str) -> Verdict:
    guardrail = built_output(ctx, GUARDRAIL_OUTPUT)
    if guardrail is None:
        return waived(NOT_APPLICABLE)
    answer = ctx.observe(
        "bedrock", "GetGuardrail", guardrailIdentifier=str(guardrail["id"]), guardrailVersion=str(guardrail["version"])
    )
    problems = guardrail_problems(answer)
    return Verdict(not problems, "; ".join(problems) or f"guardrail {guardrail['versionArn']} filters are on")


@check("AI-02", account_subject)
def inference_pins_the_guardrail(ctx: AuditContext, _region: str) -> Verdict:
    guardrail = built_output(ctx, GUARDRAIL_OUTPUT)
    if guardrail is None:
        return waived(NOT_APPLICABLE)
    role = str(ctx.output(ROLE_ARNS_OUTPUT)[INFERENCE])
    pinned = str(guardrail["versionArn"])
    invoking = {
        name: enforcement_problems(document, pinned)
        for name, document in inline_documents(ctx, role).items()
        if allows_invoke(document)
    }
    problems = [f"{name}: {p}" for name, found in invoking.items() for p in found]
    if not invoking:
        problems.append(f"no inline policy of {role} grants a Bedrock invocation")
    return Verdict(not problems, "; ".join(problems) or f"{role} invokes models only through {pinned}")

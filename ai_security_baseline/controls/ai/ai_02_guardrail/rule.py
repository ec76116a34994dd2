"""AI-02 preview rule: with Bedrock on, the stack's guardrail filters content, prompt attacks and PII under a key of
the stack, a version of it is published, and every role policy that allows a model invocation pins that version."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.ai.ai_01_invocation_logging.rule import bedrock_reachable
from ai_security_baseline.controls.vocabulary import (
    BEDROCK_INVOKE_ACTIONS,
    GUARDRAIL_CONTENT_FILTERS,
    GUARDRAIL_ID_KEY,
    GUARDRAIL_TYPE,
    GUARDRAIL_VERSION_TYPE,
    INFERENCE_PROFILE_KEY,
    PROMPT_ATTACK,
    ROLE_POLICY,
    guardrail_version_arn,
)

Found = Iterator[tuple[str, str, kit.Verdict, str]]
#: A guardrail at a numeric version, the only identifier an invocation may name when the exact one is not known yet.
_VERSIONED = re.compile(r"arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:guardrail/[a-z0-9]+:[1-9]\d{0,7}")


def grants_invoke(actions: Sequence[str]) -> bool:
    """The actions include a model invocation, named or by wildcard."""
    wanted = [a.lower() for a in BEDROCK_INVOKE_ACTIONS]
    return any(re.fullmatch(re.escape(a.lower()).replace(r"\*", ".*"), w) for a in actions for w in wanted)


def _only(condition: Any, operator: str, *, narrowing: Sequence[str] = ()) -> list[str]:
    """The values of the guardrail key under exactly ``operator`` and nothing else (but the ``narrowing`` keys, which
    only add requirements); [] otherwise."""
    if not isinstance(condition, Mapping) or list(condition) != [operator]:
        return []
    block = condition[operator]
    allowed = {GUARDRAIL_ID_KEY.lower(), *(k.lower() for k in narrowing)}
    if not isinstance(block, Mapping) or not {k.lower() for k in block} <= allowed:
        return []
    return [str(x) for k, v in block.items() if k.lower() == GUARDRAIL_ID_KEY.lower() for x in kit.as_list(v)]


def pinned_ok(values: Sequence[str], pinned: str | None) -> bool:
    """One identifier: the stack's version, or while it is unknown, a guardrail at a numeric version."""
    return len(values) == 1 and (values[0] == pinned if pinned else bool(_VERSIONED.fullmatch(values[0])))


def enforcement_problems(document: Mapping[str, Any], pinned: str | None) -> list[str]:
    """What lets a model invocation through this policy skip the guardrail version: an Allow not conditioned on it,
    no Deny of both invoke actions on ``*`` unless it (``StringNotEquals`` also matches a request without it)."""
    problems = []
    for statement in kit.statements(document):
        actions = [str(a) for a in kit.as_list(statement.get("Action"))]
        unpinned = not pinned_ok(
            _only(statement.get("Condition"), "StringEquals", narrowing=(INFERENCE_PROFILE_KEY,)), pinned
        )
        if statement.get("Effect") == "Allow" and grants_invoke(actions) and unpinned:
            problems.append(f"{statement.get('Sid', '<no Sid>')} allows Bedrock invocations without the guardrail")
    denied = [
        s
        for s in kit.statements(document)
        if s.get("Effect") == "Deny"
        and {a.lower() for a in BEDROCK_INVOKE_ACTIONS} <= {str(a).lower() for a in kit.as_list(s.get("Action"))}
        and kit.as_list(s.get("Resource")) == ["*"]
        and pinned_ok(_only(s.get("Condition"), "StringNotEquals"), pinned)
    ]
    if not denied:
        problems.append("no Deny of Bedrock invocations that name another guardrail or none")
    return problems


def allows_invoke(document: Mapping[str, Any]) -> bool:
    """Some Allow of the policy grants a model invocation."""
    return any(
        s.get("Effect") == "Allow" and grants_invoke([str(a) for a in kit.as_list(s.get("Action"))])
        for s in kit.statements(document)
    )


def invoking_policies(resources: Sequence[kit.Res]) -> list[tuple[kit.Res, dict[str, Any]]]:
    """Role policies that allow a model invocation."""
    documents = [(res, kit.policy_document(res)) for res in resources if res.type == ROLE_POLICY]
    return [(res, document) for res, document in documents if allows_invoke(document)]


def filter_problems(guardrail: kit.Res) -> list[str]:
    """Content filters on all categories both ways, prompt attack HIGH on input, PII handled, a customer key."""
    content = kit.known(guardrail, "contentPolicyConfig") or {}
    filters = {str(f.get("type")): f for f in (content.get("filtersConfigs") or [])}
    problems = []
    weak = [t for t in GUARDRAIL_CONTENT_FILTERS if "NONE" in _strengths(filters.get(t))]
    if weak:
        problems.append(f"content filters {weak} are off for input or output")
    if _strengths(filters.get(PROMPT_ATTACK))[0] != "HIGH":
        problems.append("the prompt attack filter is not HIGH on input")
    pii = (kit.known(guardrail, "sensitiveInformationPolicyConfig") or {}).get("piiEntitiesConfigs") or []
    if not pii:
        problems.append("no PII entity is blocked or anonymized")
    if not kit.known(guardrail, "kmsKeyArn"):
        problems.append("the guardrail is not encrypted with a customer-managed key")
    return problems


def _strengths(config: Mapping[str, Any] | None) -> tuple[str, str]:
    """(input, output) strength of one filter; a missing filter is NONE both ways."""
    if not config:
        return "NONE", "NONE"
    return str(config.get("inputStrength") or "NONE"), str(config.get("outputStrength") or "NONE")


def _versions(resources: Sequence[kit.Res], guardrail: kit.Res) -> list[kit.Res]:
    """Published versions of the guardrail: by its ARN when known, by property dependency while it is not."""
    arn = guardrail.props.get("guardrailArn")
    found = []
    for version in (r for r in resources if r.type == GUARDRAIL_VERSION_TYPE):
        named = version.props.get("guardrailArn")
        if (isinstance(arn, str) and arn != kit.UNKNOWN and named == arn) or guardrail.urn in set(
            version.property_dependencies.get("guardrailArn", ())
        ):
            found.append(version)
    return found


def _pinned(guardrail: kit.Res, versions: Sequence[kit.Res]) -> str | None:
    """``<guardrail arn>:<version>`` once both are known; None while either is computed."""
    arn = guardrail.props.get("guardrailArn")
    numbers = [v.props.get("version") for v in versions]
    if isinstance(arn, str) and arn != kit.UNKNOWN and len(numbers) == 1 and isinstance(numbers[0], str):
        return None if numbers[0] == kit.UNKNOWN else guardrail_version_arn(arn, numbers[0])
    return None


def check(resources: Sequence[kit.Res]) -> Found:
    urn = kit.stack_urn(resources)
    guardrails = [r for r in resources if r.type == GUARDRAIL_TYPE]
    invoking = invoking_policies(resources)
    if not guardrails:
        if invoking or bedrock_reachable(resources):
            yield urn, "AI-02", False, "Bedrock is on but the stack builds no guardrail"
        else:
            yield urn, "AI-02", "not-applicable", "not applicable: no Bedrock endpoint and no model invocation grant"
        return
    if len(guardrails) > 1:
        yield urn, "AI-02", False, f"{len(guardrails)} guardrails: invocations must name exactly one"
        return
    guardrail = guardrails[0]
    versions = _versions(resources, guardrail)
    problems = filter_problems(guardrail)
    if not versions:
        problems.append("no version of the guardrail is published (DRAFT cannot be pinned)")
    yield guardrail.urn, "AI-02", not problems, "; ".join(problems) or "content, prompt-attack and PII filters on"
    pinned = _pinned(guardrail, versions)
    for policy, document in invoking:
        found = enforcement_problems(document, pinned)
        yield policy.urn, "AI-02", not found, "; ".join(found) or "invocations only through the guardrail version"


RULE = kit.Rule(
    "ai-02-guardrail",
    "Bedrock invocations go through the stack's guardrail version: filters on, version published, use enforced",
    ("AI-02",),
    stack_check=check,
)

"""AI-02 mutations: the prompt-attack filter removed, no published version, the inference policy's guardrail
condition or its Deny dropped, in the graph; the Deny dropped from the deployed inference role."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    GUARDRAIL_ALLOW_SID,
    GUARDRAIL_DENY_SID,
    GUARDRAIL_TYPE,
    GUARDRAIL_VERSION_TYPE,
    INFERENCE,
    PROMPT_ATTACK,
    ROLE_ARNS_OUTPUT,
    ROLE_POLICY,
)
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    drop_resources,
    edit_document,
    edit_resources,
    without_condition,
    without_statement,
)
from ai_security_baseline.verify.engine.graph import Resource

INFERENCE_POLICY = f"identity-policies-{INFERENCE}"
#: What the access analysis cannot see: the guardrail's filters and version (no request names them), and the Allow's
#: condition while the Deny still refuses every other identifier.
RULE_ONLY = ("rule",)
#: The inference role's one inline policy (identity.RolePolicies).
INLINE_POLICY = "least-privilege"


def _without_prompt_attack(resource: Resource) -> Resource:
    def edit(props: dict[str, Any]) -> dict[str, Any]:
        content = dict(props.get("contentPolicyConfig") or {})
        content["filtersConfigs"] = [f for f in content.get("filtersConfigs") or [] if f.get("type") != PROMPT_ATTACK]
        return {**props, "contentPolicyConfig": content}

    return dataclasses.replace(resource, inputs=edit(dict(resource.inputs)), outputs=edit(dict(resource.outputs)))


def deny_dropped_live(ctx: Any) -> Callable[[], None]:
    """The inference role's live policy without the Deny: any other guardrail or none is then only not allowed."""
    iam = ctx.client("iam")
    role = str(ctx.output(ROLE_ARNS_OUTPUT)[INFERENCE]).rsplit("/", 1)[-1]
    original = iam.get_role_policy(RoleName=role, PolicyName=INLINE_POLICY)["PolicyDocument"]
    document = original if isinstance(original, dict) else json.loads(original)
    kept = [s for s in document["Statement"] if s.get("Sid") != GUARDRAIL_DENY_SID]
    iam.put_role_policy(
        RoleName=role, PolicyName=INLINE_POLICY, PolicyDocument=json.dumps({**document, "Statement": kept})
    )
    return lambda: iam.put_role_policy(RoleName=role, PolicyName=INLINE_POLICY, PolicyDocument=json.dumps(document))


MUTATIONS = (
    Mutation(
        "AI-02",
        "prompt attack filter removed",
        graph=edit_resources(GUARDRAIL_TYPE, "guardrail", _without_prompt_attack),
        layers=RULE_ONLY,
    ),
    Mutation(
        "AI-02",
        "no published guardrail version",
        graph=drop_resources(GUARDRAIL_VERSION_TYPE, "guardrail"),
        layers=RULE_ONLY,
    ),
    Mutation(
        "AI-02",
        "inference invokes models without the guardrail condition",
        graph=edit_document(
            ROLE_POLICY, INFERENCE_POLICY, "policy", changed_statement(GUARDRAIL_ALLOW_SID, without_condition)
        ),
        layers=RULE_ONLY,
    ),
    Mutation(
        "AI-02",
        "inference policy without the Deny of other guardrails",
        graph=edit_document(ROLE_POLICY, INFERENCE_POLICY, "policy", without_statement(GUARDRAIL_DENY_SID)),
    ),
    Mutation("AI-02", "Deny of other guardrails dropped from the deployed inference role", live=deny_dropped_live),
)

"""Bedrock guardrail (AI-02): content, prompt-attack, PII, topic and grounding filters, a published version, and the
IAM statements that make every model invocation name exactly that version.

What AWS decides:

- Filters (Bedrock API Reference, CreateGuardrail,
  https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateGuardrail.html): a ``PROMPT_ATTACK`` filter
  applies to input only, its ``outputStrength`` must be ``NONE``.
- The key (Bedrock User Guide, "(Optional) Create a customer managed key for your guardrail",
  https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html): the guardrail's creator
  needs ``kms:Decrypt``, ``kms:GenerateDataKey``, ``kms:DescribeKey`` and ``kms:CreateGrant``; its users
  ``kms:Decrypt``. Bedrock makes these calls for the principal, so ``kms:ViaService`` is ``bedrock.<region>`` (KMS-06).
- Enforcement (Bedrock User Guide, "Enforce the use of specific guardrails in model inference requests",
  https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html): ``bedrock:GuardrailIdentifier``
  is ``<guardrail arn>:<version>`` for InvokeModel, InvokeModelWithResponseStream, Converse and ConverseStream; an
  Allow conditioned on it plus a Deny on ``StringNotEquals`` (which matches a request without the key too) holds
  whatever else grants the actions. Invoking with a guardrail also needs ``bedrock:ApplyGuardrail`` on it
  (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions.html).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import GuardrailConfig
from ai_security_baseline.components.documents import Statement
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import (
    APPLY_GUARDRAIL,
    BEDROCK_INVOKE_ACTIONS,
    BOUNDARY_INVOKE_ACTIONS,
    GUARDRAIL_ALLOW_SID,
    GUARDRAIL_CONTENT_FILTERS,
    GUARDRAIL_DENY_SID,
    GUARDRAIL_ID_KEY,
    GUARDRAIL_KEY_CLASS,
    GUARDRAIL_PROFILE_SID,
    INFERENCE_PROFILE_KEY,
    PROMPT_ATTACK,
    guardrail_version_arn,
    is_inference_profile,
)

#: Actions the guide gives the guardrail's creator and its users on its key.
CREATOR_KEY_ACTIONS = ("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey")
USER_KEY_ACTIONS = ("kms:Decrypt",)


def guardrail_name(name_prefix: str) -> str:
    return f"{name_prefix}-guardrail"


def bedrock_via_service(region: str) -> str:
    """The kms:ViaService value when Bedrock calls KMS for a principal."""
    return f"bedrock.{region}.amazonaws.com"


def guardrail_key_statements(
    account: AccountContext, creator_arns: Sequence[str], user_arns: Sequence[str]
) -> dict[str, list[Statement]]:
    """The guide's two grants, bound to Bedrock and this account; CreateGrant only for AWS resources (KMS-06).
    Without a deployer ARN no creator statement: the deployer then needs the key through IAM (root management)."""
    via = {"kms:ViaService": bedrock_via_service(account.region), "kms:CallerAccount": account.account_id}
    statements = []
    if creator_arns:  # kms:GrantIsForAWSResource exists only on grant calls: CreateGrant apart (IAM-09)
        grant = {"StringEquals": via, "Bool": {"kms:GrantIsForAWSResource": "true"}}
        use = [a for a in CREATOR_KEY_ACTIONS if a != "kms:CreateGrant"]
        statements.append(documents.key_user_statement("GuardrailCreator", creator_arns, use, {"StringEquals": via}))
        statements.append(
            documents.key_user_statement("GuardrailCreatorGrants", creator_arns, ["kms:CreateGrant"], grant)
        )
    statements.append(
        documents.key_user_statement("GuardrailUsers", user_arns, USER_KEY_ACTIONS, {"StringEquals": via})
    )
    return {GUARDRAIL_KEY_CLASS: statements}


def profile_model_statements(model_arns: Sequence[str], pinned: str) -> list[Statement]:
    """IAM-08/AI-02: through an allowlisted inference profile, the foundation models in whichever Region it routes
    to, only while the request names that profile (``bedrock:InferenceProfileArn``) and the guardrail version. The
    Bedrock User Guide gives a profile's caller InvokeModel on the profile and on its models in every Region of it
    (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html); the profile condition
    keeps the Region wildcard from reaching a model directly, and one statement serves every profile."""
    profiles = sorted(a for a in model_arns if is_inference_profile(a))
    if not profiles:
        return []
    models = sorted({f"arn:{a.split(':')[1]}:bedrock:*::foundation-model/*" for a in profiles})
    condition = {"StringEquals": {GUARDRAIL_ID_KEY: pinned, INFERENCE_PROFILE_KEY: profiles}}
    return [documents.allow_statement(GUARDRAIL_PROFILE_SID, list(BEDROCK_INVOKE_ACTIONS), models, condition)]


def enforcement_statements(model_arns: Sequence[str], guardrail_arn: str, version: str) -> list[Statement]:
    """IAM-08/AI-02: invoke the allowlisted models only through this guardrail version; deny any other or none."""
    pinned = guardrail_version_arn(guardrail_arn, version)
    return [
        documents.allow_statement(
            GUARDRAIL_ALLOW_SID,
            list(BEDROCK_INVOKE_ACTIONS),
            list(model_arns),
            {"StringEquals": {GUARDRAIL_ID_KEY: pinned}},
        ),
        *profile_model_statements(model_arns, pinned),
        documents.allow_statement("ApplyStackGuardrail", [APPLY_GUARDRAIL], [guardrail_arn]),
        {
            "Sid": GUARDRAIL_DENY_SID,
            "Effect": "Deny",
            "Action": list(BEDROCK_INVOKE_ACTIONS),
            "Resource": "*",
            "Condition": {"StringNotEquals": {GUARDRAIL_ID_KEY: pinned}},
        },
    ]


def boundary_guardrail_deny(account: AccountContext) -> Statement:
    """IAM-05: no role invokes a model without a versioned guardrail of this account and region. The boundary exists
    before the guardrail, so it names the account's guardrails (``guardrail/<id>:<version>``), not this one: still a
    bound, as a request with no guardrail, another account's or an unversioned one is denied whatever a role
    policy allows; the role's own Deny pins the exact version. ``bedrock:InvokeModel*`` is the invoke actions
    (every invocation API, the bidirectional stream included) in fewer characters of IAM's boundary quota."""
    pattern = f"arn:{account.partition}:bedrock:{account.region}:{account.account_id}:guardrail/*:*"
    return {
        "Sid": GUARDRAIL_DENY_SID,
        "Effect": "Deny",
        "Action": [BOUNDARY_INVOKE_ACTIONS],
        "Resource": "*",
        "Condition": {"StringNotLike": {GUARDRAIL_ID_KEY: pattern}},
    }


def filter_configs(settings: GuardrailConfig) -> dict[str, Any]:
    """The guardrail's policies as provider arguments (pure, so tests read them without a deployment)."""
    strength = settings.content_strength
    content = [{"type": t, "input_strength": strength, "output_strength": strength} for t in GUARDRAIL_CONTENT_FILTERS]
    content.append({"type": PROMPT_ATTACK, "input_strength": "HIGH", "output_strength": "NONE"})
    topics = [
        {"name": t.name, "definition": t.definition, "type": "DENY", "examples": list(t.examples) or None}
        for t in settings.denied_topics
    ]
    grounding = [
        {"type": "GROUNDING", "threshold": settings.grounding_threshold},
        {"type": "RELEVANCE", "threshold": settings.relevance_threshold},
    ]
    return {
        "content_policy_config": {"filters_configs": content},
        "sensitive_information_policy_config": {
            "pii_entities_configs": [{"type": t, "action": a} for t, a in sorted(settings.pii_entities.items())]
        },
        "contextual_grounding_policy_config": {"filters_configs": grounding},
        **({"topic_policy_config": {"topics_configs": topics}} if topics else {}),
    }


def configuration_digest(settings: GuardrailConfig) -> str:
    """12 hex digits naming the guardrail's configuration: a new digest publishes a new version."""
    body = json.dumps([filter_configs(settings), settings.blocked_message], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class BedrockGuardrailArgs:
    """Inputs of BedrockGuardrail; ``key_dependencies``: what holds the key's policy (Bedrock checks it on create)."""

    name_prefix: str
    settings: GuardrailConfig
    kms_key_arn: pulumi.Input[str]
    key_dependencies: Sequence[pulumi.Resource] = ()
    protect: bool = False


class BedrockGuardrail(pulumi.ComponentResource):
    """AI-02: the guardrail and its published version."""

    guardrail: aws.bedrock.Guardrail
    version: aws.bedrock.GuardrailVersion

    def __init__(self, name: str, args: BedrockGuardrailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:ai:BedrockGuardrail", name, None, opts)
        self.guardrail = aws.bedrock.Guardrail(
            guardrail_name(args.name_prefix),
            name=guardrail_name(args.name_prefix),
            description="Filters every Bedrock invocation of the stack (AI-02)",
            blocked_input_messaging=args.settings.blocked_message,
            blocked_outputs_messaging=args.settings.blocked_message,
            kms_key_arn=args.kms_key_arn,
            **filter_configs(args.settings),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=list(args.key_dependencies)),
        )
        # A version is an immutable snapshot: the description carries a digest of the configuration, so a changed
        # guardrail publishes a new version (replacement) and the role policies follow its ARN; the old version
        # stays for requests in flight (skip_destroy).
        self.version = aws.bedrock.GuardrailVersion(
            guardrail_name(args.name_prefix),
            guardrail_arn=self.guardrail.guardrail_arn,
            description=f"Published by the baseline, configuration {configuration_digest(args.settings)}",
            skip_destroy=True,
            opts=pulumi.ResourceOptions(parent=self, replace_on_changes=["description"], depends_on=[self.guardrail]),
        )
        self.register_outputs({})

    def output(self) -> pulumi.Output[dict[str, Any]]:
        """GOV-04: the guardrail and the version every invocation must name."""
        return pulumi.Output.all(
            enabled=True,
            arn=self.guardrail.guardrail_arn,
            id=self.guardrail.guardrail_id,
            version=self.version.version,
            versionArn=pulumi.Output.concat(self.guardrail.guardrail_arn, ":", self.version.version),
        )


__all__ = [
    "BedrockGuardrail",
    "BedrockGuardrailArgs",
    "boundary_guardrail_deny",
    "enforcement_statements",
    "filter_configs",
    "guardrail_key_statements",
    "guardrail_name",
]

"""moto handlers of the Bedrock guardrail (AI-02): moto has no guardrail API, so the deployment emulates it.

What CreateGuardrail checks and answers (Bedrock API Reference,
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateGuardrail.html): the KMS key exists and Bedrock
may use it as the caller (preflight); a ``PROMPT_ATTACK`` filter has ``outputStrength`` ``NONE``; the answer is a
12-character id, the ARN ``guardrail/<id>`` and version ``DRAFT``. CreateGuardrailVersion publishes ``1``, ``2``,
... of an existing guardrail. The provider's ids: ``<id>,<version>`` for a guardrail, ``<guardrail arn>,<version>``
for a version.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ai_security_baseline.controls.vocabulary import GUARDRAIL_TYPE, GUARDRAIL_VERSION_TYPE, PROMPT_ATTACK
from ai_security_baseline.verify.emulator import preflight
from ai_security_baseline.verify.emulator.deploy import (
    MotoDeployError,
    MotoMocks,
    Outputs,
    _deployer_key_preflight,
    _required,
    handles,
)
from ai_security_baseline.verify.iam.principals import guardrail_creation_calls


def filter_errors(inputs: dict[str, Any]) -> list[str]:
    """What CreateGuardrail refuses in the content filters."""
    filters = (inputs.get("contentPolicyConfig") or {}).get("filtersConfigs") or []
    return [
        f"{PROMPT_ATTACK} outputStrength must be NONE (found {f.get('outputStrength')})"
        for f in filters
        if f.get("type") == PROMPT_ATTACK and f.get("outputStrength") != "NONE"
    ]


@handles(GUARDRAIL_TYPE)
def _guardrail(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated: the key must exist and Bedrock must be able to use it as the caller, as on create."""
    (guardrail_name,) = _required(GUARDRAIL_TYPE, name, inputs, "name")
    errors = filter_errors(inputs)
    if errors:
        raise MotoDeployError(GUARDRAIL_TYPE, name, "ValidationException: " + "; ".join(errors))
    if inputs.get("kmsKeyArn"):
        key = str(m.client("kms").describe_key(KeyId=str(inputs["kmsKeyArn"]))["KeyMetadata"]["Arn"])
        _deployer_key_preflight(m, name, preflight.GUARDRAIL_KMS_ERROR, guardrail_creation_calls, key)
    gid = hashlib.sha256(f"{m.account_id}\x00{guardrail_name}".encode()).hexdigest()[:12]
    arn = m.arn("bedrock", f"guardrail/{gid}")
    m.emulated.append((GUARDRAIL_TYPE, name, arn))
    outputs = {**inputs, "guardrailId": gid, "guardrailArn": arn, "version": "DRAFT", "status": "READY"}
    return f"{gid},DRAFT", {**outputs, "tagsAll": m.tags(inputs)}


@handles(GUARDRAIL_VERSION_TYPE)
def _guardrail_version(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated: the guardrail must exist; versions count from 1 per guardrail."""
    (arn,) = _required(GUARDRAIL_VERSION_TYPE, name, inputs, "guardrailArn")
    if not any(t == GUARDRAIL_TYPE and a == arn for t, _, a in m.emulated):
        raise MotoDeployError(GUARDRAIL_VERSION_TYPE, name, f"ResourceNotFoundException: no guardrail {arn}")
    version = str(1 + sum(1 for t, _, a in m.emulated if t == GUARDRAIL_VERSION_TYPE and a.startswith(f"{arn}:")))
    m.emulated.append((GUARDRAIL_VERSION_TYPE, name, f"{arn}:{version}"))
    return f"{arn},{version}", {**inputs, "version": version}

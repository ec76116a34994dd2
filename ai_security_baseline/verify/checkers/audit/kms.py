"""What the KMS probes share: one subject per class key, the cached reads of its metadata and key policy, and
the key-policy edit the live mutations make."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import DATA_CLASSES, key_output
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject, policy_json


def key_subjects(ctx: AuditContext) -> list[Subject]:
    return [
        Subject(urn=str(ctx.outputs[key_output(c)]), value=c)
        if ctx.outputs.get(key_output(c))
        else Subject(urn="stack", missing=key_output(c))
        for c in DATA_CLASSES
    ]


def key_arn(ctx: AuditContext, data_class: str) -> str:
    return str(ctx.output(key_output(data_class)))


def key_metadata(ctx: AuditContext, data_class: str) -> dict[str, Any]:
    arn = key_arn(ctx, data_class)
    result: dict[str, Any] = ctx.cached(("describe_key", arn), lambda: ctx.client("kms").describe_key(KeyId=arn))
    return dict(result["KeyMetadata"])


def key_policy(ctx: AuditContext, data_class: str) -> dict[str, Any]:
    arn = key_arn(ctx, data_class)
    answer = ctx.cached(("key_policy", arn), lambda: ctx.client("kms").get_key_policy(KeyId=arn, PolicyName="default"))
    return policy_json(answer["Policy"])


def put_key_policy_edited(
    ctx: AuditContext, data_class: str, edit: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[], None]:
    """Replace the class key's policy by ``edit`` of it (a live mutation); returns the call that puts back the
    original text exactly."""
    kms = ctx.client("kms")
    arn = key_arn(ctx, data_class)
    original = kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"]
    kms.put_key_policy(KeyId=arn, PolicyName="default", Policy=json.dumps(edit(policy_json(original))))
    return lambda: kms.put_key_policy(KeyId=arn, PolicyName="default", Policy=original)

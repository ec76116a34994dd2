"""GOV-02 preview rule: the pseudonymization secret uses the ``data`` key and only the data processor may read it.

The joins (secret -> key -> alias class, secret -> policy) and the reading of Deny guardrails are the storage
rules' (``Stack``, ``has_guardrail`` in ``controls.s3.common``): the same meaning of "denied to everyone but one
role" as the bucket policies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import DATA_KEY_CLASS, PSEUDONYMIZATION_SUFFIX, Stack, dig, has_guardrail
from ai_security_baseline.controls.vocabulary import KMS_KEY, SECRET, SECRET_POLICY


def _read_only_by_processor(document: Mapping[str, Any]) -> bool:
    """A Deny of GetSecretValue to everyone, exempting at most one role ARN (the data processor)."""
    readers = {
        (op, "aws:principalarn"): (lambda v: len(v) == 1 and ":role/" in v[0]) for op in ("ArnNotEquals", "ArnNotLike")
    }
    return has_guardrail(document, ["secretsmanager:GetSecretValue"], [], {}, readers)


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    stack = Stack(resources)
    secrets = [s for s in stack.of_type(SECRET) if str(dig(s, "name") or "").endswith(PSEUDONYMIZATION_SUFFIX)]
    if not secrets:
        yield kit.stack_urn(resources), "GOV-02", False, f"no secret named *{PSEUDONYMIZATION_SUFFIX}"
    for secret in secrets:
        keys = stack.refs(secret, "kmsKeyId", KMS_KEY)
        key_class = stack.key_class(keys[0]) if len(keys) == 1 else ""
        policy, problem = stack.single(secret, SECRET_POLICY, key="secretArn")
        problems = (
            []
            if key_class == DATA_KEY_CLASS
            else [f"encrypted with {key_class or 'no key of this stack'}, not the data key"]
        )
        if policy is None:
            problems.append(problem)
        else:
            if dig(policy, "blockPublicPolicy") is not True:
                problems.append("blockPublicPolicy off")
            if not _read_only_by_processor(kit.policy_document(policy)):
                problems.append("GetSecretValue is not denied to everyone but one data-processor role")
        yield secret.urn, "GOV-02", not problems, "; ".join(problems) or "data key; readable only by the data processor"


RULE = kit.Rule(
    "gov-02-pseudonymization-secret",
    "The pseudonymization secret uses the data key and is readable only by the data processor",
    ("GOV-02",),
    stack_check=check,
)

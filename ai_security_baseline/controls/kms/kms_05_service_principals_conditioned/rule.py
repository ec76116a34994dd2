"""KMS-05 preview rule: every service principal of a key policy carries the confused-deputy condition that service
actually sends."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import allow_statements
from ai_security_baseline.controls.vocabulary import KMS_KEY

#: Services whose KMS calls carry only their encryption context, no aws:SourceArn/aws:SourceAccount: CloudWatch Logs
#: (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
_CONTEXT_ONLY_SERVICE = re.compile(r"^logs\.[a-z0-9-]+\.amazonaws\.com$")


def binding_problem(services: list[str], keys: set[str]) -> str | None:
    """Confused-deputy guard in the form each service supports: this resource's ARN (``aws:SourceArn``) or its
    encryption context; for a context-only service, the context and no source key (it would never match)."""
    context = any(k.startswith("kms:encryptioncontext:") for k in keys)
    source = {"aws:sourcearn", "aws:sourceaccount"} & keys
    if any(_CONTEXT_ONLY_SERVICE.match(s) for s in services):
        if source:
            return f"admits {services} with {sorted(source)}, which CloudWatch Logs never sends"
        return None if context else f"admits {services} without its aws:logs:arn encryption context"
    return (
        None if context or "aws:sourcearn" in keys else f"admits {services} without aws:SourceArn or encryption context"
    )


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    problems = []
    for st in allow_statements(res):
        services = kit.principals(st, "Service")
        problem = binding_problem(services, kit.condition_keys(st)) if services else None
        if problem:
            problems.append(f"{st.get('Sid', '<no Sid>')} {problem}")
    yield "KMS-05", not problems, "; ".join(problems) or "every service principal carries confused-deputy conditions"


RULE = kit.Rule(
    "kms-05-service-principals-conditioned",
    "Service principals of key policies carry the confused-deputy conditions their service sends",
    ("KMS-05",),
    (KMS_KEY,),
    check,
)

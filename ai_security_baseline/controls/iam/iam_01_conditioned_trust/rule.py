"""IAM-01 preview rule: roles trust services only with the source conditions each sends, never everyone."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.iam.common import IAM_ROLE, trust_problems


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    problems = trust_problems(kit.policy_document(res, "assumeRolePolicy"))
    yield "IAM-01", not problems, "; ".join(problems) or "trust conditioned as each service supports"


RULE = kit.Rule(
    "iam-01-conditioned-trust",
    "Roles trust services only with the source conditions each sends, and never everyone",
    ("IAM-01",),
    (IAM_ROLE,),
    check,
)

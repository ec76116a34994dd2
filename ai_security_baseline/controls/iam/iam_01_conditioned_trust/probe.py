"""IAM-01 live probe: each role's trust policy, read back, meets the preview rule's requirement (service principals
with the conditions they send, never Principal "*") and conditions every other Allow."""

from __future__ import annotations

from ai_security_baseline.controls.iam.common import UNCONDITIONED_TRUST_SERVICES, trust_problems
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check, policy_json, statements
from ai_security_baseline.verify.checkers.audit.identity import role, role_subjects


def _silent_only(statement: dict[str, object]) -> bool:
    """A statement trusting only services that send no source conditions (none can be required of them)."""
    principal = statement.get("Principal")
    services = principal.get("Service") if isinstance(principal, dict) and set(principal) == {"Service"} else None
    names = [services] if isinstance(services, str) else services if isinstance(services, list) else []
    return bool(names) and all(s in UNCONDITIONED_TRUST_SERVICES for s in names)


@check("IAM-01", role_subjects)
def _conditioned_trust(ctx: AuditContext, arn: str) -> Verdict:
    trust = policy_json(role(ctx, arn)["AssumeRolePolicyDocument"])
    problems = trust_problems(trust)
    problems += [
        f"{s.get('Sid', '?')}: unconditioned"
        for s in statements(trust)
        if s.get("Effect") == "Allow" and not s.get("Condition") and not _silent_only(s)
    ]
    return Verdict(not problems, "trust " + ("; ".join(problems) if problems else "conditioned"), trust)

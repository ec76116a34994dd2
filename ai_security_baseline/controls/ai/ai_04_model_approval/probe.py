"""AI-04 live probe: the deployed trainer's inline policies deny approving and registering other than pending, and
the approver's allow nothing beyond approving (the same checks as the preview rule, on what IAM holds)."""

from __future__ import annotations

from ai_security_baseline.controls.ai.ai_04_model_approval.rule import approver_extras, trainer_problems
from ai_security_baseline.controls.vocabulary import APPROVER, ROLE_ARNS_OUTPUT, TRAINER
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, account_subject, check
from ai_security_baseline.verify.checkers.audit.identity import inline_documents


@check("AI-04", account_subject)
def model_approval(ctx: AuditContext, _region: str) -> Verdict:
    roles = dict(ctx.output(ROLE_ARNS_OUTPUT))
    missing = trainer_problems(inline_documents(ctx, str(roles[TRAINER])).values())
    problems = [f"the trainer's policies do not deny {' or '.join(missing)}"] if missing else []
    if APPROVER in roles:
        extras = approver_extras(inline_documents(ctx, str(roles[APPROVER])).values())
        problems += [f"the approver is also allowed {extras}"] if extras else []
    detail = "the trainer registers only pending versions and cannot approve; the approver only approves"
    return Verdict(not problems, "; ".join(problems) or detail, {"roles": roles})

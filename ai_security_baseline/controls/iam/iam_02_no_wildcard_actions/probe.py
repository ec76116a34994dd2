"""IAM-02 live probe: no inline policy of a role, read back, allows ``*`` or ``service:*``."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, as_list, check, statements
from ai_security_baseline.verify.checkers.audit.identity import inline_documents, role_subjects


@check("IAM-02", role_subjects)
def _no_wildcard_actions(ctx: AuditContext, arn: str) -> Verdict:
    wild = [
        f"{name}:{action}"
        for name, document in inline_documents(ctx, arn).items()
        for statement in statements(document)
        if statement.get("Effect") == "Allow"
        for action in as_list(statement.get("Action"))
        if action == "*" or str(action).endswith(":*")
    ]
    return Verdict(
        not wild, "inline policies " + (f"grant {wild}" if wild else "name their actions"), {"wildcards": wild}
    )

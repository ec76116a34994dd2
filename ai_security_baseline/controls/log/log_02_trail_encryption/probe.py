"""LOG-02 live probe: the deployed trail encrypts with the stack's logs key."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.log import trail, trail_subject


@check("LOG-02", trail_subject)
def trail_key(ctx: AuditContext, arn: str) -> Verdict:
    key = str(ctx.output("logsKeyArn"))
    actual = trail(ctx, arn).get("KmsKeyId")
    return Verdict(actual == key, f"trail key {actual} (expected {key})", {"KmsKeyId": actual})

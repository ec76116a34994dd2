"""LOG-07 live probe: the trail's log group keeps its records at least 365 days."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.log import (
    MIN_LOG_RETENTION,
    alarm_subject,
    live_retention_waiver,
    log_group,
)


@check("LOG-07", alarm_subject)
def retention(ctx: AuditContext, group: str) -> Verdict:
    found = log_group(ctx.client("logs"), group)
    if found is None:
        return Verdict(False, f"log group {group} does not exist", {})
    days = int(found.get("retentionInDays") or 0)
    message, evidence = f"{group} retention {days or 'never expire'} days", {"retentionInDays": days}
    waiver = live_retention_waiver(ctx, found)
    if waiver:
        return Verdict(True, message, evidence, status="waived", waiver=waiver)
    return Verdict(days >= MIN_LOG_RETENTION, message, evidence)

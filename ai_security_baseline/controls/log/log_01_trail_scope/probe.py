"""LOG-01 live probe: the deployed trail is multi-region, records global events, validates files and is logging."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.log import trail, trail_subject


@check("LOG-01", trail_subject)
def trail_scope(ctx: AuditContext, arn: str) -> Verdict:
    described = trail(ctx, arn)
    status = ctx.client("cloudtrail").get_trail_status(Name=arn)
    flags = {
        "IsMultiRegionTrail": described.get("IsMultiRegionTrail"),
        "IncludeGlobalServiceEvents": described.get("IncludeGlobalServiceEvents"),
        "LogFileValidationEnabled": described.get("LogFileValidationEnabled"),
        "IsLogging": status.get("IsLogging"),
    }
    off = [k for k, v in flags.items() if v is not True]
    return Verdict(not off, f"trail {described['Name']}: " + (f"off: {off}" if off else "all on"), flags)

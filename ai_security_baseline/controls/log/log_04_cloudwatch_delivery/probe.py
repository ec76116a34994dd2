"""LOG-04 live probe: the trail delivers to CloudWatch Logs, into a group with the logs key and full retention."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.log import MIN_LOG_RETENTION, log_group, trail, trail_subject


@check("LOG-04", trail_subject)
def delivery(ctx: AuditContext, arn: str) -> Verdict:
    described = trail(ctx, arn)
    group_arn = described.get("CloudWatchLogsLogGroupArn") or ""
    if not group_arn or not described.get("CloudWatchLogsRoleArn"):
        return Verdict(False, "trail does not deliver to CloudWatch Logs", {})
    name = group_arn.split(":log-group:", 1)[-1].removesuffix(":*")
    group = log_group(ctx.client("logs"), name)
    if group is None:
        return Verdict(False, f"log group {name} does not exist", {})
    ok = (
        group.get("kmsKeyId") == ctx.output("logsKeyArn")
        and int(group.get("retentionInDays") or 0) >= MIN_LOG_RETENTION
    )
    return Verdict(ok, f"trail -> {name}: key {group.get('kmsKeyId')}, retention {group.get('retentionInDays')}", group)

"""AI-01 live probe: the region's Bedrock invocation logging delivers text to the stack's archive and log group."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import (
    BEDROCK_LOG_BUCKET_CLASS,
    BEDROCK_LOG_GROUP_OUTPUT,
    INVOCATION_LOGGING_OUTPUT,
    bucket_output,
)
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, account_subject, check


def logging_problems(config: dict[str, object], bucket: str, group: str) -> list[str]:
    """What differs from the stack's setting in the ``loggingConfig`` Bedrock answers."""
    s3 = config.get("s3Config") or {}
    cloudwatch = config.get("cloudWatchConfig") or {}
    problems = []
    if config.get("textDataDeliveryEnabled") is not True:
        problems.append("text data delivery is off")
    if not isinstance(s3, dict) or s3.get("bucketName") != bucket:
        problems.append(f"invocation logs do not go to the archive {bucket} (found {s3})")
    if not isinstance(cloudwatch, dict) or cloudwatch.get("logGroupName") != group:
        problems.append(f"invocation logs do not go to the group {group} (found {cloudwatch})")
    return problems


@check("AI-01", account_subject)
def invocation_logging(ctx: AuditContext, _region: str) -> Verdict:
    if ctx.output(INVOCATION_LOGGING_OUTPUT).get("enabled") is not True:  # the stack neither reaches nor logs Bedrock
        reason = "not applicable: the stack builds no Bedrock invocation logging"
        return Verdict(True, reason, status="waived", waiver=reason)
    bucket = str(ctx.output(bucket_output(BEDROCK_LOG_BUCKET_CLASS)))
    group = str(ctx.output(BEDROCK_LOG_GROUP_OUTPUT))
    answer = ctx.observe("bedrock", "GetModelInvocationLoggingConfiguration")
    config = answer.get("loggingConfig")
    if not config:
        return Verdict(False, "Bedrock model invocation logging is off in this region")
    problems = logging_problems(dict(config), bucket, group)
    return Verdict(not problems, "; ".join(problems) or f"text invocations logged to {bucket} and {group}")

"""DET-05 live probe: the stack's recorder records the baseline's types and is on, its channel delivers to the
stack's bucket with the logs key, and every AWS managed rule of the baseline exists."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import (
    CONFIG_BUCKET_CLASS,
    CONFIG_MANAGED_RULES,
    CONFIG_RECORDED_TYPES,
    CONFIG_RECORDER_OUTPUT,
    bucket_output,
    key_output,
)
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    central_waiver,
    check,
)


def _recorder_problems(ctx: AuditContext, name: str) -> list[str]:
    config = ctx.client("config")
    recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
    mine = [r for r in recorders if r.get("name") == name]
    if not mine:
        return [f"no configuration recorder {name} (found {[r.get('name') for r in recorders]})"]
    group = mine[0].get("recordingGroup") or {}
    missing = (
        [] if group.get("allSupported") else sorted(set(CONFIG_RECORDED_TYPES) - set(group.get("resourceTypes") or []))
    )
    problems = [f"{name} does not record {missing}"] if missing else []
    statuses = config.describe_configuration_recorder_status(ConfigurationRecorderNames=[name])
    if not any(s.get("recording") for s in statuses["ConfigurationRecordersStatus"]):
        problems.append(f"{name} is not recording")
    return problems


def _channel_problems(ctx: AuditContext) -> list[str]:
    bucket, key = str(ctx.output(bucket_output(CONFIG_BUCKET_CLASS))), str(ctx.output(key_output("logs")))
    channels = ctx.client("config").describe_delivery_channels()["DeliveryChannels"]
    if not any(c.get("s3BucketName") == bucket and c.get("s3KmsKeyArn") == key for c in channels):
        return [f"no delivery channel into {bucket} with the logs key (found {channels})"]
    return []


def _rule_problems(ctx: AuditContext) -> list[str]:
    pages = ctx.client("config").get_paginator("describe_config_rules").paginate()
    present = {
        r["Source"]["SourceIdentifier"] for page in pages for r in page["ConfigRules"] if r["Source"]["Owner"] == "AWS"
    }
    missing = sorted(set(CONFIG_MANAGED_RULES) - present)
    return [f"AWS managed rules missing: {missing}"] if missing else []


@check("DET-05", account_subject)
def config_recorder(ctx: AuditContext, _region: str) -> Verdict:
    waived = central_waiver(ctx, "config")
    if waived:
        return waived
    name = str(ctx.output(CONFIG_RECORDER_OUTPUT))
    problems = _recorder_problems(ctx, name) + _channel_problems(ctx) + _rule_problems(ctx)
    return Verdict(
        not problems, "; ".join(problems) or f"{name} records into the stack's bucket; managed rules present"
    )

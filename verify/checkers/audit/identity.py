"""Audit trail (LOG-*) and the pseudonymization secret (GOV-02) read from the account, and the roles' reads the
IAM units' probes share.

A stack whose outputs lack the trail or role keys (an older stack, a partial ``pulumi stack output``) gets
``error`` "output X missing" for these controls, never a pass.
"""

from __future__ import annotations

from typing import Any

from verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Subject,
    Verdict,
    as_list,
    check,
    decide,
    policy_json,
)
from verify.checkers.audit.s3 import output_prefix
from verify.iam.evaluator import Outcome

TRAIL_OUTPUT = "trailArn"
TRAIL_LOG_GROUP_OUTPUT = "trailLogGroupName"
ALARM_TOPIC_OUTPUT = "alarmTopicArn"
ROLE_OUTPUT = "roleArns"  # {"data-processor": arn, ...}
MIN_LOG_RETENTION = 365
DATA_EVENT_BUCKETS = ("raw", "curated", "models")


def trail_subject(ctx: AuditContext) -> list[Subject]:
    arn = ctx.outputs.get(TRAIL_OUTPUT)
    return [Subject(urn=str(arn), value=str(arn))] if arn else [Subject(urn="stack", missing=TRAIL_OUTPUT)]


def _trail(ctx: AuditContext, arn: str) -> dict[str, Any]:
    trails = ctx.cached(("trail", arn), lambda: ctx.client("cloudtrail").describe_trails(trailNameList=[arn]))
    listed = trails["trailList"]
    if len(listed) != 1:
        raise LookupError(f"trail {arn} not found")
    return dict(listed[0])


@check("LOG-01", trail_subject)
def _trail_scope(ctx: AuditContext, arn: str) -> Verdict:
    trail = _trail(ctx, arn)
    status = ctx.client("cloudtrail").get_trail_status(Name=arn)
    flags = {
        "IsMultiRegionTrail": trail.get("IsMultiRegionTrail"),
        "IncludeGlobalServiceEvents": trail.get("IncludeGlobalServiceEvents"),
        "LogFileValidationEnabled": trail.get("LogFileValidationEnabled"),
        "IsLogging": status.get("IsLogging"),
    }
    off = [k for k, v in flags.items() if v is not True]
    return Verdict(not off, f"trail {trail['Name']}: " + (f"off: {off}" if off else "all on"), flags)


@check("LOG-02", trail_subject)
def _trail_key(ctx: AuditContext, arn: str) -> Verdict:
    key = str(ctx.output("logsKeyArn"))
    actual = _trail(ctx, arn).get("KmsKeyId")
    return Verdict(actual == key, f"trail key {actual} (expected {key})", {"KmsKeyId": actual})


@check("LOG-03", trail_subject)
def _trail_bucket(ctx: AuditContext, arn: str) -> Verdict:
    trail = _trail(ctx, arn)
    bucket = trail["S3BucketName"]
    s3 = ctx.client("s3")
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"].get("ObjectLockEnabled")
    policy = policy_json(s3.get_bucket_policy(Bucket=bucket)["Policy"])

    def deliver(account: str) -> Outcome:
        return decide(
            ctx,
            action="s3:PutObject",
            resource=f"arn:aws:s3:::{bucket}/AWSLogs/{account}/x",
            principal="cloudtrail.amazonaws.com",
            context={
                "aws:SourceAccount": account,
                "aws:SourceArn": arn.replace(ctx.account_id, account),
                "s3:x-amz-acl": "bucket-owner-full-control",
                "aws:SecureTransport": True,
            },
            resource_policy=policy,
            kind="s3",
        )

    delete = decide(
        ctx,
        action="s3:DeleteObject",
        resource=f"arn:aws:s3:::{bucket}/AWSLogs/x",
        context={"aws:SecureTransport": True},
        resource_policy=policy,
        kind="s3",
    )
    checks = {
        "SSE-KMS": sse.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") == "aws:kms",
        "versioning": versioning == "Enabled",
        "object lock": lock == "Enabled",
        "CloudTrail delivery": deliver(ctx.account_id) == "Allow",
        "foreign delivery refused": deliver(FOREIGN_ACCOUNT) != "Allow",
        "deletes denied": delete == "ExplicitDeny",
    }
    bad = [k for k, v in checks.items() if not v]
    return Verdict(not bad, f"audit bucket {bucket}: " + (f"failing {bad}" if bad else "as required"), checks)


@check("LOG-04", trail_subject)
def _trail_to_logs(ctx: AuditContext, arn: str) -> Verdict:
    trail = _trail(ctx, arn)
    group_arn = trail.get("CloudWatchLogsLogGroupArn") or ""
    if not group_arn or not trail.get("CloudWatchLogsRoleArn"):
        return Verdict(False, "trail does not deliver to CloudWatch Logs", {})
    name = group_arn.split(":log-group:", 1)[-1].removesuffix(":*")
    group = next(
        g
        for g in ctx.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        if g["logGroupName"] == name
    )
    ok = (
        group.get("kmsKeyId") == ctx.output("logsKeyArn")
        and int(group.get("retentionInDays") or 0) >= MIN_LOG_RETENTION
    )
    return Verdict(ok, f"trail -> {name}: key {group.get('kmsKeyId')}, retention {group.get('retentionInDays')}", group)


@check("LOG-05", trail_subject)
def _data_events(ctx: AuditContext, arn: str) -> Verdict:
    selectors = ctx.client("cloudtrail").get_event_selectors(TrailName=arn).get("AdvancedEventSelectors") or []
    prefixes = [
        v
        for s in selectors
        for f in s.get("FieldSelectors", [])
        if f.get("Field") == "resources.ARN"
        for v in as_list(f.get("StartsWith")) + as_list(f.get("Equals"))
    ]
    missing = []
    for bucket_class in DATA_EVENT_BUCKETS:
        bucket_arn = str(ctx.output(f"{output_prefix(bucket_class)}BucketArn"))
        if not any(f"{bucket_arn}/".startswith(p) or p.startswith(bucket_arn) for p in prefixes):
            missing.append(bucket_class)
    return Verdict(
        not missing,
        "S3 data events " + (f"missing for {missing}" if missing else "for every data bucket"),
        {"resources": prefixes},
    )


def alarm_subject(ctx: AuditContext) -> list[Subject]:
    for key in (TRAIL_LOG_GROUP_OUTPUT, ALARM_TOPIC_OUTPUT):
        if not ctx.outputs.get(key):
            return [Subject(urn="stack", missing=key)]
    return [Subject(urn=str(ctx.outputs[ALARM_TOPIC_OUTPUT]), value=str(ctx.outputs[TRAIL_LOG_GROUP_OUTPUT]))]


@check("LOG-06", alarm_subject)
def _alarms(ctx: AuditContext, group: str) -> Verdict:
    topic = str(ctx.output(ALARM_TOPIC_OUTPUT))
    filters = ctx.client("logs").describe_metric_filters(logGroupName=group)["metricFilters"]
    metrics = {(t["metricNamespace"], t["metricName"]) for f in filters for t in f["metricTransformations"]}
    alarms = ctx.client("cloudwatch").describe_alarms()["MetricAlarms"]
    alarmed = {(a.get("Namespace"), a.get("MetricName")) for a in alarms if topic in a.get("AlarmActions", [])}
    key = ctx.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"].get("KmsMasterKeyId")
    unalarmed = sorted(f"{n}/{m}" for n, m in metrics - alarmed)
    ok = bool(filters) and not unalarmed and bool(key)
    return Verdict(ok, f"{len(filters)} metric filters, unalarmed {unalarmed}, topic key {key}", {"topicKey": key})


@check("LOG-07", alarm_subject)
def _audit_retention(ctx: AuditContext, group: str) -> Verdict:
    found = [
        g
        for g in ctx.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        if g["logGroupName"] == group
    ]
    if not found:
        return Verdict(False, f"log group {group} does not exist", {})
    days = int(found[0].get("retentionInDays") or 0)
    return Verdict(
        days >= MIN_LOG_RETENTION, f"{group} retention {days or 'never expire'} days", {"retentionInDays": days}
    )


# ---- roles -------------------------------------------------------------------------------------------------


def role_subjects(ctx: AuditContext) -> list[Subject]:
    roles = ctx.outputs.get(ROLE_OUTPUT)
    if not isinstance(roles, dict) or not roles:
        return [Subject(urn="stack", missing=ROLE_OUTPUT)]
    return [Subject(urn=str(arn), value=str(arn)) for arn in roles.values()]


def role(ctx: AuditContext, arn: str) -> dict[str, Any]:
    """The role as ``iam:GetRole`` describes it (read once per audit)."""
    answer = ctx.cached(("role", arn), lambda: ctx.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1]))
    return dict(answer["Role"])


def inline_documents(ctx: AuditContext, arn: str) -> dict[str, dict[str, Any]]:
    """The role's inline policies by name (IAM-02 reads every grant, IAM-06 evaluates the trainer's)."""
    iam = ctx.client("iam")
    name = arn.rsplit("/", 1)[-1]
    return {
        policy: policy_json(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }


# ---- the pseudonymization secret ------------------------------------------------------------------------------


def secret_subject(ctx: AuditContext) -> list[Subject]:
    arn = ctx.outputs.get("pseudonymizationSecretArn")
    return (
        [Subject(urn=str(arn), value=str(arn))] if arn else [Subject(urn="stack", missing="pseudonymizationSecretArn")]
    )


@check("GOV-02", secret_subject)
def _secret(ctx: AuditContext, arn: str) -> Verdict:
    secrets = ctx.client("secretsmanager")
    key = str(ctx.output("dataKeyArn"))
    described = secrets.describe_secret(SecretId=arn)
    policy = policy_json(secrets.get_resource_policy(SecretId=arn)["ResourcePolicy"])
    readers = [p for p in as_list((ctx.outputs.get(ROLE_OUTPUT) or {}).get("data-processor")) if isinstance(p, str)]
    probes = {
        "other role of this account": decide(
            ctx, action="secretsmanager:GetSecretValue", resource=arn, resource_policy=policy
        ),
        "another account": decide(
            ctx,
            action="secretsmanager:GetSecretValue",
            resource=arn,
            principal=ctx.probe_arn(FOREIGN_ACCOUNT),
            resource_policy=policy,
        ),
    }
    ok = described.get("KmsKeyId") == key and all(v != "Allow" for v in probes.values())
    return Verdict(
        ok,
        f"secret key {described.get('KmsKeyId')} (expected {key}); GetSecretValue {probes}"
        + ("" if readers else "; data-processor not in the outputs: its read was not probed"),
        {"probe": probes},
    )

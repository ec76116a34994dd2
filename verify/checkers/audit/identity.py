"""Audit trail (LOG-*), roles (IAM-01/02/05/06) and the pseudonymization secret (GOV-02), read from the account.

A stack whose outputs lack the trail or role keys (an older stack, a partial ``pulumi stack output``) gets
``error`` "output X missing" for these controls, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    statements,
)
from verify.checkers.audit.s3 import output_prefix
from verify.iam.evaluator import ContextValue, Outcome, PolicySet, Request, evaluate

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


def _role(ctx: AuditContext, arn: str) -> dict[str, Any]:
    answer = ctx.cached(("role", arn), lambda: ctx.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1]))
    return dict(answer["Role"])


@check("IAM-01", role_subjects)
def _conditioned_trust(ctx: AuditContext, arn: str) -> Verdict:
    trust = policy_json(_role(ctx, arn)["AssumeRolePolicyDocument"])
    unconditioned = [
        s.get("Sid", "?") for s in statements(trust) if s.get("Effect") == "Allow" and not s.get("Condition")
    ]
    return Verdict(
        not unconditioned, "trust " + (f"unconditioned: {unconditioned}" if unconditioned else "conditioned"), trust
    )


@check("IAM-02", role_subjects)
def _no_wildcard_actions(ctx: AuditContext, arn: str) -> Verdict:
    iam = ctx.client("iam")
    name = arn.rsplit("/", 1)[-1]
    wild = []
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        document = policy_json(iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"])
        for statement in statements(document):
            if statement.get("Effect") == "Allow":
                wild += [f"{policy_name}:{a}" for a in as_list(statement.get("Action")) if a == "*" or a.endswith(":*")]
    return Verdict(
        not wild, "inline policies " + (f"grant {wild}" if wild else "name their actions"), {"wildcards": wild}
    )


@check("IAM-05", role_subjects)
def _boundary(ctx: AuditContext, arn: str) -> Verdict:
    boundary = (_role(ctx, arn).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    return Verdict(bool(boundary), f"permissions boundary {boundary}", {"boundary": boundary})


# ---- SageMaker job guardrails ----------------------------------------------------------------------------------

TRAINER_ROLE = "model-trainer"
JOB_ACTIONS = {"sagemaker:CreateTrainingJob": "training-job", "sagemaker:CreateProcessingJob": "processing-job"}
#: An instance type with local NVMe storage (refuses a volume key) and one on EBS (needs the volume key).
LOCAL_STORAGE_TYPE = "ml.p4d.24xlarge"
EBS_TYPE = "ml.m5.xlarge"
VOLUME_KEY = "sagemaker:VolumeKmsKeyArn"
INSTANCE_TYPES = "sagemaker:InstanceTypes"


def trainer_subject(ctx: AuditContext) -> list[Subject]:
    roles = ctx.outputs.get(ROLE_OUTPUT)
    arn = roles.get(TRAINER_ROLE) if isinstance(roles, dict) else None
    return [Subject(urn=str(arn), value=str(arn))] if arn else [Subject(urn="stack", missing=ROLE_OUTPUT)]


def _changed(base: Mapping[str, ContextValue], changes: Mapping[str, ContextValue | None]) -> dict[str, ContextValue]:
    """``base`` with ``changes`` applied; None removes a key (the request does not carry it)."""
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not None}


def job_probes(ctx: AuditContext) -> dict[str, tuple[dict[str, ContextValue], bool]]:
    """IAM-06 job requests: name -> (request context, whether the trainer's guardrails must allow it).

    Both allowed shapes (the volume key on an EBS type; no volume key on a local-storage type) are probed with each
    guardrail dropped in turn, so a policy that loses a condition in either statement fails.
    """
    foreign_key = f"arn:aws:kms:{ctx.region}:{FOREIGN_ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
    with_key: dict[str, ContextValue] = {
        "sagemaker:VpcSubnets": [str(s) for s in as_list(ctx.output("privateSubnetIds"))],
        "sagemaker:VpcSecurityGroupIds": [str(ctx.output("workloadSecurityGroupId"))],
        "sagemaker:NetworkIsolation": True,
        "sagemaker:InterContainerTrafficEncryption": True,
        INSTANCE_TYPES: [EBS_TYPE],
        VOLUME_KEY: str(ctx.output("dataKeyArn")),
        "sagemaker:OutputKmsKeyArn": str(ctx.output("modelsKeyArn")),
    }
    without_key = _changed(with_key, {INSTANCE_TYPES: [LOCAL_STORAGE_TYPE], VOLUME_KEY: None})
    dropped: dict[str, dict[str, ContextValue | None]] = {
        "without network isolation": {"sagemaker:NetworkIsolation": False},
        "without inter-container encryption": {"sagemaker:InterContainerTrafficEncryption": False},
        "without VPC config": {"sagemaker:VpcSubnets": None, "sagemaker:VpcSecurityGroupIds": None},
        "in a foreign subnet": {"sagemaker:VpcSubnets": ["subnet-00000000000000000"]},
        "with a foreign output key": {"sagemaker:OutputKmsKeyArn": foreign_key},
        "with a foreign volume key": {VOLUME_KEY: foreign_key},
    }
    probes = {
        "EBS type with the volume key": (with_key, True),
        "local-storage type without a volume key": (without_key, True),
        "EBS type without a volume key": (_changed(with_key, {VOLUME_KEY: None}), False),
        "local-storage and EBS types without a volume key": (
            _changed(without_key, {INSTANCE_TYPES: [LOCAL_STORAGE_TYPE, EBS_TYPE]}),
            False,
        ),
        "no instance types and no volume key": (_changed(without_key, {INSTANCE_TYPES: None}), False),
    }
    for base_name, base in (("EBS type", with_key), ("local-storage type", without_key)):
        for name, changes in dropped.items():
            probes[f"{base_name} {name}"] = (_changed(base, changes), False)
    return probes


@check("IAM-06", trainer_subject)
def _job_guardrails(ctx: AuditContext, arn: str) -> Verdict:
    """The trainer's inline policies, evaluated: jobs inside every guardrail allowed, each weakened request not."""
    iam = ctx.client("iam")
    name = arn.rsplit("/", 1)[-1]
    documents = [
        policy_json(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    partition, prefix = arn.split(":")[1], name.removesuffix(f"-{TRAINER_ROLE}")
    policies = PolicySet(resource_account=ctx.account_id, identity=documents)
    outcomes: dict[str, Outcome] = {}
    unexpected = []
    for action, kind in JOB_ACTIONS.items():
        resource = f"arn:{partition}:sagemaker:{ctx.region}:{ctx.account_id}:{kind}/{prefix}-audit-probe"
        for probe, (context, allowed) in job_probes(ctx).items():
            outcome = evaluate(Request(arn, ctx.account_id, action, resource, context), policies).outcome
            outcomes[f"{action} {probe}"] = outcome
            if (outcome == "Allow") != allowed:
                unexpected.append(f"{action} {probe}: {outcome}")
    return Verdict(
        not unexpected,
        "trainer job guardrails: "
        + ("; ".join(unexpected) if unexpected else f"{len(outcomes)} requests decided as expected"),
        {"probe": outcomes},
    )


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

"""Audit rules (LOG-01…LOG-07): the trail's scope, encryption, archive, CloudWatch delivery, data events, alarms and
retention. Links go through property dependencies first, then through names and ARNs in the properties."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from controls import kit

TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
BUCKET = "aws:s3/bucket:Bucket"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
MIN_RETENTION_DAYS = 365
#: LOG-06: one alarmed metric filter must match each of these CloudTrail event names (CIS 4.x).
ALARMED_EVENTS: tuple[str, ...] = (
    "StopLogging",
    "ScheduleKeyDeletion",
    "PutBucketPolicy",
    "ModifyVpcEndpoint",
    "PutRolePolicy",
    "UnauthorizedOperation",
    '"Root"',
)


def check_trail_scope(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """LOG-01 and LOG-02 on the trail itself."""
    flags = {
        k: kit.known(res, k) for k in ("isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation")
    }
    off = [k for k, v in flags.items() if v is not True]
    yield "LOG-01", not off, f"not enabled: {off}" if off else "multi-region, global events, log file validation"
    key = kit.known(res, "kmsKeyId")
    yield "LOG-02", bool(key), "encrypted with a KMS key" if key else "no KMS key: log files are SSE-S3 only"


def _linked(source: kit.Res, key: str, candidates: Sequence[kit.Res], *names: str) -> list[kit.Res]:
    """Resources ``source[key]`` refers to: by property dependency, else by a name/ARN value they carry."""
    deps = set(source.property_dependencies.get(key, ()))
    found = [c for c in candidates if c.urn in deps]
    if found:
        return found
    value = str(kit.known(source, key) or "")
    return [c for c in candidates if value and any(str(c.props.get(n) or "") in value for n in names if c.props.get(n))]


def _of(resources: Sequence[kit.Res], token: str) -> list[kit.Res]:
    return [r for r in resources if r.type == token]


def _denies_deletion(document: Mapping[str, Any]) -> bool:
    for statement in kit.statements(document):
        actions = [str(a).lower() for a in kit.as_list(statement.get("Action"))]
        if (
            statement.get("Effect") == "Deny"
            and statement.get("Principal") in ("*", {"AWS": "*"})
            and "s3:deleteobject" in actions
            and not statement.get("Condition")
        ):
            return True
    return False


def check_archive(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """LOG-03: the trail's bucket has Object Lock with default retention and denies object deletion to everyone."""
    for trail in _of(resources, TRAIL):
        buckets = _linked(trail, "s3BucketName", _of(resources, BUCKET), "bucket", "id")
        if len(buckets) != 1:
            yield trail.urn, "LOG-03", False, f"the trail's bucket is not in this stack ({len(buckets)} found)"
            continue
        bucket = buckets[0]
        locks = _linked_side(resources, OBJECT_LOCK, bucket)
        retention = (locks[0].props.get("rule") or {}).get("defaultRetention") if locks else None
        policies = _linked_side(resources, BUCKET_POLICY, bucket)
        denies = bool(policies) and _denies_deletion(kit.policy_document(policies[0]))
        problems = [
            p
            for p, bad in (("no default Object Lock retention", not retention), ("deletes not denied", not denies))
            if bad
        ]
        yield bucket.urn, "LOG-03", not problems, "; ".join(problems) or f"object lock {retention}; deletion denied"


def _linked_side(resources: Sequence[kit.Res], token: str, bucket: kit.Res) -> list[kit.Res]:
    return [r for r in _of(resources, token) if _linked(r, "bucket", [bucket], "bucket", "id")]


def check_delivery(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """LOG-04: the trail delivers to a KMS-encrypted, retained log group of this stack through a role."""
    for trail in _of(resources, TRAIL):
        groups = _linked(trail, "cloudWatchLogsGroupArn", _of(resources, LOG_GROUP), "name")
        role = kit.known(trail, "cloudWatchLogsRoleArn")
        if len(groups) != 1 or not role:
            yield trail.urn, "LOG-04", False, "no CloudWatch Logs group of this stack, or no delivery role"
            continue
        group = groups[0]
        encrypted = bool(kit.known(group, "kmsKeyId"))
        yield trail.urn, "LOG-04", encrypted, f"delivers to {group.name}" + ("" if encrypted else ", not KMS-encrypted")


def check_data_events(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """LOG-05: S3 data events through advanced selectors scoped to named buckets, never every bucket."""
    selectors = kit.known(res, "advancedEventSelectors") or []
    scoped, unscoped = [], []
    for selector in selectors:
        fields = {f.get("field"): f for f in selector.get("fieldSelectors") or []}
        if (fields.get("eventCategory") or {}).get("equals") != ["Data"]:
            continue
        arns = (fields.get("resources.ARN") or {}).get("startsWiths") or []
        (scoped if arns else unscoped).append(len(arns))
    ok = bool(scoped) and not unscoped
    yield "LOG-05", ok, f"data events for {sum(scoped)} bucket prefix(es)" if ok else "no bucket-scoped data events"


def check_alarms(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """LOG-06: each tampering event has a metric filter with an alarm notifying a KMS-encrypted topic."""
    topics = {
        str(t.props.get("arn") or t.props.get("id") or "")
        for t in _of(resources, TOPIC)
        if t.props.get("kmsMasterKeyId")
    }
    alarmed = {
        str(a.props.get("metricName"))
        for a in _of(resources, ALARM)
        if any(str(action) in topics for action in kit.as_list(a.props.get("alarmActions")))
    }
    covered = {
        event
        for f in _of(resources, METRIC_FILTER)
        for event in ALARMED_EVENTS
        if event in str(kit.known(f, "pattern")) and (f.props.get("metricTransformation") or {}).get("name") in alarmed
    }
    missing = [e for e in ALARMED_EVENTS if e not in covered]
    stack = kit.stack_urn(resources)
    yield (
        stack,
        "LOG-06",
        not missing,
        f"no alarmed filter for {missing}" if missing else "every tampering event alarms",
    )


def check_retention(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """LOG-07: log groups keep audit records at least 365 days (the 180-day relaxation is a waiver)."""
    days = kit.known(res, "retentionInDays")
    ok = isinstance(days, int | float) and days >= MIN_RETENTION_DAYS
    yield "LOG-07", ok, f"retention {days} days (minimum {MIN_RETENTION_DAYS})"


AUDIT_RULES: tuple[kit.Rule, ...] = (
    kit.Rule(
        "log-trail-scope",
        "The trail is multi-region with log file validation and a KMS key",
        ("LOG-01", "LOG-02"),
        (TRAIL,),
        check_trail_scope,
    ),
    kit.Rule(
        "log-archive-immutable",
        "The trail's archive is object-locked and denies deletion",
        ("LOG-03",),
        stack_check=check_archive,
    ),
    kit.Rule(
        "log-cloudwatch-delivery",
        "The trail delivers to an encrypted log group of this stack",
        ("LOG-04",),
        stack_check=check_delivery,
    ),
    kit.Rule("log-data-events", "S3 data events for named buckets only", ("LOG-05",), (TRAIL,), check_data_events),
    kit.Rule(
        "log-tamper-alarms",
        "Tampering events raise alarms to an encrypted topic",
        ("LOG-06",),
        stack_check=check_alarms,
    ),
    kit.Rule("log-retention", "Log groups keep records at least 365 days", ("LOG-07",), (LOG_GROUP,), check_retention),
)

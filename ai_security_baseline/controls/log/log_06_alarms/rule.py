"""LOG-06 preview rule: each tampering event has a metric filter whose alarm notifies a KMS-encrypted topic."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import of_type
from ai_security_baseline.controls.vocabulary import ALARM, METRIC_FILTER, TOPIC

#: One alarmed metric filter must match each of these CloudTrail event names (one per detection of the trail).
ALARMED_EVENTS: tuple[str, ...] = (
    "StopLogging",
    "ScheduleKeyDeletion",
    "PutBucketPolicy",
    "ModifyVpcEndpoint",
    "PutRolePolicy",
    "UnauthorizedOperation",
    '"Root"',
)


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    topics = {
        str(t.props.get("arn") or t.props.get("id") or "")
        for t in of_type(resources, TOPIC)
        if t.props.get("kmsMasterKeyId")
    }
    alarmed = {
        str(a.props.get("metricName"))
        for a in of_type(resources, ALARM)
        if any(str(action) in topics for action in kit.as_list(a.props.get("alarmActions")))
    }
    covered = {
        event
        for f in of_type(resources, METRIC_FILTER)
        for event in ALARMED_EVENTS
        if event in str(kit.known(f, "pattern")) and (f.props.get("metricTransformation") or {}).get("name") in alarmed
    }
    missing = [e for e in ALARMED_EVENTS if e not in covered]
    yield (
        kit.stack_urn(resources),
        "LOG-06",
        not missing,
        f"no alarmed filter for {missing}" if missing else "every tampering event alarms",
    )


RULE = kit.Rule(
    "log-06-alarms",
    "Tampering events raise alarms to an encrypted topic",
    ("LOG-06",),
    stack_check=check,
)

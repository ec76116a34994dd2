"""LOG-06 preview rule: every claimed detection's recorded event is matched by a metric filter whose alarm notifies a
KMS-encrypted topic."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import of_type
from ai_security_baseline.controls.log.filter_pattern import FilterPatternError, parse
from ai_security_baseline.controls.vocabulary import ALARM, METRIC_FILTER, TOPIC

EVENTS = Path(__file__).parent / "events"

#: Each detection LOG-06 claims, with a recorded CloudTrail event it must raise: an alarmed metric filter on the
#: trail's group has to match that event (evaluated as CloudWatch Logs evaluates the pattern).
DETECTIONS: dict[str, str] = {
    "CIS 4.1 unauthorized API calls": "ec2-unauthorized-operation",
    "CIS 4.2 console sign-in without MFA": "iam-user-console-sign-in-without-mfa",
    "CIS 4.3 root account use": "root-console-sign-in",
    "CIS 4.4 IAM policy changes": "iam-put-role-policy",
    "CIS 4.5 CloudTrail changes": "cloudtrail-stop-logging",
    "CIS 4.6 console authentication failures": "console-sign-in-failed-authentication",
    "CIS 4.7 KMS key disabled or scheduled for deletion": "kms-schedule-key-deletion",
    "CIS 4.8 S3 bucket policy changes": "s3-put-bucket-policy",
    "CIS 4.9 AWS Config changes": "config-stop-configuration-recorder",
    "CIS 4.10 security group changes": "ec2-authorize-security-group-ingress",
    "CIS 4.11 network ACL changes": "ec2-replace-network-acl-entry",
    "CIS 4.12 network gateway changes": "ec2-attach-internet-gateway",
    "CIS 4.13 route table changes": "ec2-create-route-default-to-internet",
    "CIS 4.14 VPC changes": "ec2-create-vpc-peering-connection",
    "CIS 4.15 AWS Organizations changes": "organizations-leave-organization",
    "VPC endpoint policy changes": "ec2-modify-vpc-endpoint",
}


@cache
def recorded_event(name: str) -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def _alarmed_patterns(resources: Sequence[kit.Res]) -> list[tuple[str, str]]:
    """(filter name, pattern) of every metric filter whose metric has an alarm notifying a KMS-encrypted topic."""
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
    return [
        (f.name, str(kit.known(f, "pattern")))
        for f in of_type(resources, METRIC_FILTER)
        if (f.props.get("metricTransformation") or {}).get("name") in alarmed
    ]


def _raises(patterns: Sequence[tuple[str, str]], event: Mapping[str, Any]) -> bool:
    """Whether some pattern matches ``event``; a pattern the evaluator cannot read is Undecidable, never a pass."""
    for name, text in patterns:
        try:
            if parse(text).matches(event):
                return True
        except FilterPatternError as exc:
            raise kit.Undecidable(f"metric filter {name}: {exc}") from None
    return False


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    patterns = _alarmed_patterns(resources)
    missing = [d for d, event in DETECTIONS.items() if not _raises(patterns, recorded_event(event))]
    yield (
        kit.stack_urn(resources),
        "LOG-06",
        not missing,
        f"no alarmed metric filter matches {missing}" if missing else f"all {len(DETECTIONS)} detections alarm",
    )


RULE = kit.Rule(
    "log-06-alarms",
    "Tampering events raise alarms to an encrypted topic",
    ("LOG-06",),
    stack_check=check,
)

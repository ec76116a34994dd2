"""LOG-06 preview rule: every claimed detection's recorded event is matched by a metric filter whose alarm notifies a
KMS-encrypted topic."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import alarmed_patterns, raises_alarm

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


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    patterns = alarmed_patterns(resources)
    missing = [d for d, event in DETECTIONS.items() if not raises_alarm(patterns, recorded_event(event))]
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

"""LOG-04 preview rule: the trail delivers to a KMS-encrypted log group of this stack through a role."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import linked, of_type
from ai_security_baseline.controls.vocabulary import LOG_GROUP, TRAIL


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    log_groups = of_type(resources, LOG_GROUP)  # once: a trail does not rescan the whole stack
    for trail in of_type(resources, TRAIL):
        groups = linked(trail, "cloudWatchLogsGroupArn", log_groups, "name")
        role = kit.known(trail, "cloudWatchLogsRoleArn")
        if len(groups) != 1 or not role:
            yield trail.urn, "LOG-04", False, "no CloudWatch Logs group of this stack, or no delivery role"
            continue
        group = groups[0]
        encrypted = bool(kit.known(group, "kmsKeyId"))
        yield trail.urn, "LOG-04", encrypted, f"delivers to {group.name}" + ("" if encrypted else ", not KMS-encrypted")


RULE = kit.Rule(
    "log-04-cloudwatch-delivery",
    "The trail delivers to an encrypted log group of this stack",
    ("LOG-04",),
    stack_check=check,
)

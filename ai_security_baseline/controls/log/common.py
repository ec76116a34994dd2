"""What the LOG units share: the resource types they judge and how a trail is joined to what it names.

Links go through property dependencies first, then through names and ARNs in the properties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.filter_pattern import FilterPatternError, parse
from ai_security_baseline.controls.vocabulary import (
    ALARM,
    BUCKET_OBJECT_LOCK,
    LOG_RETENTION_DEFAULT_MIN_DAYS,
    LOG_RETENTION_FLOOR_DAYS,
    METRIC_FILTER,
    RELAXATION_REASONS,
    RELAXATION_TAG,
    SHORT_LOG_RETENTION,
    TOPIC,
)

OBJECT_LOCK = BUCKET_OBJECT_LOCK
MIN_RETENTION_DAYS = LOG_RETENTION_DEFAULT_MIN_DAYS


def retention_waiver(tags: object, days: object) -> str | None:
    """Why a log group's retention below 365 days is waived: the group carries ``relaxations.shortLogRetention``
    (its tag) and keeps at least the 180-day floor. None: not relaxed, or below the floor (the finding fails).
    The rules read the tags from the graph, the live probes from the account."""
    relaxed = isinstance(tags, dict) and tags.get(RELAXATION_TAG) == SHORT_LOG_RETENTION
    within = isinstance(days, int) and not isinstance(days, bool) and days >= LOG_RETENTION_FLOOR_DAYS
    return RELAXATION_REASONS[SHORT_LOG_RETENTION] if relaxed and within else None


def relaxed_retention(group: kit.Res, days: object) -> str | None:
    """``retention_waiver`` of a log group in the graph."""
    return retention_waiver(kit.known(group, "tags") or kit.known(group, "tagsAll") or {}, days)


def linked(source: kit.Res, key: str, candidates: Sequence[kit.Res], *names: str) -> list[kit.Res]:
    """Resources ``source[key]`` refers to: by property dependency, else by a name/ARN value they carry."""
    deps = set(source.property_dependencies.get(key, ()))
    found = [c for c in candidates if c.urn in deps]
    if found:
        return found
    value = str(kit.known(source, key) or "")
    return [c for c in candidates if value and any(str(c.props.get(n) or "") in value for n in names if c.props.get(n))]


def of_type(resources: Sequence[kit.Res], token: str) -> list[kit.Res]:
    return [r for r in resources if r.type == token]


def alarmed_patterns(resources: Sequence[kit.Res]) -> list[tuple[str, str]]:
    """(filter name, pattern) of every metric filter whose metric has an alarm notifying a KMS-encrypted topic (an
    alarm with ``actionsEnabled`` false notifies nobody)."""
    topics = {
        str(t.props.get("arn") or t.props.get("id") or "")
        for t in of_type(resources, TOPIC)
        if t.props.get("kmsMasterKeyId")
    }
    alarmed = {
        str(a.props.get("metricName"))
        for a in of_type(resources, ALARM)
        if a.props.get("actionsEnabled") is not False
        and any(str(action) in topics for action in kit.as_list(a.props.get("alarmActions")))
    }
    return [
        (f.name, str(kit.known(f, "pattern")))
        for f in of_type(resources, METRIC_FILTER)
        if (f.props.get("metricTransformation") or {}).get("name") in alarmed
    ]


def raises_alarm(patterns: Sequence[tuple[str, str]], event: Mapping[str, Any]) -> bool:
    """Whether some pattern matches ``event``; a pattern the evaluator cannot read is Undecidable, never a pass."""
    for name, text in patterns:
        try:
            if parse(text).matches(event):
                return True
        except FilterPatternError as exc:
            raise kit.Undecidable(f"metric filter {name}: {exc}") from None
    return False

"""What the LOG units share: the resource types they judge and how a trail is joined to what it names.

Links go through property dependencies first, then through names and ARNs in the properties.
"""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import (
    BUCKET_OBJECT_LOCK,
    LOG_RETENTION_DEFAULT_MIN_DAYS,
    LOG_RETENTION_FLOOR_DAYS,
    RELAXATION_REASONS,
    RELAXATION_TAG,
    SHORT_LOG_RETENTION,
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

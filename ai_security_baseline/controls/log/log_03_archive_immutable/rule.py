"""LOG-03 preview rule: the trail's bucket has default Object Lock retention and denies object deletion to all."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import OBJECT_LOCK, linked
from ai_security_baseline.controls.vocabulary import BUCKET, BUCKET_POLICY, TRAIL

#: Where an ARN or path splits into the names it carries.
PARTS = re.compile(r"[:/]")


def _denies_deletion(document: Mapping[str, Any]) -> bool:
    """An unconditioned Deny of s3:DeleteObject to every principal (a condition could exempt someone)."""
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


class _Sides:
    """The side resources of one type, indexed once by the bucket URNs their ``bucket`` depends on and by the
    ``:``/``/``-separated parts of its value, so finding a trail bucket's sides does not scan them all."""

    def __init__(self, sides: Sequence[kit.Res]) -> None:
        self.sides = list(sides)
        self.by_key: dict[str, set[int]] = {}
        self.unknown: list[kit.Res] = []
        for i, side in enumerate(self.sides):
            for dep in side.property_dependencies.get("bucket", ()):
                self.by_key.setdefault(dep, set()).add(i)
            try:
                value = str(kit.known(side, "bucket") or "")
            except kit.Undecidable:
                self.unknown.append(side)
                continue
            for part in {value, *PARTS.split(value)} - {""}:
                self.by_key.setdefault(part, set()).add(i)

    def linked(self, bucket: kit.Res) -> list[kit.Res]:
        """``linked(side, "bucket", [bucket], "bucket", "id")`` for every side; a side whose value is unknown and
        that does not depend on ``bucket`` is Undecidable, as there."""
        for side in self.unknown:
            if bucket.urn not in side.property_dependencies.get("bucket", ()):
                kit.known(side, "bucket")
        names = [str(bucket.props.get(n)) for n in ("bucket", "id") if bucket.props.get(n)]
        candidates = set().union(*(self.by_key.get(k, set()) for k in (bucket.urn, *names)))
        return [self.sides[i] for i in sorted(candidates) if linked(self.sides[i], "bucket", [bucket], "bucket", "id")]


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    by_type: dict[str, list[kit.Res]] = {}  # grouped once: a trail does not rescan the whole stack
    for res in resources:
        by_type.setdefault(res.type, []).append(res)
    locks_of, policies_of = _Sides(by_type.get(OBJECT_LOCK, [])), _Sides(by_type.get(BUCKET_POLICY, []))
    for trail in by_type.get(TRAIL, []):
        buckets = linked(trail, "s3BucketName", by_type.get(BUCKET, []), "bucket", "id")
        if len(buckets) != 1:
            yield trail.urn, "LOG-03", False, f"the trail's bucket is not in this stack ({len(buckets)} found)"
            continue
        bucket = buckets[0]
        locks = locks_of.linked(bucket)
        retention = (locks[0].props.get("rule") or {}).get("defaultRetention") if locks else None
        policies = policies_of.linked(bucket)
        denies = bool(policies) and _denies_deletion(kit.policy_document(policies[0]))
        problems = [
            p
            for p, bad in (("no default Object Lock retention", not retention), ("deletes not denied", not denies))
            if bad
        ]
        yield bucket.urn, "LOG-03", not problems, "; ".join(problems) or f"object lock {retention}; deletion denied"


RULE = kit.Rule(
    "log-03-archive-immutable",
    "The trail's archive is object-locked and denies deletion",
    ("LOG-03",),
    stack_check=check,
)

"""LOG-03 preview rule: the trail's bucket has default Object Lock retention and denies object deletion to all."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from controls import kit
from controls.log.common import OBJECT_LOCK, linked, of_type
from controls.vocabulary import BUCKET, BUCKET_POLICY, TRAIL


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


def _linked_side(resources: Sequence[kit.Res], token: str, bucket: kit.Res) -> list[kit.Res]:
    return [r for r in of_type(resources, token) if linked(r, "bucket", [bucket], "bucket", "id")]


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    for trail in of_type(resources, TRAIL):
        buckets = linked(trail, "s3BucketName", of_type(resources, BUCKET), "bucket", "id")
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


RULE = kit.Rule(
    "log-03-archive-immutable",
    "The trail's archive is object-locked and denies deletion",
    ("LOG-03",),
    stack_check=check,
)

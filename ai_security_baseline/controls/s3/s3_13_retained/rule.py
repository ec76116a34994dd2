"""S3-13 preview rule: nothing is lost on destroy: buckets are never force-destroyed and are retained on delete, and a
retained bucket keeps its guards (retained, and protected where the bucket is protected)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    ENCRYPTION,
    LABELS,
    LIFECYCLE,
    LOGGING,
    OBJECT_LOCK,
    OWNERSHIP,
    PUBLIC_ACCESS_BLOCK,
    VERSIONING,
    Stack,
    Verdict,
)
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY

#: Side resources whose delete takes a protection (or the retention schedule) off a bucket that stays.
GUARDS: tuple[str, ...] = (
    BUCKET_POLICY,
    PUBLIC_ACCESS_BLOCK,
    ENCRYPTION,
    OWNERSHIP,
    VERSIONING,
    OBJECT_LOCK,
    LIFECYCLE,
    LOGGING,
)


def bucket_retained(bucket: kit.Res) -> Verdict:
    """The bucket itself, on what the engine shows: forceDestroy, and retainOnDelete where the graph records it."""
    force = kit.known(bucket, "forceDestroy")
    retain = bucket.retain_on_delete
    if retain is None:
        seen = (
            "retainOnDelete not visible here (CrossGuard's PolicyResourceOptions has none; the offline scan checks it)"
        )
    else:
        seen = f"retainOnDelete {str(retain).lower()}"
    return force is not True and retain is not False, f"forceDestroy {str(bool(force)).lower()}; {seen}"


def guards_kept(stack: Stack, bucket: kit.Res) -> Verdict:
    """A retained bucket's guards are retained too, and protected where the bucket is protected.

    The provider's delete of a guard removes it from a bucket that stays (versioning is suspended, the default
    retention cleared); the engine refuses a protected delete only when it reaches it, after its unprotected guards.
    """
    guards = [guard for side_type in GUARDS for guard in stack.attached(bucket, side_type)]
    problems = []
    if bucket.retain_on_delete is True:
        unseen = [LABELS[g.type] for g in guards if g.retain_on_delete is None]
        if unseen:
            raise kit.Undecidable(f"{bucket.name}: retainOnDelete of its {', '.join(unseen)} is not visible")
        dropped = [LABELS[g.type] for g in guards if not g.retain_on_delete]
        if dropped:
            problems.append(
                f"guards a destroy or replacement would delete from the retained bucket: {', '.join(dropped)}"
            )
    if bucket.protect:
        unprotected = [LABELS[g.type] for g in guards if not g.protect]
        if unprotected:
            problems.append(f"unprotected guards of a protected bucket: {', '.join(unprotected)}")
    if problems:
        return False, "; ".join(problems)
    if bucket.retain_on_delete is None:
        kept = "retainOnDelete not visible here (the offline scan checks it)"
    else:
        kept = "retained with the bucket" if bucket.retain_on_delete else "bucket not retained"
    protected = "; protected with it" if bucket.protect else ""
    return True, f"{len(guards)} guards: {kept}{protected}"


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, kit.Verdict, str]]:
    """Per bucket two outcomes: the bucket's own destroy safety, then its guards'."""
    stack = Stack(resources)
    for bucket in stack.buckets:
        for judged in (bucket_retained(bucket), guards_kept(stack, bucket)):
            yield bucket.urn, "S3-13", judged[0], judged[1]


RULE = kit.Rule(
    "s3-13-retained",
    "Buckets are never force-destroyed and are retained on delete, and their policy, public access block, "
    "encryption, ownership, versioning, object lock, lifecycle and logging are retained (and protected) with them",
    ("S3-13",),
    stack_check=check,
)

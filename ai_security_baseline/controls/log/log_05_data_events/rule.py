"""LOG-05 preview rule: S3 data events through advanced selectors scoped to named buckets, never every bucket;
other resource types' data selectors are not LOG-05's."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import TRAIL

S3_OBJECT = "AWS::S3::Object"


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    selectors = kit.known(res, "advancedEventSelectors") or []
    scoped: list[int] = []
    unscoped: list[int] = []
    for selector in selectors:
        fields = {f.get("field"): f for f in selector.get("fieldSelectors") or []}
        if (fields.get("eventCategory") or {}).get("equals") != ["Data"]:
            continue
        if S3_OBJECT not in ((fields.get("resources.type") or {}).get("equals") or [S3_OBJECT]):
            continue  # another service's data events (Bedrock's, AI-01): not S3 reads
        arns = (fields.get("resources.ARN") or {}).get("startsWiths") or []
        (scoped if arns else unscoped).append(len(arns))
    ok = bool(scoped) and not unscoped
    yield "LOG-05", ok, f"data events for {sum(scoped)} bucket prefix(es)" if ok else "no bucket-scoped data events"


RULE = kit.Rule("log-05-data-events", "S3 data events for named buckets only", ("LOG-05",), (TRAIL,), check)

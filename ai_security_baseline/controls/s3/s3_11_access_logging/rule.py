"""S3-11 preview rule: data buckets log into a log target of this stack, which admits only bound log delivery."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.s3.common import (
    ENCRYPTION,
    LOG_DELIVERY,
    LOGGING,
    Stack,
    Verdict,
    bucket_arn,
    bucket_document,
    dig,
    matches,
)
from ai_security_baseline.controls.vocabulary import BUCKET


def log_grants_bound(document: Mapping[str, Any], source_arns: Sequence[str]) -> Verdict:
    """Log delivery is granted only with aws:SourceAccount and aws:SourceArn covering every source bucket."""
    grants = [
        st
        for st in kit.statements(document)
        if st.get("Effect") == "Allow" and LOG_DELIVERY in kit.principals(st, "Service")
    ]
    if not grants:
        return False, f"no grant to {LOG_DELIVERY}: access logs cannot be delivered"
    unbound = [
        st.get("Sid", "<no Sid>")
        for st in grants
        if not {"aws:sourceaccount", "aws:sourcearn"} <= kit.condition_keys(st)
    ]
    if unbound:
        return False, f"{LOG_DELIVERY} admitted without aws:SourceAccount and aws:SourceArn in {unbound}"
    allowed = [
        v
        for st in grants
        for op, keys in st["Condition"].items()
        for k, v in keys.items()
        if k.lower() == "aws:sourcearn"
    ]
    patterns = [p for v in allowed for p in kit.as_list(v)]
    uncovered = [a for a in source_arns if not matches(patterns, a, case_sensitive=True)]
    if uncovered:
        return False, f"log delivery grant does not cover source buckets {uncovered}"
    return (
        True,
        f"{LOG_DELIVERY} admitted only with aws:SourceAccount and aws:SourceArn of {len(source_arns)} bucket(s)",
    )


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, kit.Verdict, str]]:
    """Data buckets log into a log target of this stack; the target admits log delivery only bound, and is SSE-S3."""
    stack = Stack(resources)
    sources: dict[str, list[str]] = {}
    for bucket in stack.buckets:
        if not stack.is_data_bucket(bucket):
            continue
        logging, problem = stack.single(bucket, LOGGING)
        if logging is None:
            yield bucket.urn, "S3-11", False, problem
            continue
        targets = stack.refs(logging, "targetBucket", BUCKET)
        if not targets or targets[0].urn == bucket.urn:
            yield bucket.urn, "S3-11", False, "access logs go to a bucket outside this stack or to itself"
            continue
        sources.setdefault(targets[0].urn, []).append(bucket_arn(bucket))
        yield bucket.urn, "S3-11", True, f"server access logs to {targets[0].name}"
    for target in stack.buckets:
        if target.urn not in sources:
            continue
        document, problem = bucket_document(stack, target)
        verdict = log_grants_bound(document, sources[target.urn]) if document is not None else (False, problem)
        config, _ = stack.single(target, ENCRYPTION)
        if (
            config is not None
            and dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm") != "AES256"
        ):
            verdict = (False, "log target is not SSE-S3: S3 does not deliver server access logs to SSE-KMS targets")
        yield target.urn, "S3-11", verdict[0], verdict[1]


RULE = kit.Rule(
    "s3-11-access-logging",
    "Data buckets log to the access-log bucket, which admits log delivery only with source conditions",
    ("S3-11",),
    stack_check=check,
)

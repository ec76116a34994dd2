"""S3 controls read from the account; bucket policies are judged by evaluating requests against them.

Every probe's subjects come from ``storage_buckets``: each storage bucket the stack outputs name (the fixed
classes and every ``extraDataBuckets`` bucket), so an added bucket is audited like the one it is built from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    ACCESS_LOGS,
    BUCKET_CLASSES,
    BUCKET_KEY_CLASS,
    EXTRA_BUCKET_TEMPLATE,
    MALWARE_SCAN_CLEAN,
    MALWARE_SCAN_TAG,
    SCANNED_BUCKETS,
    bucket_output,
)
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject, Verdict, decide, policy_json
from ai_security_baseline.verify.iam.evaluator import Outcome

#: ``extra1BucketName`` ... : the outputs of the ``storage.extraDataBuckets`` buckets.
EXTRA_OUTPUT = re.compile(r"^extra(?P<n>[1-9]\d*)BucketName$")


@dataclass(frozen=True)
class Bucket:
    """A storage bucket as the stack outputs name it; ``key_class`` None: SSE-S3 by design (the access-log target)."""

    bucket_class: str
    name: str
    arn: str
    key_class: str | None = None

    @property
    def is_data(self) -> bool:
        return is_data_class(self.bucket_class)


def bucket_classes(outputs: Mapping[str, Any]) -> tuple[str, ...]:
    """The fixed storage classes, then every extra data bucket the outputs name, in number order."""
    extras = sorted(int(m["n"]) for m in (EXTRA_OUTPUT.match(k) for k in outputs) if m)
    return (*BUCKET_CLASSES, *(f"extra-{n}" for n in extras))


def key_class(bucket_class: str) -> str | None:
    """The KMS data class encrypting ``bucket_class`` (an extra bucket is built like its template class)."""
    return BUCKET_KEY_CLASS.get(bucket_class, BUCKET_KEY_CLASS[EXTRA_BUCKET_TEMPLATE])


def is_data_class(bucket_class: str) -> bool:
    """Training data and models: every storage class but the access-log target."""
    return bucket_class != ACCESS_LOGS


def storage_buckets(ctx: AuditContext, keep: Callable[[str], bool] = lambda _: True) -> list[Subject]:
    """Every storage bucket of the stack outputs whose class ``keep`` accepts; a fixed class without its output
    is an error subject (the audit cannot clear a bucket it cannot name)."""
    subjects = []
    for bucket_class in filter(keep, bucket_classes(ctx.outputs)):
        key = bucket_output(bucket_class, "Name")
        name = ctx.outputs.get(key)
        if not name:
            subjects.append(Subject(urn="stack", missing=key))
            continue
        arn = f"arn:aws:s3:::{name}"
        subjects.append(Subject(urn=arn, value=Bucket(bucket_class, str(name), arn, key_class(bucket_class))))
    return subjects


def all_buckets(ctx: AuditContext) -> list[Subject]:
    return storage_buckets(ctx)


def data_buckets(ctx: AuditContext) -> list[Subject]:
    return storage_buckets(ctx, is_data_class)


def log_sources(ctx: AuditContext) -> list[Subject]:
    """The buckets that log into the access-log target: every data bucket."""
    return storage_buckets(ctx, is_data_class)


def scanned_buckets(ctx: AuditContext) -> list[Subject]:
    """The buckets GuardDuty Malware Protection scans (DET-03)."""
    return storage_buckets(ctx, lambda c: c in SCANNED_BUCKETS)


def model_bucket(ctx: AuditContext) -> list[Subject]:
    return storage_buckets(ctx, lambda c: c == "models")


def read(ctx: AuditContext, call: str, bucket: Bucket) -> Any:
    return ctx.cached((call, bucket.name), lambda: getattr(ctx.client("s3"), call)(Bucket=bucket.name))


# ---- bucket policy, by evaluation ------------------------------------------------------------------------


def _policy(ctx: AuditContext, bucket: Bucket) -> dict[str, Any]:
    return policy_json(read(ctx, "get_bucket_policy", bucket)["Policy"])


def _compliant_context(ctx: AuditContext, bucket: Bucket) -> dict[str, Any]:
    """A request that meets every condition of the baseline policy (TLS 1.3, through our S3 endpoint, on an object
    GuardDuty found clean where the bucket is scanned)."""
    context: dict[str, Any] = {
        "aws:SecureTransport": True,
        "s3:TlsVersion": "1.3",
        "aws:ResourceAccount": ctx.account_id,
    }
    if bucket.is_data:
        context["aws:SourceVpce"] = str(ctx.output("s3GatewayEndpointId"))
    if bucket.bucket_class in SCANNED_BUCKETS:
        context[f"s3:ExistingObjectTag/{MALWARE_SCAN_TAG}"] = MALWARE_SCAN_CLEAN
    return context


def object_request(
    ctx: AuditContext, bucket: Bucket, action: str, changes: Mapping[str, Any], *, principal: str | None = None
) -> Outcome:
    context = {**_compliant_context(ctx, bucket), **changes}
    context = {k: v for k, v in context.items() if v is not None}
    return decide(
        ctx,
        action=action,
        resource=f"{bucket.arn}/audit/probe.bin",
        principal=principal,
        context=context,
        resource_policy=_policy(ctx, bucket),
        kind="s3",
    )


def deny_probe(
    ctx: AuditContext,
    bucket: Bucket,
    action: str,
    bad: Mapping[str, Mapping[str, Any]],
    *,
    what: str,
    good: Mapping[str, Any] | None = None,
) -> Verdict:
    """The compliant request is not explicitly denied, and every ``bad`` variant is."""
    baseline = object_request(ctx, bucket, action, good or {})
    outcomes = {label: object_request(ctx, bucket, action, change) for label, change in bad.items()}
    leaks = [label for label, outcome in outcomes.items() if outcome != "ExplicitDeny"]
    ok = baseline != "ExplicitDeny" and not leaks
    if baseline == "ExplicitDeny":
        message = f"{what}: even a compliant {action} is denied (lock-out)"
    else:
        message = f"{what}: " + (f"not denied: {leaks}" if leaks else f"denied ({', '.join(outcomes)})")
    return Verdict(ok, message, {"compliant": baseline, **outcomes})

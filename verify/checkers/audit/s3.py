"""S3 controls read from the account; bucket policies are judged by evaluating requests against them.

Every probe's subjects come from ``storage_buckets``: each storage bucket the stack outputs name (the fixed
classes and every ``extraDataBuckets`` bucket), so an added bucket is audited like the one it is built from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from components.config import BUCKET_CLASSES
from components.storage import ACCESS_LOGS, BUCKET_KEY_CLASS, EXTRA_BUCKET_TEMPLATE
from verify.checkers.audit.core import FOREIGN_ACCOUNT, AuditContext, Subject, Verdict, check, decide, policy_json
from verify.iam.evaluator import Outcome

MAX_ABORT_DAYS = 7
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


def output_prefix(bucket_class: str) -> str:
    """``access-logs`` -> ``accessLogs`` (the stack output naming of components/storage.py)."""
    return "".join(p.capitalize() if i else p for i, p in enumerate(bucket_class.split("-")))


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
        key = f"{output_prefix(bucket_class)}BucketName"
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


def model_bucket(ctx: AuditContext) -> list[Subject]:
    return storage_buckets(ctx, lambda c: c == "models")


def read(ctx: AuditContext, call: str, bucket: Bucket) -> Any:
    return ctx.cached((call, bucket.name), lambda: getattr(ctx.client("s3"), call)(Bucket=bucket.name))


# ---- bucket policy, by evaluation ------------------------------------------------------------------------


def _policy(ctx: AuditContext, bucket: Bucket) -> dict[str, Any]:
    return policy_json(read(ctx, "get_bucket_policy", bucket)["Policy"])


def _compliant_context(ctx: AuditContext, bucket: Bucket) -> dict[str, Any]:
    """A request that meets every condition of the baseline policy (TLS 1.3, through our S3 endpoint)."""
    context: dict[str, Any] = {
        "aws:SecureTransport": True,
        "s3:TlsVersion": "1.3",
        "aws:ResourceAccount": ctx.account_id,
    }
    if bucket.is_data:
        context["aws:SourceVpce"] = str(ctx.output("s3GatewayEndpointId"))
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


@check("S3-08", all_buckets)
def _denies_other_accounts(ctx: AuditContext, bucket: Bucket) -> Verdict:
    foreign = ctx.probe_arn(FOREIGN_ACCOUNT)
    outcomes = {
        action: object_request(ctx, bucket, action, {}, principal=foreign)
        for action in ("s3:GetObject", "s3:PutObject")
    }
    ok = all(o == "ExplicitDeny" for o in outcomes.values())
    return Verdict(ok, f"principal of account {FOREIGN_ACCOUNT}: {outcomes}", {"probe": outcomes})


@check("S3-09", all_buckets)
def _versioning(ctx: AuditContext, bucket: Bucket) -> Verdict:
    status = read(ctx, "get_bucket_versioning", bucket).get("Status", "never enabled")
    return Verdict(status == "Enabled", f"versioning {status}", {"Status": status})


@check("S3-10", model_bucket)
def _object_lock(ctx: AuditContext, bucket: Bucket) -> Verdict:
    config = read(ctx, "get_object_lock_configuration", bucket)["ObjectLockConfiguration"]
    retention = config.get("Rule", {}).get("DefaultRetention", {})
    ok = (
        config.get("ObjectLockEnabled") == "Enabled"
        and retention.get("Mode") in ("GOVERNANCE", "COMPLIANCE")
        and bool(retention.get("Days") or retention.get("Years"))
    )
    return Verdict(ok, f"object lock {config.get('ObjectLockEnabled')} retention {retention}", config)


@check("S3-11", log_sources)
def _access_logging(ctx: AuditContext, bucket: Bucket) -> Verdict:
    target = str(ctx.output("accessLogsBucketName"))
    enabled = read(ctx, "get_bucket_logging", bucket).get("LoggingEnabled") or {}
    if enabled.get("TargetBucket") != target:
        return Verdict(False, f"access logs go to {enabled.get('TargetBucket')} (expected {target})", enabled)
    logs_policy = policy_json(ctx.client("s3").get_bucket_policy(Bucket=target)["Policy"])

    def delivery(source_arn: str, account: str) -> Outcome:
        return decide(
            ctx,
            action="s3:PutObject",
            resource=f"arn:aws:s3:::{target}/{enabled.get('TargetPrefix', '')}probe",
            principal="logging.s3.amazonaws.com",
            context={
                "aws:SourceArn": source_arn,
                "aws:SourceAccount": account,
                "aws:SecureTransport": True,
                "s3:TlsVersion": "1.3",
                "s3:x-amz-server-side-encryption": "AES256",
                "aws:PrincipalIsAWSService": True,
            },
            resource_policy=logs_policy,
            kind="s3",
        )

    ours = delivery(bucket.arn, ctx.account_id)
    confused = delivery("arn:aws:s3:::someone-elses-bucket", FOREIGN_ACCOUNT)
    ok = ours == "Allow" and confused != "Allow"
    return Verdict(
        ok,
        f"logs to {target}; delivery for this bucket {ours}, for a foreign bucket {confused}",
        {"logging": enabled, "delivery": ours, "foreignDelivery": confused},
    )


@check("S3-12", all_buckets)
def _lifecycle(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = [
        r for r in read(ctx, "get_bucket_lifecycle_configuration", bucket)["Rules"] if r.get("Status") == "Enabled"
    ]
    abort = [
        r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        for r in rules
        if "AbortIncompleteMultipartUpload" in r
    ]
    noncurrent = [r for r in rules if "NoncurrentVersionExpiration" in r]
    expiry = [r for r in rules if "Expiration" in r]
    problems = []
    if not abort or min(abort) > MAX_ABORT_DAYS:
        problems.append(f"no abort of incomplete uploads within {MAX_ABORT_DAYS} days")
    if not noncurrent and bucket.bucket_class != "models":
        problems.append("no noncurrent-version expiration")
    if bucket.bucket_class == "raw" and not expiry:
        problems.append("raw data never expires")
    return Verdict(not problems, "; ".join(problems) or f"{len(rules)} lifecycle rules as required", {"rules": rules})

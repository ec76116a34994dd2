"""S3 controls read from the account; bucket policies are judged by evaluating requests against them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.config import BUCKET_CLASSES
from components.storage import design_waiver
from verify.checkers.audit.core import FOREIGN_ACCOUNT, AuditContext, Subject, Verdict, check, decide, policy_json
from verify.iam.evaluator import Outcome

#: Bucket class -> KMS data class of its default encryption (access-logs: SSE-S3 by design).
BUCKET_KEYS: dict[str, str] = {"raw": "data", "curated": "data", "models": "models"}
DATA_BUCKETS: tuple[str, ...] = ("raw", "curated", "models")
MAX_ABORT_DAYS = 7


@dataclass(frozen=True)
class Bucket:
    bucket_class: str
    name: str
    arn: str


def output_prefix(bucket_class: str) -> str:
    """``access-logs`` -> ``accessLogs`` (the stack output naming of components/storage.py)."""
    return "".join(p.capitalize() if i else p for i, p in enumerate(bucket_class.split("-")))


def _subjects(ctx: AuditContext, classes: tuple[str, ...]) -> list[Subject]:
    subjects = []
    for bucket_class in classes:
        key = f"{output_prefix(bucket_class)}BucketName"
        name = ctx.outputs.get(key)
        if not name:
            subjects.append(Subject(urn="stack", missing=key))
            continue
        arn = f"arn:aws:s3:::{name}"
        subjects.append(Subject(urn=arn, value=Bucket(bucket_class, str(name), arn)))
    return subjects


def all_buckets(ctx: AuditContext) -> list[Subject]:
    return _subjects(ctx, BUCKET_CLASSES)


def data_buckets(ctx: AuditContext) -> list[Subject]:
    return _subjects(ctx, DATA_BUCKETS)


def log_sources(ctx: AuditContext) -> list[Subject]:
    return _subjects(ctx, tuple(c for c in BUCKET_CLASSES if c != "access-logs"))


def model_bucket(ctx: AuditContext) -> list[Subject]:
    return _subjects(ctx, ("models",))


def _read(ctx: AuditContext, call: str, bucket: Bucket) -> Any:
    return ctx.cached((call, bucket.name), lambda: getattr(ctx.client("s3"), call)(Bucket=bucket.name))


@check("S3-01", all_buckets)
def _public_access_block(ctx: AuditContext, bucket: Bucket) -> Verdict:
    config = _read(ctx, "get_public_access_block", bucket)["PublicAccessBlockConfiguration"]
    off = sorted(k for k, v in config.items() if v is not True)
    return Verdict(
        not off and len(config) == 4, f"public access block: {'all on' if not off else f'off: {off}'}", config
    )


@check("S3-02", all_buckets)
def _ownership(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = _read(ctx, "get_bucket_ownership_controls", bucket)["OwnershipControls"]["Rules"]
    owners = [r["ObjectOwnership"] for r in rules]
    return Verdict(owners == ["BucketOwnerEnforced"], f"object ownership {owners}", {"ObjectOwnership": owners})


@check("S3-03", all_buckets)
def _default_encryption(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = _read(ctx, "get_bucket_encryption", bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if len(rules) == 1 else {}
    evidence = {"rules": rules}
    if bucket.bucket_class not in BUCKET_KEYS:
        waiver = design_waiver("S3-03", bucket.bucket_class)
        ok = default.get("SSEAlgorithm") == "AES256"
        return Verdict(
            ok,
            f"SSE-S3 by design ({waiver.reason})" if ok else f"default encryption {default} (expected AES256)",
            evidence,
            status="waived" if ok else None,
            waiver=waiver.reason if ok else "",
        )
    key = str(ctx.output(f"{BUCKET_KEYS[bucket.bucket_class]}KeyArn"))
    ok = (
        default.get("SSEAlgorithm") == "aws:kms"
        and default.get("KMSMasterKeyID") == key
        and rules[0].get("BucketKeyEnabled") is True
    )
    return Verdict(
        ok, f"SSE {default.get('SSEAlgorithm')} key {default.get('KMSMasterKeyID')} (expected {key})", evidence
    )


# ---- bucket policy, by evaluation ------------------------------------------------------------------------


def _policy(ctx: AuditContext, bucket: Bucket) -> dict[str, Any]:
    return policy_json(_read(ctx, "get_bucket_policy", bucket)["Policy"])


def _compliant_context(ctx: AuditContext, bucket: Bucket) -> dict[str, Any]:
    """A request that meets every condition of the baseline policy (TLS 1.3, through our S3 endpoint)."""
    context: dict[str, Any] = {
        "aws:SecureTransport": True,
        "s3:TlsVersion": "1.3",
        "aws:ResourceAccount": ctx.account_id,
    }
    if bucket.bucket_class in DATA_BUCKETS:
        context["aws:SourceVpce"] = str(ctx.output("s3GatewayEndpointId"))
    return context


def _object_request(
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


def _deny_probe(
    ctx: AuditContext,
    bucket: Bucket,
    action: str,
    bad: Mapping[str, Mapping[str, Any]],
    *,
    what: str,
    good: Mapping[str, Any] | None = None,
) -> Verdict:
    """The compliant request is not explicitly denied, and every ``bad`` variant is."""
    baseline = _object_request(ctx, bucket, action, good or {})
    outcomes = {label: _object_request(ctx, bucket, action, change) for label, change in bad.items()}
    leaks = [label for label, outcome in outcomes.items() if outcome != "ExplicitDeny"]
    ok = baseline != "ExplicitDeny" and not leaks
    if baseline == "ExplicitDeny":
        message = f"{what}: even a compliant {action} is denied (lock-out)"
    else:
        message = f"{what}: " + (f"not denied: {leaks}" if leaks else f"denied ({', '.join(outcomes)})")
    return Verdict(ok, message, {"compliant": baseline, **outcomes})


@check("S3-04", all_buckets)
def _denies_plain_http(ctx: AuditContext, bucket: Bucket) -> Verdict:
    return _deny_probe(
        ctx, bucket, "s3:GetObject", {"plain HTTP": {"aws:SecureTransport": False}}, what="aws:SecureTransport"
    )


@check("S3-05", all_buckets)
def _denies_old_tls(ctx: AuditContext, bucket: Bucket) -> Verdict:
    return _deny_probe(
        ctx,
        bucket,
        "s3:GetObject",
        {"TLS 1.0": {"s3:TlsVersion": "1.0"}, "TLS 1.1": {"s3:TlsVersion": "1.1"}},
        what="s3:TlsVersion",
    )


@check("S3-06", all_buckets)
def _denies_wrong_encryption(ctx: AuditContext, bucket: Bucket) -> Verdict:
    sse = "s3:x-amz-server-side-encryption"
    if bucket.bucket_class in BUCKET_KEYS:
        key = str(ctx.output(f"{BUCKET_KEYS[bucket.bucket_class]}KeyArn"))
        good = {sse: "aws:kms", f"{sse}-aws-kms-key-id": key}
        bad = {
            "SSE-S3 header": {sse: "AES256"},
            "foreign key": {
                sse: "aws:kms",
                f"{sse}-aws-kms-key-id": f"arn:aws:kms:{ctx.region}:{FOREIGN_ACCOUNT}:key/x",
            },
        }
    else:
        good = {sse: "AES256"}
        bad = {"SSE-KMS header": {sse: "aws:kms"}}
    bad["SSE-C"] = {**good, f"{sse}-customer-algorithm": "AES256"}
    return _deny_probe(
        ctx, bucket, "s3:PutObject", {k: {**good, **v} for k, v in bad.items()}, what="encryption", good=good
    )


@check("S3-07", data_buckets)
def _denies_outside_vpc(ctx: AuditContext, bucket: Bucket) -> Verdict:
    bad: dict[str, Mapping[str, Any]] = {
        "no endpoint": {"aws:SourceVpce": None},
        "other endpoint": {"aws:SourceVpce": "vpce-0000000000000000f"},
    }
    return _deny_probe(ctx, bucket, "s3:GetObject", bad, what="aws:SourceVpce")


@check("S3-08", all_buckets)
def _denies_other_accounts(ctx: AuditContext, bucket: Bucket) -> Verdict:
    foreign = ctx.probe_arn(FOREIGN_ACCOUNT)
    outcomes = {
        action: _object_request(ctx, bucket, action, {}, principal=foreign)
        for action in ("s3:GetObject", "s3:PutObject")
    }
    ok = all(o == "ExplicitDeny" for o in outcomes.values())
    return Verdict(ok, f"principal of account {FOREIGN_ACCOUNT}: {outcomes}", {"probe": outcomes})


@check("S3-09", all_buckets)
def _versioning(ctx: AuditContext, bucket: Bucket) -> Verdict:
    status = _read(ctx, "get_bucket_versioning", bucket).get("Status", "never enabled")
    return Verdict(status == "Enabled", f"versioning {status}", {"Status": status})


@check("S3-10", model_bucket)
def _object_lock(ctx: AuditContext, bucket: Bucket) -> Verdict:
    config = _read(ctx, "get_object_lock_configuration", bucket)["ObjectLockConfiguration"]
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
    enabled = _read(ctx, "get_bucket_logging", bucket).get("LoggingEnabled") or {}
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
        r for r in _read(ctx, "get_bucket_lifecycle_configuration", bucket)["Rules"] if r.get("Status") == "Enabled"
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

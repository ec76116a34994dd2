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


def read(ctx: AuditContext, call: str, bucket: Bucket) -> Any:
    """One S3 read of ``bucket``, cached per context: several controls read the same configuration."""
    return ctx.cached((call, bucket.name), lambda: getattr(ctx.client("s3"), call)(Bucket=bucket.name))


@check("S3-01", all_buckets)
def _public_access_block(ctx: AuditContext, bucket: Bucket) -> Verdict:
    config = read(ctx, "get_public_access_block", bucket)["PublicAccessBlockConfiguration"]
    off = sorted(k for k, v in config.items() if v is not True)
    return Verdict(
        not off and len(config) == 4, f"public access block: {'all on' if not off else f'off: {off}'}", config
    )


@check("S3-02", all_buckets)
def _ownership(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = read(ctx, "get_bucket_ownership_controls", bucket)["OwnershipControls"]["Rules"]
    owners = [r["ObjectOwnership"] for r in rules]
    return Verdict(owners == ["BucketOwnerEnforced"], f"object ownership {owners}", {"ObjectOwnership": owners})


@check("S3-03", all_buckets)
def _default_encryption(ctx: AuditContext, bucket: Bucket) -> Verdict:
    rules = read(ctx, "get_bucket_encryption", bucket)["ServerSideEncryptionConfiguration"]["Rules"]
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
    return policy_json(read(ctx, "get_bucket_policy", bucket)["Policy"])


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


def object_request(
    ctx: AuditContext, bucket: Bucket, action: str, changes: Mapping[str, Any], *, principal: str | None = None
) -> Outcome:
    """The bucket policy's decision on ``action`` by ``principal``: a compliant request with ``changes`` applied."""
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
    baseline = object_request(ctx, bucket, action, good or {})
    outcomes = {label: object_request(ctx, bucket, action, change) for label, change in bad.items()}
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

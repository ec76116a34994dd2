"""Secure storage: SecureBucket (usable alone) and the baseline's buckets and secret (S3-01…S3-14, GOV-02, GOV-03).

pulumi-aws v7 split resources: the bucket plus one side resource per concern, and exactly ONE BucketPolicy per
bucket (S3 keeps only the last policy written), built from the pure guardrail bundle in ``documents`` merged with
statements callers contribute as a function of the bucket's ARN and name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import (
    NAMESPACE,
    ConfigError,
    IdentityConfig,
    StorageConfig,
    bucket_name_key,
)
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import (
    ACCESS_LOGS,
    BUCKET_KEY_CLASS,
    DATA_BUCKETS,
    EXTRA_BUCKET_TEMPLATE,
    MALWARE_PROTECTION_ROLE,
    SCANNED_BUCKETS,
    SECRET_OUTPUT,
    bucket_output,
    extra_bucket_classes,
)

#: A caller's bucket-policy statements, given the bucket's ARN and name (may return an Output).
BucketStatements = Callable[[str, str], pulumi.Input[Sequence[documents.Statement]]]

#: What Secrets Manager asks KMS for, as the caller, on CreateSecret and PutSecretValue (GOV-02 writers).
SECRET_WRITER_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")

#: Secrets Manager keeps a deleted secret recoverable for this long (the maximum; S3-13 spirit for GOV-02).
SECRET_RECOVERY_WINDOW_DAYS = 30


@dataclass(frozen=True)
class DesignWaiver:
    """A control the baseline cannot meet as written because AWS does not support it; read by policy and report."""

    control: str
    resource: str
    reason: str
    compensating: str
    reference: str


#: Exceptions by design, not by configuration: each names the control, where, why and what stands in for it.
WAIVERS_BY_DESIGN: tuple[DesignWaiver, ...] = (
    DesignWaiver(
        control="S3-03",
        resource="access-logs",
        reason=(
            "S3 server access logging delivers only to target buckets whose default encryption is SSE-S3; "
            "SSE-KMS default encryption is not supported for server access log target buckets"
        ),
        compensating=(
            "SSE-S3 (AES256) default encryption; the bucket policy denies uploads naming any other encryption and "
            "SSE-C; public access blocked; ACLs disabled; versioned; only logging.s3 with SourceAccount/SourceArn "
            "may write"
        ),
        reference="https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
    ),
    DesignWaiver(
        control="S3-03",
        resource="audit",
        reason=(
            "S3 Bucket Key off on the CloudTrail archive: CloudTrail documents that creating or updating an SSE-KMS "
            "trail into a bucket with an S3 Bucket Key needs kms:Decrypt on the key, which no principal should hold "
            "on the logs key"
        ),
        compensating=(
            "SSE-KMS with the logs key on every object (CloudTrail's own per-file data keys, bound to this trail by "
            "aws:SourceArn and the aws:cloudtrail:arn encryption context); versioned; Object Lock; deletes denied"
        ),
        reference="https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
    ),
)


def design_waiver(control: str, resource: str) -> DesignWaiver:
    """The waiver for ``control`` on ``resource``; KeyError if none exists (an exception must be on record)."""
    for waiver in WAIVERS_BY_DESIGN:
        if waiver.control == control and waiver.resource == resource:
            return waiver
    raise KeyError(f"no design waiver for {control} on {resource!r}; see WAIVERS_BY_DESIGN")


@dataclass(frozen=True)
class ObjectLock:
    """Default retention of an Object Lock bucket (S3-10). Needs ``object_lock_enabled`` at bucket creation."""

    mode: Literal["GOVERNANCE", "COMPLIANCE"]
    days: int


@dataclass(frozen=True)
class Lifecycle:
    """Retention of one bucket (S3-12, GOV-03): ``expiration_days`` None keeps current objects."""

    noncurrent_version_days: int
    abort_multipart_days: int
    expiration_days: int | None = None


@dataclass(frozen=True)
class AccessLogTarget:
    """Where a bucket's server access logs go; ``depends_on`` orders logging after the target's policy."""

    bucket: pulumi.Input[str]
    prefix: str
    depends_on: Sequence[pulumi.Resource] = ()


@dataclass(frozen=True)
class SecureBucketArgs:
    """Inputs of SecureBucket.

    ``kms_key_arn`` None selects SSE-S3 and is accepted only for a ``bucket_class`` with a design waiver on S3-03.
    ``vpc_endpoint_ids`` empty omits S3-07 (a standalone bucket without a VPC); ``exempt_principal_arns`` are the
    S3-07 exemptions (deployer, break-glass). ``bucket_name`` None lets Pulumi autoname the bucket.
    ``encryption_header_exempt_services``: service principals the S3-06 header rule lets name another algorithm
    (the audit bucket: CloudTrail writes digest files with SSE-S3).
    ``allow_replacement``: let a new ``bucket_name`` replace the bucket; otherwise the deployed name is kept and a
    different configured name is refused (``kept_bucket_name``).
    """

    bucket_class: str
    account: AccountContext
    lifecycle: Lifecycle
    kms_key_arn: pulumi.Input[str] | None = None
    object_lock: ObjectLock | None = None
    access_log_target: AccessLogTarget | None = None
    vpc_endpoint_ids: Sequence[pulumi.Input[str]] = ()
    exempt_principal_arns: Sequence[str] = ()
    org_id: str | None = None
    extra_statements: Sequence[BucketStatements] = ()
    bucket_name: str | None = None
    protect: bool = False
    encryption_header_exempt_services: Sequence[str] = ()
    bucket_key: bool = True
    allow_replacement: bool = False


def kept_bucket_name(bucket_class: str, configured: str, deployed: str) -> str:
    """The deployed name when it is the configured one; ConfigError otherwise.

    ``bucket`` is replace-only: a new name would move the stack to a new, empty bucket and leave the data behind in
    the retained old one. The engine keeps the deployed name (``ignore_changes``) and reports it back here.
    """
    if deployed == configured:
        return deployed
    raise ConfigError(
        f"invalid configuration: {bucket_name_key(bucket_class)} = {json.dumps(configured)}: the stack's "
        f"{bucket_class} bucket is {json.dumps(deployed)}; a new name replaces a bucket with a new, empty one and "
        f"leaves the data in the old one (allowed: {json.dumps(deployed)}, or "
        f"{NAMESPACE}:relaxations.bucketReplacement true to move to the new bucket)"
    )


class SecureBucket(pulumi.ComponentResource):
    """A bucket with every S3 control on: BPA, ACLs off, SSE-KMS + bucket key, versioning, logging, lifecycle, lock.

    S3-13: the bucket is retained on delete, and so is every side resource, because the provider's delete of each
    takes its protection off a bucket that stays (the policy, public access block, encryption and ownership are
    removed, versioning is suspended, the default retention is cleared). The lifecycle and logging configurations
    are retained too: how long the data is kept is a decision about the data, which a ``pulumi destroy`` must neither
    shorten nor lift. Protected together with the bucket (GOV-05): the engine refuses a protected delete only when
    it reaches it, after the unprotected side resources are gone.
    """

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:storage:SecureBucket", name, None, opts)
        if args.kms_key_arn is None or not args.bucket_key:
            design_waiver("S3-03", args.bucket_class)  # SSE-S3 or no bucket key only where AWS requires it, on record

        def guard(*depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(
                parent=self, protect=args.protect, retain_on_delete=True, depends_on=list(depends_on)
            )

        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=False,
            object_lock_enabled=args.object_lock is not None,
            tags={"bucket-class": args.bucket_class},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                retain_on_delete=True,
                ignore_changes=[] if args.allow_replacement else ["bucket"],
            ),
        )
        bucket_id = self.bucket.id
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=guard(),
        )
        self.ownership_controls = aws.s3.BucketOwnershipControls(
            name, bucket=bucket_id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=guard()
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            name, bucket=bucket_id, rules=[_encryption_rule(args.kms_key_arn, bucket_key=args.bucket_key)], opts=guard()
        )
        self.versioning = aws.s3.BucketVersioning(
            name, bucket=bucket_id, versioning_configuration={"status": "Enabled"}, opts=guard()
        )
        self.object_lock: aws.s3.BucketObjectLockConfiguration | None = None
        if args.object_lock is not None:
            self.object_lock = aws.s3.BucketObjectLockConfiguration(
                name,
                bucket=bucket_id,
                object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": args.object_lock.mode, "days": args.object_lock.days}},
                opts=guard(self.versioning),
            )
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=bucket_id,
            rules=lifecycle_rules(args.lifecycle),
            opts=guard(self.versioning),
        )
        self.logging: aws.s3.BucketLogging | None = None
        if args.access_log_target is not None:
            target = args.access_log_target
            self.logging = aws.s3.BucketLogging(
                name,
                bucket=bucket_id,
                target_bucket=target.bucket,
                target_prefix=target.prefix,
                target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
                opts=guard(*target.depends_on),
            )
        # S3-14: with BPA on first, a policy that AWS judged public would be refused rather than briefly applied;
        # and ownership controls must settle before S3 evaluates the policy's principals.
        self.policy = aws.s3.BucketPolicy(
            name,
            bucket=bucket_id,
            policy=self._render_policy(args),
            opts=guard(self.public_access_block, self.ownership_controls),
        )
        self.arn = self.bucket.arn
        configured = args.bucket_name
        self.name = (
            self.bucket.bucket
            if configured is None or args.allow_replacement
            else self.bucket.bucket.apply(lambda deployed: kept_bucket_name(args.bucket_class, configured, deployed))
        )
        self.register_outputs({"arn": self.arn, "name": self.name, "policy": self.policy.policy})

    def _render_policy(self, args: SecureBucketArgs) -> pulumi.Output[str]:
        """Combine the bucket's ARN/name, key and endpoint ids once, then the callers' statements, into JSON."""

        def render(values: list[Any]) -> pulumi.Output[str]:
            arn, bucket_name, key_arn, *endpoint_ids = values
            contributed = [pulumi.Output.from_input(fn(arn, bucket_name)) for fn in args.extra_statements]

            def document(lists: list[Sequence[documents.Statement]]) -> str:
                policy = documents.bucket_policy(
                    arn,
                    account_id=args.account.account_id,
                    kms_key_arn=key_arn or None,
                    vpc_endpoint_ids=endpoint_ids,
                    exempt_principal_arns=args.exempt_principal_arns,
                    org_id=args.org_id,
                    extra_statements=[s for group in lists for s in group],
                    encryption_header_exempt_services=args.encryption_header_exempt_services,
                )
                return json.dumps(policy)

            return pulumi.Output.all(*contributed).apply(document)

        key: pulumi.Input[str] = args.kms_key_arn if args.kms_key_arn is not None else ""
        return pulumi.Output.all(self.bucket.arn, self.bucket.bucket, key, *args.vpc_endpoint_ids).apply(render)


def _encryption_rule(
    kms_key_arn: pulumi.Input[str] | None, *, bucket_key: bool = True
) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict:
    """S3-03: SSE-KMS with the class key and an S3 Bucket Key; SSE-S3 or no bucket key only under a design waiver.
    SSE-C blocked."""
    if kms_key_arn is None:
        return {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
            "blocked_encryption_types": ["SSE-C"],
        }
    return {
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn},
        "bucket_key_enabled": bucket_key,
        "blocked_encryption_types": ["SSE-C"],
    }


def lifecycle_rules(lifecycle: Lifecycle) -> list[aws.s3.BucketLifecycleConfigurationRuleArgsDict]:
    """S3-12: one rule per purpose, each with an ``id`` and an empty ``filter`` (whole bucket), as S3 requires."""
    rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict] = [
        {
            "id": "abort-incomplete-multipart-uploads",
            "status": "Enabled",
            "filter": {},
            "abort_incomplete_multipart_upload": {"days_after_initiation": lifecycle.abort_multipart_days},
        },
        {
            "id": "expire-noncurrent-versions",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": lifecycle.noncurrent_version_days},
        },
    ]
    if lifecycle.expiration_days is not None:
        rules.append(
            {
                "id": "expire-current-objects",
                "status": "Enabled",
                "filter": {},
                "expiration": {"days": lifecycle.expiration_days},
            }
        )
    return rules


# ---- the baseline's buckets and pseudonymization secret -------------------------------------------------------


def malware_scanner_arn(account: AccountContext, name_prefix: str) -> str:
    """DET-03: the role GuardDuty Malware Protection assumes to scan and tag objects; the scanned buckets' read gate
    exempts it, and only it (named up front: the bucket policies do not wait for the role)."""
    from ai_security_baseline.components import identity  # noqa: PLC0415 - identity imports this module

    return identity.role_arn(account, name_prefix, MALWARE_PROTECTION_ROLE)


def _malware_scan_gate(scanner_arn: str | None) -> list[BucketStatements]:
    """The DET-03 statements of a scanned bucket (none for the others)."""
    if scanner_arn is None:
        return []
    return [lambda arn, _name: documents.malware_scan_statements(arn, scanner_arn)]


def pseudonymization_secret_name(name_prefix: str) -> str:
    """Physical name of the GOV-02 secret, known up front so key policies can name it before it exists."""
    return f"{name_prefix}/pseudonymization-key"


def _secret_key_statement(
    sid: str, account: AccountContext, name_prefix: str, principal_arns: Sequence[str], actions: Sequence[str]
) -> documents.Statement:
    secret_arn = documents.secret_arn_pattern(
        account.partition, account.region, account.account_id, pseudonymization_secret_name(name_prefix)
    )
    return documents.secret_key_use_statement(
        sid, principal_arns, actions, region=account.region, account_id=account.account_id, secret_arn=secret_arn
    )


def data_processor_secret_key_statement(
    account: AccountContext, name_prefix: str, data_processor_arn: str
) -> documents.Statement:
    """GOV-02 on the ``data`` key: the processor decrypts the pseudonymization secret, via Secrets Manager only.

    A plain function of the role ARN, so the identity wiring can pass ``role.arn.apply(...)`` into the key's
    statements (the key policy then waits for the role, as AWS requires).
    """
    return _secret_key_statement(
        "DataProcessorDecryptsPseudonymizationSecret", account, name_prefix, [data_processor_arn], ["kms:Decrypt"]
    )


def secret_writer_key_statement(
    account: AccountContext, name_prefix: str, writer_arns: Sequence[str]
) -> documents.Statement:
    """The writers (the deployer) may create the secret and put its values, through Secrets Manager only.

    CreateSecret (with a customer key) and PutSecretValue make Secrets Manager call ``kms:GenerateDataKey`` and
    ``kms:Decrypt`` *as the caller*, to confirm the caller may use the key (Secrets Manager User Guide, "Secret
    encryption and decryption"); without both the secret is never created.
    """
    return _secret_key_statement(
        "WritersEncryptPseudonymizationSecret", account, name_prefix, writer_arns, SECRET_WRITER_KEY_ACTIONS
    )


def storage_key_statements(
    *,
    name_prefix: str,
    account: AccountContext,
    data_processor_arn: str | None = None,
    secret_writer_arns: Sequence[str] = (),
) -> dict[str, list[documents.Statement]]:
    """Key-policy statements storage needs, per data class, from names known before the keys exist.

    Only the ``data`` key needs any (the pseudonymization secret). S3 use of the data/models keys is granted per
    role by the identity component, via ``kms:ViaService s3.<region>.amazonaws.com``; the access-log bucket is
    SSE-S3 (waiver), so ``logging.s3`` needs no key statement.
    """
    statements: list[documents.Statement] = []
    if data_processor_arn:
        statements.append(data_processor_secret_key_statement(account, name_prefix, data_processor_arn))
    if secret_writer_arns:
        statements.append(secret_writer_key_statement(account, name_prefix, secret_writer_arns))
    return {"data": statements}


@dataclass(frozen=True)
class StorageArgs:
    """Inputs of Storage. ``vpc_endpoint_ids`` is required: pass the S3 gateway endpoint id(s) of the network.

    An empty tuple is accepted only so the baseline can be wired before the network exists; it omits S3-07 and
    the component reports that in ``gaps``. ``extra_log_source_arns``: further buckets logging into access-logs
    (the audit archive, built later: pass a deferred Output). ``allow_bucket_replacement``: see SecureBucketArgs.
    """

    name_prefix: str
    account: AccountContext
    settings: StorageConfig
    identity: IdentityConfig
    key_arns: Mapping[str, pulumi.Input[str]]
    vpc_endpoint_ids: Sequence[pulumi.Input[str]]
    data_processor_arn: pulumi.Input[str] | None = None
    protect: bool = False
    extra_log_source_arns: Sequence[pulumi.Input[str]] = ()
    secret_endpoint_ids: Sequence[pulumi.Input[str]] = ()
    allow_bucket_replacement: bool = False


class Storage(pulumi.ComponentResource):
    """The baseline's buckets (raw, curated, models, extra-1…N, access-logs) and the pseudonymization secret."""

    buckets: dict[str, SecureBucket]
    secret: aws.secretsmanager.Secret
    secret_policy: aws.secretsmanager.SecretPolicy
    gaps: tuple[str, ...]

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:storage:Storage", name, None, opts)
        missing = sorted({c for c in BUCKET_KEY_CLASS.values() if c} - set(args.key_arns))
        if missing:
            raise ValueError(f"Storage: key ARN(s) missing for data class(es) {missing}")
        settings = args.settings
        self.gaps = () if args.vpc_endpoint_ids else ("S3-07: no VPC endpoint ids given; data buckets not VPC-only",)
        exempt = tuple(a for a in (args.identity.deployer_arn, args.identity.break_glass_arn) if a)
        self.buckets = {}

        source_arns: pulumi.Output[list[str]]
        resolve_sources: Callable[[pulumi.Output[list[str]]], None]
        source_arns, resolve_sources = pulumi.deferred_output()

        def log_grants(arn: str, _name: str) -> pulumi.Output[list[documents.Statement]]:
            return pulumi.Output.from_input(source_arns).apply(
                lambda sources: [documents.allow_server_access_logs_statement(arn, sources, args.account.account_id)]
            )

        common: dict[str, Any] = {
            "account": args.account,
            "org_id": args.identity.org_id,
            "protect": args.protect,
            "allow_replacement": args.allow_bucket_replacement,
        }
        access_logs = SecureBucket(
            f"{args.name_prefix}-{ACCESS_LOGS}",
            SecureBucketArgs(
                bucket_class=ACCESS_LOGS,
                lifecycle=Lifecycle(settings.noncurrent_version_days, settings.abort_multipart_days),
                extra_statements=[log_grants],
                bucket_name=settings.bucket_names.for_class(ACCESS_LOGS),
                **common,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.buckets[ACCESS_LOGS] = access_logs
        data_classes = (*DATA_BUCKETS, *extra_bucket_classes(settings.extra_data_buckets))
        try:
            for bucket_class in data_classes:
                self.buckets[bucket_class] = self._data_bucket(
                    bucket_class, args=args, access_logs=access_logs, exempt=exempt, common=common
                )
        finally:  # resolve even on error, so a failed construction can never leave the log policy waiting forever
            built = [self.buckets[c].arn for c in data_classes if c in self.buckets]
            resolve_sources(
                pulumi.Output.all(*built, *args.extra_log_source_arns).apply(lambda arns: [a for a in arns if a])
            )

        self.secret, self.secret_policy = self._secret(args)
        self.register_outputs(self.outputs())

    @property
    def data_bucket_arns(self) -> list[pulumi.Output[str]]:
        """ARNs of every data bucket (raw, curated, models, extra-N): what the trail records data events of."""
        return [bucket.arn for bucket_class, bucket in self.buckets.items() if bucket_class != ACCESS_LOGS]

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        """GOV-04: each bucket's name and ARN (``rawBucketName``, ``accessLogsBucketArn`` ...) and the secret ARN."""
        result: dict[str, pulumi.Output[str]] = {}
        for bucket_class, bucket in self.buckets.items():
            result[bucket_output(bucket_class, "Name")] = bucket.name
            result[bucket_output(bucket_class, "Arn")] = bucket.arn
        result[SECRET_OUTPUT] = self.secret.arn
        return result

    def _data_bucket(
        self,
        bucket_class: str,
        *,
        args: StorageArgs,
        access_logs: SecureBucket,
        exempt: tuple[str, ...],
        common: Mapping[str, Any],
    ) -> SecureBucket:
        settings = args.settings
        template = bucket_class if bucket_class in BUCKET_KEY_CLASS else EXTRA_BUCKET_TEMPLATE
        key_class = BUCKET_KEY_CLASS[template]
        if key_class is None:
            raise ValueError(f"Storage: data bucket {bucket_class!r} has no KMS key class")
        lock = settings.model_lock if template == "models" else None
        scanner = malware_scanner_arn(args.account, args.name_prefix) if bucket_class in SCANNED_BUCKETS else None
        return SecureBucket(
            f"{args.name_prefix}-{bucket_class}",
            SecureBucketArgs(
                bucket_class=bucket_class,
                kms_key_arn=args.key_arns[key_class],
                lifecycle=Lifecycle(
                    settings.noncurrent_version_days,
                    settings.abort_multipart_days,
                    settings.raw_expiration_days if template == "raw" else None,
                ),
                object_lock=ObjectLock(lock.mode, lock.days) if lock else None,
                access_log_target=AccessLogTarget(
                    bucket=access_logs.name, prefix=f"{bucket_class}/", depends_on=[access_logs.policy]
                ),
                vpc_endpoint_ids=args.vpc_endpoint_ids,
                exempt_principal_arns=(*exempt, scanner) if scanner else exempt,
                extra_statements=_malware_scan_gate(scanner),
                bucket_name=settings.bucket_names.for_class(bucket_class),
                **common,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _secret(self, args: StorageArgs) -> tuple[aws.secretsmanager.Secret, aws.secretsmanager.SecretPolicy]:
        """GOV-02: the secret, encrypted with the ``data`` key, with no value written by Pulumi.

        The value is put once, out of band (README: ``put-secret-value`` from a generator in the same pipe), never
        by this program: a SecretVersion would keep the plaintext in Pulumi state (even write-only fields keep their
        first value in state inputs), a Python-generated value changes on every run, and the provider reads a
        version back with GetSecretValue, which this secret's policy refuses to everyone but the data processor.
        """
        name = f"{args.name_prefix}-pseudonymization-key"
        secret = aws.secretsmanager.Secret(
            name,
            name=pseudonymization_secret_name(args.name_prefix),
            description="Salt/key for pseudonymizing identifiers in training data (GOV-02); value put out of band",
            kms_key_id=args.key_arns["data"],
            recovery_window_in_days=SECRET_RECOVERY_WINDOW_DAYS,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True),
        )
        readers: pulumi.Input[str] = args.data_processor_arn if args.data_processor_arn is not None else ""
        policy = pulumi.Output.all(readers, *args.secret_endpoint_ids).apply(
            lambda values: json.dumps(
                documents.secret_read_policy([values[0]] if values[0] else [], vpc_endpoint_ids=values[1:])
            )
        )
        # Retained with the secret: deleting the policy would leave the retained salt readable by any IAM grant.
        secret_policy = aws.secretsmanager.SecretPolicy(
            name,
            secret_arn=secret.arn,
            policy=policy,
            block_public_policy=True,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True),
        )
        return secret, secret_policy


__all__ = [
    "EXTRA_BUCKET_TEMPLATE",
    "WAIVERS_BY_DESIGN",
    "AccessLogTarget",
    "BucketStatements",
    "DesignWaiver",
    "Lifecycle",
    "ObjectLock",
    "SecureBucket",
    "SecureBucketArgs",
    "Storage",
    "StorageArgs",
    "data_processor_secret_key_statement",
    "extra_bucket_classes",
    "kept_bucket_name",
    "lifecycle_rules",
    "malware_scanner_arn",
    "pseudonymization_secret_name",
    "secret_writer_key_statement",
    "storage_key_statements",
]

"""Typed, validated baseline configuration: the one place where defaults and allowed ranges live.

Read from the ``baseline`` namespace of Pulumi config (``Pulumi.<stack>.yaml``). Every key is
camelCase as users write it; a typo'd or unknown key is an error, and every error names the full
key (``baseline:network.cidr``), the bad value and what is allowed — before any resource exists. Policy sizes
against AWS's quotas depend on the account and region as well: ``components.baseline.check_policy_quotas`` refuses
those with the same kind of message, still before any resource exists.
"""

from __future__ import annotations

import difflib
import importlib.util
import ipaddress
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pulumi.runtime import config as runtime_config
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ai_security_baseline.controls.text import clip
from ai_security_baseline.controls.vocabulary import (
    CENTRAL_PIECES,
    ENDPOINT_BUNDLES,
    KNOWN_ENDPOINT_SERVICES,
    LOG_RETENTION_DEFAULT_MIN_DAYS,
    LOG_RETENTION_FLOOR_DAYS,
)

NAMESPACE = "baseline"
#: Config namespaces a stack file may use: the baseline's own and those of the engine and the one provider the
#: program configures. Any other is refused: a misspelled ``baseilne:protect`` would otherwise be silently ignored.
KNOWN_NAMESPACES: tuple[str, ...] = ("aws", NAMESPACE, "pulumi")

#: AWS tag limits (Tagging API): key 1-128 characters, value 0-256, at most 50 tags on a resource.
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
MAX_TAGS_PER_RESOURCE = 50
#: The most tags a component sets on one resource besides the mandatory ones (a subnet's ``Name`` and ``tier``).
MAX_RESOURCE_OWN_TAGS = 2
#: Characters AWS allows in tag keys and values besides Unicode letters, separators and numbers.
_TAG_PUNCTUATION = frozenset("_.:/=+-@")

#: Retention values CloudWatch Logs accepts (PutRetentionPolicy).
CLOUDWATCH_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip


#: Length bounds of a ``centrallyManaged`` reason: enough to name who manages the piece, short enough for a report.
MIN_REASON = 10
MAX_REASON = 500

#: Upper bound of ``storage.extraDataBuckets`` (buckets ``extra-1`` … ``extra-N``).
MAX_EXTRA_DATA_BUCKETS = 64

_ARN_PRINCIPAL = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,14}[a-z0-9]$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_KMS_KEY_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SECRET_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$"
)
_EXTRA_BUCKET = re.compile(r"^extra([1-9]\d*)$")
_EXTRA_CLASS = re.compile(r"^extra-([1-9]\d*)$")

#: Buckets ``adopt.buckets`` names, as ``storage.bucketNames`` spells their classes (plus ``extra1`` … ``extraN``).
NAMED_BUCKETS: dict[str, str] = {
    "raw": "raw",
    "curated": "curated",
    "models": "models",
    "accessLogs": "access-logs",
    "audit": "audit",
}
#: Retained resources whose physical name the stack fixes: ``adopt.fixedNames`` adopts them by that name.
FixedNameResource = Literal["trail", "trailLogGroup", "trailLogRole", "flowLogGroup", "flowLogRole", "boundary"]
FIXED_NAME_RESOURCES: tuple[str, ...] = get_args(FixedNameResource)


#: Upper bound of ``network.dnsAllowlist`` (AWS takes at most 1,000 domains per UpdateFirewallDomains request).
MAX_DNS_ALLOWLIST = 500
#: A DNS Firewall domain specification (UpdateFirewallDomains): an optional leading ``*.``, then dot-separated labels of
#: A-Z, a-z, 0-9 and '-', 255 characters at most. ``*`` alone matches every name, which an allowlist must not.
_DNS_DOMAIN = re.compile(r"^(\*\.)?([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}\.?$")


def dns_domain_valid(value: str) -> bool:
    """Whether ``value`` is a DNS Firewall domain specification naming a bounded set of names."""
    return len(value) <= 255 and bool(_DNS_DOMAIN.match(value))


#: Upper bound of ``identity.imageAccountIds``: one ECR repository ARN each in every execution role's policy.
MAX_IMAGE_ACCOUNTS = 20


def _account_id(value: str) -> str:
    if not re.fullmatch(r"\d{12}", value):
        raise ValueError("must be a 12-digit AWS account id")
    return value


AccountId = Annotated[str, AfterValidator(_account_id)]


def _not_bool(value: object) -> object:
    """YAML's ``true``/``false`` are not the integers 1/0 a lax model would make of them."""
    if isinstance(value, bool):
        raise ValueError("must be an integer, not true or false")
    return value


#: An integer field: pydantic's lax mode would take ``true`` as 1.
Int = Annotated[int, BeforeValidator(_not_bool)]


class ConfigError(ValueError):
    """Invalid stack configuration; the message names every bad key and what is allowed."""


def _principal_arn(value: str) -> str:
    if not _ARN_PRINCIPAL.match(value):
        raise ValueError("must be an IAM role or user ARN: arn:aws:iam::<12-digit account>:role/<name>")
    return value


def _bucket_name(value: str) -> str:
    problems = []
    if not _BUCKET_NAME.match(value):
        problems.append("3-63 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit")
    if ".." in value:
        problems.append("no two adjacent periods")
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value):
        problems.append("not formatted as an IP address")
    if value.startswith(("xn--", "sthree-", "amzn-s3-demo-")) or value.endswith(
        ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
    ):
        problems.append("no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, ...)")
    if problems:
        raise ValueError("S3 bucket name rules: " + "; ".join(problems))
    return value


PrincipalArn = Annotated[str, AfterValidator(_principal_arn)]

#: Region part as Bedrock's own ARN formats bound it (``[a-z0-9-]{1,20}``); model or profile id up to 256 characters.
_BEDROCK_MODEL_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):bedrock:[a-z0-9-]{1,20}:(\d{12})?:(foundation-model|inference-profile)/[\w.:-]{1,256}$"
)
#: Upper bound of ``identity.bedrockModelArns``: as many of the longest ARN the pattern allows (a 331-character
#: inference profile, named twice: as a resource and as the ``bedrock:InferenceProfileArn`` of its models) as the
#: inference role's inline policies hold within IAM's 10,240 characters, with every other name at its longest
#: (regions up to 20 characters, the aws-us-gov partition).
MAX_BEDROCK_MODEL_ARNS = 8


def _bedrock_model_arn(value: str) -> str:
    if not _BEDROCK_MODEL_ARN.match(value) or "*" in value:
        raise ValueError(
            "must be a Bedrock model ARN without wildcards: arn:aws:bedrock:<region>::foundation-model/<model id> "
            "or arn:aws:bedrock:<region>:<account>:inference-profile/<id>"
        )
    return value


BedrockModelArn = Annotated[str, AfterValidator(_bedrock_model_arn)]
BucketName = Annotated[str, AfterValidator(_bucket_name)]


def _kms_key_id(value: str) -> str:
    if not _KMS_KEY_ID.match(value):
        raise ValueError("must be a KMS key id (a lower-case UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab)")
    return value


def _secret_arn(value: str) -> str:
    if not _SECRET_ARN.match(value):
        raise ValueError(
            "must be a secret ARN: arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>"
        )
    return value


KmsKeyId = Annotated[str, AfterValidator(_kms_key_id)]
SecretArn = Annotated[str, AfterValidator(_secret_arn)]


class _Section(BaseModel):
    """Config section: camelCase keys, unknown keys rejected, immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=False)


class NetworkConfig(_Section):
    cidr: str = Field("10.42.0.0/16", description="a private (RFC 1918) IPv4 CIDR from /16 to /24")
    az_count: Int = Field(3, ge=2, le=6, description="integer 2-6, at most the AZs the region has")
    subnet_prefix: Int | None = Field(
        None,
        ge=17,
        le=28,
        description="integer 17-28, longer than the VPC prefix; default: smallest split that fits azCount",
    )
    endpoint_bundles: tuple[Literal["ml-core", "bedrock"], ...] = Field(
        ("ml-core",), description=f"any of {sorted(ENDPOINT_BUNDLES)}"
    )
    endpoint_services: tuple[str, ...] = Field((), description=f"any of {sorted(KNOWN_ENDPOINT_SERVICES)}")
    dns_allowlist: tuple[str, ...] = Field(
        (),
        description=f"at most {MAX_DNS_ALLOWLIST} domain names the VPC may resolve beyond AWS's own (DNS Firewall "
        "syntax: labels of A-Z, a-z, 0-9, '-', optionally starting with '*.'; not '*' alone)",
    )

    @field_validator("cidr")
    @classmethod
    def _private_cidr(cls, value: str) -> str:
        try:
            net = ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"not an IPv4 network address ({exc})") from None
        if not net.is_private or net.prefixlen < 16 or net.prefixlen > 24:
            raise ValueError("must be a private IPv4 CIDR with a prefix from /16 to /24")
        return value

    @field_validator("endpoint_services")
    @classmethod
    def _known_services(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - KNOWN_ENDPOINT_SERVICES)
        if unknown:
            raise ValueError(f"unknown endpoint service(s) {unknown}")
        if len(set(value)) != len(value):
            raise ValueError("services must not repeat")
        return value

    @field_validator("dns_allowlist")
    @classmethod
    def _dns_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "*" in value:
            raise ValueError("'*' alone matches every name, which would allow all of DNS; list the domains")
        bad = [d for d in value if not dns_domain_valid(d)]
        if bad:
            raise ValueError(f"not a DNS Firewall domain specification: {clip(repr(bad[0]), 80)}")
        if len(set(value)) != len(value):
            raise ValueError("domains must not repeat")
        if len(value) > MAX_DNS_ALLOWLIST:
            raise ValueError(f"{len(value)} domains; at most {MAX_DNS_ALLOWLIST}")
        return value

    @field_validator("endpoint_bundles")
    @classmethod
    def _unique_bundles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("bundles must not repeat")
        return value

    @property
    def interface_services(self) -> tuple[str, ...]:
        """Every interface-endpoint service suffix, bundles first, without repeats."""
        ordered = [s for b in self.endpoint_bundles for s in ENDPOINT_BUNDLES[b]]
        ordered += list(self.endpoint_services)
        return tuple(dict.fromkeys(ordered))


def subnet_cidrs(network: NetworkConfig) -> tuple[str, ...]:
    """One private subnet CIDR per AZ, carved from the VPC CIDR in order (NET-02)."""
    vpc = ipaddress.IPv4Network(network.cidr)
    needed_bits = math.ceil(math.log2(network.az_count))
    prefix = network.subnet_prefix or vpc.prefixlen + needed_bits
    if prefix <= vpc.prefixlen or prefix - vpc.prefixlen < needed_bits or prefix > 28:
        raise ValueError(
            f"CIDR {network.cidr} is too small for {network.az_count} subnets of /{prefix} "
            f"(need a /{min(prefix, 28)} per AZ, AWS allows /16-/28 subnets)"
        )
    subnets = vpc.subnets(new_prefix=prefix)
    return tuple(str(next(subnets)) for _ in range(network.az_count))


class KmsConfig(_Section):
    rotation_days: Int = Field(365, ge=90, le=2560, description="integer 90-2560")
    deletion_window_days: Int = Field(30, ge=7, le=30, description="integer 7-30")
    admin_arns: tuple[PrincipalArn, ...] = Field(
        (), description="IAM role/user ARNs that administer (never use) the keys"
    )


class ObjectLockConfig(_Section):
    mode: Literal["GOVERNANCE", "COMPLIANCE"] = Field("GOVERNANCE", description="GOVERNANCE or COMPLIANCE")
    days: Int = Field(365, ge=1, le=36500, description="integer 1-36500")


class BucketNamesConfig(_Section):
    """Explicit physical bucket names; unset classes are autonamed by Pulumi."""

    raw: BucketName | None = Field(None, description="an S3 bucket name")
    curated: BucketName | None = Field(None, description="an S3 bucket name")
    models: BucketName | None = Field(None, description="an S3 bucket name")
    access_logs: BucketName | None = Field(None, description="an S3 bucket name")
    audit: BucketName | None = Field(None, description="an S3 bucket name")
    extra: tuple[BucketName, ...] = Field(
        (), description="S3 bucket names of extra-1, extra-2 … in order (at most storage.extraDataBuckets)"
    )

    @model_validator(mode="after")
    def _unique(self) -> BucketNamesConfig:
        names = [n for n in (self.raw, self.curated, self.models, self.access_logs, self.audit, *self.extra) if n]
        if len(set(names)) != len(names):
            raise ValueError("bucket names must be unique across classes")
        return self

    def for_class(self, bucket_class: str) -> str | None:
        """The configured name of a bucket class (``raw`` … ``audit``, ``extra-<n>``); None: autonamed."""
        extra = _EXTRA_CLASS.match(bucket_class)
        if extra:
            index = int(extra.group(1)) - 1
            return self.extra[index] if index < len(self.extra) else None
        named = {
            "raw": self.raw,
            "curated": self.curated,
            "models": self.models,
            "access-logs": self.access_logs,
            "audit": self.audit,
        }
        return named.get(bucket_class)


def bucket_name_key(bucket_class: str) -> str:
    """The config key naming a bucket class's bucket, as error messages spell it."""
    extra = _EXTRA_CLASS.match(bucket_class)
    if extra:
        return f"{NAMESPACE}:storage.bucketNames.extra.{int(extra.group(1)) - 1}"
    key = next((k for k, v in NAMED_BUCKETS.items() if v == bucket_class), bucket_class)
    return f"{NAMESPACE}:storage.bucketNames.{key}"


class StorageConfig(_Section):
    raw_expiration_days: Int | None = Field(
        730, ge=1, le=36500, description="integer 1-36500 or null (keep raw data forever)"
    )
    noncurrent_version_days: Int = Field(90, ge=1, le=36500, description="integer 1-36500")
    abort_multipart_days: Int = Field(7, ge=1, le=7, description="integer 1-7")
    model_lock: ObjectLockConfig = Field(default_factory=ObjectLockConfig, description="{mode, days}")
    bucket_names: BucketNamesConfig = Field(
        default_factory=BucketNamesConfig, description="{raw, curated, models, accessLogs, audit}"
    )
    # ---- scale: extra data buckets; also how the benchmark scales the stack ----
    extra_data_buckets: Int = Field(
        0,
        ge=0,
        le=MAX_EXTRA_DATA_BUCKETS,
        description=f"integer 0-{MAX_EXTRA_DATA_BUCKETS}: additional data buckets (e.g. per team), each a full "
        "SecureBucket with the data key, logging, lifecycle and the VPC-only policy; also how the benchmark scales "
        "the stack",
    )


class LoggingConfig(_Section):
    retention_days: Int = Field(
        365,
        description=f"one of CloudWatch's values {list(CLOUDWATCH_RETENTION_DAYS)}, >= 365 "
        f"(>= {LOG_RETENTION_FLOOR_DAYS} with relaxations.shortLogRetention)",
    )
    archive_lock: ObjectLockConfig = Field(default_factory=ObjectLockConfig, description="{mode, days}")

    @field_validator("retention_days")
    @classmethod
    def _cloudwatch_value(cls, value: int) -> int:
        if value not in CLOUDWATCH_RETENTION_DAYS:
            raise ValueError(f"not a CloudWatch Logs retention value {list(CLOUDWATCH_RETENTION_DAYS)}")
        if value < LOG_RETENTION_FLOOR_DAYS:
            raise ValueError(f"below the {LOG_RETENTION_FLOOR_DAYS}-day floor for audit logs")
        return value


class IdentityConfig(_Section):
    deployer_arn: PrincipalArn | None = Field(
        None,
        description="IAM role/user ARN that runs pulumi up (writes the pseudonymization secret; exempt from the "
        "VPC-only rule); unset: the caller's own role or user",
    )
    break_glass_arn: PrincipalArn | None = Field(
        None, description="IAM role ARN for emergency access (exempt from the VPC-only rule)"
    )
    org_id: str | None = Field(None, description="AWS Organizations id o-[a-z0-9]{10,32}")
    # ---- identity: who may assume the workload roles, what inference may invoke
    auditor_principal_arns: tuple[PrincipalArn, ...] = Field(
        (), description="IAM role/user ARNs that may assume the auditor role; empty: this account's IAM decides"
    )
    inference_principal_arns: tuple[PrincipalArn, ...] = Field(
        (), description="IAM role/user ARNs that may assume the inference role; empty: SageMaker only"
    )
    approver_principal_arns: tuple[PrincipalArn, ...] = Field(
        (), description="IAM role/user ARNs that may assume the model-approver role (AI-04); empty: nobody"
    )
    image_account_ids: tuple[AccountId, ...] = Field(
        (),
        max_length=MAX_IMAGE_ACCOUNTS,
        description=f"at most {MAX_IMAGE_ACCOUNTS} 12-digit AWS account ids whose ECR repositories the SageMaker "
        "execution roles may pull images from, besides this account (e.g. the AWS Deep Learning Containers account "
        "of the region)",
    )
    bedrock_model_arns: tuple[BedrockModelArn, ...] = Field(
        (),
        max_length=MAX_BEDROCK_MODEL_ARNS,
        description=f"at most {MAX_BEDROCK_MODEL_ARNS} Bedrock foundation-model/inference-profile ARNs inference may "
        "invoke (bedrock bundle only; the most the inference role's inline-policy quota holds)",
    )

    @field_validator("org_id")
    @classmethod
    def _org(cls, value: str | None) -> str | None:
        if value is not None and not _ORG_ID.match(value):
            raise ValueError("must match o-[a-z0-9]{10,32}")
        return value


def tag_text_problem(text: str, limit: int) -> str | None:
    """Why AWS would refuse ``text`` as a tag key or value (characters, length), or None."""
    if len(text) > limit:
        return f"{len(text)} characters, AWS allows at most {limit}"
    bad = sorted({c for c in text if unicodedata.category(c)[0] not in "LZN" and c not in _TAG_PUNCTUATION})
    if bad:
        return f"characters {clip(repr(''.join(bad)), 40)} (AWS allows letters, digits, spaces and _ . : / = + - @)"
    return None


def _tag_value(value: str) -> str:
    problem = tag_text_problem(value, MAX_TAG_VALUE)
    if problem:
        raise ValueError(f"not a valid AWS tag value: {problem}")
    return value


TagValue = Annotated[str, AfterValidator(_tag_value)]


class TagsConfig(_Section):
    owner: TagValue = Field(
        "platform-team", min_length=1, description="non-empty tag value (at most 256 letters, digits, spaces, _.:/=+-@)"
    )
    data_classification: Literal["public", "internal", "confidential", "restricted"] = Field(
        "confidential", description="public, internal, confidential or restricted"
    )
    ai_act_risk: Literal["minimal", "limited", "high"] | None = Field(
        None, description="minimal, limited or high (EU AI Act risk class)"
    )
    extra: dict[str, TagValue] = Field(
        default_factory=dict,
        description="map of extra tag key (1-128) -> value (0-256 characters; letters, digits, spaces, _.:/=+-@); "
        f"with the baseline's own tags at most {MAX_TAGS_PER_RESOURCE} per resource",
    )

    @field_validator("extra")
    @classmethod
    def _tag_keys(cls, value: dict[str, str]) -> dict[str, str]:
        reserved = {"owner", "environment", "data-classification", "ai-act-risk", "managed-by"}
        for key in value:
            problem = tag_text_problem(key, MAX_TAG_KEY) or ("" if key else "empty")
            if problem or key.lower().startswith("aws:"):
                raise ValueError(f"not a valid AWS tag key ({problem or 'aws: prefix'}): {clip(repr(key), 80)}")
            if key in reserved:
                raise ValueError(f"tag key {key!r} is set by the baseline; use the named key instead")
        return value


class DetectionConfig(_Section):
    access_analyzer: Literal["account", "organization"] = Field(
        "account",
        description="account or organization (organization only with identity.orgId, deployed from the "
        "organization's management or delegated administrator account: AWS refuses it elsewhere)",
    )


#: A model family names its package group ``<prefix>-<env>-<family>``: SageMaker allows 63 characters of
#: ``[a-zA-Z0-9](-*[a-zA-Z0-9])*`` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModelPackageGroup.html).
_MODEL_FAMILY = re.compile(r"^[a-z0-9](-*[a-z0-9]){0,28}$")


#: PII entity types a guardrail detects (Bedrock API Reference, GuardrailPiiEntityConfig,
#: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GuardrailPiiEntityConfig.html).
PiiEntity = Literal[
    "ADDRESS", "AGE", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "CA_HEALTH_NUMBER", "CA_SOCIAL_INSURANCE_NUMBER",
    "CREDIT_DEBIT_CARD_CVV", "CREDIT_DEBIT_CARD_EXPIRY", "CREDIT_DEBIT_CARD_NUMBER", "DRIVER_ID", "EMAIL",
    "INTERNATIONAL_BANK_ACCOUNT_NUMBER", "IP_ADDRESS", "LICENSE_PLATE", "MAC_ADDRESS", "NAME", "PASSWORD", "PHONE",
    "PIN", "SWIFT_CODE", "UK_NATIONAL_HEALTH_SERVICE_NUMBER", "UK_NATIONAL_INSURANCE_NUMBER",
    "UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER", "URL", "USERNAME", "US_BANK_ACCOUNT_NUMBER", "US_BANK_ROUTING_NUMBER",
    "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", "US_PASSPORT_NUMBER", "US_SOCIAL_SECURITY_NUMBER",
    "VEHICLE_IDENTIFICATION_NUMBER",
]  # fmt: skip
#: Credentials and card data are blocked; contact details and names are masked so the request still works.
DEFAULT_PII: dict[PiiEntity, Literal["ANONYMIZE", "BLOCK"]] = {
    **dict.fromkeys(("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD", "CREDIT_DEBIT_CARD_NUMBER"), "BLOCK"),
    **dict.fromkeys(("CREDIT_DEBIT_CARD_CVV", "INTERNATIONAL_BANK_ACCOUNT_NUMBER"), "BLOCK"),
    **dict.fromkeys(("EMAIL", "PHONE", "NAME", "ADDRESS"), "ANONYMIZE"),
}
#: A denied topic's name as CreateGuardrail accepts it (GuardrailTopicConfig): 1-100 of ``[0-9a-zA-Z-_ !?.]``.
_TOPIC_NAME = re.compile(r"[0-9a-zA-Z\-_ !?.]{1,100}")


class DeniedTopic(_Section):
    """A topic the guardrail refuses (GuardrailTopicConfig limits: definition 200, examples 5 of 100 characters)."""

    name: str = Field(description="1-100 chars of a-z, A-Z, 0-9, '-', '_', ' ', '!', '?', '.'")
    definition: str = Field(min_length=1, max_length=200, description="1-200 characters")
    examples: tuple[Annotated[str, Field(min_length=1, max_length=100)], ...] = Field(
        (), max_length=5, description="at most 5 phrases of 1-100 characters"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _TOPIC_NAME.fullmatch(value):
            raise ValueError("must be 1-100 chars of a-z, A-Z, 0-9, '-', '_', ' ', '!', '?', '.'")
        return value


class GuardrailConfig(_Section):
    """AI-02: the Bedrock guardrail every inference request must name (built whenever Bedrock is on)."""

    content_strength: Literal["LOW", "MEDIUM", "HIGH"] = Field(
        "HIGH", description="LOW, MEDIUM or HIGH: strength of every content filter, input and output"
    )
    pii_entities: dict[PiiEntity, Literal["ANONYMIZE", "BLOCK"]] = Field(
        default_factory=lambda: dict(DEFAULT_PII),
        min_length=1,
        description="{PII entity type: ANONYMIZE or BLOCK} (default: credentials and card data BLOCK, email, "
        "phone, name, address ANONYMIZE)",
    )
    denied_topics: tuple[DeniedTopic, ...] = Field(
        (), max_length=30, description="at most 30 topics [{name, definition, examples}] the guardrail refuses"
    )
    grounding_threshold: float = Field(0.75, ge=0, le=0.99, description="0-0.99: contextual grounding threshold")
    relevance_threshold: float = Field(0.75, ge=0, le=0.99, description="0-0.99: contextual relevance threshold")
    blocked_message: str = Field(
        "This request was blocked by the organization's AI usage policy.",
        min_length=1,
        max_length=500,
        description="1-500 characters returned for a blocked prompt or response",
    )


class AiConfig(_Section):
    """The AI services layer: Bedrock invocation logging (AI-01), a VPC-only SageMaker Studio domain (AI-03), the
    model registry (AI-04)."""

    invocation_logging: bool | None = Field(
        None,
        description="true or false (AI-01 Bedrock model invocation logging; default: on with the bedrock endpoint "
        "bundle). Retention: logging.retentionDays on the group, logging.archiveLock.days on the archive; with "
        "tags.aiActRisk high never below 180 days (EU AI Act Art. 19: at least six months)",
    )
    image_delivery: bool = Field(False, description="true or false (AI-01: log image inputs and outputs too)")
    embedding_delivery: bool = Field(False, description="true or false (AI-01: log embeddings too)")
    studio: bool = Field(
        False,
        description="true creates a VPC-only SageMaker Studio domain in the isolated subnets (AI-03); needs the "
        "ml-core endpoint bundle. Off by default: the grants Studio needs on the data key for its EFS are unverified "
        "against AWS (docs/ai.md)",
    )
    guardrail: GuardrailConfig = Field(default_factory=GuardrailConfig, description="object (AI-02)")
    studio_users: tuple[str, ...] = Field(
        (),
        description="Studio user profile names (1-63 chars of a-z, A-Z, 0-9, '-', starting alphanumeric), each "
        "bound to the trainer execution role",
    )

    @field_validator("studio_users")
    @classmethod
    def _user_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [u for u in value if not _STUDIO_USER.fullmatch(u)]
        if bad:
            raise ValueError(f"invalid user profile name(s) {bad} (allowed: 1-63 chars of a-z, A-Z, 0-9, '-')")
        if len(set(value)) != len(value):
            raise ValueError("studioUsers must not repeat")
        return value

    model_families: tuple[str, ...] = Field(
        ("default",),
        min_length=1,
        max_length=20,
        description="1-20 distinct names of 1-29 chars of a-z, 0-9, '-' (alphanumeric at both ends): one SageMaker "
        "model package group each (AI-04)",
    )

    @field_validator("model_families")
    @classmethod
    def _families(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for family in value:
            if not _MODEL_FAMILY.match(family):
                raise ValueError(f"{family!r}: must be 1-29 chars of a-z, 0-9, '-', alphanumeric at both ends")
        if len(set(value)) != len(value):
            raise ValueError("model families must be distinct")
        return value


_STUDIO_USER = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


class RelaxationsConfig(_Section):
    """Named relaxations: each weakens a control on purpose and is reported (a finding to waive, or a warning)."""

    short_log_retention: bool = Field(False, description="true allows audit-log retention 180-364 days (LOG-07)")
    bucket_replacement: bool = Field(
        False,
        description="true lets a change of a storage.bucketNames name replace the bucket: the stack moves to a new, "
        "empty bucket and the old one stays, retained with its data and guards (S3-13)",
    )


class AdoptKeysConfig(_Section):
    """Retained KMS keys to adopt, by key id (``aws kms describe-key``; the ``<class>KeyArn`` output ends with it)."""

    data: KmsKeyId | None = Field(None, description="KMS key id (UUID) of the retained data key")
    models: KmsKeyId | None = Field(None, description="KMS key id (UUID) of the retained models key")
    logs: KmsKeyId | None = Field(None, description="KMS key id (UUID) of the retained logs key")
    ebs: KmsKeyId | None = Field(None, description="KMS key id (UUID) of the retained default EBS key")


class AdoptConfig(_Section):
    """Resources a previous ``pulumi destroy`` retained, adopted by the next ``pulumi up`` (Pulumi's import)."""

    keys: AdoptKeysConfig = Field(default_factory=AdoptKeysConfig, description="{data, models, logs, ebs}")
    secret: SecretArn | None = Field(
        None, description="ARN of the retained pseudonymization secret (the pseudonymizationSecretArn output)"
    )
    buckets: tuple[str, ...] = Field(
        (),
        description=f"any of {list(NAMED_BUCKETS)} or extra1…extraN: retained buckets, adopted by the name set in "
        "storage.bucketNames",
    )
    fixed_names: tuple[FixedNameResource, ...] = Field(
        (),
        description=f"any of {list(FIXED_NAME_RESOURCES)}: retained resources, adopted by the name the stack gives",
    )

    @field_validator("buckets")
    @classmethod
    def _bucket_classes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [b for b in value if b not in NAMED_BUCKETS and not _EXTRA_BUCKET.match(b)]
        if unknown:
            raise ValueError(f"unknown bucket class(es) {unknown}")
        if len(set(value)) != len(value):
            raise ValueError("buckets must not repeat")
        return value

    @field_validator("fixed_names")
    @classmethod
    def _unique_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("fixedNames must not repeat")
        return value


class AccountGuardrailsConfig(_Section):
    """Account-wide pieces (ACC-01…ACC-03, DET-05) beyond what ``centrallyManaged`` leaves to the organization."""

    default_vpc: Literal["lockdown", "deleted"] = Field(
        "lockdown",
        description="lockdown (empty the region's default VPC's default security group and NACL, flow logs on) or "
        "deleted (you deleted the default VPC: the preview refuses a region that has one)",
    )
    config_global_types: bool = Field(
        True,
        description="true records the global IAM types (roles, policies) in this region's AWS Config recorder; "
        "false in every other regional stack of the account, so they are recorded once",
    )


class BaselineConfig(_Section):
    prefix: str = Field("aisb", description="2-16 chars of a-z, 0-9, '-', starting with a letter")
    environment: str = Field("dev", description="2-16 chars of a-z, 0-9, '-', starting with a letter")
    protect: bool = Field(False, description="true or false (true in production: GOV-05)")
    network: NetworkConfig = Field(default_factory=NetworkConfig, description="object")
    kms: KmsConfig = Field(default_factory=KmsConfig, description="object")
    storage: StorageConfig = Field(default_factory=StorageConfig, description="object")
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="object")
    identity: IdentityConfig = Field(default_factory=IdentityConfig, description="object")
    tags: TagsConfig = Field(default_factory=TagsConfig, description="object")
    relaxations: RelaxationsConfig = Field(default_factory=RelaxationsConfig, description="object")
    detection: DetectionConfig = Field(default_factory=DetectionConfig, description="object")
    centrally_managed: dict[str, str] = Field(
        default_factory=dict,
        description=f"{{piece: reason}}, piece any of {sorted(CENTRAL_PIECES)}, reason {MIN_REASON}-{MAX_REASON} "
        "characters: the organization manages this account-wide piece, so the stack does not create it and reports "
        "its control waived with the reason",
    )
    adopt: AdoptConfig = Field(default_factory=AdoptConfig, description="object")
    account_guardrails: AccountGuardrailsConfig = Field(default_factory=AccountGuardrailsConfig, description="object")
    ai: AiConfig = Field(default_factory=AiConfig, description="object")

    @field_validator("centrally_managed")
    @classmethod
    def _central_pieces(cls, value: dict[str, str]) -> dict[str, str]:
        for piece, reason in value.items():
            if piece not in CENTRAL_PIECES:
                raise ValueError(f"unknown piece {piece!r} (allowed: {sorted(CENTRAL_PIECES)})")
            if not isinstance(reason, str) or not MIN_REASON <= len(reason.strip()) <= MAX_REASON:
                raise ValueError(
                    f"{piece}: the reason must be text of {MIN_REASON}-{MAX_REASON} characters saying who manages it"
                )
        return value

    @field_validator("prefix", "environment")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _PREFIX.match(value):
            raise ValueError("must be 2-16 chars of a-z, 0-9, '-', start with a letter, end alphanumeric")
        return value

    @property
    def name_prefix(self) -> str:
        """Prefix of physical names: ``<prefix>-<environment>``."""
        return f"{self.prefix}-{self.environment}"

    @property
    def bedrock(self) -> bool:
        """Bedrock is on: the bedrock endpoint bundle (identity.bedrockModelArns needs it); AI-01 and AI-02 follow."""
        return "bedrock" in self.network.endpoint_bundles

    @property
    def invocation_logging(self) -> bool:
        """AI-01: Bedrock invocation logging is built when asked, or by default with the bedrock endpoint bundle."""
        if self.ai.invocation_logging is not None:
            return self.ai.invocation_logging
        return self.bedrock

    def mandatory_tags(self) -> dict[str, str]:
        """GOV-01 tags applied through the provider's default tags."""
        tags = {
            "owner": self.tags.owner,
            "environment": self.environment,
            "data-classification": self.tags.data_classification,
            "managed-by": "ai-security-baseline",
        }
        if self.tags.ai_act_risk:
            tags["ai-act-risk"] = self.tags.ai_act_risk
        return {**self.tags.extra, **tags}


def _decode(value: Any) -> Any:
    """Pulumi hands config values over as strings; objects and lists arrive JSON-encoded."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _describe(model: type[BaseModel], loc: tuple[int | str, ...]) -> str | None:
    """Allowed values of the field at ``loc`` (its description), walking nested models."""
    current: Any = model
    description = None
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            break
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return None
        description = field.description
        current = field.annotation
        args = getattr(current, "__args__", ())
        current = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), current)
    return description


def _format_error(error: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    key = f"{NAMESPACE}:" + ".".join(str(p) for p in loc) if loc else f"{NAMESPACE}"
    message = clip(str(error["msg"]).removeprefix("Value error, "))
    if error["type"] == "extra_forbidden":
        parent = _parent_model(BaselineConfig, loc[:-1])
        allowed = sorted(f.alias or n for n, f in parent.model_fields.items())
        return f"{clip(key)}: unknown key (allowed keys here: {', '.join(allowed)})"
    key = clip(key)
    shown = clip(json.dumps(error.get("input"), default=str))
    allowed_text = _describe(BaselineConfig, loc)
    suffix = f" (allowed: {allowed_text})" if allowed_text else ""
    return f"{key} = {shown}: {message}{suffix}"


def _parent_model(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel]:
    current: type[BaseModel] = model
    for part in loc:
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            break
        candidates = [field.annotation, *getattr(field.annotation, "__args__", ())]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            break
        current = nested[0]
    return current


def _cross_field_errors(cfg: BaselineConfig) -> list[str]:
    """Rules spanning several keys, reported against the key a user would change."""
    errors = []
    try:
        subnet_cidrs(cfg.network)
    except ValueError as exc:
        errors.append(f"{NAMESPACE}:network.cidr = {json.dumps(cfg.network.cidr)}: {exc}")
    days = cfg.logging.retention_days
    if days < LOG_RETENTION_DEFAULT_MIN_DAYS and not cfg.relaxations.short_log_retention:
        errors.append(
            f"{NAMESPACE}:logging.retentionDays = {days}: below {LOG_RETENTION_DEFAULT_MIN_DAYS} "
            f"(allowed: >= {LOG_RETENTION_DEFAULT_MIN_DAYS}, or >= {LOG_RETENTION_FLOOR_DAYS} with "
            f"{NAMESPACE}:relaxations.shortLogRetention true, reported as a waiver)"
        )
    # LOG-07 (audit): the archive's Object Lock retention obeys the same floor as the log group's retention.
    lock_days = cfg.logging.archive_lock.days
    lock_floor = LOG_RETENTION_FLOOR_DAYS if cfg.relaxations.short_log_retention else LOG_RETENTION_DEFAULT_MIN_DAYS
    if lock_days < lock_floor:
        errors.append(
            f"{NAMESPACE}:logging.archiveLock.days = {lock_days}: below {lock_floor} "
            f"(allowed: >= {LOG_RETENTION_DEFAULT_MIN_DAYS}, or >= {LOG_RETENTION_FLOOR_DAYS} with "
            f"{NAMESPACE}:relaxations.shortLogRetention true)"
        )
    errors += _bucket_name_errors(cfg)
    errors += _tag_count_errors(cfg)
    if cfg.detection.access_analyzer == "organization" and not cfg.identity.org_id:
        errors.append(
            f'{NAMESPACE}:detection.accessAnalyzer = "organization": needs {NAMESPACE}:identity.orgId '
            "(allowed: account, or organization with identity.orgId set)"
        )
    if cfg.identity.bedrock_model_arns and "bedrock" not in cfg.network.endpoint_bundles:
        errors.append(
            f"{NAMESPACE}:identity.bedrockModelArns: set while the bedrock endpoint bundle is off "
            f"(allowed: only with {NAMESPACE}:network.endpointBundles including bedrock)"
        )
    if cfg.ai.studio and "ml-core" not in cfg.network.endpoint_bundles:
        errors.append(
            f"{NAMESPACE}:ai.studio = true: a VpcOnly domain reaches SageMaker and STS only through the ml-core "
            f"endpoint bundle (allowed: {NAMESPACE}:network.endpointBundles including ml-core, or ai.studio false)"
        )
    return errors


def _tag_count_errors(cfg: BaselineConfig) -> list[str]:
    """AWS refuses a resource with more than 50 tags: the extra tags, the mandatory ones and a resource's own."""
    baseline_tags = len(cfg.mandatory_tags()) - len(cfg.tags.extra) + MAX_RESOURCE_OWN_TAGS
    allowed = MAX_TAGS_PER_RESOURCE - baseline_tags
    if len(cfg.tags.extra) <= allowed:
        return []
    return [
        f"{NAMESPACE}:tags.extra: {len(cfg.tags.extra)} tags, and the baseline adds {baseline_tags} to a resource "
        f"(allowed: at most {allowed} extra tags, AWS allows {MAX_TAGS_PER_RESOURCE} per resource)"
    ]


def _bucket_name_errors(cfg: BaselineConfig) -> list[str]:
    """Extra bucket names fit the extra buckets; every adopted bucket has the name it is adopted by."""
    errors = []
    extra_names, extra_count = cfg.storage.bucket_names.extra, cfg.storage.extra_data_buckets
    if len(extra_names) > extra_count:
        errors.append(
            f"{NAMESPACE}:storage.bucketNames.extra = {clip(json.dumps(list(extra_names)))}: {len(extra_names)} "
            f"names for {extra_count} extra bucket(s) (allowed: at most {NAMESPACE}:storage.extraDataBuckets names)"
        )
    adopted = clip(json.dumps(list(cfg.adopt.buckets)))
    for handle in cfg.adopt.buckets:
        bucket_class = adopted_bucket_class(handle)
        extra = _EXTRA_BUCKET.match(handle)
        if extra and int(extra.group(1)) > extra_count:
            allowed = f"extra1-extra{extra_count}" if extra_count else "no extra bucket while it is 0"
            errors.append(
                f"{NAMESPACE}:adopt.buckets = {adopted}: {handle} does not exist with "
                f"{NAMESPACE}:storage.extraDataBuckets = {extra_count} (allowed: {allowed})"
            )
        elif cfg.storage.bucket_names.for_class(bucket_class) is None:
            errors.append(
                f"{NAMESPACE}:adopt.buckets = {adopted}: {handle} is adopted by its "
                f"name, and {bucket_name_key(bucket_class)} is not set (allowed: set it to the retained bucket's name)"
            )
    return errors


def adopted_bucket_class(handle: str) -> str:
    """The bucket class an ``adopt.buckets`` entry stands for (``accessLogs`` -> ``access-logs``, ``extra2`` ->
    ``extra-2``)."""
    extra = _EXTRA_BUCKET.match(handle)
    return f"extra-{extra.group(1)}" if extra else NAMED_BUCKETS[handle]


def parse_config(raw: Mapping[str, Any]) -> BaselineConfig:
    """Validate ``baseline:*`` keys (namespace already stripped) into a BaselineConfig.

    Raises ConfigError with one line per problem, each naming the full key.
    """
    decoded = {k: _decode(v) for k, v in raw.items()}
    try:
        cfg = BaselineConfig.model_validate(decoded)
    except ValidationError as exc:
        raise ConfigError(_invalid([_format_error(e) for e in exc.errors()])) from None
    cross = _cross_field_errors(cfg)
    if cross:
        raise ConfigError(_invalid(cross))
    return cfg


#: The most problems one error message lists: a 10,000-entry list of bad ARNs is one line, not 10,000.
MAX_LISTED_ERRORS = 10


def _invalid(problems: list[str]) -> str:
    shown = problems[:MAX_LISTED_ERRORS]
    more = len(problems) - len(shown)
    return "invalid configuration: " + "; ".join(shown) + (f"; and {more} more" if more else "")


def namespace_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``baseline:`` keys of a full Pulumi config map, namespace stripped."""
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}


def namespace_errors(keys: Iterable[str]) -> list[str]:
    """Keys outside ``KNOWN_NAMESPACES``, each with the closest known namespace: such a key would be ignored."""
    errors = []
    for key in keys:
        namespace = key.split(":", 1)[0] if ":" in key else ""
        if namespace in KNOWN_NAMESPACES:
            continue
        close = difflib.get_close_matches(namespace, KNOWN_NAMESPACES, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]}:{key.split(':', 1)[-1]}?" if close else ""
        problem = f"unknown config namespace {clip(repr(namespace), 60)}" if namespace else "no config namespace"
        errors.append(
            f"{clip(key)}: {problem}, nothing reads it "
            f"(allowed: {', '.join(f'{n}:' for n in KNOWN_NAMESPACES)}{clip(hint)})"
        )
    return errors


def load_config() -> BaselineConfig:
    """Read and validate the ``baseline`` namespace of the running program's Pulumi config."""
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    unknown = namespace_errors(merged)
    if unknown:
        raise ConfigError("invalid configuration: " + "; ".join(unknown))
    return parse_config(namespace_values(merged))


def with_deployer(cfg: BaselineConfig, caller_arn: str, *, applying: bool) -> BaselineConfig:
    """The config with ``identity.deployerArn`` resolved: the configured ARN, else the principal running the program.

    ``caller_arn`` is the IAM role or user behind the caller identity (for an assumed role, the role's ARN with its
    path, from ``aws.iam.get_session_context``). The deployer is the principal Secrets Manager checks when it creates
    the pseudonymization secret (it calls KMS as the caller), so a configured deployer other than the caller would
    fail that call on ``pulumi up``: refused before any resource exists. A preview only reads, so it may run as
    anyone. The account root is refused: no key policy of the baseline grants it cryptographic use (KMS-04).
    """
    key = f"{NAMESPACE}:identity.deployerArn"
    configured = cfg.identity.deployer_arn
    if configured is None:
        if not _ARN_PRINCIPAL.match(caller_arn):
            raise ConfigError(
                f"invalid configuration: {key} is unset and the caller {caller_arn} is not an IAM role or user "
                f"(allowed: run pulumi up as an IAM role or user, or set {key} to the role that will)"
            )
        return cfg.model_copy(update={"identity": cfg.identity.model_copy(update={"deployer_arn": caller_arn})})
    if applying and configured != caller_arn:
        raise ConfigError(
            f"invalid configuration: {key} = {json.dumps(configured)} but pulumi up runs as {caller_arn}: the data "
            f"key would not let {caller_arn} create the pseudonymization secret (allowed: unset, or the ARN of the "
            "principal that runs pulumi up)"
        )
    return cfg


_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region of every partition (aws, aws-cn, aws-us-gov, the isolated ones) in botocore's shipped data.

    The file is found from the package's location without importing botocore (a preview needs no AWS SDK)."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("aws:region cannot be checked: botocore (a dependency of the baseline) is not installed")
    data_file = Path(next(iter(spec.submodule_search_locations))) / "data" / "partitions.json"
    data = json.loads(data_file.read_text(encoding="utf-8"))
    return frozenset(
        region for partition in data["partitions"] for region in partition["regions"] if not region.endswith("-global")
    )


def parse_region(value: str | None) -> str:
    """Validate ``aws:region``, which the explicit provider and every ARN need: a region AWS has."""
    if not value:
        raise ConfigError("aws:region is not set (allowed: an AWS region name such as eu-west-1)")
    if not _REGION.match(value):
        raise ConfigError(f"aws:region = {clip(json.dumps(value))}: not an AWS region name (allowed: e.g. eu-west-1)")
    if value not in known_regions():
        close = difflib.get_close_matches(value, sorted(known_regions()), n=3)
        raise ConfigError(
            f"aws:region = {json.dumps(value)}: no such AWS region (allowed: a region of the aws, aws-cn or "
            f"aws-us-gov partitions{', e.g. ' + ', '.join(close) if close else ''})"
        )
    return value

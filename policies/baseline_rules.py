"""Rule functions: pure checks over resource type + properties, shared by CrossGuard and the offline scan.

Standard library only — Pulumi runs the policy pack in its own virtualenv with nothing but
pulumi-policy. A rule never passes what it cannot decide: an unknown value (preview) or a
malformed document yields an ``error`` outcome naming what could not be read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

CATALOG_PATH = Path(__file__).resolve().parent / "catalog.json"
#: The engine's placeholder for a value not known until apply.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
AWS_PROVIDER = "pulumi:providers:aws"
STACK = "pulumi:pulumi:Stack"

MANDATORY_TAGS = ("owner", "environment", "data-classification")
KEY_CLASSES = ("data", "models", "logs")

OutcomeStatus = Literal["pass", "fail", "error"]


class Undecidable(Exception):  # noqa: N818 - a condition, not a programming error
    """A value a rule needs is unknown or malformed; the rule reports ``error``."""


@dataclass(frozen=True)
class Res:
    """What a rule sees of one resource: engine-shaped properties and graph links."""

    urn: str
    type: str
    props: Mapping[str, Any]
    parent: str = ""
    provider_urn: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False

    @property
    def name(self) -> str:
        return self.urn.split("::")[-1]


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict on one control for one resource."""

    control: str
    urn: str
    status: OutcomeStatus
    message: str
    rule: str


Check = Callable[["Res"], Iterator[tuple[str, bool, str]]]
StackCheck = Callable[[Sequence["Res"]], Iterator[tuple[str, str, bool, str]]]


@dataclass(frozen=True)
class Rule:
    """A named rule: resource rules run per resource of ``types``; stack rules see every resource."""

    name: str
    description: str
    controls: tuple[str, ...]
    types: tuple[str, ...] = ()
    check: Check | None = None
    stack_check: StackCheck | None = None

    def evaluate(self, resources: Sequence[Res]) -> list[Outcome]:
        """Outcomes over a whole graph; an Undecidable becomes an ``error`` on the resource involved."""
        if self.stack_check is not None:
            stack_check = self.stack_check
            return self._guard(lambda: list(stack_check(resources)), stack_urn(resources))
        if self.check is None:
            raise ValueError(f"rule {self.name} has neither check nor stack_check")
        outcomes: list[Outcome] = []
        for res in resources:
            if res.type in self.types:
                outcomes += self._guard(partial(_per_resource, self.check, res), res.urn)
        return outcomes

    def _guard(self, run: Callable[[], list[tuple[str, str, bool, str]]], urn: str) -> list[Outcome]:
        try:
            return [
                Outcome(control, res_urn, "pass" if ok else "fail", message, self.name)
                for res_urn, control, ok, message in run()
            ]
        except Undecidable as exc:
            return [Outcome(c, urn, "error", f"cannot decide: {exc}", self.name) for c in self.controls]


def stack_urn(resources: Sequence[Res]) -> str:
    """URN that stack-level outcomes attach to: the root stack, else the first resource."""
    return next((r.urn for r in resources if r.type == STACK), resources[0].urn if resources else "")


def _per_resource(check: Check, res: Res) -> list[tuple[str, str, bool, str]]:
    return [(res.urn, control, ok, message) for control, ok, message in check(res)]


# ---- value access: unknowns and malformed values are Undecidable, never a pass --------------------


def known(res: Res, key: str) -> Any:
    """The property, refusing the unknown placeholder anywhere inside it."""
    value = res.props.get(key)
    if _contains_unknown(value):
        raise Undecidable(f"{res.name}: {key} is not known until apply")
    return value


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_unknown(v) for v in value)
    return False


def policy_document(res: Res, key: str = "policy") -> dict[str, Any]:
    """A policy property parsed from its JSON string (or object)."""
    value = known(res, key)
    if value is None or value == "":
        raise Undecidable(f"{res.name}: {key} is not set")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise Undecidable(f"{res.name}: {key} is not valid JSON ({exc.msg})") from None
    if not isinstance(value, dict) or not isinstance(value.get("Statement"), list | dict):
        raise Undecidable(f"{res.name}: {key} has no Statement list")
    return value


def statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    body = document["Statement"]
    return [body] if isinstance(body, dict) else list(body)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def principals(statement: Mapping[str, Any], kind: str) -> list[str]:
    """Principals of one kind (``AWS``, ``Service``); ``"*"`` is reported as AWS ``*``."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"] if kind == "AWS" else []
    if isinstance(principal, Mapping):
        return [str(p) for p in as_list(principal.get(kind))]
    return []


def condition_keys(statement: Mapping[str, Any]) -> set[str]:
    """Condition keys (lower-cased: IAM compares them case-insensitively)."""
    return {k.lower() for block in (statement.get("Condition") or {}).values() for k in block}


# ---- KMS ------------------------------------------------------------------------------------------

KMS_CRYPTO = frozenset(
    a.lower()
    for a in (
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:Sign",
        "kms:Verify",
        "kms:VerifyMac",
        "kms:CreateGrant",
    )
)
KMS_READ_ONLY = frozenset(("kms:describekey",))


def _actions(statement: Mapping[str, Any]) -> list[str]:
    if "NotAction" in statement:
        raise Undecidable(f"statement {statement.get('Sid')!r} uses NotAction in a key policy")
    return [str(a).lower() for a in as_list(statement.get("Action"))]


def check_kms_rotation(res: Res) -> Iterator[tuple[str, bool, str]]:
    enabled = known(res, "enableKeyRotation") is True
    period = known(res, "rotationPeriodInDays")
    in_range = period is None or (isinstance(period, int | float) and 90 <= period <= 2560)
    yield (
        "KMS-02",
        enabled and in_range,
        f"rotation {'on' if enabled else 'off'}, period {period if period is not None else 'default (365)'} days"
        + ("" if in_range else " (allowed 90-2560)"),
    )


def check_kms_deletion_window(res: Res) -> Iterator[tuple[str, bool, str]]:
    window = known(res, "deletionWindowInDays")
    days = 30 if window is None else window
    yield "KMS-03", days == 30, f"deletion window {days} days (baseline default 30)"


def _binds_service(keys: set[str]) -> bool:
    """Confused-deputy guard: the source account plus the source ARN or an encryption context."""
    context = any(k.startswith("kms:encryptioncontext:") for k in keys)
    return "aws:sourceaccount" in keys and ("aws:sourcearn" in keys or context)


def check_kms_key_policy(res: Res) -> Iterator[tuple[str, bool, str]]:
    """KMS-04/05/06 on one key policy; a missing policy means AWS's default (root gets kms:*)."""
    document = policy_document(res)
    problems4, problems5, problems6 = [], [], []
    for st in statements(document):
        if st.get("Effect") != "Allow":
            continue
        sid = st.get("Sid", "<no Sid>")
        actions = _actions(st)
        if any(a in ("*", "kms:*") for a in actions):
            problems4.append(f"{sid} grants {actions}")
        crypto = [a for a in actions if a in KMS_CRYPTO or a.endswith("*")]
        manage = [a for a in actions if a not in KMS_CRYPTO and a not in KMS_READ_ONLY]
        if crypto and manage:
            problems4.append(f"{sid} mixes use {sorted(crypto)} and management {sorted(manage)[:3]}...")
        aws = principals(st, "AWS")
        if crypto and any(p == "*" or p.endswith(":root") for p in aws):
            problems4.append(f"{sid} gives cryptographic operations to the account root or '*'")
        keys = condition_keys(st)
        if principals(st, "Service") and not _binds_service(keys):
            problems5.append(f"{sid} admits a service without aws:SourceAccount plus aws:SourceArn/encryption context")
        if crypto and aws and not {"kms:viaservice", "kms:calleraccount"} <= keys:
            problems6.append(f"{sid} lets {aws} use the key without kms:ViaService and kms:CallerAccount")
    yield "KMS-04", not problems4, "; ".join(problems4) or "admins manage, users use, no kms:*, root cannot use"
    yield "KMS-05", not problems5, "; ".join(problems5) or "every service principal carries confused-deputy conditions"
    yield "KMS-06", not problems6, "; ".join(problems6) or "every key user is bound to kms:ViaService and this account"


def _key_refs(alias: Res, keys: Sequence[Res]) -> list[Res]:
    """Keys an alias targets: by property dependency, else by matching key id."""
    deps = set(alias.property_dependencies.get("targetKeyId", ()))
    target = alias.props.get("targetKeyId")
    return [k for k in keys if k.urn in deps or (target and target in (k.props.get("keyId"), k.props.get("id")))]


def check_keys_per_class(resources: Sequence[Res]) -> Iterator[tuple[str, str, bool, str]]:
    """KMS-01 and KMS-07: one distinct key per data class, each with exactly one alias."""
    keys = [r for r in resources if r.type == KMS_KEY]
    aliases = [r for r in resources if r.type == KMS_ALIAS]
    by_class: dict[str, set[str]] = {c: set() for c in KEY_CLASSES}
    for alias in aliases:
        name = str(known(alias, "name") or "")
        for data_class in KEY_CLASSES:
            if name.endswith(f"-{data_class}"):
                by_class[data_class].update(k.urn for k in _key_refs(alias, keys))
    distinct = {next(iter(v)) for v in by_class.values() if len(v) == 1}
    ok = all(len(v) == 1 for v in by_class.values()) and len(distinct) == len(KEY_CLASSES)
    stack = stack_urn(resources)
    detail = ", ".join(f"{c}: {len(v)} key(s)" for c, v in by_class.items())
    yield stack, "KMS-01", ok, f"one distinct customer-managed key per data class ({detail})"
    for key in keys:
        count = sum(1 for a in aliases if key in _key_refs(a, keys))
        yield key.urn, "KMS-07", count == 1, f"{count} alias(es) target this key"


# ---- governance -----------------------------------------------------------------------------------


def _default_tags(provider: Res) -> dict[str, str]:
    raw = known(provider, "defaultTags")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise Undecidable(f"{provider.name}: defaultTags is not valid JSON") from None
    tags = (raw or {}).get("tags") if isinstance(raw, Mapping) else None
    return dict(tags or {})


#: pulumi-aws types the baseline uses that take no tags (a test checks this list against the SDK).
NOT_TAGGABLE: frozenset[str] = frozenset(
    {
        KMS_ALIAS,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/networkAclAssociation:NetworkAclAssociation",
        "aws:ec2/networkAclRule:NetworkAclRule",
        "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
        "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "aws:sns/topicPolicy:TopicPolicy",
    }
)


def check_mandatory_tags(resources: Sequence[Res]) -> Iterator[tuple[str, str, bool, str]]:
    """GOV-01: every taggable AWS resource gets the mandatory tags from its provider or itself."""
    providers = {r.urn: _default_tags(r) for r in resources if r.type == AWS_PROVIDER}
    for res in resources:
        if not res.type.startswith("aws:") or res.type in NOT_TAGGABLE:
            continue
        tags = dict(providers.get(res.provider_urn, {}))
        own = res.props.get("tags")
        if isinstance(own, Mapping):
            tags.update(own)
        missing = [t for t in MANDATORY_TAGS if not tags.get(t)]
        yield res.urn, "GOV-01", not missing, f"missing tags {missing}" if missing else "mandatory tags present"


def _environment(resources: Sequence[Res]) -> str:
    envs = {_default_tags(r).get("environment", "") for r in resources if r.type == AWS_PROVIDER}
    return "prod" if "prod" in envs else ""


STATEFUL_TYPES = (KMS_KEY, "aws:s3/bucket:Bucket", "aws:cloudtrail/trail:Trail")


def check_prod_protect(resources: Sequence[Res]) -> Iterator[tuple[str, str, bool, str]]:
    """GOV-05: in a stack tagged environment=prod, keys, buckets and the trail are protected."""
    prod = _environment(resources) == "prod"
    for res in resources:
        if res.type in STATEFUL_TYPES:
            ok = res.protect or not prod
            yield res.urn, "GOV-05", ok, f"protect={res.protect} ({'prod' if prod else 'non-prod'} stack)"


# ---- registry -------------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        "kms-key-rotation",
        "KMS keys rotate automatically every 90-2560 days",
        ("KMS-02",),
        (KMS_KEY,),
        check_kms_rotation,
    ),
    Rule(
        "kms-key-deletion-window",
        "KMS keys keep the 30-day deletion window",
        ("KMS-03",),
        (KMS_KEY,),
        check_kms_deletion_window,
    ),
    Rule(
        "kms-key-policy",
        "Key policies separate management from use, bind services and users with conditions",
        ("KMS-04", "KMS-05", "KMS-06"),
        (KMS_KEY,),
        check_kms_key_policy,
    ),
    Rule(
        "kms-keys-per-class",
        "One distinct customer-managed key per data class, each with one alias",
        ("KMS-01", "KMS-07"),
        stack_check=check_keys_per_class,
    ),
    Rule(
        "gov-mandatory-tags",
        "Every AWS resource carries owner, environment and data-classification tags",
        ("GOV-01",),
        stack_check=check_mandatory_tags,
    ),
    Rule(
        "gov-prod-protect",
        "Production keys, buckets and trails are protected",
        ("GOV-05",),
        stack_check=check_prod_protect,
    ),
)


def evaluate_all(resources: Sequence[Res], rules: Iterable[Rule] = RULES) -> list[Outcome]:
    """Every rule over the resources, in registry order."""
    return [outcome for rule in rules for outcome in rule.evaluate(resources)]


def load_catalog_ids(path: Path = CATALOG_PATH) -> set[str]:
    """Control ids the catalog defines (the pack validates its rules against them at import)."""
    return {c["id"] for c in json.loads(path.read_text(encoding="utf-8"))["controls"]}

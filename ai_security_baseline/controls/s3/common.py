"""What the S3 units share: buckets joined to their pulumi-aws v7 side resources, policies read for meaning.

A v7 bucket is a Bucket plus one resource per concern (public access block, ownership, encryption, versioning,
logging, lifecycle, object lock, policy). Rules join a side resource to its bucket through
``property_dependencies["bucket"]`` and, where a file has no property dependencies (hand-written or older
previews), by its ``bucket`` value against the bucket's name/id. A missing side resource fails the control; a side
resource that cannot be attributed because its reference is unknown until apply makes the rule ``error``.

Bucket policies are read for meaning, never by Sid: a guardrail counts only if it is a Deny to every principal,
covers the actions and resources the control needs, and carries no extra condition that would narrow it.

Graph facts, not names, classify buckets: a *log target* is the ``targetBucket`` of some BucketLogging; every other
bucket holds data (stricter than "SSE-KMS and not a log target": a bucket that lost its encryption still gets the
data-bucket checks). The model registry is the bucket tagged ``bucket-class: models`` or encrypted with the key
whose alias names the ``models`` class.

Standard library and ``ai_security_baseline.controls.kit`` only: the CrossGuard pack loads this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import (
    BEDROCK_LOGGING_TYPE,
    BUCKET,
    BUCKET_LIFECYCLE,
    BUCKET_LOGGING,
    BUCKET_OBJECT_LOCK,
    BUCKET_OWNERSHIP,
    BUCKET_POLICY,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKET_SSE,
    BUCKET_VERSIONING,
    CONFIG_DELIVERY_CHANNEL,
    ENDPOINT,
    KMS_ALIAS,
    KMS_KEY,
    MINIMUM_TLS_VERSION,
    SECRET,
    SECRET_POLICY,
    TRAIL,
)

PUBLIC_ACCESS_BLOCK = BUCKET_PUBLIC_ACCESS_BLOCK
OWNERSHIP = BUCKET_OWNERSHIP
ENCRYPTION = BUCKET_SSE
VERSIONING = BUCKET_VERSIONING
LOGGING = BUCKET_LOGGING
LIFECYCLE = BUCKET_LIFECYCLE
OBJECT_LOCK = BUCKET_OBJECT_LOCK
VPC_ENDPOINT = ENDPOINT

#: How messages name each side resource.
LABELS: dict[str, str] = {
    PUBLIC_ACCESS_BLOCK: "public access block",
    OWNERSHIP: "ownership controls",
    ENCRYPTION: "default encryption configuration",
    VERSIONING: "versioning configuration",
    LOGGING: "server access logging",
    LIFECYCLE: "lifecycle configuration",
    OBJECT_LOCK: "object lock configuration",
    BUCKET_POLICY: "bucket policy",
    SECRET_POLICY: "secret resource policy",
}
#: Properties that identify an owner when a reference is matched by value.
OWNER_KEYS: dict[str, tuple[str, ...]] = {
    BUCKET: ("bucket", "id"),
    KMS_KEY: ("arn", "keyId", "id"),
    SECRET: ("arn", "id"),
}

MINIMUM_TLS = MINIMUM_TLS_VERSION
MAX_ABORT_MULTIPART_DAYS = 7
MODELS_CLASS = "models"
DATA_KEY_CLASS = "data"
LOG_DELIVERY = "logging.s3.amazonaws.com"
PSEUDONYMIZATION_SUFFIX = "/pseudonymization-key"
#: Actions that must stay reachable on the bucket ARN so an administrator can always replace the policy.
POLICY_ADMIN_ACTIONS = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy")
#: S3-07 must cover at least these object data actions.
OBJECT_DATA_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")

Verdict = tuple[bool, str]
Conditions = dict[tuple[str, str], list[str]]


# ---- values -------------------------------------------------------------------------------------------------------


def dig(res: kit.Res, *path: str | int) -> Any:
    """A nested property; Undecidable if it (or anything inside it) is unknown until apply."""
    value: Any = res.props
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
    probe = kit.Res(urn=res.urn, type=res.type, props={"value": value})
    return kit.known(probe, "value") if value is not None else None


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == kit.UNKNOWN


def idents(res: kit.Res) -> set[str]:
    """Known identifying values of an owner (bucket name, key ARN, secret ARN ...)."""
    values = (res.props.get(k) for k in OWNER_KEYS.get(res.type, ("id",)))
    return {v for v in values if isinstance(v, str) and v and not is_unknown(v)}


def link(value: Any, deps: Sequence[str], owner: kit.Res, rivals: set[str]) -> bool | None:
    """Does a reference (``value`` with its property dependencies) point at ``owner``? None: cannot tell yet."""
    plain = isinstance(value, str) and bool(value) and not is_unknown(value)
    if plain and value in idents(owner):
        return True
    if owner.urn in deps:
        return True
    if plain or any(d in rivals for d in deps):
        return False  # it depends on another resource of the owner's type: that one is its owner
    return None if is_unknown(value) else False


# ---- the joined view of one stack ---------------------------------------------------------------------------------


class Owners:
    """Resources of one type indexed by URN and identifying value, answering ``link`` for all of them at once."""

    def __init__(self, owners: Sequence[kit.Res]) -> None:
        self.owners = list(owners)
        self.position = {o.urn: i for i, o in enumerate(self.owners)}
        self.by_ident: dict[str, list[int]] = {}
        for i, owner in enumerate(self.owners):
            for ident in idents(owner):
                self.by_ident.setdefault(ident, []).append(i)

    def links(self, value: Any, deps: Sequence[str]) -> tuple[list[kit.Res], bool]:
        """(owners ``link`` says True for, in owner order; whether ``link`` is None for some owner).

        Same verdicts as calling ``link(value, deps, owner, rivals)`` per owner: True by identifying value or
        dependency; None only when the value is unknown and no dependency names an owner of this type.
        """
        if not self.owners:
            return [], False
        plain = isinstance(value, str) and bool(value) and not is_unknown(value)
        hits = set(self.by_ident.get(value, ())) if plain else set()
        named = [self.position[d] for d in deps if d in self.position]
        hits.update(named)
        linked = [self.owners[i] for i in sorted(hits)]
        undecided = not plain and not named and is_unknown(value)
        return linked, undecided


@dataclass(frozen=True)
class Stack:
    """All resources of a stack with the joins storage rules need (built once per rule evaluation).

    The joins are indexed once per Stack (type -> resources, identifying value -> owners, side resource -> owner), so
    a rule over every bucket stays linear in the stack instead of rescanning all resources per bucket (a
    rescan per bucket makes the rule scan cubic in the bucket count).
    """

    resources: Sequence[kit.Res]

    @cached_property
    def _by_type(self) -> dict[str, list[kit.Res]]:
        index: dict[str, list[kit.Res]] = {}
        for res in self.resources:
            index.setdefault(res.type, []).append(res)
        return index

    def of_type(self, type_token: str) -> list[kit.Res]:
        return list(self._by_type.get(type_token, ()))

    @property
    def buckets(self) -> list[kit.Res]:
        return self.of_type(BUCKET)

    def _owners(self, owner_type: str) -> Owners:
        cache: dict[str, Owners] = self.__dict__.setdefault("_owner_cache", {})
        if owner_type not in cache:
            cache[owner_type] = Owners(self._by_type.get(owner_type, []))
        return cache[owner_type]

    def refs(
        self, source: kit.Res, key: str, owner_type: str, value: Any = None, deps: Sequence[str] | None = None
    ) -> list[kit.Res]:
        """Owners of ``owner_type`` that ``source[key]`` (or ``value``) refers to; Undecidable if that is unknown
        and no property dependency (``deps`` overrides those of ``key``) attributes it."""
        owners = self._owners(owner_type)
        raw = source.props.get(key) if value is None else value
        deps = tuple(source.property_dependencies.get(key, ())) if deps is None else tuple(deps)
        linked, unsure = owners.links(raw, deps)
        if unsure:
            raise kit.Undecidable(f"{source.name}: {key} is not known until apply and has no property dependency")
        return linked

    def all_idents(self, type_token: str) -> frozenset[str]:
        """Every known identifying value of the resources of ``type_token``, gathered once per stack."""
        cache: dict[str, frozenset[str]] = self.__dict__.setdefault("_idents_cache", {})
        if type_token not in cache:
            cache[type_token] = frozenset(i for r in self.of_type(type_token) for i in idents(r))
        return cache[type_token]

    def attached(self, owner: kit.Res, side_type: str, key: str = "bucket") -> list[kit.Res]:
        """Side resources of ``side_type`` whose ``key`` refers to ``owner``.

        A side resource whose reference cannot be resolved yet raises only when ``owner`` has no other match: it
        might be this owner's, so "missing" cannot be claimed.
        """
        found, unsure = self._side_index(owner.type, side_type, key)
        mine = found.get(owner.urn, [])
        if not mine and unsure:
            raise kit.Undecidable(
                f"{owner.name}: cannot tell whether {LABELS.get(side_type, side_type)} {unsure} belongs to it "
                f"({key} not known until apply)"
            )
        return list(mine)

    def _side_index(self, owner_type: str, side_type: str, key: str) -> tuple[dict[str, list[kit.Res]], list[str]]:
        """Side resources of ``side_type`` by the owner URN ``key`` links them to, and the names of the unresolved."""
        cache: dict[tuple[str, str, str], tuple[dict[str, list[kit.Res]], list[str]]]
        cache = self.__dict__.setdefault("_side_cache", {})
        if (owner_type, side_type, key) not in cache:
            owners = self._owners(owner_type)
            found: dict[str, list[kit.Res]] = {}
            unsure: list[str] = []
            for side in self._by_type.get(side_type, []):
                linked, undecided = owners.links(side.props.get(key), tuple(side.property_dependencies.get(key, ())))
                for target in linked:
                    found.setdefault(target.urn, []).append(side)
                if undecided:
                    unsure.append(side.name)
            cache[(owner_type, side_type, key)] = (found, unsure)
        return cache[(owner_type, side_type, key)]

    def single(self, owner: kit.Res, side_type: str, key: str = "bucket") -> tuple[kit.Res | None, str]:
        """The one side resource of a kind, or None with the reason a control fails."""
        found = self.attached(owner, side_type, key)
        label = LABELS.get(side_type, side_type)
        if not found:
            return None, f"no {label} attached"
        if len(found) > 1:
            return None, f"{len(found)} {label} resources attached ({[f.name for f in found]}); the last applied wins"
        return found[0], ""

    @cached_property
    def _log_targets(self) -> frozenset[str]:
        targets: set[str] = set()
        for logging in self.of_type(LOGGING):
            sources = {s.urn for s in self.refs(logging, "bucket", BUCKET)}
            targets.update(t.urn for t in self.refs(logging, "targetBucket", BUCKET) if t.urn not in sources)
        return frozenset(targets)

    def log_targets(self) -> set[str]:
        """URNs of buckets that receive another bucket's server access logs (``targetBucket`` of a BucketLogging)."""
        return set(self._log_targets)

    def trail_archives(self) -> set[str]:
        """URNs of buckets a CloudTrail trail delivers to (``s3BucketName``): audit archives, written by the service."""
        return set(self._trail_archives)

    @cached_property
    def _trail_archives(self) -> frozenset[str]:
        return frozenset(b.urn for trail in self.of_type(TRAIL) for b in self.refs(trail, "s3BucketName", BUCKET))

    def is_data_bucket(self, bucket: kit.Res) -> bool:
        """Training data and models: neither an access-log target, nor a trail's archive, nor AWS Config's or
        Bedrock's delivery bucket (graph facts, not names): the services write those, never through the VPC."""
        deliveries = self._config_deliveries | self.invocation_log_archives
        return bucket.urn not in self.log_targets() | self.trail_archives() | deliveries

    @cached_property
    def invocation_log_archives(self) -> frozenset[str]:
        """AI-01: the buckets Bedrock's invocation logging writes to."""
        found: set[str] = set()
        for setting in self.of_type(BEDROCK_LOGGING_TYPE):
            name = dig(setting, "loggingConfig", "s3Config", "bucketName")
            deps = setting.property_dependencies.get("loggingConfig", ())
            found.update(b.urn for b in self.refs(setting, "loggingConfig", BUCKET, value=name or "", deps=deps))
        return frozenset(found)

    @cached_property
    def _config_deliveries(self) -> frozenset[str]:
        channels = self.of_type(CONFIG_DELIVERY_CHANNEL)
        return frozenset(b.urn for channel in channels for b in self.refs(channel, "s3BucketName", BUCKET))

    def encryption_key(self, bucket: kit.Res) -> kit.Res | None:
        """The stack's KMS key that encrypts the bucket by default (None: not SSE-KMS or not a key of this stack)."""
        config, _ = self.single(bucket, ENCRYPTION)
        if config is None or dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm") != "aws:kms":
            return None
        default = config.props["rules"][0].get("applyServerSideEncryptionByDefault") or {}
        key_id = default.get("kmsMasterKeyId") or ""
        # the rules' property dependencies are coarse (the whole list): use them only while the key id is unknown
        coarse = config.property_dependencies.get("rules", ()) if is_unknown(key_id) else ()
        keys = self.refs(config, "rules", KMS_KEY, value=key_id, deps=coarse)
        return keys[0] if len(keys) == 1 else None

    def key_class(self, key: kit.Res) -> str:
        """The data class a key's alias names (``alias/<prefix>-<env>-<class>``), "" when it has no alias."""
        classes = self._key_classes.get(key.urn, set())
        return next(iter(classes)) if len(classes) == 1 else ""

    @cached_property
    def _key_classes(self) -> dict[str, set[str]]:
        """Key URN -> the data classes its aliases name, read once for all keys."""
        classes: dict[str, set[str]] = {}
        for alias in self.of_type(KMS_ALIAS):
            for key in self.refs(alias, "targetKeyId", KMS_KEY):
                classes.setdefault(key.urn, set()).add(str(dig(alias, "name") or "").rsplit("-", 1)[-1])
        return classes

    def is_model_registry(self, bucket: kit.Res) -> bool:
        tags = dig(bucket, "tags") or {}
        if isinstance(tags, Mapping) and tags.get("bucket-class") == MODELS_CLASS:
            return True
        key = self.encryption_key(bucket)
        return key is not None and self.key_class(key) == MODELS_CLASS


# ---- policy documents: meaning, not Sids --------------------------------------------------------------------------


def text_of(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def conditions(statement: Mapping[str, Any]) -> Conditions:
    """(operator without IfExists, lower-cased key) -> values. IfExists only widens a Deny, except where an
    absent key matters, which the checks below handle with the ``Null`` guard."""
    block = statement.get("Condition") or {}
    if not isinstance(block, Mapping):
        raise kit.Undecidable(f"statement {statement.get('Sid')!r}: Condition is not an object")
    result: Conditions = {}
    for operator, keys in block.items():
        if not isinstance(keys, Mapping):
            raise kit.Undecidable(f"statement {statement.get('Sid')!r}: {operator} is not an object")
        for key, values in keys.items():
            slot = (str(operator).removesuffix("IfExists"), str(key).lower())
            if slot in result:
                raise kit.Undecidable(f"statement {statement.get('Sid')!r}: {slot[1]} appears twice under {slot[0]}")
            result[slot] = [text_of(v) for v in kit.as_list(values)]
    return result


def matches(patterns: Any, value: str, *, case_sensitive: bool) -> bool:
    if case_sensitive:
        return any(fnmatchcase(value, str(p)) for p in kit.as_list(patterns))
    return any(fnmatchcase(value.lower(), str(p).lower()) for p in kit.as_list(patterns))


def guardrails(document: Mapping[str, Any], actions: Sequence[str], resources: Sequence[str]) -> list[Conditions]:
    """Conditions of every Deny to all principals covering all ``actions`` on all ``resources``.

    NotPrincipal/NotAction/NotResource statements are not counted: their reach cannot be judged safely here.
    """
    found = []
    for st in kit.statements(document):
        if st.get("Effect") != "Deny" or kit.principals(st, "AWS") != ["*"]:
            continue
        if any(k in st for k in ("NotPrincipal", "NotAction", "NotResource")):
            continue
        if all(matches(st.get("Action"), a, case_sensitive=False) for a in actions) and all(
            matches(st.get("Resource"), r, case_sensitive=True) for r in resources
        ):
            found.append(conditions(st))
    return found


Expect = Callable[[list[str]], bool]


def only(
    conditions: Conditions, required: Mapping[tuple[str, str], Expect], optional: Mapping[tuple[str, str], Expect]
) -> bool:
    """Every required condition holds and nothing else narrows the Deny beyond the optional exemptions."""
    if any(slot not in conditions or not ok(conditions[slot]) for slot, ok in required.items()):
        return False
    return all(
        (slot in required) or (slot in optional and optional[slot](values)) for slot, values in conditions.items()
    )


def is_values(*expected: str) -> Expect:
    return lambda values: sorted(values) == sorted(expected)


def is_false(values: list[str]) -> bool:
    return [v.lower() for v in values] == ["false"]


def non_empty(values: list[str]) -> bool:
    return bool(values)


def bucket_arn(bucket: kit.Res) -> str:
    arn = dig(bucket, "arn")
    if not isinstance(arn, str) or not arn:
        raise kit.Undecidable(f"{bucket.name}: arn is not known until apply")
    return arn


def bucket_document(stack: Stack, bucket: kit.Res) -> tuple[dict[str, Any] | None, str]:
    policy, problem = stack.single(bucket, BUCKET_POLICY)
    return (kit.policy_document(policy), "") if policy is not None else (None, problem)


def has_guardrail(
    document: Mapping[str, Any],
    actions: Sequence[str],
    resources: Sequence[str],
    required: Mapping[tuple[str, str], Expect],
    optional: Mapping[tuple[str, str], Expect] | None = None,
) -> bool:
    return any(only(c, required, optional or {}) for c in guardrails(document, actions, resources))


# ---- per-bucket checks --------------------------------------------------------------------------------------------

Judge = Callable[[Stack, kit.Res], Verdict | None]


def bucket_rule_check(judges: Mapping[str, Judge]) -> kit.StackCheck:
    """A stack check running each control's judge on every bucket (a judge returning None: not applicable)."""

    def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
        stack = Stack(resources)
        for bucket in stack.buckets:
            for control, judge in judges.items():
                verdict = judge(stack, bucket)
                if verdict is not None:
                    yield bucket.urn, control, verdict[0], verdict[1]

    return check


def with_side(side_type: str, judge: Callable[[Stack, kit.Res, kit.Res], Verdict]) -> Judge:
    """A judge of one side resource; a missing or duplicated side resource fails."""

    def run(stack: Stack, bucket: kit.Res) -> Verdict:
        side, problem = stack.single(bucket, side_type)
        return judge(stack, bucket, side) if side is not None else (False, problem)

    return run


def whole_bucket(rule: Mapping[str, Any]) -> bool:
    """An enabled rule without a filter narrowing it (absent, ``{}`` or an empty prefix)."""
    selector = rule.get("filter")
    return rule.get("status") == "Enabled" and (not selector or selector == {"prefix": ""})

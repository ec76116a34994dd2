"""Storage rules (S3-01…S3-14, GOV-02): each bucket joined to its pulumi-aws v7 side resources.

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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from controls import kit
from policies.rules_kms import KMS_ALIAS, KMS_KEY

BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
TRAIL = "aws:cloudtrail/trail:Trail"

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

SSE_HEADER = "s3:x-amz-server-side-encryption"
SSE_KMS_KEY_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id"
SSE_C_HEADER = "s3:x-amz-server-side-encryption-customer-algorithm"
MINIMUM_TLS = 1.2
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


def _dig(res: kit.Res, *path: str | int) -> Any:
    """A nested property; Undecidable if it (or anything inside it) is unknown until apply."""
    value: Any = res.props
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
    probe = kit.Res(urn=res.urn, type=res.type, props={"value": value})
    return kit.known(probe, "value") if value is not None else None


def _is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == kit.UNKNOWN


def _idents(res: kit.Res) -> set[str]:
    """Known identifying values of an owner (bucket name, key ARN, secret ARN ...)."""
    values = (res.props.get(k) for k in OWNER_KEYS.get(res.type, ("id",)))
    return {v for v in values if isinstance(v, str) and v and not _is_unknown(v)}


def _link(value: Any, deps: Sequence[str], owner: kit.Res, rivals: set[str]) -> bool | None:
    """Does a reference (``value`` with its property dependencies) point at ``owner``? None: cannot tell yet."""
    plain = isinstance(value, str) and bool(value) and not _is_unknown(value)
    if plain and value in _idents(owner):
        return True
    if owner.urn in deps:
        return True
    if plain or any(d in rivals for d in deps):
        return False  # it depends on another resource of the owner's type: that one is its owner
    return None if _is_unknown(value) else False


# ---- the joined view of one stack ---------------------------------------------------------------------------------


class _Owners:
    """Resources of one type indexed by URN and identifying value, answering ``_link`` for all of them at once."""

    def __init__(self, owners: Sequence[kit.Res]) -> None:
        self.owners = list(owners)
        self.position = {o.urn: i for i, o in enumerate(self.owners)}
        self.by_ident: dict[str, list[int]] = {}
        for i, owner in enumerate(self.owners):
            for ident in _idents(owner):
                self.by_ident.setdefault(ident, []).append(i)

    def links(self, value: Any, deps: Sequence[str]) -> tuple[list[kit.Res], bool]:
        """(owners ``_link`` says True for, in owner order; whether ``_link`` is None for some owner).

        Same verdicts as calling ``_link(value, deps, owner, rivals)`` per owner: True by identifying value or
        dependency; None only when the value is unknown and no dependency names an owner of this type.
        """
        if not self.owners:
            return [], False
        plain = isinstance(value, str) and bool(value) and not _is_unknown(value)
        hits = set(self.by_ident.get(value, ())) if plain else set()
        named = [self.position[d] for d in deps if d in self.position]
        hits.update(named)
        linked = [self.owners[i] for i in sorted(hits)]
        undecided = not plain and not named and _is_unknown(value)
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

    def _owners(self, owner_type: str) -> _Owners:
        cache: dict[str, _Owners] = self.__dict__.setdefault("_owner_cache", {})
        if owner_type not in cache:
            cache[owner_type] = _Owners(self._by_type.get(owner_type, []))
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
        """Training data and models: neither an access-log target nor a trail's archive (graph facts, not names)."""
        return bucket.urn not in self.log_targets() | self.trail_archives()

    def encryption_key(self, bucket: kit.Res) -> kit.Res | None:
        """The stack's KMS key that encrypts the bucket by default (None: not SSE-KMS or not a key of this stack)."""
        config, _ = self.single(bucket, ENCRYPTION)
        if (
            config is None
            or _dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm") != "aws:kms"
        ):
            return None
        default = config.props["rules"][0].get("applyServerSideEncryptionByDefault") or {}
        key_id = default.get("kmsMasterKeyId") or ""
        # the rules' property dependencies are coarse (the whole list): use them only while the key id is unknown
        coarse = config.property_dependencies.get("rules", ()) if _is_unknown(key_id) else ()
        keys = self.refs(config, "rules", KMS_KEY, value=key_id, deps=coarse)
        return keys[0] if len(keys) == 1 else None

    def key_class(self, key: kit.Res) -> str:
        """The data class a key's alias names (``alias/<prefix>-<env>-<class>``), "" when it has no alias."""
        classes = {
            str(_dig(alias, "name") or "").rsplit("-", 1)[-1]
            for alias in self.of_type(KMS_ALIAS)
            if key in self.refs(alias, "targetKeyId", KMS_KEY)
        }
        return classes.pop() if len(classes) == 1 else ""

    def is_model_registry(self, bucket: kit.Res) -> bool:
        tags = _dig(bucket, "tags") or {}
        if isinstance(tags, Mapping) and tags.get("bucket-class") == MODELS_CLASS:
            return True
        key = self.encryption_key(bucket)
        return key is not None and self.key_class(key) == MODELS_CLASS


# ---- policy documents: meaning, not Sids --------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _conditions(statement: Mapping[str, Any]) -> Conditions:
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
            result[slot] = [_text(v) for v in kit.as_list(values)]
    return result


def _matches(patterns: Any, value: str, *, case_sensitive: bool) -> bool:
    if case_sensitive:
        return any(fnmatchcase(value, str(p)) for p in kit.as_list(patterns))
    return any(fnmatchcase(value.lower(), str(p).lower()) for p in kit.as_list(patterns))


def _guardrails(document: Mapping[str, Any], actions: Sequence[str], resources: Sequence[str]) -> list[Conditions]:
    """Conditions of every Deny to all principals covering all ``actions`` on all ``resources``.

    NotPrincipal/NotAction/NotResource statements are not counted: their reach cannot be judged safely here.
    """
    found = []
    for st in kit.statements(document):
        if st.get("Effect") != "Deny" or kit.principals(st, "AWS") != ["*"]:
            continue
        if any(k in st for k in ("NotPrincipal", "NotAction", "NotResource")):
            continue
        if all(_matches(st.get("Action"), a, case_sensitive=False) for a in actions) and all(
            _matches(st.get("Resource"), r, case_sensitive=True) for r in resources
        ):
            found.append(_conditions(st))
    return found


Expect = Callable[[list[str]], bool]


def _only(
    conditions: Conditions, required: Mapping[tuple[str, str], Expect], optional: Mapping[tuple[str, str], Expect]
) -> bool:
    """Every required condition holds and nothing else narrows the Deny beyond the optional exemptions."""
    if any(slot not in conditions or not ok(conditions[slot]) for slot, ok in required.items()):
        return False
    return all(
        (slot in required) or (slot in optional and optional[slot](values)) for slot, values in conditions.items()
    )


def _is(*expected: str) -> Expect:
    return lambda values: sorted(values) == sorted(expected)


def _false(values: list[str]) -> bool:
    return [v.lower() for v in values] == ["false"]


def _any(values: list[str]) -> bool:
    return bool(values)


def _tls_floor(values: list[str]) -> bool:
    try:
        return len(values) == 1 and float(values[0]) >= MINIMUM_TLS
    except ValueError:
        return False


def _arn(bucket: kit.Res) -> str:
    arn = _dig(bucket, "arn")
    if not isinstance(arn, str) or not arn:
        raise kit.Undecidable(f"{bucket.name}: arn is not known until apply")
    return arn


def _bucket_document(stack: Stack, bucket: kit.Res) -> tuple[dict[str, Any] | None, str]:
    policy, problem = stack.single(bucket, BUCKET_POLICY)
    return (kit.policy_document(policy), "") if policy is not None else (None, problem)


def _has_guardrail(
    document: Mapping[str, Any],
    actions: Sequence[str],
    resources: Sequence[str],
    required: Mapping[tuple[str, str], Expect],
    optional: Mapping[tuple[str, str], Expect] | None = None,
) -> bool:
    return any(_only(c, required, optional or {}) for c in _guardrails(document, actions, resources))


# ---- per-bucket checks --------------------------------------------------------------------------------------------

Judge = Callable[[Stack, kit.Res], Verdict | None]


def _bucket_rule_check(judges: Mapping[str, Judge]) -> kit.StackCheck:
    """A stack check running each control's judge on every bucket (a judge returning None: not applicable)."""

    def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
        stack = Stack(resources)
        for bucket in stack.buckets:
            for control, judge in judges.items():
                verdict = judge(stack, bucket)
                if verdict is not None:
                    yield bucket.urn, control, verdict[0], verdict[1]

    return check


def _with_side(side_type: str, judge: Callable[[Stack, kit.Res, kit.Res], Verdict]) -> Judge:
    """A judge of one side resource; a missing or duplicated side resource fails."""

    def run(stack: Stack, bucket: kit.Res) -> Verdict:
        side, problem = stack.single(bucket, side_type)
        return judge(stack, bucket, side) if side is not None else (False, problem)

    return run


def _public_access_block(_stack: Stack, _bucket: kit.Res, pab: kit.Res) -> Verdict:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    off = [f for f in flags if _dig(pab, f) is not True]
    return not off, f"public access flags off: {off}" if off else "all four public access block flags on"


def _ownership(_stack: Stack, _bucket: kit.Res, controls: kit.Res) -> Verdict:
    ownership = _dig(controls, "rule", "objectOwnership")
    return ownership == "BucketOwnerEnforced", f"object ownership {ownership!r} (BucketOwnerEnforced disables ACLs)"


def _default_encryption(stack: Stack, bucket: kit.Res, config: kit.Res) -> Verdict:
    rules = config.props.get("rules")
    if _is_unknown(rules):
        raise kit.Undecidable(f"{config.name}: rules are not known until apply")
    if not isinstance(rules, list) or len(rules) != 1:
        return False, f"encryption rules {rules!r} (expected exactly one rule)"
    algorithm = _dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm")
    if algorithm != "aws:kms":
        if not stack.is_data_bucket(bucket) and algorithm == "AES256":
            return False, (
                "SSE-S3 (AES256) on the server access log target: AWS does not support SSE-KMS there; "
                "by-design waiver (components/storage.py WAIVERS_BY_DESIGN, policies/waivers.yaml)"
            )
        return False, f"default encryption {algorithm!r}, not SSE-KMS (no waiver by design: not a log target)"
    key = stack.encryption_key(bucket)
    if key is None:
        return False, "SSE-KMS with a key that is not a customer-managed key of this stack"
    if _dig(config, "rules", 0, "bucketKeyEnabled") is not True:
        if bucket.urn in stack.trail_archives():
            return False, (
                f"SSE-KMS with {key.name}, S3 Bucket Key off on the CloudTrail archive: with a bucket key CloudTrail "
                "needs kms:Decrypt on the key; by-design waiver (components/storage.py WAIVERS_BY_DESIGN, "
                "policies/waivers.yaml)"
            )
        return False, f"SSE-KMS with {key.name} but S3 Bucket Key off"
    return True, f"SSE-KMS with {key.name} ({stack.key_class(key) or 'no alias'}) and S3 Bucket Key on"


def _versioning(_stack: Stack, _bucket: kit.Res, versioning: kit.Res) -> Verdict:
    status = _dig(versioning, "versioningConfiguration", "status")
    return status == "Enabled", f"versioning {status!r}"


def _whole_bucket(rule: Mapping[str, Any]) -> bool:
    selector = rule.get("filter")
    return rule.get("status") == "Enabled" and (not selector or selector == {"prefix": ""})


def _lifecycle(_stack: Stack, _bucket: kit.Res, lifecycle: kit.Res) -> Verdict:
    rules = [r for r in (_dig(lifecycle, "rules") or []) if isinstance(r, Mapping) and _whole_bucket(r)]
    abort = [
        r["abortIncompleteMultipartUpload"].get("daysAfterInitiation")
        for r in rules
        if r.get("abortIncompleteMultipartUpload")
    ]
    noncurrent = [
        r["noncurrentVersionExpiration"].get("noncurrentDays") for r in rules if r.get("noncurrentVersionExpiration")
    ]
    expiry = [r["expiration"].get("days") for r in rules if r.get("expiration")]
    ok_abort = any(isinstance(d, int) and 1 <= d <= MAX_ABORT_MULTIPART_DAYS for d in abort)
    ok_noncurrent = any(isinstance(d, int) and d >= 1 for d in noncurrent)
    retention = f"current objects expire after {expiry[0]} days" if expiry else "current objects kept"
    return ok_abort and ok_noncurrent, (
        f"whole-bucket enabled rules: abort multipart after {abort or 'never'} days (<= {MAX_ABORT_MULTIPART_DAYS}), "
        f"noncurrent versions expire after {noncurrent or 'never'} days; {retention}"
    )


def _transport(stack: Stack, bucket: kit.Res) -> Verdict:
    document, problem = _bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = _arn(bucket)
    ok = _has_guardrail(document, ["s3:*"], [arn, f"{arn}/*"], {("Bool", "aws:securetransport"): _false})
    return ok, ("denies" if ok else "no Deny for '*' on s3:* over the bucket and its objects that denies") + (
        " every request with aws:SecureTransport false"
    )


def _tls(stack: Stack, bucket: kit.Res) -> Verdict:
    document, problem = _bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = _arn(bucket)
    ok = _has_guardrail(document, ["s3:*"], [arn, f"{arn}/*"], {("NumericLessThan", "s3:tlsversion"): _tls_floor})
    return ok, ("denies" if ok else "no Deny for '*' on s3:* over the bucket and its objects that denies") + (
        f" NumericLessThan s3:TlsVersion {MINIMUM_TLS}"
    )


def _service_names(values: list[str]) -> bool:
    return bool(values) and all(v.endswith(".amazonaws.com") and "*" not in v for v in values)


#: An AWS service principal named exactly (e.g. CloudTrail, which writes its digest files with SSE-S3) may be
#: exempt from the encryption-header Deny; any other narrowing condition still fails the control.
SERVICE_EXEMPTION: dict[tuple[str, str], Expect] = {("StringNotEquals", "aws:principalservicename"): _service_names}


def _present_and_not(header: str, expected: str) -> dict[tuple[str, str], Expect]:
    return {("StringNotEquals", header): _is(expected), ("Null", header): _false}


def _fires_when_absent(document: Mapping[str, Any], objects: str, header: str) -> bool:
    """A header Deny with no ``Null: false`` guard fires on uploads without the header (absent key: negated
    operators and IfExists are true), i.e. it breaks default encryption."""
    return any(
        ("StringNotEquals", header) in c and ("Null", header) not in c
        for c in _guardrails(document, ["s3:PutObject"], [objects])
    )


def _upload_encryption(stack: Stack, bucket: kit.Res) -> Verdict:
    """S3-06: the header names the bucket's algorithm, the KMS key is the bucket's key, no SSE-C."""
    document, problem = _bucket_document(stack, bucket)
    config, config_problem = stack.single(bucket, ENCRYPTION)
    if document is None or config is None:
        return False, problem or f"{config_problem}: cannot tell which encryption uploads must name"
    objects = f"{_arn(bucket)}/*"
    algorithm = str(_dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"))
    put = ["s3:PutObject"]
    problems = []
    if _fires_when_absent(document, objects, SSE_HEADER.lower()):
        problems.append(
            f"a Deny on {SSE_HEADER} without a 'Null: false' guard (e.g. StringNotEqualsIfExists) also fires when "
            "the header is absent and would refuse uploads relying on default encryption"
        )
    elif not _has_guardrail(
        document, put, [objects], _present_and_not(SSE_HEADER.lower(), algorithm), SERVICE_EXEMPTION
    ):
        problems.append(f"no Deny of uploads naming an encryption other than {algorithm!r}")
    if algorithm == "aws:kms":
        key_arn = _dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId")
        if _fires_when_absent(document, objects, SSE_KMS_KEY_HEADER.lower()):
            problems.append(f"the foreign-key Deny on {SSE_KMS_KEY_HEADER} fires when the header is absent")
        elif not _has_guardrail(document, put, [objects], _present_and_not(SSE_KMS_KEY_HEADER.lower(), str(key_arn))):
            problems.append(f"no Deny of uploads naming a KMS key other than the bucket's key {key_arn}")
    if not _has_guardrail(document, put, [objects], {("Null", SSE_C_HEADER.lower()): _false}):
        problems.append("no Deny of SSE-C uploads")
    named = f"{algorithm!r} and the bucket's key" if algorithm == "aws:kms" else repr(algorithm)
    return not problems, "; ".join(problems) or f"uploads may name only {named}; SSE-C denied"


def _endpoint_ids(stack: Stack) -> Callable[[list[str]], bool]:
    ours = {i for e in stack.of_type(VPC_ENDPOINT) for i in _idents(e)}
    return lambda values: bool(values) and all(v in ours for v in values)


def _vpc_only(stack: Stack, bucket: kit.Res) -> Verdict | None:
    """S3-07 on data buckets: object data access outside this stack's VPC endpoints is denied, lock-out safe."""
    if not stack.is_data_bucket(bucket):
        return None
    document, problem = _bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = _arn(bucket)
    exemptions: dict[tuple[str, str], Expect] = {
        (op, "aws:principalarn"): _any for op in ("ArnNotEquals", "ArnNotLike", "StringNotEquals", "StringNotLike")
    }
    exemptions[("Bool", "aws:principalisawsservice")] = _false
    required = {("StringNotEquals", "aws:sourcevpce"): _endpoint_ids(stack), ("Bool", "aws:viaawsservice"): _false}
    if not _has_guardrail(document, OBJECT_DATA_ACTIONS, [f"{arn}/*"], required, exemptions):
        return False, (
            "no Deny of object data actions unless aws:SourceVpce is one of this stack's VPC endpoints "
            "(with the aws:ViaAWSService exemption and no other narrowing condition)"
        )
    lockout = _guardrails(document, POLICY_ADMIN_ACTIONS, [arn])
    if any(("StringNotEquals", "aws:sourcevpce") in c for c in lockout):
        return False, "the VPC-only Deny also covers the bucket-policy actions: a broken network locks admins out"
    return True, "object data access only through this stack's VPC endpoints; bucket-policy actions stay reachable"


def _perimeter(stack: Stack, bucket: kit.Res) -> Verdict:
    document, problem = _bucket_document(stack, bucket)
    if document is None:
        return False, problem
    arn = _arn(bucket)
    service = {("Bool", "aws:principalisawsservice"): _false}
    scopes: list[dict[tuple[str, str], Expect]] = [
        {
            ("StringNotEquals", "aws:principalaccount"): lambda v: (
                bool(v) and all(x.isdigit() and len(x) == 12 for x in v)
            )
        },
        {("StringNotEquals", "aws:principalorgid"): lambda v: bool(v) and all(x.startswith("o-") for x in v)},
    ]
    ok = any(_has_guardrail(document, ["s3:*"], [arn, f"{arn}/*"], scope, service) for scope in scopes)
    return ok, "principals outside the account/org are denied" if ok else (
        "no Deny for '*' on s3:* over the bucket and objects when aws:PrincipalAccount/aws:PrincipalOrgID differs"
    )


def _policy_ordering(stack: Stack, bucket: kit.Res, policy: kit.Res) -> Verdict:
    """S3-14: the policy waits for the public access block and the ownership controls."""
    missing = []
    for side_type in (PUBLIC_ACCESS_BLOCK, OWNERSHIP):
        sides = stack.attached(bucket, side_type)
        if not sides or not all(s.urn in policy.dependencies for s in sides):
            missing.append(LABELS[side_type])
    return not missing, f"bucket policy does not depend on the {missing}" if missing else (
        "bucket policy is applied after the public access block and ownership controls"
    )


def _model_lock(stack: Stack, bucket: kit.Res) -> Verdict | None:
    if not stack.is_model_registry(bucket):
        return None
    if _dig(bucket, "objectLockEnabled") is not True:
        return False, "model registry bucket created without objectLockEnabled"
    lock, problem = stack.single(bucket, OBJECT_LOCK)
    if lock is None:
        return False, problem
    mode = _dig(lock, "rule", "defaultRetention", "mode")
    period = _dig(lock, "rule", "defaultRetention", "days") or _dig(lock, "rule", "defaultRetention", "years")
    enabled = _dig(lock, "objectLockEnabled") in (None, "Enabled")
    versioning, _ = stack.single(bucket, VERSIONING)
    versioned = versioning is not None and _dig(versioning, "versioningConfiguration", "status") == "Enabled"
    ok = enabled and mode in ("GOVERNANCE", "COMPLIANCE") and isinstance(period, int) and period > 0 and versioned
    return (
        ok,
        f"object lock default retention {mode} for {period} day(s)/year(s), versioning {'on' if versioned else 'off'}",
    )


def check_model_registry(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """S3-10: every model registry bucket is locked; a stack with buckets but no model registry fails."""
    stack = Stack(resources)
    registries = [b for b in stack.buckets if stack.is_model_registry(b)]
    if stack.buckets and not registries:
        yield kit.stack_urn(resources), "S3-10", False, "no model registry bucket (bucket-class models / models key)"
    yield from _bucket_rule_check({"S3-10": _model_lock})(resources)


# ---- S3-11 access logging, S3-13 destroy safety, GOV-02 secret ---------------------------------------------------


def _log_grants_bound(document: Mapping[str, Any], source_arns: Sequence[str]) -> Verdict:
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
    uncovered = [a for a in source_arns if not _matches(patterns, a, case_sensitive=True)]
    if uncovered:
        return False, f"log delivery grant does not cover source buckets {uncovered}"
    return (
        True,
        f"{LOG_DELIVERY} admitted only with aws:SourceAccount and aws:SourceArn of {len(source_arns)} bucket(s)",
    )


def check_access_logging(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """S3-11: data buckets log into a log target of this stack; the target admits log delivery only bound."""
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
        sources.setdefault(targets[0].urn, []).append(_arn(bucket))
        yield bucket.urn, "S3-11", True, f"server access logs to {targets[0].name}"
    for target in stack.buckets:
        if target.urn not in sources:
            continue
        document, problem = _bucket_document(stack, target)
        verdict = _log_grants_bound(document, sources[target.urn]) if document is not None else (False, problem)
        config, _ = stack.single(target, ENCRYPTION)
        if (
            config is not None
            and _dig(config, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm") != "AES256"
        ):
            verdict = (False, "log target is not SSE-S3: S3 does not deliver server access logs to SSE-KMS targets")
        yield target.urn, "S3-11", verdict[0], verdict[1]


def check_bucket_retained(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """S3-13 on what the engine shows: forceDestroy, and retainOnDelete where the graph records it."""
    force = kit.known(res, "forceDestroy")
    retain = res.retain_on_delete
    if retain is None:
        seen = (
            "retainOnDelete not visible here (CrossGuard's PolicyResourceOptions has none; the offline scan checks it)"
        )
    else:
        seen = f"retainOnDelete {str(retain).lower()}"
    yield "S3-13", force is not True and retain is not False, f"forceDestroy {str(bool(force)).lower()}; {seen}"


#: Side resources whose delete takes a protection (or the retention schedule) off a bucket that stays (S3-13).
GUARDS: tuple[str, ...] = (
    BUCKET_POLICY,
    PUBLIC_ACCESS_BLOCK,
    ENCRYPTION,
    OWNERSHIP,
    VERSIONING,
    OBJECT_LOCK,
    LIFECYCLE,
    LOGGING,
)


def _guards_kept(stack: Stack, bucket: kit.Res) -> Verdict:
    """S3-13: a retained bucket's guards are retained too, and protected where the bucket is protected.

    The provider's delete of a guard removes it from a bucket that stays (versioning is suspended, the default
    retention cleared); the engine refuses a protected delete only when it reaches it, after its unprotected guards.
    """
    guards = [guard for side_type in GUARDS for guard in stack.attached(bucket, side_type)]
    problems = []
    if bucket.retain_on_delete is True:
        unseen = [LABELS[g.type] for g in guards if g.retain_on_delete is None]
        if unseen:
            raise kit.Undecidable(f"{bucket.name}: retainOnDelete of its {', '.join(unseen)} is not visible")
        dropped = [LABELS[g.type] for g in guards if not g.retain_on_delete]
        if dropped:
            problems.append(
                f"guards a destroy or replacement would delete from the retained bucket: {', '.join(dropped)}"
            )
    if bucket.protect:
        unprotected = [LABELS[g.type] for g in guards if not g.protect]
        if unprotected:
            problems.append(f"unprotected guards of a protected bucket: {', '.join(unprotected)}")
    if problems:
        return False, "; ".join(problems)
    if bucket.retain_on_delete is None:
        kept = "retainOnDelete not visible here (the offline scan checks it)"
    else:
        kept = "retained with the bucket" if bucket.retain_on_delete else "bucket not retained (s3-bucket-retained)"
    protected = "; protected with it" if bucket.protect else ""
    return True, f"{len(guards)} guards: {kept}{protected}"


STORAGE_RULES: tuple[kit.Rule, ...] = (
    kit.Rule(
        "s3-public-access-block",
        "Every bucket has a public access block with all four flags on",
        ("S3-01",),
        stack_check=_bucket_rule_check({"S3-01": _with_side(PUBLIC_ACCESS_BLOCK, _public_access_block)}),
    ),
    kit.Rule(
        "s3-ownership-controls",
        "Every bucket enforces bucket-owner object ownership (ACLs disabled)",
        ("S3-02",),
        stack_check=_bucket_rule_check({"S3-02": _with_side(OWNERSHIP, _ownership)}),
    ),
    kit.Rule(
        "s3-default-encryption",
        "Every bucket defaults to SSE-KMS with a key of this stack and an S3 Bucket Key",
        ("S3-03",),
        stack_check=_bucket_rule_check({"S3-03": _with_side(ENCRYPTION, _default_encryption)}),
    ),
    kit.Rule(
        "s3-policy-transport",
        "Bucket policies deny plain HTTP and TLS older than 1.2",
        ("S3-04", "S3-05"),
        stack_check=_bucket_rule_check({"S3-04": _transport, "S3-05": _tls}),
    ),
    kit.Rule(
        "s3-policy-upload-encryption",
        "Bucket policies deny uploads naming another encryption or key, and SSE-C, without breaking defaults",
        ("S3-06",),
        stack_check=_bucket_rule_check({"S3-06": _upload_encryption}),
    ),
    kit.Rule(
        "s3-policy-vpc-only",
        "Data buckets deny object access outside this stack's VPC endpoints, lock-out safe",
        ("S3-07",),
        stack_check=_bucket_rule_check({"S3-07": _vpc_only}),
    ),
    kit.Rule(
        "s3-policy-perimeter",
        "Bucket policies deny principals outside the account or organization",
        ("S3-08",),
        stack_check=_bucket_rule_check({"S3-08": _perimeter}),
    ),
    kit.Rule(
        "s3-versioning",
        "Every bucket has versioning enabled",
        ("S3-09",),
        stack_check=_bucket_rule_check({"S3-09": _with_side(VERSIONING, _versioning)}),
    ),
    kit.Rule(
        "s3-model-registry-lock",
        "The model registry bucket has Object Lock with default retention and versioning",
        ("S3-10",),
        stack_check=check_model_registry,
    ),
    kit.Rule(
        "s3-access-logging",
        "Data buckets log to the access-log bucket, which admits log delivery only with source conditions",
        ("S3-11",),
        stack_check=check_access_logging,
    ),
    kit.Rule(
        "s3-lifecycle",
        "Every bucket expires noncurrent versions and aborts incomplete uploads within 7 days",
        ("S3-12",),
        stack_check=_bucket_rule_check({"S3-12": _with_side(LIFECYCLE, _lifecycle)}),
    ),
    kit.Rule(
        "s3-bucket-retained",
        "Buckets are never force-destroyed and are retained on delete",
        ("S3-13",),
        (BUCKET,),
        check_bucket_retained,
    ),
    kit.Rule(
        "s3-guards-retained",
        "A retained bucket's policy, public access block, encryption, ownership, versioning, object lock, lifecycle "
        "and logging are retained (and protected) with it",
        ("S3-13",),
        stack_check=_bucket_rule_check({"S3-13": _guards_kept}),
    ),
    kit.Rule(
        "s3-policy-ordering",
        "Bucket policies depend on the public access block and ownership controls",
        ("S3-14",),
        stack_check=_bucket_rule_check({"S3-14": _with_side(BUCKET_POLICY, _policy_ordering)}),
    ),
)

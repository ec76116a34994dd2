"""Offline evaluator of one AWS request against IAM policies (standard library only).

Why it exists: no available library evaluates request contexts correctly enough for a security baseline
(docs/access.md), and a silently skipped Deny is the one error a baseline test must
never make. So the evaluator fails closed: anything it cannot decide with certainty (unknown operator or
element, malformed value, unsupported principal or Version) raises `PolicyEvaluationError`; it never returns
Allow for an undecidable request.

Out of scope (raise, or documented in docs/access.md): service-specific rules (S3 Block Public Access vs
anonymous access, ACLs, KMS grants and aliases), wildcard requests, root-user and canonical-user principals,
principal unique ids, partitions (accounts are compared, partitions are not).
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import json
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Literal

ContextValue = str | list[str] | bool | int
PolicyDocument = Mapping[str, Any] | str  # a decoded JSON document, or its JSON text
Outcome = Literal["Allow", "ExplicitDeny", "ImplicitDeny"]
ResourceKind = Literal["s3", "kms", "secret", "trust", "other"]

GET_CALLER_IDENTITY = "builtin:GetCallerIdentity"
"""The deciding "statement" of sts:GetCallerIdentity, which AWS allows whatever the policies say."""


class PolicyEvaluationError(ValueError):
    """A policy or request the evaluator cannot decide with certainty (it fails closed instead of guessing)."""


@dataclass(frozen=True)
class Request:
    """One AWS request. Context keys are case-insensitive; `aws:PrincipalArn`, `aws:PrincipalAccount` and
    (for IAM users) `aws:username` are derived from the principal unless given."""

    principal_arn: str
    principal_account: str
    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PolicySet:
    """Every policy that applies to the request.

    `scps`/`rcps` are levels (root, OU..., account), each a sequence of policies; every level must Allow.
    `resource` is the resource-based policy (bucket policy, key policy, trust policy, secret policy); it is
    required when `resource_kind` is "kms" or "trust". `vpce` holds the policies of the VPC endpoints the
    request goes through. `session` is the session policy of an assumed-role or federated session.
    """

    resource_account: str
    resource_kind: ResourceKind = "other"
    identity: Sequence[PolicyDocument] = ()
    boundary: PolicyDocument | None = None
    session: PolicyDocument | None = None
    resource: PolicyDocument | None = None
    vpce: Sequence[PolicyDocument] = ()
    scps: Sequence[Sequence[PolicyDocument]] = ()
    rcps: Sequence[Sequence[PolicyDocument]] = ()


@dataclass(frozen=True)
class Decision:
    """The outcome and the deciding statements, each "<source>:<Sid>" (or "<source>:#<index>" without Sid).

    ExplicitDeny lists every matching Deny; Allow lists the gate Allows (SCP/RCP/VPCE) and the Allows of every
    path that grants; ImplicitDeny lists nothing. Order: identity, boundary, session, scp, rcp, vpce, resource,
    and document order within a policy.
    """

    outcome: Outcome
    statements: tuple[str, ...] = ()


_Context = Mapping[str, tuple[str, ...]]


def _fail(message: str) -> PolicyEvaluationError:
    return PolicyEvaluationError(message)


# --- templates: globs and policy variables ---------------------------------------------------------------


class _Wild(Enum):
    STAR = "*"
    ONE = "?"


@dataclass(frozen=True)
class _Var:
    key: str  # lower-cased: context keys are case-insensitive
    default: str | None


_Token = str | _Wild | _Var
_VARIABLE = re.compile(r"\s*([A-Za-z0-9_.:/-]+:[A-Za-z0-9_.:/-]+)\s*(?:,\s*'([^']*)'\s*)?")
_LITERAL_VARIABLES = frozenset({"*", "?", "$"})


@dataclass(frozen=True)
class _Template:
    """A policy string: literal text, `*`/`?` wildcards and `${...}` variables (substituted literally)."""

    tokens: tuple[_Token, ...]

    def matches(self, value: str, ctx: _Context, *, glob: bool, ignore_case: bool = False) -> bool:
        static = _static_pattern(self, glob, ignore_case)
        if static is not None:
            return static.fullmatch(value) is not None
        parts: list[str] = []
        for token in self.tokens:
            if isinstance(token, _Wild):
                parts.append((".*" if token is _Wild.STAR else ".") if glob else re.escape(token.value))
            elif isinstance(token, _Var):
                substituted = _variable(ctx, token)
                if substituted is None:
                    return False  # a missing variable matches nothing
                parts.append(re.escape(substituted))
            else:
                parts.append(re.escape(token))
        flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
        return re.fullmatch("".join(parts), value, flags) is not None


@functools.lru_cache(maxsize=8192)
def _static_pattern(template: _Template, glob: bool, ignore_case: bool) -> re.Pattern[str] | None:
    """The regex ``_Template.matches`` builds for a template without variables, compiled once (None with
    variables: those are substituted per request)."""
    if any(isinstance(token, _Var) for token in template.tokens):
        return None
    parts = [
        ((".*" if token is _Wild.STAR else ".") if glob else re.escape(token.value))
        if isinstance(token, _Wild)
        else re.escape(token)
        for token in template.tokens
        if not isinstance(token, _Var)
    ]
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _variable(ctx: _Context, var: _Var) -> str | None:
    values = ctx.get(var.key, ())
    if len(values) > 1:
        raise _fail(f"policy variable ${{{var.key}}} refers to a multivalued context key")
    return values[0] if values else var.default


def _template(text: str, *, variables: bool) -> _Template:
    tokens: list[_Token] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            tokens.append("".join(literal))
            literal.clear()

    i = 0
    while i < len(text):
        if variables and text.startswith("${", i):
            end = text.find("}", i + 2)
            if end < 0:
                raise _fail(f"unterminated policy variable in {text!r}")
            inner = text[i + 2 : end]
            if inner in _LITERAL_VARIABLES:
                literal.append(inner)
            else:
                found = _VARIABLE.fullmatch(inner)
                if found is None:
                    raise _fail(f"malformed policy variable ${{{inner}}} in {text!r}")
                flush()
                tokens.append(_Var(found.group(1).lower(), found.group(2)))
            i = end + 1
            continue
        if text[i] in "*?":
            flush()
            tokens.append(_Wild(text[i]))
        else:
            literal.append(text[i])
        i += 1
    flush()
    return _Template(tuple(tokens))


def _arn_segments(template: _Template) -> tuple[_Template, ...]:
    """Split on the first five literal colons: ARN operators glob each of the six segments separately."""
    segments: list[list[_Token]] = [[]]
    for token in template.tokens:
        if isinstance(token, str) and len(segments) < 6:
            first, *rest = token.split(":", 6 - len(segments))
            segments[-1].append(first)
            segments.extend([piece] for piece in rest)
        else:
            segments[-1].append(token)
    if len(segments) != 6 or segments[0] != ["arn"]:
        raise _fail("ARN condition values must have the six segments arn:partition:service:region:account:resource")
    return tuple(_Template(tuple(t for t in seg if t != "")) for seg in segments)


# --- condition values ------------------------------------------------------------------------------------

_Scalar = str | int | float | bool


def _scalars(value: object, element: str) -> tuple[_Scalar, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _fail(f"{element} has an empty list of values")
    for item in items:
        if not isinstance(item, str | int | float | bool):
            raise _fail(f"{element} has a malformed value {item!r}")
    return tuple(items)


def _strings(value: object, element: str) -> tuple[str, ...]:
    items = _scalars(value, element)
    if not all(isinstance(item, str) for item in items):
        raise _fail(f"{element} values must be strings, got {value!r}")
    return tuple(str(item) for item in items)


def _text(value: _Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: _Scalar, what: str) -> float:
    if isinstance(value, bool):
        raise _fail(f"{what} {value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise _fail(f"{what} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise _fail(f"{what} {value!r} is not a finite number")
    return number


def _date(value: _Scalar, what: str) -> float:
    """ISO-8601 (naive means UTC) or epoch seconds, as epoch seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value)
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(f"{what} {value!r} is not an ISO-8601 date or epoch seconds") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _bool(value: _Scalar, what: str) -> bool:
    text = _text(value).lower()
    if text not in ("true", "false"):
        raise _fail(f"{what} {value!r} is not a boolean")
    return text == "true"


def _binary(value: _Scalar, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise _fail(f"{what} {value!r} is not base64") from None


def _network(value: _Scalar) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        raise _fail(f"condition value {value!r} is not an IP address or CIDR") from None


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise _fail(f"context value {value!r} is not an IP address") from None


def _context_arn(value: str) -> list[str]:
    segments = value.split(":", 5)
    if len(segments) != 6 or segments[0] != "arn":
        raise _fail(f"context value {value!r} is not an ARN")
    return segments


# --- conditions ------------------------------------------------------------------------------------------

_Test = Callable[[str, _Context], bool]  # does one context value match at least one policy value?
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _string_test(values: tuple[_Scalar, ...], variables: bool, *, glob: bool, ignore_case: bool) -> _Test:
    templates = [_template(_text(v), variables=variables) for v in values]
    return lambda cv, ctx: any(t.matches(cv, ctx, glob=glob, ignore_case=ignore_case) for t in templates)


def _arn_test(values: tuple[_Scalar, ...], variables: bool) -> _Test:
    patterns = [_arn_segments(_template(_text(v), variables=variables)) for v in values]

    def test(cv: str, ctx: _Context) -> bool:
        segments = _context_arn(cv)
        return any(all(p.matches(s, ctx, glob=True) for p, s in zip(pat, segments, strict=True)) for pat in patterns)

    return test


def _ordered_test(values: tuple[_Scalar, ...], parse: Callable[[_Scalar, str], float], compare: str) -> _Test:
    bounds = [parse(v, "condition value") for v in values]
    relation = _COMPARE[compare]
    return lambda cv, ctx: any(relation(parse(cv, "context value"), b) for b in bounds)


def _value_test(base: str, values: tuple[_Scalar, ...], variables: bool) -> _Test | None:
    """The positive relation of operator `base` (negations are mapped to it first); None if unknown."""
    if base in ("StringEquals", "StringEqualsIgnoreCase", "StringLike"):
        return _string_test(values, variables, glob=base == "StringLike", ignore_case=base.endswith("IgnoreCase"))
    if base in ("ArnEquals", "ArnLike"):
        return _arn_test(values, variables)
    for family, parse in (("Numeric", _number), ("Date", _date)):
        if base.startswith(family) and base[len(family) :] in _COMPARE:
            return _ordered_test(values, parse, base[len(family) :])
    if base == "Bool":
        flags = {_bool(v, "condition value") for v in values}
        return lambda cv, ctx: _bool(cv, "context value") in flags
    if base == "BinaryEquals":
        blobs = {_binary(v, "condition value") for v in values}
        return lambda cv, ctx: _binary(cv, "context value") in blobs
    if base == "IpAddress":
        networks = [_network(v) for v in values]
        return lambda cv, ctx: any(_address(cv) in n for n in networks)
    return None


@dataclass(frozen=True)
class _Condition:
    key: str  # lower-cased
    qualifier: Literal["", "ForAnyValue", "ForAllValues"]
    if_exists: bool
    negated: bool
    test: _Test
    null: frozenset[bool] | None = None  # Null operator: the accepted values of "the key is absent"

    def holds(self, ctx: _Context) -> bool:
        present = ctx.get(self.key, ())
        if self.null is not None:
            return (not present) in self.null
        if not present:
            if self.if_exists or self.qualifier == "ForAllValues":
                return True
            return self.negated and self.qualifier == ""

        def one(value: str) -> bool:
            return self.test(value, ctx) != self.negated

        if self.qualifier == "ForAllValues" or (self.qualifier == "" and self.negated):
            return all(one(v) for v in present)
        return any(one(v) for v in present)


def _condition(op: str, key: str, raw: object, variables: bool) -> _Condition:
    if ":" not in key:
        raise _fail(f"condition key {key!r} has no service prefix")
    values = _scalars(raw, f"condition {op} {key}")
    qualifier: Literal["", "ForAnyValue", "ForAllValues"] = ""
    name = op
    if op.startswith("ForAnyValue:"):
        qualifier, name = "ForAnyValue", op.removeprefix("ForAnyValue:")
    elif op.startswith("ForAllValues:"):
        qualifier, name = "ForAllValues", op.removeprefix("ForAllValues:")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    if name == "Null":
        if qualifier or if_exists:
            raise _fail(f"unknown condition operator {op!r}")
        absent = frozenset(_bool(v, "Null condition value") for v in values)
        return _Condition(key.lower(), "", False, False, lambda cv, ctx: False, absent)
    negated = name in _NEGATED
    test = _value_test(_NEGATED.get(name, name), values, variables)
    if test is None:
        raise _fail(f"unknown condition operator {op!r}")
    return _Condition(key.lower(), qualifier, if_exists, negated, test)


# --- principals ------------------------------------------------------------------------------------------

_Entity = tuple[str, str]  # (kind, id): ("account", A) ("role", A/name) ("user", A/name) ("session", arn) ...
_IAM_ARN = re.compile(r"arn:[a-z-]+:(iam|sts)::(\d{12}):(.+)")
_DIRECT = frozenset({"anyone", "user", "session", "external"})


@dataclass(frozen=True)
class _Principals:
    wildcard: bool
    entities: frozenset[_Entity]


def _iam_entity(arn: str) -> tuple[str, _Entity] | None:
    """The account and entity an IAM/STS ARN names, or None for provider ARNs (federated, not IAM)."""
    found = _IAM_ARN.fullmatch(arn)
    if found is None:
        raise _fail(f"unsupported principal {arn!r}")
    service, account, rest = found.groups()
    kind, _, name = rest.partition("/")
    if service == "iam" and rest == "root":
        return account, ("account", account)
    if service == "iam" and kind in ("role", "user") and name:
        return account, (kind, f"{account}/{name.rsplit('/', 1)[-1]}")
    session_name = name if kind == "federated-user" else name.partition("/")[2] if kind == "assumed-role" else ""
    if service == "sts" and session_name:
        return account, ("session", arn)
    if service == "iam" and kind in ("saml-provider", "oidc-provider") and name:
        return None
    raise _fail(f"unsupported principal {arn!r}")


def _principals(value: object) -> _Principals:
    if value == "*":
        return _Principals(True, frozenset())
    if not isinstance(value, Mapping) or not value:
        raise _fail(f"malformed principal {value!r}")
    wildcard, entities = False, set[_Entity]()
    for kind, raw in value.items():
        for entry in _strings(raw, f"Principal {kind}"):
            if entry == "*" and kind == "AWS":
                wildcard = True
            elif "*" in entry or "?" in entry:
                raise _fail(f"wildcards are not allowed inside principal {entry!r}")
            elif kind == "AWS" and re.fullmatch(r"\d{12}", entry):
                entities.add(("account", entry))
            elif kind == "AWS":
                named = _iam_entity(entry)
                if named is None:
                    raise _fail(f"identity provider {entry!r} must be a Federated principal")
                entities.add(named[1])
            elif kind in ("Service", "Federated"):
                entities.add(("external", entry))
            else:
                raise _fail(f"unsupported principal type {kind!r}")
    return _Principals(wildcard, frozenset(entities))


@dataclass(frozen=True)
class _Caller:
    """The request's principal: its account (None for services and federated identities) and identity chain."""

    account: str | None
    chain: tuple[_Entity, ...]
    derived: Mapping[str, str]


def _caller(request: Request) -> _Caller:
    arn = request.principal_arn
    named = _iam_entity(arn) if arn.startswith("arn:") else None
    if named is None:
        return _Caller(None, (("external", arn),), {})
    account, entity = named
    if request.principal_account != account:
        raise _fail(f"principal_account {request.principal_account!r} is not the account of {arn!r}")
    kind = entity[0]
    partition = arn.split(":")[1]
    derived = {"aws:principalarn": arn, "aws:principalaccount": account}
    if kind == "account":
        raise _fail("root-user principals are out of scope")
    if kind == "user":
        derived["aws:username"] = arn.rsplit("/", 1)[-1]
        return _Caller(account, (("account", account), entity), derived)
    if kind == "role":
        return _Caller(account, (("account", account), entity), derived)
    parts = arn.split(":", 5)[5].split("/")
    if parts[0] == "federated-user":
        return _Caller(account, (("account", account), entity), derived)
    role = parts[1]
    derived["aws:principalarn"] = f"arn:{partition}:iam::{account}:role/{role}"
    return _Caller(account, (("account", account), ("role", f"{account}/{role}"), entity), derived)


def _context(request: Request, caller: _Caller) -> dict[str, tuple[str, ...]]:
    ctx: dict[str, tuple[str, ...]] = {}
    for key, value in request.context.items():
        if key.lower() in ctx:
            raise _fail(f"context key {key!r} given twice (keys are case-insensitive)")
        empty = isinstance(value, list) and not value  # an empty multivalued key counts as absent
        ctx[key.lower()] = () if empty else tuple(_text(v) for v in _scalars(value, f"context key {key}"))
    for key, derived in caller.derived.items():
        ctx.setdefault(key, (derived,))
    return ctx


# --- statements and policies -----------------------------------------------------------------------------

_POLICY_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_VERSIONS = {"2012-10-17": True, "2008-10-17": False}  # Version -> are policy variables supported?


@dataclass(frozen=True)
class _Statement:
    ref: str
    order: int
    allow: bool
    actions: tuple[_Template, ...]
    not_action: bool
    resources: tuple[_Template, ...] | None  # None: no Resource element (resource-based: the attached resource)
    not_resource: bool
    principals: _Principals | None  # None: identity-based policy
    not_principal: bool
    conditions: tuple[_Condition, ...]

    def applies(self, action: str, resource: str, ctx: _Context) -> bool:
        """Action, Resource and Condition match (Principal is matched separately)."""
        if any(t.matches(action, ctx, glob=True, ignore_case=True) for t in self.actions) == self.not_action:
            return False
        if self.resources is not None:
            hit = any(t.matches(resource, ctx, glob=True) for t in self.resources)
            if hit == self.not_resource:
                return False
        return all(c.holds(ctx) for c in self.conditions)

    def grant_kinds(self, caller: _Caller, has_boundary: bool) -> frozenset[str] | None:
        """How the statement's Principal names the caller (None: it does not apply to the caller)."""
        if self.principals is None:
            return frozenset()
        listed = self.principals.wildcard or any(e in self.principals.entities for e in caller.chain)
        if not self.not_principal:
            if self.principals.wildcard:
                return frozenset({"anyone"})
            kinds = frozenset(kind for kind, ident in caller.chain if (kind, ident) in self.principals.entities)
            return kinds or None
        if self.allow:
            return None if listed else frozenset({"anyone"})
        # A Deny with NotPrincipal exempts a caller only if its account, role and session are all listed, and
        # never a caller that has a permissions boundary (IAM User Guide, NotPrincipal).
        everyone_listed = self.principals.wildcard or all(e in self.principals.entities for e in caller.chain)
        return frozenset({"anyone"}) if has_boundary or not everyone_listed else None


def _action_template(action: str) -> _Template:
    if action != "*" and not re.fullmatch(r"[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]*", action):
        raise _fail(f"malformed action {action!r}")
    return _template(action, variables=False)


def _statement(raw: object, ref: str, order: int, resource_based: bool, variables: bool) -> _Statement:
    if not isinstance(raw, Mapping):
        raise _fail("a statement must be an object")
    unknown = sorted(set(raw) - _STATEMENT_ELEMENTS)
    if unknown:
        raise _fail(f"unknown statement element {unknown[0]!r}")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise _fail(f"bad Effect {effect!r}")
    if ("Action" in raw) == ("NotAction" in raw):
        raise _fail("exactly one of Action and NotAction is required")
    if "Resource" in raw and "NotResource" in raw:
        raise _fail("Resource and NotResource are mutually exclusive")
    if "Principal" in raw and "NotPrincipal" in raw:
        raise _fail("Principal and NotPrincipal are mutually exclusive")
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if has_principal != resource_based:
        raise _fail("Principal/NotPrincipal is required in resource-based policies and forbidden elsewhere")
    resource_key = "Resource" if "Resource" in raw else "NotResource"
    if resource_key not in raw and not resource_based:
        raise _fail("Resource or NotResource is required in identity-based policies")
    condition = raw.get("Condition", {})
    if not isinstance(condition, Mapping):
        raise _fail("Condition must be an object")
    conditions: list[_Condition] = []
    for op, block in condition.items():
        if not isinstance(block, Mapping) or not block:
            raise _fail(f"condition operator {op!r} needs an object of keys")
        conditions.extend(_condition(op, key, values, variables) for key, values in block.items())
    action_key = "Action" if "Action" in raw else "NotAction"
    principal_key = "Principal" if "Principal" in raw else "NotPrincipal"
    return _Statement(
        ref=ref,
        order=order,
        allow=effect == "Allow",
        actions=tuple(_action_template(a) for a in _strings(raw[action_key], action_key)),
        not_action=action_key == "NotAction",
        resources=tuple(_template(r, variables=variables) for r in _strings(raw[resource_key], resource_key))
        if resource_key in raw
        else None,
        not_resource=resource_key == "NotResource",
        principals=_principals(raw[principal_key]) if has_principal else None,
        not_principal=principal_key == "NotPrincipal",
        conditions=tuple(conditions),
    )


@dataclass(frozen=True)
class _Policy:
    where: str  # e.g. "identity[0]", "scp[1][0]"
    group: str  # the policies that must jointly Allow: "identity", "boundary", "scp[1]", "vpce[0]" ...
    statements: tuple[_Statement, ...]


def _policy(doc: PolicyDocument, where: str, group: str, resource_based: bool, first: int) -> _Policy:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as error:
            raise _fail(f"{where}: not JSON ({error})") from None
    if not isinstance(doc, Mapping):
        raise _fail(f"{where}: a policy must be an object")
    unknown = sorted(set(doc) - _POLICY_ELEMENTS)
    if unknown:
        raise _fail(f"{where}: unknown policy element {unknown[0]!r}")
    version = doc.get("Version", "2008-10-17")
    if version not in _VERSIONS:
        raise _fail(f"{where}: unsupported Version {version!r}")
    if "Statement" not in doc:
        raise _fail(f"{where}: no Statement")
    raw_statements = doc["Statement"]
    raws = raw_statements if isinstance(raw_statements, list) else [raw_statements]
    statements = []
    for index, raw in enumerate(raws):
        sid = raw.get("Sid", f"#{index}") if isinstance(raw, Mapping) else f"#{index}"
        try:
            if not isinstance(sid, str):
                raise _fail(f"Sid {sid!r} is not a string")
            ref = f"{where}:{sid}"
            statements.append(_statement(raw, ref, first + index, resource_based, _VERSIONS[version]))
        except PolicyEvaluationError as error:
            raise _fail(f"{where} statement {sid!r}: {error}") from None
    return _Policy(where, group, tuple(statements))


def _policies(policies: PolicySet) -> list[_Policy]:
    """Every policy, parsed and validated, in the order decisions list their statements."""
    sources: list[tuple[PolicyDocument, str, str, bool]] = [
        (doc, f"identity[{i}]", "identity", False) for i, doc in enumerate(policies.identity)
    ]
    sources += [
        (doc, name, name, False)
        for doc, name in ((policies.boundary, "boundary"), (policies.session, "session"))
        if doc is not None
    ]
    for kind, levels, resource_based in (("scp", policies.scps, False), ("rcp", policies.rcps, True)):
        for level, docs in enumerate(levels):
            sources += [
                (doc, f"{kind}[{level}][{i}]", f"{kind}[{level}]", resource_based) for i, doc in enumerate(docs)
            ]
    sources += [(doc, f"vpce[{i}]", f"vpce[{i}]", True) for i, doc in enumerate(policies.vpce)]
    if policies.resource is not None:
        sources.append((policies.resource, "resource", "resource", True))
    parsed: list[_Policy] = []
    for doc, where, group, resource_based in sources:
        first = sum(len(p.statements) for p in parsed)
        parse = _parsed_text if isinstance(doc, str) else _policy
        parsed.append(parse(doc, where, group, resource_based, first))
    return parsed


@functools.lru_cache(maxsize=4096)
def _parsed_text(doc: str, where: str, group: str, resource_based: bool, first: int) -> _Policy:
    """``_policy`` of a JSON text, parsed once: an analysis decides many requests on the same few policies, and the
    parsed policy is immutable. A policy that fails to parse raises every time (exceptions are not cached)."""
    return _policy(doc, where, group, resource_based, first)


def _gate_groups(policies: PolicySet) -> list[str]:
    return (
        [f"scp[{i}]" for i in range(len(policies.scps))]
        + [f"rcp[{i}]" for i in range(len(policies.rcps))]
        + [f"vpce[{i}]" for i in range(len(policies.vpce))]
    )


# --- the decision ----------------------------------------------------------------------------------------

_Match = tuple[_Statement, frozenset[str]]


def _refs(*groups: Sequence[_Match]) -> tuple[str, ...]:
    unique = {s.order: s.ref for matches in groups for s, _ in matches}
    return tuple(unique[k] for k in sorted(unique))


def _check_request_action(action: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9_-]+", action):
        raise _fail(f"request action {action!r} must be service:Action without wildcards")


def _matches(
    policies: list[_Policy], request: Request, ctx: _Context, caller: _Caller, has_boundary: bool
) -> dict[str, list[_Match]]:
    by_group: dict[str, list[_Match]] = {}
    for policy in policies:
        for statement in policy.statements:
            try:
                kinds = statement.grant_kinds(caller, has_boundary)
                if kinds is not None and statement.applies(request.action, request.resource, ctx):
                    group = policy.group if statement.allow else "deny"
                    by_group.setdefault(group, []).append((statement, kinds))
            except PolicyEvaluationError as error:
                raise _fail(f"{statement.ref}: {error}") from None
    return by_group


def _granting_paths(policies: PolicySet, caller: _Caller, allows: Mapping[str, list[_Match]]) -> list[_Match]:
    """The Allows of every path that grants (empty: implicit deny), per the notes' decision order."""
    identity = allows.get("identity", [])
    caps = allows.get("boundary", []) + allows.get("session", [])
    capped_ok = (policies.boundary is None or bool(allows.get("boundary"))) and (
        policies.session is None or bool(allows.get("session"))
    )
    identity_path = identity + caps if identity and capped_ok else []
    grants = allows.get("resource", [])
    if caller.account is None:  # services and federated identities have no identity path
        return [g for g in grants if g[1] & _DIRECT]
    if caller.account != policies.resource_account:
        return grants + identity_path if grants and identity_path else []
    direct = [g for g in grants if g[1] & _DIRECT]
    role = [g for g in grants if "role" in g[1]]
    paths = direct + (role + caps if role and capped_ok else [])
    if policies.resource_kind in ("kms", "trust"):
        account = [g for g in grants if "account" in g[1]]
        return paths + (account + identity_path if account and identity_path else [])
    return paths + identity_path


def evaluate(request: Request, policies: PolicySet) -> Decision:
    """Decide one request: explicit Deny wins, then every SCP/RCP level and VPCE policy must Allow, then the
    same-account or cross-account rules (KMS key policies and trust policies are required)."""
    caller = _caller(request)
    ctx = _context(request, caller)
    _check_request_action(request.action)
    parsed = _policies(policies)
    if policies.resource_kind in ("kms", "trust") and policies.resource is None:
        raise _fail(f"a {policies.resource_kind} request needs its resource policy (key policy or trust policy)")
    if caller.account is None and (policies.identity or policies.boundary or policies.session):
        raise _fail(f"{request.principal_arn!r} is not an IAM principal: it has no identity policies")
    if request.action.lower() == "sts:getcalleridentity":
        return Decision("Allow", (GET_CALLER_IDENTITY,))
    matched = _matches(parsed, request, ctx, caller, policies.boundary is not None)
    if matched.get("deny"):
        return Decision("ExplicitDeny", _refs(matched["deny"]))
    gates = [matched.get(group, []) for group in _gate_groups(policies)]
    if not all(gates):
        return Decision("ImplicitDeny")
    granting = _granting_paths(policies, caller, matched)
    if not granting:
        return Decision("ImplicitDeny")
    return Decision("Allow", _refs(*gates, granting))

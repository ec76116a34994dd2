"""Rule kit: the resource view, outcomes and value helpers every rule module shares.

Standard library only — Pulumi runs the policy pack in its own virtualenv with nothing but
pulumi-policy. A rule never passes what it cannot decide: an unknown value (preview) or a
malformed document raises Undecidable, which the Rule turns into an ``error`` outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from ai_security_baseline.controls.text import clip
from ai_security_baseline.controls.vocabulary import CENTRAL_PIECES, CENTRALLY_MANAGED_OUTPUT

#: The engine's placeholder for a value not known until apply.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

AWS_PROVIDER = "pulumi:providers:aws"
STACK = "pulumi:pulumi:Stack"


OutcomeStatus = Literal["pass", "fail", "waived", "error"]

#: A check's verdict for a control that cannot apply to a resource by AWS design (an endpoint service that
#: takes no policy): reported ``waived``, the message saying why, never ``pass``.
NOT_APPLICABLE = "not-applicable"
#: A check's verdict for a control a named relaxation (``baseline:relaxations``) weakens on this resource, within the
#: relaxation's bound: reported ``waived``, the message giving the relaxation's reason, never ``pass``.
RELAXED: Literal["relaxed"] = "relaxed"
#: What a check decides per control: True (pass), False (fail), NOT_APPLICABLE or RELAXED.
Verdict = bool | Literal["not-applicable", "relaxed"]


#: What reading a value of the wrong JSON type raises in a check (a list where a mapping belongs, text where a
#: number does, a document nested past the interpreter's limit): the rule reports ``error`` for it.
SHAPE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError)
#: What an ``error`` outcome caused by one of them says (a scan of a preview or export file refuses the file for it).
SHAPE_MESSAGE = "a property has an unexpected type or shape"


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
    #: None when the engine view does not expose it (CrossGuard's PolicyResourceOptions has no retainOnDelete).
    retain_on_delete: bool | None = None

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


Check = Callable[["Res"], Iterator[tuple[str, Verdict, str]]]
StackCheck = Callable[[Sequence["Res"]], Iterator[tuple[str, str, Verdict, str]]]


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

    def _guard(self, run: Callable[[], list[tuple[str, str, Verdict, str]]], urn: str) -> list[Outcome]:
        try:
            return [
                Outcome(control, res_urn, _status(ok), message, self.name) for res_urn, control, ok, message in run()
            ]
        except Undecidable as exc:
            return [Outcome(c, urn, "error", f"cannot decide: {exc}", self.name) for c in self.controls]
        except SHAPE_ERRORS as exc:  # a hand-edited preview can put any JSON value anywhere
            message = f"cannot decide: {SHAPE_MESSAGE} ({type(exc).__name__}: {exc})"
            return [Outcome(c, urn, "error", clip(message), self.name) for c in self.controls]


def _status(ok: Verdict) -> OutcomeStatus:
    if ok in (NOT_APPLICABLE, RELAXED):
        return "waived"
    return "pass" if ok else "fail"


def stack_urn(resources: Sequence[Res]) -> str:
    """URN that stack-level outcomes attach to: the root stack, else the first resource."""
    return next((r.urn for r in resources if r.type == STACK), resources[0].urn if resources else "")


def central_reason(outputs: Mapping[str, Any], piece: str) -> str | None:
    """Why the organization manages ``piece`` (``baseline:centrallyManaged``, as the stack exports it), None when the
    stack manages it itself. Read alike from the root stack's outputs (rules) and the deployed stack's (live probes);
    a malformed map is Undecidable, so a waiver is never assumed."""
    if piece not in CENTRAL_PIECES:
        raise ValueError(f"unknown centrally managed piece {piece!r}")
    value = outputs.get(CENTRALLY_MANAGED_OUTPUT)
    if value is None:
        return None
    if not isinstance(value, Mapping) or _contains_unknown(value):
        raise Undecidable(f"output {CENTRALLY_MANAGED_OUTPUT} is not a known {{piece: reason}} map")
    reason = value.get(piece)
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        raise Undecidable(f"output {CENTRALLY_MANAGED_OUTPUT}.{piece} is not a reason")
    return reason


def stack_outputs(resources: Sequence[Res]) -> Mapping[str, Any]:
    """The root stack's outputs; Undecidable without a root stack (a rule that needs them cannot decide)."""
    stacks = [r for r in resources if r.type == STACK]
    if not stacks:
        raise Undecidable("the graph has no root stack resource, so its outputs cannot be read")
    return stacks[0].props


def _per_resource(check: Check, res: Res) -> list[tuple[str, str, Verdict, str]]:
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


def service_trust_problems(role: Res, service: str) -> list[str]:
    """IAM-01 for a service's role: every Allow of its trust names ``service`` alone, on both ``aws:SourceAccount``
    and ``aws:SourceArn`` (the confused-deputy guard, for services that send both)."""
    problems = []
    for st in statements(policy_document(role, "assumeRolePolicy")):
        if st.get("Effect") != "Allow":
            continue
        services = principals(st, "Service")
        others = principals(st, "AWS") + principals(st, "Federated")
        if others or services != [service]:
            problems.append(f"role {role.name} trusts {services + others} (expected only {service})")
        missing = {"aws:sourceaccount", "aws:sourcearn"} - condition_keys(st)
        if missing:
            problems.append(f"role {role.name} trust lacks {sorted(missing)}")
    return problems


def evaluate_all(resources: Sequence[Res], rules: Iterable[Rule]) -> list[Outcome]:
    """Every rule over the resources, in registry order."""
    return [outcome for rule in rules for outcome in rule.evaluate(resources)]

"""AI-04 preview rule: the trainer's inline policy denies approving a model version and registering one other than
pending, each with an unconditional-but-for-the-status Deny on every resource; the approver's grants nothing but
setting and reading the approval status."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import (
    APPROVE_PACKAGE,
    APPROVER,
    APPROVER_READS,
    LIST_PACKAGES,
    MODEL_APPROVAL_KEY,
    MODEL_APPROVED,
    MODEL_PENDING,
    REGISTER_PACKAGE,
    ROLE_POLICY,
    TRAINER,
)

#: (what the Deny refuses, action, operator, the status it names): a Deny of exactly the status gate.
GATES: tuple[tuple[str, str, str, str], ...] = (
    ("approving a model version", APPROVE_PACKAGE, "StringEquals", MODEL_APPROVED),
    ("registering a version not pending approval", REGISTER_PACKAGE, "StringNotEquals", MODEL_PENDING),
)


def _status_only(condition: Any, operator: str, status: str) -> bool:
    """The condition is exactly ``operator`` on the approval status with the one value ``status``."""
    if not isinstance(condition, Mapping) or list(condition) != [operator]:
        return False
    block = condition[operator]
    if not isinstance(block, Mapping) or [k.lower() for k in block] != [MODEL_APPROVAL_KEY.lower()]:
        return False
    return kit.as_list(next(iter(block.values()))) == [status]


def denies(document: Mapping[str, Any], action: str, operator: str, status: str) -> bool:
    """A Deny of ``action`` (named, or ``sagemaker:*``) on ``*`` under exactly the status condition."""
    for statement in kit.statements(document):
        actions = [str(a).lower() for a in kit.as_list(statement.get("Action"))]
        if (
            statement.get("Effect") == "Deny"
            and (action.lower() in actions or "sagemaker:*" in actions)
            and kit.as_list(statement.get("Resource")) == ["*"]
            and _status_only(statement.get("Condition"), operator, status)
        ):
            return True
    return False


#: Everything the approver may be allowed: set the status, read the versions and their group.
APPROVER_ACTIONS: frozenset[str] = frozenset(a.lower() for a in (APPROVE_PACKAGE, *APPROVER_READS, LIST_PACKAGES))


def trainer_problems(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    """The gates none of the trainer's policies denies (the rule reads one document, the probe every inline one)."""
    listed = list(documents)
    return [what for what, action, op, status in GATES if not any(denies(d, action, op, status) for d in listed)]


def approver_extras(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    """The actions the approver is allowed beyond its duty (a wildcard is never its duty)."""
    allowed = {
        str(a).lower()
        for d in documents
        for s in kit.statements(d)
        if s.get("Effect") == "Allow"
        for a in kit.as_list(s.get("Action"))
    }
    return sorted(allowed - APPROVER_ACTIONS)


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """On the trainer's and the approver's inline policies (the role policies are named ``...-<role>``)."""
    if res.name.endswith(f"-{APPROVER}"):
        extras = approver_extras([kit.policy_document(res)])
        yield "AI-04", not extras, f"the approver is also allowed {extras}" if extras else "the approver only approves"
        return
    if not res.name.endswith(f"-{TRAINER}"):
        return
    missing = trainer_problems([kit.policy_document(res)])
    if missing:
        yield "AI-04", False, f"the trainer's policy has no Deny of {' or '.join(missing)}"
        return
    yield "AI-04", True, "the trainer registers versions only pending approval and cannot approve them"


RULE = kit.Rule(
    "ai-04-model-approval",
    "The trainer registers model versions only pending approval and never approves one; the approver only approves",
    ("AI-04",),
    (ROLE_POLICY,),
    check,
)

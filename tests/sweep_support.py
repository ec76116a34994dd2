"""Readers of a sweep's stack and specification for the sweep tests: find a principal or target by name, and the
decision the specification expects for one request."""

from __future__ import annotations

from collections.abc import Mapping

from ai_security_baseline.verify.iam.evaluator import ContextValue, Request
from ai_security_baseline.verify.iam.sweep import (
    CompiledEvaluator,
    Principal,
    Spec,
    SweepStack,
    Target,
    evaluation_context,
    expected,
)


def principal_named(stack: SweepStack, name: str) -> Principal:
    [found] = [p for p in stack.principals if p.name == name]
    return found


def target_named(stack: SweepStack, name: str) -> Target:
    [found] = [t for t in stack.targets if t.name == name]
    return found


def expected_decision(spec: Spec, who: str, action: str, target: str, context: Mapping[str, ContextValue]) -> str:
    """What the specification says of ``who`` calling ``action`` on ``target`` with ``context``."""
    p, t = principal_named(spec.stack, who), target_named(spec.stack, target)
    request = Request(p.arn, p.account, action, t.arn, dict(context))
    caller = CompiledEvaluator().caller(request)
    return expected(spec, p, action, t, evaluation_context(request, caller))

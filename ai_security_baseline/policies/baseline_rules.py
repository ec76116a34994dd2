"""The rules CrossGuard and the scan run: every control unit's rule, in catalog order (``controls.registry``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ai_security_baseline.controls import kit, registry
from ai_security_baseline.controls.kms.common import KEY_CLASSES
from ai_security_baseline.controls.vocabulary import KMS_ALIAS, KMS_KEY

Res = kit.Res
Rule = kit.Rule
Outcome = kit.Outcome
UNKNOWN = kit.UNKNOWN
AWS_PROVIDER = kit.AWS_PROVIDER
STACK = kit.STACK
stack_urn = kit.stack_urn

RULES: tuple[kit.Rule, ...] = registry.rules()


def evaluate_all(resources: Sequence[kit.Res], rules: Iterable[kit.Rule] = RULES) -> list[kit.Outcome]:
    """Every registered rule over the resources."""
    return kit.evaluate_all(resources, rules)


__all__ = [
    "AWS_PROVIDER",
    "KEY_CLASSES",
    "KMS_ALIAS",
    "KMS_KEY",
    "RULES",
    "STACK",
    "UNKNOWN",
    "Outcome",
    "Res",
    "Rule",
    "evaluate_all",
    "stack_urn",
]

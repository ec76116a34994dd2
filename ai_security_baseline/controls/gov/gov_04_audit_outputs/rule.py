"""GOV-04 preview rule: the stack exports every resource an auditor needs (values may be unknown until apply)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import AUDIT_OUTPUTS


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    stacks = [r for r in resources if r.type == kit.STACK]
    if not stacks:
        raise kit.Undecidable("the graph has no root stack resource, so its outputs cannot be read")
    exported = set(stacks[0].props)
    missing = [o for o in AUDIT_OUTPUTS if o not in exported]
    message = f"missing outputs {missing}" if missing else f"all {len(AUDIT_OUTPUTS)} audit outputs exported"
    yield stacks[0].urn, "GOV-04", not missing, message


RULE = kit.Rule(
    "gov-04-audit-outputs",
    "The stack exports every resource the live audit needs",
    ("GOV-04",),
    stack_check=check,
)

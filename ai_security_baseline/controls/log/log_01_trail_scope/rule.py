"""LOG-01 preview rule: the trail is multi-region, records global service events and validates its log files, and
records every management event (reads and writes) through the selector named as scanners expect."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import MANAGEMENT_EVENTS_SELECTOR, TRAIL

SCOPE_FLAGS = ("isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation")


def management_selector_problem(selectors: Iterable[tuple[str, Mapping[str, Sequence[Any]]]]) -> str | None:
    """What is wrong with the trail's management-events selector, given each advanced selector as (name, field ->
    equals values); None when one named ``Management events selector`` selects every management event."""
    management = [
        (name, fields) for name, fields in selectors if list(fields.get("eventCategory") or []) == ["Management"]
    ]
    if not management:
        return "no advanced event selector records management events"
    named = [fields for name, fields in management if name == MANAGEMENT_EVENTS_SELECTOR]
    if not named:
        found = sorted(repr(name) for name, _ in management)
        return f"management-events selector named {', '.join(found)} (expected {MANAGEMENT_EVENTS_SELECTOR!r})"
    narrowed = sorted(set(named[0]) - {"eventCategory"})
    return f"management-events selector narrowed by {narrowed}" if narrowed else None


def _selectors(res: kit.Res) -> list[tuple[str, dict[str, list[Any]]]]:
    found = []
    for selector in kit.known(res, "advancedEventSelectors") or []:
        fields = {str(f.get("field")): list(f.get("equals") or [None]) for f in selector.get("fieldSelectors") or []}
        found.append((str(selector.get("name") or ""), fields))
    return found


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    off = [k for k in SCOPE_FLAGS if kit.known(res, k) is not True]
    problems = [f"not enabled: {off}"] if off else []
    selector = management_selector_problem(_selectors(res))
    problems += [selector] if selector else []
    yield (
        "LOG-01",
        not problems,
        "; ".join(problems)
        or f"multi-region, global events, log file validation, all management events ({MANAGEMENT_EVENTS_SELECTOR})",
    )


RULE = kit.Rule(
    "log-01-trail-scope",
    "The trail is multi-region with global service events, log file validation and every management event",
    ("LOG-01",),
    (TRAIL,),
    check,
)

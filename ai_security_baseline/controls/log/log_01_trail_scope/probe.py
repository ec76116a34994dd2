"""LOG-01 live probe: the deployed trail is multi-region, records global events, validates files, is logging, and
records every management event through the selector named ``Management events selector``."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.log.log_01_trail_scope.rule import management_selector_problem
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.log import trail, trail_subject


def _selectors(answer: dict[str, Any]) -> list[tuple[str, dict[str, list[Any]]]]:
    """``GetEventSelectors``' advanced selectors as (name, field -> equals values)."""
    return [
        (
            str(selector.get("Name") or ""),
            {str(f.get("Field")): list(f.get("Equals") or [None]) for f in selector.get("FieldSelectors") or []},
        )
        for selector in answer.get("AdvancedEventSelectors") or []
    ]


@check("LOG-01", trail_subject)
def trail_scope(ctx: AuditContext, arn: str) -> Verdict:
    described = trail(ctx, arn)
    cloudtrail = ctx.client("cloudtrail")
    status = cloudtrail.get_trail_status(Name=arn)
    flags = {
        "IsMultiRegionTrail": described.get("IsMultiRegionTrail"),
        "IncludeGlobalServiceEvents": described.get("IncludeGlobalServiceEvents"),
        "LogFileValidationEnabled": described.get("LogFileValidationEnabled"),
        "IsLogging": status.get("IsLogging"),
    }
    off = [k for k, v in flags.items() if v is not True]
    problems = [f"off: {off}"] if off else []
    selector = management_selector_problem(_selectors(cloudtrail.get_event_selectors(TrailName=arn)))
    problems += [selector] if selector else []
    return Verdict(not problems, f"trail {described['Name']}: " + ("; ".join(problems) or "all on"), flags)

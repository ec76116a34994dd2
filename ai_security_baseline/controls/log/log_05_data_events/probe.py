"""LOG-05 live probe: the trail's advanced event selectors cover every data bucket's objects."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import bucket_output
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, as_list, check
from ai_security_baseline.verify.checkers.audit.log import trail_subject

DATA_EVENT_BUCKETS = ("raw", "curated", "models")


@check("LOG-05", trail_subject)
def data_events(ctx: AuditContext, arn: str) -> Verdict:
    selectors = ctx.client("cloudtrail").get_event_selectors(TrailName=arn).get("AdvancedEventSelectors") or []
    prefixes = [
        v
        for s in selectors
        for f in s.get("FieldSelectors", [])
        if f.get("Field") == "resources.ARN"
        for v in as_list(f.get("StartsWith")) + as_list(f.get("Equals"))
    ]
    missing = []
    for bucket_class in DATA_EVENT_BUCKETS:
        bucket_arn = str(ctx.output(bucket_output(bucket_class, "Arn")))
        if not any(f"{bucket_arn}/".startswith(p) or p.startswith(bucket_arn) for p in prefixes):
            missing.append(bucket_class)
    return Verdict(
        not missing,
        "S3 data events " + (f"missing for {missing}" if missing else "for every data bucket"),
        {"resources": prefixes},
    )

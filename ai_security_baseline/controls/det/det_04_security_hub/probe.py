"""DET-04 live probe: Security Hub is on with consolidated control findings and both standards subscribed."""

from __future__ import annotations

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ai_security_baseline.controls.vocabulary import (
    SECURITY_HUB_FINDING_GENERATOR,
    SECURITY_HUB_OUTPUT,
    SECURITY_HUB_STANDARDS,
    security_hub_standard_arn,
)
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    central_waiver,
    check,
)


@check("DET-04", account_subject)
def security_hub(ctx: AuditContext, _: object) -> Verdict:
    waived = central_waiver(ctx, "securityHub")
    if waived:
        return waived
    hub_arn = str(ctx.output(SECURITY_HUB_OUTPUT))
    try:
        hub = ctx.client("securityhub").describe_hub(HubArn=hub_arn)
    except ClientError as exc:  # DescribeHub's answer for an account without Security Hub
        if exc.response.get("Error", {}).get("Code") != "InvalidAccessException":
            raise
        return Verdict(False, f"Security Hub is not enabled: {exc.response['Error'].get('Message')}")
    if hub.get("ControlFindingGenerator") != SECURITY_HUB_FINDING_GENERATOR:
        return Verdict(
            False, f"control findings generated {hub.get('ControlFindingGenerator')}", {"hub": hub["HubArn"]}
        )
    enabled = ctx.observe("securityhub", "GetEnabledStandards")["StandardsSubscriptions"]
    ready = {s["StandardsArn"] for s in enabled if s.get("StandardsStatus") == "READY"}
    partition = str(hub["HubArn"]).split(":")[1]
    missing = [s for s in SECURITY_HUB_STANDARDS if security_hub_standard_arn(partition, ctx.region, s) not in ready]
    return Verdict(
        not missing,
        f"standards not READY: {missing}" if missing else f"hub {hub['HubArn']}: {', '.join(SECURITY_HUB_STANDARDS)}",
        {"ready": sorted(ready)},
    )

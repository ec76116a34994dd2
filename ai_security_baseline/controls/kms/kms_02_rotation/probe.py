"""KMS-02 live probe: the account reports rotation on, with its period in range, for every class key."""

from __future__ import annotations

from ai_security_baseline.controls.kms.kms_02_rotation.rule import ROTATION_DAYS
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.kms import key_arn, key_subjects


@check("KMS-02", key_subjects)
def rotation(ctx: AuditContext, data_class: str) -> Verdict:
    status = ctx.client("kms").get_key_rotation_status(KeyId=key_arn(ctx, data_class))
    if not status.get("KeyRotationEnabled"):
        return Verdict(False, f"{data_class} key: automatic rotation is off", {"KeyRotationEnabled": False})
    period = status.get("RotationPeriodInDays")
    if period is None:  # an endpoint that omits the period cannot prove KMS-02: error, not pass
        raise LookupError("rotation is on but the endpoint does not report RotationPeriodInDays")
    low, high = ROTATION_DAYS
    return Verdict(
        low <= int(period) <= high,
        f"{data_class} key: rotation every {period} days (allowed {low}-{high})",
        {"RotationPeriodInDays": period},
    )

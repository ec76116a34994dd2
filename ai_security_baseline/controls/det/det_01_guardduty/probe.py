"""DET-01 live probe: the stack's detector is enabled, exports findings at least hourly and has S3 protection on."""

from __future__ import annotations

from ai_security_baseline.controls.det.det_01_guardduty.rule import FREQUENCIES
from ai_security_baseline.controls.vocabulary import GUARDDUTY_DETECTOR_OUTPUT, S3_PROTECTION_FEATURE
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    central_waiver,
    check,
)


@check("DET-01", account_subject)
def guardduty(ctx: AuditContext, _: object) -> Verdict:
    waived = central_waiver(ctx, "guardDuty")
    if waived:
        return waived
    detector_id = str(ctx.output(GUARDDUTY_DETECTOR_OUTPUT))
    detector = ctx.client("guardduty").get_detector(DetectorId=detector_id)
    problems = []
    if detector.get("Status") != "ENABLED":
        problems.append(f"detector {detector_id} is {detector.get('Status')}")
    if detector.get("FindingPublishingFrequency") not in FREQUENCIES:
        problems.append(f"findings exported every {detector.get('FindingPublishingFrequency')}")
    features = {f.get("Name"): f.get("Status") for f in detector.get("Features") or []}
    if features.get(S3_PROTECTION_FEATURE) != "ENABLED":
        problems.append(f"{S3_PROTECTION_FEATURE} is {features.get(S3_PROTECTION_FEATURE, 'absent')}")
    return Verdict(
        not problems,
        "; ".join(problems) or f"detector {detector_id} enabled, S3 protection on",
        {"detectorId": detector_id, "features": features},
    )

"""DET-01: a GuardDuty detector, enabled, exporting findings at least hourly, with S3 protection on."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.det.common import Found, central_piece, linked, of
from ai_security_baseline.controls.vocabulary import GUARDDUTY_DETECTOR, GUARDDUTY_FEATURE, S3_PROTECTION_FEATURE

#: Export frequencies of updated findings that keep the alarm path current (SIX_HOURS, the default, does not).
FREQUENCIES: tuple[str, ...] = ("FIFTEEN_MINUTES", "ONE_HOUR")


def detector_problems(detector: kit.Res, features: Sequence[kit.Res]) -> list[str]:
    """What is wrong with one detector and the features attached to it."""
    problems = []
    if kit.known(detector, "enable") is False:
        problems.append("the detector is suspended (enable false)")
    frequency = kit.known(detector, "findingPublishingFrequency")
    if frequency not in FREQUENCIES:
        problems.append(
            f"findings exported every {frequency or 'SIX_HOURS (the default)'} (allowed: {list(FREQUENCIES)})"
        )
    s3 = [
        f
        for f in features
        if linked(f, "detectorId", [detector], kit.known(f, "detectorId"), ("id",))
        and kit.known(f, "name") == S3_PROTECTION_FEATURE
    ]
    if not s3:
        problems.append(f"no {S3_PROTECTION_FEATURE} feature attached (S3 protection off)")
    problems += [
        f"{f.name}: {S3_PROTECTION_FEATURE} is {kit.known(f, 'status')}"
        for f in s3
        if kit.known(f, "status") != "ENABLED"
    ]
    return [f"{detector.name}: {p}" for p in problems]


def check_guardduty(resources: Sequence[kit.Res]) -> Found:
    detectors = of(resources, GUARDDUTY_DETECTOR)
    central = list(central_piece(resources, "guardDuty", detectors))
    if central:
        yield from central
        return
    if not detectors:
        yield kit.stack_urn(resources), "DET-01", False, "no GuardDuty detector in the stack"
        return
    features = of(resources, GUARDDUTY_FEATURE)
    for detector in detectors:
        problems = detector_problems(detector, features)
        message = (
            "; ".join(problems)
            or f"{detector.name}: enabled, findings every {kit.known(detector, 'findingPublishingFrequency')}, "
            "S3 protection on"
        )
        yield detector.urn, "DET-01", not problems, message


RULE = kit.Rule(
    "det-01-guardduty",
    "A GuardDuty detector is enabled with S3 protection (or GuardDuty is centrally managed)",
    ("DET-01",),
    stack_check=check_guardduty,
)

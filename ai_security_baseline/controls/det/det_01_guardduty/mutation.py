"""DET-01 mutations: no detector, S3 protection off, a suspended detector, findings exported every six hours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTOR_OUTPUT,
    GUARDDUTY_FEATURE,
    S3_PROTECTION_FEATURE,
)
from ai_security_baseline.verify.checkers.mutation import Mutation, chain, drop_resources, set_property


def s3_protection_off_live(ctx: Any) -> Callable[[], None]:
    guardduty = ctx.client("guardduty")
    detector = ctx.output(GUARDDUTY_DETECTOR_OUTPUT)

    def feature(status: str) -> None:
        guardduty.update_detector(DetectorId=detector, Features=[{"Name": S3_PROTECTION_FEATURE, "Status": status}])

    feature("DISABLED")
    return lambda: feature("ENABLED")


MUTATIONS = (
    Mutation(
        "DET-01", "no detector", graph=chain(drop_resources(GUARDDUTY_FEATURE), drop_resources(GUARDDUTY_DETECTOR))
    ),
    Mutation(
        "DET-01", "S3 protection disabled", graph=set_property(GUARDDUTY_FEATURE, "guardduty-s3", "status", "DISABLED")
    ),
    Mutation("DET-01", "no S3 protection feature", graph=drop_resources(GUARDDUTY_FEATURE)),
    Mutation("DET-01", "detector suspended", graph=set_property(GUARDDUTY_DETECTOR, "guardduty", "enable", False)),
    Mutation(
        "DET-01",
        "findings exported every six hours",
        graph=set_property(GUARDDUTY_DETECTOR, "guardduty", "findingPublishingFrequency", "SIX_HOURS"),
    ),
    Mutation("DET-01", "S3 protection disabled in the account", live=s3_protection_off_live),
)

"""KMS-02 mutations: rotation switched off, in the graph and in the deployed account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property


def rotation_off_live(ctx: Any) -> Callable[[], None]:
    kms = ctx.client("kms")
    key = ctx.output("modelsKeyArn")
    kms.disable_key_rotation(KeyId=key)
    return lambda: kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=365)


MUTATIONS = (
    Mutation(
        "KMS-02", "rotation off on the data key", graph=set_property(KMS_KEY, "-data", "enableKeyRotation", False)
    ),
    Mutation(  # checkov's CKV_AWS_7 checks only that rotation is on
        "KMS-02",
        "rotation period 30 days",
        graph=set_property(KMS_KEY, "-logs", "rotationPeriodInDays", 30),
        layers=("rule",),
    ),
    Mutation("KMS-02", "rotation disabled on the models key", live=rotation_off_live),
)

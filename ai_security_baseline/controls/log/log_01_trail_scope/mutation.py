"""LOG-01 mutations: the trail narrowed to one region or without log file validation, in the graph and live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import TRAIL
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property


def validation_off_live(ctx: Any) -> Callable[[], None]:
    cloudtrail = ctx.client("cloudtrail")
    trail = str(ctx.output("trailArn"))
    cloudtrail.update_trail(Name=trail, EnableLogFileValidation=False)
    return lambda: cloudtrail.update_trail(Name=trail, EnableLogFileValidation=True)


MUTATIONS = (
    Mutation(  # CKV_AWS_36 checks log file validation only
        "LOG-01",
        "trail in one region",
        graph=set_property(TRAIL, "-trail", "isMultiRegionTrail", False),
        layers=("rule",),
    ),
    Mutation(
        "LOG-01", "log file validation off", graph=set_property(TRAIL, "-trail", "enableLogFileValidation", False)
    ),
    Mutation("LOG-01", "log file validation turned off on the deployed trail", live=validation_off_live),
)

"""LOG-05 mutations: data events for every bucket instead of the named ones, in the graph; live, only one bucket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import TRAIL
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property

EVERY_BUCKET = [
    {
        "name": "every bucket",
        "fieldSelectors": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
        ],
    }
]


def raw_only_live(ctx: Any) -> Callable[[], None]:
    cloudtrail = ctx.client("cloudtrail")
    trail = str(ctx.output("trailArn"))
    original = cloudtrail.get_event_selectors(TrailName=trail)["AdvancedEventSelectors"]
    raw = str(ctx.output("rawBucketArn"))
    cloudtrail.put_event_selectors(
        TrailName=trail,
        AdvancedEventSelectors=[
            {
                "Name": "raw only",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "resources.ARN", "StartsWith": [f"{raw}/"]},
                ],
            }
        ],
    )
    return lambda: cloudtrail.put_event_selectors(TrailName=trail, AdvancedEventSelectors=original)


MUTATIONS = (
    Mutation(
        "LOG-05",
        "data events for every bucket",
        graph=set_property(TRAIL, "-trail", "advancedEventSelectors", EVERY_BUCKET),
    ),
    Mutation("LOG-05", "deployed trail records data events of the raw bucket only", live=raw_only_live),
)

"""LOG-01 mutations: the trail narrowed to one region, without log file validation, or its management-events selector
renamed or narrowed to writes, in the graph and live."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import MANAGEMENT_EVENTS_SELECTOR, TRAIL
from ai_security_baseline.verify.checkers.mutation import Mutation, edit_resources, set_property
from ai_security_baseline.verify.engine.graph import Resource


def _management_selector(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Resource], Resource]:
    def edit(resource: Resource) -> Resource:
        selectors = [
            change(s) if s.get("name") == MANAGEMENT_EVENTS_SELECTOR else s
            for s in resource.inputs.get("advancedEventSelectors") or []
        ]
        outputs = {**resource.outputs, "advancedEventSelectors": selectors} if resource.outputs else resource.outputs
        return dataclasses.replace(
            resource, inputs={**resource.inputs, "advancedEventSelectors": selectors}, outputs=outputs
        )

    return edit


def _renamed(selector: dict[str, Any]) -> dict[str, Any]:
    return {**selector, "name": "Management events"}


def _writes_only(selector: dict[str, Any]) -> dict[str, Any]:
    return {**selector, "fieldSelectors": [*selector["fieldSelectors"], {"field": "readOnly", "equals": ["false"]}]}


def selector_renamed_live(ctx: Any) -> Callable[[], None]:
    cloudtrail = ctx.client("cloudtrail")
    trail = str(ctx.output("trailArn"))
    original = cloudtrail.get_event_selectors(TrailName=trail)["AdvancedEventSelectors"]
    renamed = [
        {**s, "Name": "Management events"} if s.get("Name") == MANAGEMENT_EVENTS_SELECTOR else s for s in original
    ]
    cloudtrail.put_event_selectors(TrailName=trail, AdvancedEventSelectors=renamed)
    return lambda: cloudtrail.put_event_selectors(TrailName=trail, AdvancedEventSelectors=original)


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
    Mutation(  # scanners find the selector by name; checkov does not read selector names
        "LOG-01",
        "management-events selector renamed",
        graph=edit_resources(TRAIL, "-trail", _management_selector(_renamed)),
        layers=("rule",),
    ),
    Mutation(
        "LOG-01",
        "management events narrowed to writes",
        graph=edit_resources(TRAIL, "-trail", _management_selector(_writes_only)),
        layers=("rule",),
    ),
    Mutation("LOG-01", "management-events selector renamed on the deployed trail", live=selector_renamed_live),
)

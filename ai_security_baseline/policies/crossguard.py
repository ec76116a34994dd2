"""CrossGuard adapters: each rule of baseline_rules becomes a pulumi-policy policy.

Imports only pulumi-policy and the standard library (Pulumi runs the pack in its own venv).
Waivers reach CrossGuard through policy config: ``{"<policy>": {"waivers": [{"control": "S3-03",
"resource": "<URN or logical-name glob>", "reason": "...", "owner": "...", "expires": "YYYY-MM-DD"}]}}``, the
entries of ``policies/waivers.yaml``. ``controls.waivers`` judges them exactly as ``baseline`` does: a waiver of a
non-waivable control, an expired one, or one missing a field is refused and reported as a violation naming it;
like in ``baseline``, a waiver turns only a ``fail`` into a pass, never a check that could not decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from ai_security_baseline.controls import registry
from ai_security_baseline.controls.waivers import (
    ALLOWED_KEYS,
    Refusal,
    WaivableControls,
    Waiver,
    covers_resource,
    split_config_waivers,
)
from ai_security_baseline.policies import baseline_rules as rules

#: Every field is validated by ``controls.waivers`` (so a bad entry becomes a violation naming it, not a schema error).
WAIVER_SCHEMA = PolicyConfigSchema(
    properties={
        "waivers": {
            "type": "array",
            "default": [],
            "items": {"type": "object", "properties": {key: {"type": "string"} for key in ALLOWED_KEYS}},
        }
    }
)


@cache
def _known() -> WaivableControls:
    return WaivableControls.from_catalog_document(registry.catalog_document())


def config_waivers(config: Mapping[str, Any], today: date) -> tuple[list[Waiver], list[Refusal]]:
    """The live waivers of a policy's config and the refused ones (invalid, non-waivable, expired)."""
    return split_config_waivers(config.get("waivers") or [], _known(), today)


def _report(
    outcomes: Sequence[rules.Outcome], config: Mapping[str, Any], report: ReportViolation, urn: str | None = None
) -> None:
    """Report every unwaived failure or undecided check, then every refused waiver (for a resource policy, those
    whose glob covers ``urn``)."""
    live, refused = config_waivers(config, date.today())
    for outcome in outcomes:
        waived = outcome.status == "fail" and any(w.covers(outcome.control, "", outcome.urn) for w in live)
        if outcome.status in ("fail", "error") and not waived:  # "waived": by design
            report(f"[{outcome.control}] {outcome.message}", outcome.urn)
    for refusal in refused:
        if urn is None or not refusal.resource or covers_resource(refusal.resource, urn):
            report(f"[{refusal.control or 'waivers'}] {refusal.message}", urn)


def _plain(value: Any) -> Any:
    """Copy the analyzer's proxies into plain values (touching an unknown raises, as the SDK intends)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _resource_policy(rule: rules.Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        res = rules.Res(
            urn=args.urn,
            type=args.resource_type,
            props=_plain(args.props),
            protect=bool(getattr(args.opts, "protect", False)),
        )
        _report(rule.evaluate([res]), args.get_config(), report, args.urn)

    return ResourceValidationPolicy(
        name=rule.name,
        description=f"{rule.description} ({', '.join(rule.controls)})",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=WAIVER_SCHEMA,
    )


def _stack_policy(rule: rules.Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = [
            rules.Res(
                urn=r.urn,
                type=r.resource_type,
                props=_plain(r.props),
                parent=r.parent.urn if r.parent else "",
                provider_urn=r.provider.urn if r.provider else "",
                dependencies=tuple(d.urn for d in r.dependencies),
                property_dependencies={k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()},
                protect=bool(getattr(r.opts, "protect", False)),
            )
            for r in args.resources
        ]
        _report(rule.evaluate(resources), args.get_config(), report)

    return StackValidationPolicy(
        name=rule.name,
        description=f"{rule.description} ({', '.join(rule.controls)})",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=WAIVER_SCHEMA,
    )


def build_policies() -> list[Policy]:
    """One policy per rule, refusing rules that name a control the catalog does not define."""
    known_ids = registry.control_ids()
    unknown = sorted({c for r in rules.RULES for c in r.controls} - known_ids)
    if unknown:
        raise ValueError(f"rules name controls no unit under controls/ defines: {unknown}")
    return [_stack_policy(r) if r.stack_check else _resource_policy(r) for r in rules.RULES]

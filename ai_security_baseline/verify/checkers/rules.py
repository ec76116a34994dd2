"""Offline scan: run the policy rules over a ResourceGraph and turn outcomes into Findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ai_security_baseline.policies import baseline_rules as rules
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.findings.finding import Finding


def to_rule_resource(resource: Resource) -> rules.Res:
    """What a rule sees: inputs overlaid with outputs (outputs win when the engine has them)."""
    return rules.Res(
        urn=resource.urn,
        type=resource.type,
        props={**resource.inputs, **resource.outputs},
        parent=resource.parent,
        provider_urn=resource.provider_urn,
        dependencies=resource.dependencies,
        property_dependencies=resource.property_dependencies,
        protect=resource.protect,
        retain_on_delete=resource.retain_on_delete,
    )


def outcome_finding(outcome: rules.Outcome) -> Finding:
    return Finding(
        control=outcome.control,
        urn=outcome.urn,
        status=outcome.status,
        source="rule",
        message=outcome.message,
        tool_id=outcome.rule,
        waiver=outcome.message if outcome.status == "waived" else "",  # a rule waives only by design, saying why
    )


def silent_controls(findings: Iterable[Finding], selected: Sequence[rules.Rule], stack_urn: str) -> list[Finding]:
    """An implemented control that produced no result is an error, never a silent pass."""
    seen = {f.control for f in findings}
    missing = sorted({c for r in selected for c in r.controls} - seen)
    return [
        Finding(
            control=control,
            urn=stack_urn,
            status="error",
            source="rule",
            message="the rule found nothing to evaluate in this graph (are its resources missing?)",
            tool_id=",".join(r.name for r in selected if control in r.controls),
        )
        for control in missing
    ]


def scan_rules(graph: ResourceGraph, selected: Sequence[rules.Rule] = rules.RULES) -> list[Finding]:
    """Findings of every rule on the graph, plus an error for each implemented control left silent."""
    resources = [to_rule_resource(r) for r in graph]
    findings = [outcome_finding(o) for o in rules.evaluate_all(resources, selected)]
    return findings + silent_controls(findings, selected, rules.stack_urn(resources))

"""Small literal resource graphs for tests, written one resource a line.

A test that shows a control's behaviour on a handful of resources builds them here, so a reviewer reads the
resources and not the plumbing. Two views exist because the checkers read two: ``res`` is what a preview rule sees
(``controls.kit.Res``), ``resource`` and ``graph`` are what the engine records (``Resource`` in a ``ResourceGraph``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.verify.checkers.rules import to_rule_resource
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph

STACK = "dev"
PROJECT = "p"
ACCOUNT = "111122223333"
REGION = "eu-west-1"

Deps = Mapping[str, Sequence[str]]


def urn(type_token: str, name: str, *, stack: str = STACK, project: str = PROJECT) -> str:
    """The URN of a top-level resource ``name`` of ``type_token``."""
    return f"urn:pulumi:{stack}::{project}::{type_token}::{name}"


def res(
    type_token: str,
    name: str,
    /,
    *,
    deps: Deps | None = None,
    depends_on: Sequence[str] = (),
    provider_urn: str = "",
    protect: bool = False,
    retain_on_delete: bool | None = None,
    **props: Any,
) -> kit.Res:
    """What a rule sees of one resource: engine-shaped ``props``; ``deps`` maps a property to the URNs it came from,
    ``depends_on`` adds URNs it waits for without taking a value from them."""
    linked = tuple(u for urns in (deps or {}).values() for u in urns)
    return kit.Res(
        urn=urn(type_token, name),
        type=type_token,
        props=props,
        provider_urn=provider_urn,
        dependencies=(*linked, *(u for u in depends_on if u not in linked)),
        property_dependencies={k: tuple(v) for k, v in (deps or {}).items()},
        protect=protect,
        retain_on_delete=retain_on_delete,
    )


def resource(
    type_token: str,
    name: str,
    inputs: Mapping[str, Any] | None = None,
    /,
    *,
    outputs: Mapping[str, Any] | None = None,
    id: str = "",
    parent: str = "",
    deps: Deps | None = None,
    custom: bool = True,
    stack: str = STACK,
    project: str = PROJECT,
) -> Resource:
    """One resource as the engine records it; its outputs are its inputs unless given (as after a create)."""
    return Resource(
        urn=urn(type_token, name, stack=stack, project=project),
        type=type_token,
        custom=custom,
        id=id,
        parent=parent,
        inputs=dict(inputs or {}),
        outputs=dict(inputs or {}) if outputs is None else dict(outputs),
        dependencies=tuple(u for urns in (deps or {}).values() for u in urns),
        property_dependencies={k: tuple(v) for k, v in (deps or {}).items()},
    )


def graph(resources: Iterable[Resource], *, stack: str = STACK, project: str = PROJECT) -> ResourceGraph:
    """The resources as one stack's graph."""
    return ResourceGraph(list(resources), stack=stack, project=project)


def rule_view(graph: ResourceGraph) -> list[kit.Res]:
    """The graph as the preview rules see it."""
    return [to_rule_resource(r) for r in graph]


def changed(resources: Sequence[kit.Res], name: str, **props: Any) -> list[kit.Res]:
    """The resources with ``name``'s properties changed (a value of ``None`` removes the property)."""
    assert any(r.name == name for r in resources), f"no resource named {name}"
    return [
        dataclasses.replace(r, props={k: v for k, v in {**r.props, **props}.items() if v is not None})
        if r.name == name
        else r
        for r in resources
    ]


def without(resources: Sequence[kit.Res], *names: str) -> list[kit.Res]:
    """The resources without those named (each must be there, so a renamed fixture cannot pass silently)."""
    assert all(any(r.name == n for r in resources) for n in names), names
    return [r for r in resources if r.name not in names]

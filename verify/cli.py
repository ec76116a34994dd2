"""``baseline`` command line: offline preview and scan of a stack or of real Pulumi output files;
``demo`` (deploy into moto + scan + live audit) and ``audit`` (live, read-only) from verify/demo.py.

Exit codes: 0 success; 1 findings (scan or audit: an unwaived failure or a check that could not decide; access:
the policies differ from the matrix); 2 bad input (unknown stack, invalid config, missing or malformed file, unknown
format, bad arguments, no credentials or endpoint for the audit); 3 the demo's deploy into moto failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from components.config import ConfigError
from controls.registry import UnitError
from verify.checkers.audit.core import AuditSetupError
from verify.checkers.checkov import CheckovRunError, CheckovUnavailableError, checkov_findings
from verify.checkers.rules import scan_rules
from verify.engine.graph import (
    STACK_TYPE,
    GraphFormatError,
    Resource,
    ResourceGraph,
    load_preview_file,
    load_stack_export_file,
)
from verify.engine.offline import PROJECT_ROOT, StackError, run_stack
from verify.findings.catalog import CatalogError, load_catalog
from verify.findings.finding import Finding
from verify.findings.waivers import WAIVERS_PATH, WaiverError, apply_waivers, load_waivers
from verify.iam.analysis import AccessReport, AnalysisError, analyze, matrix_markdown, requests_json
from verify.iam.evaluator import PolicyEvaluationError
from verify.iam.validation import validation_findings
from verify.reports import report
from verify.reports.diagram import mermaid_diagram

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
TOOL_VERSION = "0.1.0"

#: --format name -> (file written, renderer); ``table`` prints to the terminal.
REPORT_FILES: dict[str, tuple[str, Callable[..., str]]] = {
    "md": ("report.md", report.render_markdown),
    "json": ("findings.json", report.render_json),
    "sarif": ("results.sarif", report.render_sarif),
    "junit": ("junit.xml", report.render_junit),
}
FORMATS: tuple[str, ...] = ("table", *REPORT_FILES)


class UsageError(ValueError):
    """A command-line value outside what the command accepts; the message names the flag."""


def short_type(type_token: str) -> str:
    """``aws:kms/key:Key`` -> ``aws:kms:Key``, as pulumi preview shows types."""
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        return f"{parts[0]}:{parts[1].split('/')[0]}:{parts[2]}"
    return type_token


def _label(resource: Resource, graph: ResourceGraph) -> str:
    label = f"[green]+[/] {short_type(resource.type)} [bold]{resource.name}[/]"
    if not resource.custom and resource.type != STACK_TYPE:
        total = _descendant_count(graph, resource.urn)
        label += f" [dim]({total} resources)[/]"
    flags = [f for f, on in (("protect", resource.protect), ("retain", resource.retain_on_delete)) if on]
    if flags:
        label += f" [yellow]\\[{', '.join(flags)}][/]"
    return label


def _descendant_count(graph: ResourceGraph, urn: str) -> int:
    return sum(1 + _descendant_count(graph, c.urn) for c in graph.children(urn))


def resource_tree(graph: ResourceGraph) -> Tree:
    """The resource tree grouped by component, children sorted by type then name."""
    roots = [r for r in graph if not r.parent or r.parent not in graph]
    stacks = [r for r in roots if r.type == STACK_TYPE]
    tree = Tree(_label(stacks[0], graph) if stacks else f"{graph.project} ({graph.stack})")

    def add(node: Tree, resource: Resource) -> None:
        branch = node.add(_label(resource, graph))
        for child in sorted(graph.children(resource.urn), key=lambda r: (r.type, r.name)):
            add(branch, child)

    tops = graph.children(stacks[0].urn) if stacks else roots
    for top in sorted(tops, key=lambda r: (r.type, r.name)):
        add(tree, top)
    return tree


def _summary(graph: ResourceGraph) -> str:
    counts = Counter(short_type(r.type) for r in graph.custom_resources())
    lines = [f"Resources: + {len(graph)} to create ({len(graph.custom_resources())} managed)"]
    lines += [f"    {n:>3}  {t}" for t, n in sorted(counts.items())]
    return "\n".join(lines)


def write_graph_files(graph: ResourceGraph, out: Path) -> tuple[Path, Path]:
    """Write preview.json and stack-export.json (the two formats the loaders read)."""
    out.mkdir(parents=True, exist_ok=True)
    preview = out / "preview.json"
    export = out / "stack-export.json"
    preview.write_text(json.dumps(graph.to_preview_json(), indent=2, sort_keys=True) + "\n")
    export.write_text(json.dumps(graph.to_stack_export(), indent=2, sort_keys=True) + "\n")
    return preview, export


def cmd_preview(args: argparse.Namespace, console: Console) -> int:
    run = run_stack(args.stack, root=args.project_dir)
    console.print(f"Previewing stack [bold]{args.stack}[/] ({run.graph.project}) offline, under mocks")
    console.print(resource_tree(run.graph))
    console.print(_summary(run.graph))
    preview, export = write_graph_files(run.graph, args.out)
    console.print(f"Wrote {preview} and {export}")
    return EXIT_OK


def parse_formats(value: str) -> tuple[str, ...]:
    """``table,md`` -> ("table", "md"); an unknown name is a UsageError naming --format and the choices."""
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise UsageError(f"--format {value!r}: unknown format(s) {unknown} (allowed: {', '.join(FORMATS)})")
    return names


def load_scan_graph(args: argparse.Namespace) -> tuple[ResourceGraph, str]:
    """The graph to scan and a description of where it came from."""
    if args.preview:
        return load_preview_file(args.preview), f"pulumi preview --json file {args.preview}"
    if args.stack_export:
        return load_stack_export_file(args.stack_export), f"pulumi stack export file {args.stack_export}"
    stack = args.stack or "dev"
    return run_stack(stack, root=args.project_dir).graph, f"offline run of stack {stack}"


def coverage_warnings(findings: Sequence[Finding]) -> list[str]:
    """Catalog controls this scan did not evaluate: listed in every report, never counted as passed."""
    catalog = load_catalog()
    seen = {f.control for f in findings}
    return [f"{c.id} not evaluated by this scan" for c in catalog.controls if c.id not in seen]


def access_findings(graph: ResourceGraph) -> tuple[list[Finding], str]:
    """IAM-03/IAM-04 from the offline access analysis, and its matrix for the report; a graph it cannot model is
    an error, never a pass (and no matrix)."""
    try:
        access = analyze(graph, sweep=True)
    except (AnalysisError, PolicyEvaluationError) as exc:
        errors = [
            Finding(control, graph_stack_urn(graph), "error", "access", f"access analysis could not run: {exc}")
            for control in ("IAM-03", "IAM-04")
        ]
        return errors, ""
    return access.findings(), matrix_markdown(access)


def graph_stack_urn(graph: ResourceGraph) -> str:
    stacks = graph.by_type(STACK_TYPE)
    return stacks[0].urn if stacks else f"urn:pulumi:{graph.stack}::{graph.project}::{STACK_TYPE}::unknown"


def cmd_scan(args: argparse.Namespace, console: Console) -> int:
    formats = parse_formats(args.format)
    catalog = load_catalog()
    waivers = load_waivers(args.waivers, catalog)
    graph, source = load_scan_graph(args)
    access, matrix = access_findings(graph)
    raw = scan_rules(graph) + validation_findings(graph) + access
    if args.checkov:
        raw += checkov_findings(graph, catalog)
    else:  # checkov waivers cannot match when checkov does not run: not stale, just not applicable
        waivers = [w for w in waivers if not w.checkov]
    outcome = apply_waivers(raw, waivers, date.today())
    findings = list(outcome.findings)
    meta = report.ReportMeta(
        stack=graph.stack or args.stack or "dev",
        source=source,
        tool_version=TOOL_VERSION,
        warnings=(*outcome.warnings, *coverage_warnings(findings)),
        diagram=mermaid_diagram(graph),
        access_matrix=matrix,
    )
    if "table" in formats:
        console.print(report.render_terminal(findings, catalog, meta))
    written = write_reports(findings, catalog, meta, [f for f in formats if f in REPORT_FILES], args.out)
    if written:
        console.print("Wrote " + ", ".join(str(p) for p in written))
    return report.exit_code(findings, catalog)


def cmd_diagram(args: argparse.Namespace, console: Console) -> int:
    """Mermaid data-flow diagram of the graph to stdout (``--out -``) or a file; plain text, never rich markup."""
    graph, _ = load_scan_graph(args)
    text = mermaid_diagram(graph)
    if str(args.out) == "-":
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    except OSError as exc:
        raise UsageError(f"--out {args.out}: cannot write ({exc.strerror or exc})") from None
    console.print(f"Wrote {escape(str(args.out))}")
    return EXIT_OK


def write_reports(
    findings: Sequence[Finding], catalog: object, meta: report.ReportMeta, formats: Sequence[str], out: Path
) -> list[Path]:
    """Render every requested format, then write them all (nothing half-written on a render error)."""
    rendered = {REPORT_FILES[f][0]: REPORT_FILES[f][1](findings, catalog, meta) for f in formats}
    if rendered:
        out.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (out / name).write_text(text if text.endswith("\n") else text + "\n")
    return [out / name for name in rendered]


def access_table(access: AccessReport) -> Table:
    """The evaluated matrix: one row per role x resource, one column per probed action (Allow/deny, mismatch red)."""
    table = Table(title="Access matrix, evaluated offline (the expected value is shown where it differs)")
    table.add_column("role")
    table.add_column("resource")
    actions = list(dict.fromkeys(row.action for row in access.rows))
    for action in actions:
        table.add_column(action)
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for row in access.rows:
        text = "allow" if row.allowed else "deny"
        if row.allowed != row.declared:
            text = f"[red bold]{text} (expected {'allow' if row.declared else 'deny'})[/]"
        elif row.allowed:
            text = f"[green]{text}[/]"
        cells.setdefault((row.role, row.resource), {})[row.action] = text
    for (role, resource), by_action in cells.items():
        table.add_row(role, resource, *[by_action[a] for a in actions])
    return table


def cmd_access(args: argparse.Namespace, console: Console) -> int:
    try:
        access = analyze(run_stack(args.stack, root=args.project_dir).graph, sweep=args.sweep)
    except (AnalysisError, PolicyEvaluationError) as exc:
        Console(stderr=True).print(f"[red]error:[/] access analysis could not run: {escape(str(exc))}", soft_wrap=True)
        return EXIT_FINDINGS
    failed = [f for f in access.findings() if f.status in ("fail", "error")]
    if args.json:
        sys.stdout.write(json.dumps(requests_json(access), indent=2) + "\n")
        return EXIT_FINDINGS if failed else EXIT_OK
    console.print(access_table(access))
    if access.missing_resources:
        console.print(f"Not in this stack (not evaluated): {', '.join(access.missing_resources)}")
    for finding in failed:
        console.print(f"[red]{finding.control}[/] {escape(finding.message)}")
    kinds = Counter(o.call.kind for o in access.calls)
    console.print(
        f"{len(access.rows)} matrix cells, {len(access.keys)} key uses, {kinds['service']} service and "
        f"{kinds['deployer']} deployer calls evaluated, {len(failed)} differ"
    )
    if access.sweep is not None:
        for principal, count in access.sweep.per_principal.items():
            console.print(f"sweep: {escape(principal)} {count} requests")
        summary = access.sweep.summary()
        console.print(
            f"sweep: {summary['evaluated']} requests in {summary['seconds']} s, {summary['mismatches']} differ "
            "from the specification"
        )
    return EXIT_FINDINGS if failed else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baseline",
        description="AI Security Baseline: run, scan and prove the Pulumi baseline offline.",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=PROJECT_ROOT,
        help="directory holding Pulumi.yaml and the stack files (default: this project)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    preview = commands.add_parser(
        "preview",
        help="run a stack offline, print its resource tree, write preview.json and stack-export.json",
        description="Run the Pulumi program offline under mocks (no CLI, no cloud) and write the "
        "graph as pulumi preview --json and pulumi stack export documents.",
    )
    preview.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    preview.add_argument("--out", type=Path, default=Path("reports"), help="output directory (default: reports)")
    preview.set_defaults(handler=cmd_preview)

    scan = commands.add_parser(
        "scan",
        help="check every control on a stack or a real preview/export file and write the reports",
        description="Run the policy rules over the resource graph of an offline run (--stack) or of a real "
        "`pulumi preview --json --show-sames` (--preview) or `pulumi stack export` (--stack-export) file, apply "
        "the waivers and write the reports. Exit 0 when no unwaived failure or undecided check remains, 1 "
        "otherwise, 2 on bad input.",
    )
    source = scan.add_mutually_exclusive_group()
    source.add_argument("--stack", help="run Pulumi.<stack>.yaml offline (default: dev)")
    source.add_argument("--preview", type=Path, help="a `pulumi preview --json --show-sames` output file")
    source.add_argument("--stack-export", type=Path, help="a `pulumi stack export` output file")
    scan.add_argument(
        "--format", default="table,md,json,sarif,junit", help=f"comma-separated, any of {', '.join(FORMATS)}"
    )
    scan.add_argument("--out", type=Path, default=Path("reports"), help="output directory (default: reports)")
    scan.add_argument(
        "--no-checkov",
        dest="checkov",
        action="store_false",
        help="skip checkov's built-in checks (faster; the rules still run)",
    )
    scan.add_argument("--waivers", type=Path, default=WAIVERS_PATH, help="waiver file (default: policies/waivers.yaml)")
    scan.set_defaults(handler=cmd_scan)

    diagram = commands.add_parser(
        "diagram",
        help="write the secure data flow of a stack or a real preview/export file as a Mermaid flowchart",
        description="Derive a Mermaid `flowchart LR` (roles -> VPC endpoints -> buckets -> keys, trail and flow logs "
        "into the log archive, edges labelled by what protects them) from the resource graph of an offline run "
        "(--stack) or of a real preview (--preview) or stack export (--stack-export) file. Exit 2 on bad input.",
    )
    diagram_source = diagram.add_mutually_exclusive_group()
    diagram_source.add_argument("--stack", help="run Pulumi.<stack>.yaml offline (default: dev)")
    diagram_source.add_argument("--preview", type=Path, help="a `pulumi preview --json --show-sames` output file")
    diagram_source.add_argument("--stack-export", type=Path, help="a `pulumi stack export` output file")
    diagram.add_argument("--out", type=Path, default=Path("-"), help="output file, - for stdout (default: -)")
    diagram.set_defaults(handler=cmd_diagram)

    access = commands.add_parser(
        "access",
        help="evaluate who can do what against the stack's policies offline: roles, AWS services, the deployer",
        description="Evaluate every role x bucket x action of the access matrix, every role's key use, and every "
        "call AWS services and the deployer make for the stack (each with its confused-deputy sibling), against the "
        "rendered policies (identity, boundary, bucket, key, trust, topic, secret, S3 gateway endpoint), then the "
        "exhaustive sweep against the specification (docs/access.md); exit 1 on a difference.",
    )
    access.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    access.add_argument(
        "--json",
        action="store_true",
        help='print one JSON document {"requests": [...]}: every workload, service and deployer request with its '
        "expected and evaluated decision, the sweep's mismatches, its summary and per-principal counts",
    )
    access.add_argument(
        "--no-sweep", dest="sweep", action="store_false", help="skip the exhaustive sweep (seconds on dev)"
    )
    access.set_defaults(handler=cmd_access)

    from verify.demo import add_commands  # noqa: PLC0415 - demo imports cli's report helpers
    from verify.mutate_command import add_command  # noqa: PLC0415

    add_commands(commands, PROJECT_ROOT)
    add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console()
    errors = Console(stderr=True)
    try:
        result: int = args.handler(args, console)
        return result
    except CheckovRunError as exc:
        errors.print(f"[red]error:[/] checkov failed, no report written: {escape(str(exc))}", soft_wrap=True)
        return EXIT_FINDINGS
    except (
        ConfigError,
        StackError,
        GraphFormatError,
        WaiverError,
        CatalogError,
        UnitError,
        UsageError,
        CheckovUnavailableError,
        AuditSetupError,
    ) as exc:
        errors.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # the demo's moto server is already stopped by its context manager
        errors.print("[red]interrupted[/]", highlight=False)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

"""``baseline`` command line: offline preview and scan of a stack or of real Pulumi output files;
``demo`` (deploy into moto + scan + live audit) and ``audit`` (live, read-only) from verify/demo.py.

Exit codes: 0 success; 1 findings (scan or audit: an unwaived failure or a check that could not decide; access:
the policies differ from the matrix); 2 bad input (unknown stack, invalid config, missing or malformed file, unknown
format, bad arguments, unwritable --out, no credentials or endpoint for the audit, a stack the access analysis cannot
model, a demo emulator that cannot start, e.g. a busy --port); 3 the demo's deploy into moto failed. Every such
failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from ai_security_baseline.controls.kit import SHAPE_ERRORS, SHAPE_MESSAGE
from ai_security_baseline.controls.text import clip
from ai_security_baseline.controls.vocabulary import DIAGRAM_VIEWS
from ai_security_baseline.verify.collector import collector_paused
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH
from ai_security_baseline.verify.pipeline import (
    EXIT_BAD_INPUT,
    EXIT_DEPLOY_FAILED,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    FORMATS,
    REPORT_FILES,
    TOOL_VERSION,
    access_findings,
    coverage_warnings,
    progress_console,
    write_files,
    write_reports,
)
from ai_security_baseline.verify.project import PROJECT_ROOT

if TYPE_CHECKING:
    from rich.table import Table
    from rich.tree import Tree

    from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
    from ai_security_baseline.verify.findings.finding import Finding
    from ai_security_baseline.verify.iam.analysis import AccessReport

__all__ = (
    "EXIT_BAD_INPUT",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "REPORT_FILES",
    "TOOL_VERSION",
    "access_findings",
    "build_parser",
    "coverage_warnings",
    "main",
    "write_reports",
)

#: Errors that mean bad input (exit 2, one line), by module: a module that never loaded cannot have raised one,
#: so none is imported just to be caught.
BAD_INPUT_ERRORS: tuple[tuple[str, str], ...] = (
    ("ai_security_baseline.components.config", "ConfigError"),
    ("ai_security_baseline.controls.registry", "UnitError"),
    ("ai_security_baseline.controls.waivers", "WaiverError"),
    ("ai_security_baseline.verify.engine.offline", "StackError"),
    ("ai_security_baseline.verify.engine.graph", "GraphFormatError"),
    ("ai_security_baseline.verify.findings.catalog", "CatalogError"),
    ("ai_security_baseline.verify.checkers.checkov", "CheckovUnavailableError"),
    ("ai_security_baseline.verify.checkers.audit.core", "AuditSetupError"),
    ("ai_security_baseline.verify.pipeline", "OutputError"),
    ("ai_security_baseline.verify.emulator.server", "MotoServerError"),
)


def loaded_errors(names: Sequence[tuple[str, str]]) -> tuple[type[BaseException], ...]:
    """The exception classes of ``names`` whose modules are loaded."""
    found = (getattr(sys.modules[module], name, None) for module, name in names if module in sys.modules)
    return tuple(e for e in found if isinstance(e, type) and issubclass(e, BaseException))


class UsageError(ValueError):
    """A command-line value outside what the command accepts; the message names the flag."""


def port_number(value: str) -> int:
    """argparse type of --port: 1..65535 (argparse turns the ValueError into a usage error, exit 2)."""
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError(value)
    return port


def short_type(type_token: str) -> str:
    """``aws:kms/key:Key`` -> ``aws:kms:Key``, as pulumi preview shows types."""
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        return f"{parts[0]}:{parts[1].split('/')[0]}:{parts[2]}"
    return type_token


def _label(resource: Resource, graph: ResourceGraph) -> str:
    from ai_security_baseline.verify.engine.graph import STACK_TYPE  # noqa: PLC0415 - the CLI loads what a command needs

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
    from rich.tree import Tree  # noqa: PLC0415 - only preview prints a tree

    from ai_security_baseline.verify.engine.graph import STACK_TYPE  # noqa: PLC0415

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


def path_argument(text: str) -> Path:
    """A path option's value: an empty one is refused (``Path("")`` would silently mean the current directory)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path (allowed: a file or directory path)")
    return Path(text)


def check_out_dir(out: Path) -> None:
    """Refuse an ``--out`` that cannot become the report directory before any work, so nothing is half-written:
    an existing file, a dangling or looping link, a path under a file, or a name the system refuses."""
    allowed = "allowed: a directory, created if missing"
    try:
        if out.is_symlink() and not out.exists():
            raise UsageError(f"--out {clip(str(out))}: is a link to nothing or a link loop ({allowed})")
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {clip(str(out))}: is an existing file ({allowed})")
        blocking = next((p for p in out.absolute().parents if p.exists() and not p.is_dir()), None)
    except OSError as exc:
        raise UsageError(f"--out {clip(str(out))}: unusable path ({exc.strerror or exc}; {allowed})") from None
    if blocking is not None:
        raise UsageError(f"--out {clip(str(out))}: {clip(str(blocking))} is a file, not a directory ({allowed})")


def write_graph_files(graph: ResourceGraph, out: Path) -> tuple[Path, Path]:
    """Write preview.json and stack-export.json (the two formats the loaders read), both or neither."""
    preview, export = write_files(
        {
            "preview.json": json.dumps(graph.to_preview_json(), indent=2, sort_keys=True) + "\n",
            "stack-export.json": json.dumps(graph.to_stack_export(), indent=2, sort_keys=True) + "\n",
        },
        out,
    )
    return preview, export


def cmd_preview(args: argparse.Namespace, console: Console) -> int:
    from ai_security_baseline.verify.engine.offline import run_stack  # noqa: PLC0415 - loads pulumi and the program

    check_out_dir(args.out)
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
    from ai_security_baseline.verify.engine.graph import load_preview_file, load_stack_export_file  # noqa: PLC0415

    if args.preview:
        return load_preview_file(args.preview), f"pulumi preview --json file {args.preview}"
    if args.stack_export:
        return load_stack_export_file(args.stack_export), f"pulumi stack export file {args.stack_export}"
    from ai_security_baseline.verify.engine.offline import run_stack  # noqa: PLC0415 - loads pulumi and the program

    stack = args.stack or "dev"
    return run_stack(stack, root=args.project_dir).graph, f"offline run of stack {stack}"


def load_without_collecting(args: argparse.Namespace) -> tuple[ResourceGraph, str]:
    """``load_scan_graph`` with the cyclic garbage collector paused, then its objects frozen: the graph lives until
    the command exits, and re-traversing its millions of objects in every full collection made a 50k-resource scan
    grow faster than the graph."""
    with collector_paused():
        loaded = load_scan_graph(args)
    gc.freeze()
    return loaded


def refuse_malformed(findings: Sequence[Finding], path: Path) -> None:
    """A preview or export file whose resource properties have shapes the checks cannot read is bad input: one line
    naming the file and the first such resource, exit 2 (from a stack render, the same is an ``error`` finding)."""
    malformed = next((f for f in findings if f.status == "error" and SHAPE_MESSAGE in f.message), None)
    if malformed is not None:
        raise UsageError(
            clip(f"{path}: {malformed.urn}: {malformed.message.removeprefix('cannot decide: ')}", 400)
            + " (allowed: the property types pulumi preview --json and pulumi stack export write)"
        )


def drawn(graph: ResourceGraph, draw: Callable[[ResourceGraph], str]) -> str:
    """The report's diagram, or none when a property of an unexpected shape stops the drawing (the checks report
    that resource as ``error``; the picture is not worth failing the scan for)."""
    try:
        return draw(graph)
    except SHAPE_ERRORS:
        return ""


def cmd_scan(args: argparse.Namespace, console: Console) -> int:
    from ai_security_baseline.verify.findings.catalog import load_catalog  # noqa: PLC0415
    from ai_security_baseline.verify.findings.waivers import load_waivers  # noqa: PLC0415
    from ai_security_baseline.verify.pipeline import conclude, offline_checks, publish  # noqa: PLC0415
    from ai_security_baseline.verify.reports.diagram import mermaid_diagram  # noqa: PLC0415

    formats = parse_formats(args.format)
    check_out_dir(args.out)
    catalog = load_catalog()
    waivers = load_waivers(args.waivers, catalog)
    if args.checkov:  # a missing checkov is bad input: say so before seconds of rendering and analysis
        from ai_security_baseline.verify.checkers.checkov import find_checkov  # noqa: PLC0415

        find_checkov()
    progress = progress_console()
    progress.print("scan: loading the resource graph", style="dim")
    graph, source = load_without_collecting(args)
    checkers = "policy rules, IAM validation, access analysis" + (", checkov" if args.checkov else "")
    progress.print(f"scan: {len(graph)} resources; running {checkers}", style="dim")
    path = args.preview or args.stack_export
    screen = (lambda found: refuse_malformed(found, path)) if path else None
    checked = offline_checks(graph, catalog, checkov=args.checkov, screen=screen)
    if path:
        refuse_malformed(checked.findings, path)
    stack = graph.stack or args.stack or "dev"
    diagram = drawn(graph, mermaid_diagram) if "md" in formats else ""  # only the Markdown report shows it
    concluded = conclude(checked, waivers, catalog, stack=stack, source=source, diagram=diagram)
    progress.print("scan: writing the reports", style="dim")
    return publish(console, concluded, catalog, formats, args.out, verbose=args.verbose)


def cmd_diagram(args: argparse.Namespace, console: Console) -> int:
    """One Mermaid view of the graph to stdout (``--out -``) or a file; plain text, never rich markup."""
    from ai_security_baseline.verify.reports.diagram import mermaid_diagram  # noqa: PLC0415

    if args.view not in DIAGRAM_VIEWS:  # checked before loading: a typo costs no offline run
        raise UsageError(f"--view {args.view}: unknown view (one of {', '.join(DIAGRAM_VIEWS)})")
    graph, _ = load_scan_graph(args)
    try:
        text = mermaid_diagram(graph, args.view)
    except SHAPE_ERRORS as exc:
        raise UsageError(clip(f"cannot draw the graph: a property has an unexpected type or shape ({exc!r})")) from None
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


def access_table(access: AccessReport) -> Table:
    """The evaluated matrix: one row per role x resource, one column per probed action (Allow/deny, mismatch red)."""
    from rich.table import Table  # noqa: PLC0415 - only the access command prints a table

    from ai_security_baseline.verify.iam.analysis import matrix_cells  # noqa: PLC0415 - heavy, only for access

    table = Table(title="Access matrix, evaluated offline (the expected value is shown where it differs)")
    table.add_column("role")
    table.add_column("resource")
    actions = list(dict.fromkeys(row.action for row in access.rows))
    for action in actions:
        table.add_column(action)
    for (role, resource), by_action in matrix_cells(access).items():
        styled = {
            action: f"[red bold]{text}[/]" if differs else f"[green]{text}[/]" if allowed else text
            for action, (text, allowed, differs) in by_action.items()
        }
        table.add_row(role, resource, *[styled[a] for a in actions])
    return table


class AnalysisFailedError(RuntimeError):
    """The access analysis cannot model the stack: nothing was evaluated (exit 2, one line)."""


def cmd_access(args: argparse.Namespace, console: Console) -> int:
    from ai_security_baseline.verify.engine.offline import run_stack  # noqa: PLC0415
    from ai_security_baseline.verify.iam.analysis import AnalysisError, analyze, requests_json  # noqa: PLC0415
    from ai_security_baseline.verify.iam.evaluator import PolicyEvaluationError  # noqa: PLC0415

    graph = run_stack(args.stack, root=args.project_dir).graph
    try:
        access = analyze(graph, sweep=args.sweep)
    except (AnalysisError, PolicyEvaluationError) as exc:
        raise AnalysisFailedError(f"access analysis could not run: {exc}") from None
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


def add_graph_source(command: argparse.ArgumentParser) -> None:
    """Where a command's resource graph comes from: an offline run, a preview file or a stack export (one of)."""
    source = command.add_mutually_exclusive_group()
    source.add_argument("--stack", help="run Pulumi.<stack>.yaml offline (default: dev)")
    source.add_argument("--preview", type=path_argument, help="a `pulumi preview --json --show-sames` output file")
    source.add_argument("--stack-export", type=path_argument, help="a `pulumi stack export` output file")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baseline",
        description="AI Security Baseline: run, scan and prove the Pulumi baseline offline.",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=PROJECT_ROOT,
        help="directory holding Pulumi.yaml and the stack files (default: this checkout, else the current directory)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    preview = commands.add_parser(
        "preview",
        help="run a stack offline, print its resource tree, write preview.json and stack-export.json",
        description="Run the Pulumi program offline under mocks (no CLI, no cloud) and write the "
        "graph as pulumi preview --json and pulumi stack export documents.",
    )
    preview.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    preview.add_argument(
        "--out", type=path_argument, default=Path("reports"), help="output directory (default: reports)"
    )
    preview.set_defaults(handler=cmd_preview)

    scan = commands.add_parser(
        "scan",
        help="check every control on a stack or a real preview/export file and write the reports",
        description="Run the policy rules over the resource graph of an offline run (--stack) or of a real "
        "`pulumi preview --json --show-sames` (--preview) or `pulumi stack export` (--stack-export) file, apply "
        "the waivers and write the reports. Exit 0 when no unwaived failure or undecided check remains, 1 "
        "otherwise, 2 on bad input.",
    )
    add_graph_source(scan)
    scan.add_argument(
        "--format", default="table,md,json,sarif,junit", help=f"comma-separated, any of {', '.join(FORMATS)}"
    )
    scan.add_argument("--out", type=path_argument, default=Path("reports"), help="output directory (default: reports)")
    scan.add_argument(
        "--no-checkov",
        dest="checkov",
        action="store_false",
        help="skip checkov's built-in checks (faster; the rules still run)",
    )
    scan.add_argument(
        "--waivers", type=path_argument, default=WAIVERS_PATH, help="waiver file (default: policies/waivers.yaml)"
    )
    scan.add_argument(
        "--verbose",
        action="store_true",
        help="also print every waiver's justification and every failure (the summary otherwise fits one screen)",
    )
    scan.set_defaults(handler=cmd_scan)

    diagram = commands.add_parser(
        "diagram",
        help="write one view of a stack or a real preview/export file as a Mermaid flowchart",
        description="Derive a Mermaid `flowchart LR` view, edges labelled by what protects them: dataflow (roles -> "
        "VPC endpoints -> buckets), encryption (buckets, log groups, secrets, the trail, the guardrail -> keys), audit "
        "(trail, flow logs, access logs -> the archives), detection (scans, Config, DNS, findings -> alarms) or ai "
        "(inference -> guardrail -> Bedrock models, invocation logs, Studio, model registry), from the resource graph "
        "of an offline run (--stack) or of a real preview (--preview) or stack export (--stack-export) file. Exit 2 "
        "on bad input.",
    )
    add_graph_source(diagram)
    diagram.add_argument("--out", type=path_argument, default=Path("-"), help="output file, - for stdout (default: -)")
    diagram.add_argument(
        "--view",
        default=DIAGRAM_VIEWS[0],
        metavar="{" + ",".join(DIAGRAM_VIEWS) + "}",
        help="which picture (default: dataflow)",
    )
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

    add_demo_commands(commands)
    add_mutate_command(commands)
    return parser


def run_demo(args: argparse.Namespace, console: Console) -> int:
    from ai_security_baseline.verify.demo import run_demo as demo  # noqa: PLC0415 - boto3, moto and the emulator load only here

    check_out_dir(args.out)  # before moto starts and the stack deploys
    return demo(args, console)


def run_audit(args: argparse.Namespace, console: Console) -> int:
    from ai_security_baseline.verify.demo import run_audit_command  # noqa: PLC0415 - boto3 loads only here

    check_out_dir(args.out)  # before any call to the account
    return run_audit_command(args, console)


def add_demo_commands(commands: Any) -> None:
    """Register ``demo`` and ``audit``; their handlers import boto3 and moto only when they run."""
    demo = commands.add_parser(
        "demo",
        help="start moto, deploy the stack into it, scan the rules, audit it live, write the reports",
        description="Start a local moto_server (127.0.0.1, fake credentials), deploy the stack into it through "
        "the real program, run the rules scan and the live audit, print and write the reports, stop moto. "
        f"Exit 0 clean, 1 findings, 2 bad input, {EXIT_DEPLOY_FAILED} the deploy failed.",
    )
    demo.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    demo.add_argument("--keep", action="store_true", help="leave moto running and print how to reach it")
    demo.add_argument(
        "--port", type=port_number, default=0, help="moto's port on 127.0.0.1 (default: a free one); busy: exit 2"
    )
    demo.add_argument("--out", type=path_argument, default=Path("reports"), help="output directory (default: reports)")
    demo.add_argument("--waivers", type=path_argument, default=WAIVERS_PATH, help="waiver file")
    demo.set_defaults(handler=run_demo)

    audit = commands.add_parser(
        "audit",
        help="read a deployed stack back through the AWS API (read-only) and check every observable control",
        description="Audit a deployed stack from its outputs (`pulumi stack output --json`). Only read-only "
        "calls. Exit 0 clean, 1 findings, 2 bad input (missing outputs file, credentials or endpoint).",
    )
    audit.add_argument("--outputs", type=path_argument, required=True, help="`pulumi stack output --json` file")
    audit.add_argument("--endpoint-url", help="AWS endpoint (e.g. a moto server); default: AWS itself")
    audit.add_argument("--region", help="region of the stack (default: AWS_REGION)")
    audit.add_argument("--stack", default="dev", help="stack name shown in the report (default: dev)")
    audit.add_argument("--out", type=path_argument, default=Path("reports"), help="output directory (default: reports)")
    audit.add_argument("--waivers", type=path_argument, default=WAIVERS_PATH, help="waiver file")
    audit.set_defaults(handler=run_audit)


def add_mutate_command(commands: Any) -> None:
    from ai_security_baseline.verify.mutate_command import add_command  # noqa: PLC0415 - the command module is light; its runner is not

    add_command(commands)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console()
    errors = Console(stderr=True)
    try:
        result: int = args.handler(args, console)
        return result
    except KeyboardInterrupt:  # the demo's moto server is already stopped by its context manager
        errors.print("[red]interrupted[/]", highlight=False)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if isinstance(exc, loaded_errors([("ai_security_baseline.verify.checkers.checkov", "CheckovRunError")])):
            errors.print(f"[red]error:[/] checkov failed, no report written: {escape(str(exc))}", soft_wrap=True)
            return EXIT_FINDINGS
        if isinstance(exc, (UsageError, AnalysisFailedError, *loaded_errors(BAD_INPUT_ERRORS))):
            errors.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            return EXIT_BAD_INPUT
        raise


def entry() -> None:
    """The ``baseline`` command: ``main``, then exit. Everything still alive is frozen first, so the interpreter's
    final collection does not traverse the program's million objects (about a second of every command)."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()

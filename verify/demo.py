"""``baseline demo`` and ``baseline audit``: deploy the stack into moto, scan it, audit it live.

Why a separate module: the commands need boto3, moto and a subprocess; ``verify.cli`` imports this lazily,
so ``baseline scan`` stays as fast and dependency-light as before.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
from rich.console import Console
from rich.markup import escape

from verify.checkers.audit import AuditSetupError, load_outputs, run_audit
from verify.checkers.checkov import checkov_findings
from verify.checkers.rules import scan_rules
from verify.emulator.deploy import MotoDeployError, MotoMocks
from verify.emulator.server import FAKE_AWS_ENV, MotoServer, running_moto
from verify.engine.offline import OfflineRun, run_stack, stack_config
from verify.findings.catalog import load_catalog
from verify.findings.finding import Finding
from verify.findings.waivers import WAIVERS_PATH, apply_waivers, load_waivers
from verify.iam.analysis import analyze, matrix_markdown
from verify.iam.validation import validation_findings
from verify.reports import report
from verify.reports.diagram import mermaid_diagram

EXIT_DEPLOY_FAILED = 3
DEFAULT_REGION = "eu-west-1"


@dataclass(frozen=True)
class Deployment:
    run: OfflineRun
    mocks: MotoMocks
    seconds: float


def deploy(
    server: MotoServer, stack: str, root: Path, progress: Callable[[str, str], None] | None = None
) -> Deployment:
    """Run ``__main__.py`` with every resource created in ``server``; MotoDeployError names what failed."""
    started = time.monotonic()
    mocks = MotoMocks(server.endpoint_url, server.region, on_progress=progress)
    try:
        run = run_stack(stack, root=root, mocks=mocks)
    except Exception as exc:
        if mocks.failures:  # the SDK surfaces whichever registration failed last: report the first cause
            raise mocks.failures[0] from exc
        raise
    mocks.finish()
    return Deployment(run, mocks, time.monotonic() - started)


def moto_session(server: MotoServer) -> Any:
    """A boto3 session with the fake credentials only (never a profile)."""
    return boto3.session.Session(
        aws_access_key_id=FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_AWS_ENV["AWS_SESSION_TOKEN"],
        region_name=server.region,
    )


def stack_region(stack: str, root: Path) -> str:
    return str(stack_config(stack, root).get("aws:region") or DEFAULT_REGION)


def _report(
    console: Console,
    findings: list[Finding],
    *,
    stack: str,
    source: str,
    out: Path,
    waivers_path: Path,
    diagram: str = "",
    access_matrix: str = "",
) -> tuple[int, list[Path]]:
    from verify.cli import REPORT_FILES, TOOL_VERSION, coverage_warnings, write_reports  # noqa: PLC0415 - cli imports us

    catalog = load_catalog()
    outcome = apply_waivers(findings, load_waivers(waivers_path, catalog), date.today())
    final = list(outcome.findings)
    meta = report.ReportMeta(
        stack=stack,
        source=source,
        tool_version=TOOL_VERSION,
        warnings=(*outcome.warnings, *coverage_warnings(final)),
        diagram=diagram,
        access_matrix=access_matrix,
    )
    console.print(report.render_terminal(final, catalog, meta))
    written = write_reports(final, catalog, meta, list(REPORT_FILES), out)
    return report.exit_code(final, catalog), written


def run_demo(
    args: argparse.Namespace,
    console: Console,
    *,
    before_deploy: Callable[[MotoServer], None] | None = None,
    on_server: Callable[[MotoServer], None] | None = None,
) -> int:
    """Start moto, deploy, scan the rules, audit live, report, stop moto (unless ``--keep``).

    ``before_deploy``/``on_server`` are test hooks (inject a moto error, learn the pid).
    """
    region = stack_region(args.stack, args.project_dir)
    started = time.monotonic()
    with running_moto(region, keep=args.keep) as server:
        if on_server:
            on_server(server)
        console.print(f"moto_server pid {server.pid} on {server.endpoint_url} (region {region})")
        if before_deploy:
            before_deploy(server)

        def progress(typ: str, name: str) -> None:
            console.print(f"  deploying {escape(typ)} [bold]{escape(name)}[/]", highlight=False)

        try:
            deployment = deploy(server, args.stack, args.project_dir, progress)
        except MotoDeployError as exc:
            console.print(
                f"[red]deploy failed:[/] {escape(exc.typ)} [bold]{escape(exc.name)}[/]: {escape(exc.cause)}",
                highlight=False,
                soft_wrap=True,
            )
            console.print("moto_server stopped" + (" (--keep ignored after a failure)" if args.keep else ""))
            return EXIT_DEPLOY_FAILED
        created = len(deployment.mocks.created)
        console.print(f"deployed {created} resources into moto in {deployment.seconds:.1f}s")
        graph = deployment.run.graph
        console.print("scanning: policy rules, checkov, access analysis; then the live audit")
        access = analyze(graph)
        offline = scan_rules(graph) + validation_findings(graph) + checkov_findings(graph) + access.findings()
        audit = run_audit(
            deployment.run.exports, region=region, endpoint_url=server.endpoint_url, session=moto_session(server)
        )
        code, written = _report(
            console,
            offline + audit,
            stack=args.stack,
            source=f"moto deploy of stack {args.stack}",
            out=args.out,
            waivers_path=args.waivers,
            diagram=mermaid_diagram(graph),
            access_matrix=matrix_markdown(access),
        )
        console.print("Wrote " + ", ".join(str(p) for p in written))
        console.print(f"demo took {time.monotonic() - started:.1f}s")
        if args.keep:
            console.print(
                f"moto_server left running: pid {server.pid}, endpoint {server.endpoint_url}\n"
                f"  try: AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url "
                f"{server.endpoint_url} --region {region} s3api list-buckets\n"
                f"  stop it with: kill {server.pid}",
                soft_wrap=True,
            )
        else:
            console.print("moto_server stopped")
        return code


def run_audit_command(args: argparse.Namespace, console: Console) -> int:
    """``baseline audit``: read-only audit of the account the credentials (or --endpoint-url) reach."""

    outputs = load_outputs(args.outputs)
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise AuditSetupError("no region: pass --region or set AWS_REGION")
    findings = run_audit(outputs, region=region, endpoint_url=args.endpoint_url)
    where = args.endpoint_url or f"AWS {region}"
    code, written = _report(
        console, findings, stack=args.stack, source=f"live audit of {where}", out=args.out, waivers_path=args.waivers
    )
    console.print("Wrote " + ", ".join(str(p) for p in written))
    return code


def add_commands(commands: Any, project_root: Path) -> None:
    """Register ``demo`` and ``audit`` on the CLI's subparsers."""
    demo = commands.add_parser(
        "demo",
        help="start moto, deploy the stack into it, scan the rules, audit it live, write the reports",
        description="Start a local moto_server (127.0.0.1, fake credentials), deploy the stack into it through "
        "the real program, run the rules scan and the live audit, print and write the reports, stop moto. "
        f"Exit 0 clean, 1 findings, 2 bad input, {EXIT_DEPLOY_FAILED} the deploy failed.",
    )
    demo.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    demo.add_argument("--keep", action="store_true", help="leave moto running and print how to reach it")
    demo.add_argument("--out", type=Path, default=Path("reports"), help="output directory (default: reports)")
    demo.add_argument("--waivers", type=Path, default=WAIVERS_PATH, help="waiver file")
    demo.set_defaults(handler=run_demo)

    audit = commands.add_parser(
        "audit",
        help="read a deployed stack back through the AWS API (read-only) and check every observable control",
        description="Audit a deployed stack from its outputs (`pulumi stack output --json`). Only read-only "
        "calls. Exit 0 clean, 1 findings, 2 bad input (missing outputs file, credentials or endpoint).",
    )
    audit.add_argument("--outputs", type=Path, required=True, help="`pulumi stack output --json` file")
    audit.add_argument("--endpoint-url", help="AWS endpoint (e.g. a moto server); default: AWS itself")
    audit.add_argument("--region", help="region of the stack (default: AWS_REGION)")
    audit.add_argument("--stack", default="dev", help="stack name shown in the report (default: dev)")
    audit.add_argument("--out", type=Path, default=Path("reports"), help="output directory (default: reports)")
    audit.add_argument("--waivers", type=Path, default=WAIVERS_PATH, help="waiver file")
    audit.set_defaults(handler=run_audit_command)


__all__: Sequence[str] = ("EXIT_DEPLOY_FAILED", "Deployment", "add_commands", "deploy", "run_demo")

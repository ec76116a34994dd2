"""``baseline demo`` and ``baseline audit``: deploy the stack into moto, scan it, audit it live.

Why a separate module: the commands need boto3, moto and a subprocess; ``verify.cli`` registers the commands and
imports this module only when one of them runs, so every other command starts without them. Findings go through
``ai_security_baseline.verify.pipeline`` like ``baseline scan``'s.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ai_security_baseline.verify.checkers.audit import AuditSetupError, load_outputs, run_audit
from ai_security_baseline.verify.emulator.deploy import MotoDeployError, MotoMocks
from ai_security_baseline.verify.emulator.server import MotoServer, isolated_session, running_moto
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack, stack_config
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.waivers import load_waivers
from ai_security_baseline.verify.pipeline import (
    EXIT_DEPLOY_FAILED,
    Checked,
    conclude,
    offline_checks,
    progress_console,
    publish,
)
from ai_security_baseline.verify.reports.diagram import mermaid_diagram

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
    """A boto3 session with the fake credentials only: no profile, no ~/.aws file, no AWS_* variable."""
    return isolated_session(server.region)


def stack_region(stack: str, root: Path) -> str:
    return str(stack_config(stack, root).get("aws:region") or DEFAULT_REGION)


def _report(
    console: Console, checked: Checked, *, stack: str, source: str, args: argparse.Namespace, diagram: str = ""
) -> int:
    """Waivers, coverage and every report format through the one pipeline ``baseline scan`` uses."""
    catalog = load_catalog()
    waivers = load_waivers(args.waivers, catalog)
    concluded = conclude(checked, waivers, catalog, stack=stack, source=source, diagram=diagram)
    return publish(console, concluded, catalog, ("table", "md", "json", "sarif", "junit"), args.out)


def run_demo(
    args: argparse.Namespace,
    console: Console,
    *,
    before_deploy: Callable[[MotoServer], None] | None = None,
    on_server: Callable[[MotoServer], None] | None = None,
    progress: Console | None = None,
) -> int:
    """Start moto, deploy, scan the rules, audit live, report, stop moto (unless ``--keep``).

    ``before_deploy``/``on_server`` are test hooks (inject a moto error, learn the pid). Progress (moto, each
    deployed resource, the stages) goes to ``progress``, by default stderr on a terminal: stdout is the report.
    """
    progress = progress or progress_console()
    load_waivers(args.waivers, load_catalog())  # a bad waiver file is bad input before anything is deployed
    region = stack_region(args.stack, args.project_dir)
    started = time.monotonic()
    with running_moto(region, keep=args.keep, port=args.port) as server:
        if on_server:
            on_server(server)
        progress.print(f"moto_server pid {server.pid} on {server.endpoint_url} (region {region})")
        if before_deploy:
            before_deploy(server)

        def deploying(typ: str, name: str) -> None:
            progress.print(f"  deploying {escape(typ)} [bold]{escape(name)}[/]", highlight=False)

        try:
            deployment = deploy(server, args.stack, args.project_dir, deploying)
        except MotoDeployError as exc:
            console.print(
                f"[red]deploy failed:[/] {escape(exc.typ)} [bold]{escape(exc.name)}[/]: {escape(exc.cause)}",
                highlight=False,
                soft_wrap=True,
            )
            server.keep_log = True
            server.stop()  # here, not by running_moto: with --keep it would leave a failed account running
            console.print("moto_server stopped" + (" (--keep ignored after a failure)" if args.keep else ""))
            console.print(f"moto_server log kept: {escape(str(server.log_path))}", highlight=False, soft_wrap=True)
            return EXIT_DEPLOY_FAILED
        created = len(deployment.mocks.created)
        progress.print(f"deployed {created} resources into moto in {deployment.seconds:.1f}s")
        graph = deployment.run.graph
        progress.print("scanning: policy rules, checkov, access analysis; then the live audit")
        offline = offline_checks(graph, load_catalog(), checkov=True, sweep=False)
        audit = run_audit(
            deployment.run.exports, region=region, endpoint_url=server.endpoint_url, session=moto_session(server)
        )
        code = _report(
            console,
            offline + Checked(tuple(audit), frozenset({"audit"})),
            stack=args.stack,
            source=f"moto deploy of stack {args.stack}",
            args=args,
            diagram=mermaid_diagram(graph),
        )
        progress.print(f"demo took {time.monotonic() - started:.1f}s")
        if args.keep:
            console.print(
                f"moto_server left running: pid {server.pid}, endpoint {server.endpoint_url}\n"
                f"  try: env -u AWS_PROFILE AWS_CONFIG_FILE={os.devnull} AWS_SHARED_CREDENTIALS_FILE={os.devnull} "
                f"AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url "
                f"{server.endpoint_url} --region {region} s3api list-buckets\n"
                f"  stop it with: kill {server.pid}\n"
                f"  its log: {server.log_path}",
                soft_wrap=True,
            )
        else:
            progress.print("moto_server stopped")
        return code


def run_audit_command(args: argparse.Namespace, console: Console) -> int:
    """``baseline audit``: read-only audit of the account the credentials (or --endpoint-url) reach."""

    outputs = load_outputs(args.outputs)
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise AuditSetupError("no region: pass --region or set AWS_REGION")
    findings = run_audit(outputs, region=region, endpoint_url=args.endpoint_url)
    where = args.endpoint_url or f"AWS {region}"
    checked = Checked(tuple(findings), frozenset({"audit"}))
    return _report(console, checked, stack=args.stack, source=f"live audit of {where}", args=args)


__all__: Sequence[str] = ("EXIT_DEPLOY_FAILED", "Deployment", "deploy", "moto_session", "run_demo", "stack_region")

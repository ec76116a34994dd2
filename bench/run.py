"""Benchmark of the offline pipeline: every stage on the dev stack, ratios, and scaling.

A script, not a test: ``make bench`` (or ``python bench/run.py --runs 5``). Prints a rich table and writes
``reports/bench.json`` with the machine (cores, load average before/after each stage), Python, package and checkov
versions. Timings are wall clock (``time.perf_counter``); medians, min/max and IQR over ``--runs`` runs.

Stages other work adds later (access analysis, moto deploy, live audit) are one ``Stage`` entry each, detected with
``importlib.util.find_spec``: absent, the stage is listed as "not available on this checkout", never given a number.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
from rich.console import Console
from rich.table import Table

from ai_security_baseline.components.baseline import AiSecurityBaseline, make_provider
from ai_security_baseline.components.config import load_config, parse_region
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.verify import cli
from ai_security_baseline.verify.checkers.checkov import CHECKOV_VERSION, find_checkov, graph_to_plan, scan_checkov
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.copies import copy_graph
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import (
    OfflineRun,
    project_name,
    run_program,
    run_stack,
    stack_config,
)
from ai_security_baseline.verify.project import PROJECT_ROOT

STACK = "dev"
PACKAGES = ("ai-security-baseline", "pulumi", "pulumi-aws", "pydantic", "protobuf", "grpcio", "rich", "pyyaml")
#: Resources one extra data bucket adds (component + bucket + 7 side resources): how N is chosen for a scale.
RESOURCES_PER_EXTRA_BUCKET = 9
#: Super-linear: the 16x stack takes more than this many times the 1x time.
SUPERLINEAR_LIMIT = 20.0
#: The dev stack's physical-name stems (prefix ``aisb``, environment ``dev``): what ``copy_graph`` renames per copy.
NAME_STEMS = ("aisb-dev", "/aisb/dev/")
#: The large-graph target: the largest preview scans in at most this many times the smallest's time.
LARGE_SCAN_LIMIT = 10.0
IMPORT_FLOOR = "import pulumi, pulumi_aws"
ENGINE_IN_SUBPROCESS = f"from ai_security_baseline.verify.engine.offline import run_stack; run_stack({STACK!r})"


# ---- timing -------------------------------------------------------------------------------------------------------


@dataclass
class Timing:
    """Seconds of each run of one stage, and the load average around them."""

    samples: list[float]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def summary(self) -> dict[str, Any]:
        xs = sorted(self.samples)
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else (xs[0], 0.0, xs[0])
        return {
            "runs": len(xs),
            "median_s": statistics.median(xs),
            "min_s": xs[0],
            "max_s": xs[-1],
            "iqr_s": q3 - q1,
            "samples_s": self.samples,
            "loadavg_before": self.load_before,
            "loadavg_after": self.load_after,
        }


def measure(fn: Callable[[], object], runs: int, *, warmup: int = 0) -> Timing:
    """Run ``fn`` ``warmup`` times unmeasured, then ``runs`` times measured."""
    for _ in range(warmup):
        fn()
    before = os.getloadavg()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(samples, before, os.getloadavg())


def quiet(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` with stdout/stderr swallowed (the CLI prints its tables)."""

    def run() -> object:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return fn()

    return run


def python_subprocess(code: str) -> Callable[[], object]:
    """A fresh interpreter running ``code`` in the project root: includes interpreter start and imports."""

    def run() -> object:
        return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True, capture_output=True)

    return run


def cli_main(*argv: str) -> Callable[[], object]:
    """``baseline <argv>`` in-process; a non-zero exit is a benchmark error, not a timing."""

    def run() -> object:
        code = cli.main(list(argv))
        if code != cli.EXIT_OK:
            raise RuntimeError(f"baseline {' '.join(argv)} exited {code}")
        return code

    return quiet(run)


# ---- stages -------------------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What the stages share: the dev run (built once) and a scratch report directory."""

    runs: int
    out: Path
    dev: OfflineRun = field(init=False)

    def __post_init__(self) -> None:
        self.dev = run_stack(STACK)


@dataclass(frozen=True)
class Stage:
    """One benchmark stage. ``requires``: module the stage needs (absent -> not available, no number)."""

    name: str
    what: str
    make: Callable[[Context], Callable[[], object]] | None  # None: recorded while building the Context
    requires: str | None = None
    runs: Callable[[Context], int] = lambda ctx: ctx.runs
    warmup: int = 1


def _analysis(ctx: Context) -> Callable[[], object]:
    from ai_security_baseline.verify.iam import analysis  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415 - optional stage

    return lambda: analysis.analyze(ctx.dev.graph)


def _sweep(ctx: Context) -> Callable[[], object]:
    from ai_security_baseline.verify.iam import sweep  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415 - optional stage

    stack = sweep.sweep_stack(ctx.dev.graph)
    return lambda: sweep.run_sweep(stack)


def _sweep_rows(factors_arg: str, only: set[str], console: Console) -> dict[str, Any]:
    """The sweep's scale rows and evaluator ratio, when the sweep exists and is selected."""
    factors = [int(f) for f in factors_arg.split(",") if f.strip()]
    if (
        not factors
        or not importlib.util.find_spec("ai_security_baseline.verify.iam.sweep")
        or (only and "access sweep" not in only)
    ):
        return {}
    console.print(f"[dim]access sweep at {factors} …[/]")
    return sweep_bench(factors)


def _large_rows(sizes_arg: str, out: Path, console: Console) -> list[dict[str, Any]]:
    """The large-graph scans, when sizes are given."""
    sizes = [int(s) for s in sizes_arg.split(",") if s.strip()]
    if not sizes:
        return []
    console.print(f"[dim]baseline scan --preview of {sizes} resources …[/]")
    return large_scans(sizes, out)


def _same(value: Any) -> Any:
    return value


def sweep_bench(factors: Sequence[int], sample: int = 3000) -> dict[str, Any]:
    """The access sweep: requests/second at each factor (``storage.extraDataBuckets`` adds data buckets: factor f
    has 5*(f-1) extra buckets, capped at 64), and compiled vs reference evaluator on the same requests at 1x."""
    from ai_security_baseline.verify.iam import evaluator as access  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415 - optional stage
    from ai_security_baseline.verify.iam import sweep  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415 - optional stage

    rows: list[dict[str, Any]] = []
    for factor in factors:
        extra = min(64, 5 * (factor - 1))
        graph = run_stack(STACK, overrides={"baseline:storage": {"extraDataBuckets": extra}}).graph
        stack = sweep.sweep_stack(graph)
        result = sweep.run_sweep(stack)
        rows.append(
            {
                "factor": factor,
                "extra_data_buckets": extra,
                "buckets": len(stack.bucket_arns),
                "requests": result.evaluated,
                "seconds": result.seconds,
                "requests_per_s": result.evaluated / result.seconds,
                "mismatches": len(result.mismatches),
            }
        )
    first = rows[0]
    for row in rows:
        row["seconds_growth_vs_1x"] = row["seconds"] / first["seconds"]
        row["requests_growth_vs_1x"] = row["requests"] / first["requests"]
    stack = sweep.sweep_stack(run_stack(STACK).graph)
    requests = list(sweep.enumerate_requests(stack))[:: max(1, 200_000 // sample)][:sample]
    pairs = [(sweep.to_request(r), sweep.policy_set(stack, r)) for r in requests]

    def naive() -> None:
        for request, policies in pairs:
            with contextlib.suppress(access.PolicyEvaluationError):
                access.evaluate(request, policies)

    def compiled() -> None:
        evaluator = sweep.CompiledEvaluator()
        for r, (request, policies) in zip(requests, pairs, strict=True):
            with contextlib.suppress(access.PolicyEvaluationError):
                caller = evaluator.caller(request)
                key = (
                    r.principal.name,
                    r.target.arn,
                    r.action.lower().startswith("sts:"),
                    str(r.context.get("aws:SourceVpce", "")),
                )
                evaluator.compiled(key, partial(_same, policies)).decide(
                    request, caller, sweep.evaluation_context(request, caller)
                )

    start = time.perf_counter()
    naive()
    naive_s = time.perf_counter() - start
    start = time.perf_counter()
    compiled()
    compiled_s = time.perf_counter() - start
    return {
        "rows": rows,
        "naive_vs_compiled": {
            "requests": len(pairs),
            "naive_s": naive_s,
            "compiled_s": compiled_s,
            "ratio": naive_s / compiled_s,
        },
    }


def _moto_deploy(ctx: Context) -> Callable[[], object]:
    from ai_security_baseline.verify import demo  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415
    from ai_security_baseline.verify.emulator import server as moto_server  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415

    region = str(stack_config(STACK).get("aws:region", "eu-west-1"))

    def run() -> object:
        with moto_server.running_moto(region, keep=False) as server:
            return demo.deploy(server, STACK, PROJECT_ROOT)

    return run


def _deployed_server() -> tuple[Any, Any, str]:
    """A moto server holding the deployed dev stack, kept until the benchmark ends (closed via ``ctx_exit``)."""
    from ai_security_baseline.verify import demo  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415
    from ai_security_baseline.verify.emulator import server as moto_server  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415

    region = str(stack_config(STACK).get("aws:region", "eu-west-1"))
    stack = contextlib.ExitStack()
    server = stack.enter_context(moto_server.running_moto(region, keep=False))
    ctx_exit.append(stack.close)
    return server, demo.deploy(server, STACK, PROJECT_ROOT), region


def _live_audit(ctx: Context) -> Callable[[], object]:
    from ai_security_baseline.verify import demo  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415
    from ai_security_baseline.verify.checkers import audit  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415

    server, deployed, region = _deployed_server()
    session = demo.moto_session(server)
    return lambda: audit.run_audit(
        deployed.run.exports, region=region, endpoint_url=server.endpoint_url, session=session
    )


def _boto3_floor(ctx: Context) -> Callable[[], object]:
    """The floor of the live audit: the bare read calls for the same resources, no checks (API round trips)."""
    from ai_security_baseline.verify import demo  # type: ignore[attr-defined,unused-ignore]  # noqa: PLC0415

    server, deployed, region = _deployed_server()
    session = demo.moto_session(server)
    out = deployed.run.exports

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=server.endpoint_url, region_name=region)

    def run() -> object:
        s3, kms, ec2 = client("s3"), client("kms"), client("ec2")
        for bucket in ("raw", "curated", "models", "accessLogs", "audit"):
            name = out[f"{bucket}BucketName"]
            s3.get_bucket_encryption(Bucket=name)
            s3.get_public_access_block(Bucket=name)
            s3.get_bucket_policy(Bucket=name)
            s3.get_bucket_versioning(Bucket=name)
        for data_class in ("data", "models", "logs"):
            kms.describe_key(KeyId=out[f"{data_class}KeyArn"])
            kms.get_key_policy(KeyId=out[f"{data_class}KeyArn"], PolicyName="default")
            kms.get_key_rotation_status(KeyId=out[f"{data_class}KeyArn"])
        vpc = [{"Name": "vpc-id", "Values": [out["vpcId"]]}]
        for call in ("describe_subnets", "describe_route_tables", "describe_network_acls", "describe_security_groups"):
            getattr(ec2, call)(Filters=vpc)
        ec2.describe_vpc_endpoints(Filters=vpc)
        ec2.describe_flow_logs()
        iam = client("iam")
        for arn in out["roleArns"].values():
            iam.get_role(RoleName=arn.rsplit("/", 1)[-1])
        client("cloudtrail").describe_trails(trailNameList=[out["trailArn"]])
        client("logs").describe_log_groups()
        client("cloudwatch").describe_alarms()
        return client("secretsmanager").describe_secret(SecretId=out["pseudonymizationSecretArn"])

    return run


#: Cleanups of stages that keep something running (a moto server) until the benchmark ends.
ctx_exit: list[Callable[[], object]] = []


def _cold_preview(ctx: Context) -> Callable[[], object]:
    """``baseline preview`` as a user runs it: a fresh interpreter, every import it makes, the engine, the files."""

    def run() -> object:
        argv = [
            sys.executable,
            "-m",
            "ai_security_baseline.verify.cli",
            "preview",
            "--stack",
            STACK,
            "--out",
            str(ctx.out),
        ]
        return subprocess.run(argv, cwd=PROJECT_ROOT, check=True, capture_output=True)

    return run


def _demo(ctx: Context) -> Callable[[], object]:
    return cli_main("demo", "--stack", STACK, "--out", str(ctx.out))


STAGES: tuple[Stage, ...] = (
    Stage(
        "import floor (subprocess)", f"fresh `python -c {IMPORT_FLOOR!r}`", lambda c: python_subprocess(IMPORT_FLOOR)
    ),
    Stage(
        "offline engine (subprocess)",
        "fresh interpreter: imports + run_stack('dev')",
        lambda c: python_subprocess(ENGINE_IN_SUBPROCESS),
    ),
    Stage(
        "baseline preview (cold)",
        "fresh `python -m ai_security_baseline.verify.cli preview --stack dev`",
        _cold_preview,
    ),
    Stage("offline engine (first run)", "first run_stack in this process (lazy pulumi_aws imports)", None),
    Stage("offline engine (warm)", "run_stack('dev') in-process, fake ids", lambda c: lambda: run_stack(STACK)),
    Stage("rule scan", "scan_rules(graph)", lambda c: lambda: scan_rules(c.dev.graph), runs=lambda c: 4 * c.runs),
    Stage(
        "checkov bridge",
        "graph_to_plan(graph)",
        lambda c: lambda: graph_to_plan(c.dev.graph),
        runs=lambda c: 4 * c.runs,
    ),
    Stage(
        "bridge + checkov",
        "scan_checkov(graph): bridge, checkov subprocess, parse",
        lambda c: lambda: scan_checkov(c.dev.graph),
        warmup=0,
    ),
    Stage(
        "baseline scan --no-checkov",
        "in-process main(['scan', '--no-checkov']): engine, rules, waivers, 5 reports",
        lambda c: cli_main("scan", "--stack", STACK, "--no-checkov", "--out", str(c.out)),
    ),
    Stage(
        "baseline scan",
        "in-process main(['scan']): as above plus checkov",
        lambda c: cli_main("scan", "--stack", STACK, "--out", str(c.out)),
        warmup=0,
    ),
    Stage(
        "make demo",
        "main(['demo']): moto deploy, rules, validation, checkov, access analysis, live audit",
        _demo,
        warmup=0,
        requires="ai_security_baseline.verify.demo",
    ),
    # ---- optional stages: measured when their module exists on this checkout ----
    Stage(
        "access analysis",
        "ai_security_baseline.verify.iam.analysis.analyze(graph)",
        _analysis,
        requires="ai_security_baseline.verify.iam.analysis",
    ),
    Stage(
        "access sweep",
        "ai_security_baseline.verify.iam.sweep.run_sweep on the dev stack",
        _sweep,
        requires="ai_security_baseline.verify.iam.sweep",
        runs=lambda c: 3,
    ),
    Stage(
        "moto deploy",
        "deploy the dev stack into a local moto server",
        _moto_deploy,
        requires="ai_security_baseline.verify.emulator.deploy",
    ),
    Stage(
        "live audit",
        "ai_security_baseline.verify.checkers.audit.run_audit on the moto-deployed stack",
        _live_audit,
        requires="ai_security_baseline.verify.checkers.audit",
        warmup=0,
    ),
    Stage(
        "boto3 listing floor",
        "the bare read calls the live audit makes, without checks (API round trips)",
        _boto3_floor,
        requires="ai_security_baseline.verify.checkers.audit",
    ),
)


def available(stage: Stage) -> bool:
    if stage.requires is None:
        return True
    try:
        return importlib.util.find_spec(stage.requires) is not None
    except ModuleNotFoundError:
        return False


# ---- scale: the dev stack with more buckets, and copies of it -----------------------------------------------------


def extra_buckets_for(factor: int, base: int) -> tuple[int, int]:
    """(extraDataBuckets, copies) giving about ``factor`` x ``base`` resources within the knob's 0-64 range."""
    copies = 1
    while True:
        wanted = factor * base / copies - base
        n = round(wanted / RESOURCES_PER_EXTRA_BUCKET)
        if n <= 64:
            return max(n, 0), copies
        copies *= 2


def scaled_program(extra: int, copies: int) -> Callable[[], None]:
    """``__main__.py``'s program built ``copies`` times (each under its own component type, environment ``<env>N``).

    One copy is exactly ``__main__.py`` with ``storage.extraDataBuckets``; copies exist only because the knob stops
    at 64 buckets and a 16x stack needs more. URNs differ by the wrapper type, physical names by the environment.
    """

    def program() -> None:
        base = load_config()
        aws_config = pulumi.Config("aws")
        region = parse_region(aws_config.get("region"))
        for i in range(copies):
            config = base.model_copy(
                update={
                    "environment": f"{base.environment}{i}" if copies > 1 else base.environment,
                    "storage": base.storage.model_copy(update={"extra_data_buckets": extra}),
                }
            )
            wrapper: pulumi.Resource | None = None
            if copies > 1:
                wrapper = pulumi.ComponentResource(f"bench:copy{i}:Copy", f"copy{i}")
            provider = (
                make_provider(config, region, aws_config.get("profile"))
                if wrapper is None
                else aws.Provider(  # same as make_provider, under the copy's wrapper
                    "aws",
                    region=region,
                    default_tags={"tags": config.mandatory_tags()},
                    opts=pulumi.ResourceOptions(parent=wrapper),
                )
            )
            invoke = pulumi.InvokeOptions(provider=provider)
            account = AccountContext(
                account_id=aws.get_caller_identity(opts=invoke).account_id,
                region=region,
                partition=aws.get_partition(opts=invoke).partition,
            )
            AiSecurityBaseline(
                "baseline", config, account, opts=pulumi.ResourceOptions(providers=[provider], parent=wrapper)
            )

    return program


def run_scaled(extra: int, copies: int) -> OfflineRun:
    if copies == 1:
        return run_stack(STACK, overrides={"baseline:storage": {"extraDataBuckets": extra}})
    sys.path.insert(0, str(PROJECT_ROOT))
    return run_program(scaled_program(extra, copies), stack=STACK, project=project_name(), config=stack_config(STACK))


def _keep(graphs: list[ResourceGraph], extra: int, copies: int) -> Callable[[], object]:
    return lambda: graphs.append(run_scaled(extra, copies).graph)


def scale(runs: int, checkov_runs: int, factors: Sequence[int]) -> list[dict[str, Any]]:
    """Engine, rules and checkov at each factor: medians, seconds per resource, growth vs 1x."""
    base = len(run_stack(STACK).graph)
    rows: list[dict[str, Any]] = []
    for factor in factors:
        extra, copies = extra_buckets_for(factor, base)
        graphs: list[ResourceGraph] = []
        engine = measure(_keep(graphs, extra, copies), runs)
        g = graphs[-1]
        rules = measure(partial(scan_rules, g), runs)
        failing = sum(1 for f in scan_rules(g) if f.status != "pass")
        checkov = measure(partial(scan_checkov, g), checkov_runs)
        rows.append(
            {
                "factor": factor,
                "extra_data_buckets": extra,
                "copies": copies,
                "resources": len(g),
                "managed_resources": len(g.custom_resources()),
                "rule_findings_not_pass": failing,
                "stages": {
                    "offline engine": engine.summary(),
                    "rule scan": rules.summary(),
                    "checkov": checkov.summary(),
                },
            }
        )
    first = rows[0]
    for row in rows:
        for name, stats in row["stages"].items():
            stats["s_per_resource"] = stats["median_s"] / row["resources"]
            stats["growth_vs_1x"] = stats["median_s"] / first["stages"][name]["median_s"]
            stats["superlinear"] = row["factor"] >= 16 and stats["growth_vs_1x"] > SUPERLINEAR_LIMIT
    return rows


# ---- large graphs: `baseline scan --preview` of N-copy graphs ------------------------------------------------------


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def large_scans(sizes: Sequence[int], out: Path) -> list[dict[str, Any]]:
    """``baseline scan --preview --no-checkov`` (fresh interpreter, every report) of copies of the dev stack with
    about ``size`` resources each. Copies fail the once-per-stack controls (one key per class, one trail), so exit 1
    is expected; anything else is an error. Wall and CPU seconds, and growth against the first size."""
    base = run_stack(STACK).graph
    rows: list[dict[str, Any]] = []
    for size in sizes:
        graph = copy_graph(base, max(1, round(size / len(base))), NAME_STEMS)
        preview = out / f"preview-{size}.json"
        preview.write_text(json.dumps(graph.to_preview_json()))
        argv = [
            sys.executable,
            "-m",
            "ai_security_baseline.verify.cli",
            "scan",
            "--preview",
            str(preview),
            "--no-checkov",
        ]
        before_cpu, start = child_cpu(), time.perf_counter()
        command = [*argv, "--out", str(out / f"scan-{size}")]
        proc = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, check=False)
        wall, cpu = time.perf_counter() - start, child_cpu() - before_cpu
        if proc.returncode not in (cli.EXIT_OK, cli.EXIT_FINDINGS):
            raise RuntimeError(f"scan of {size} resources exited {proc.returncode}: {proc.stderr.decode()[-300:]}")
        rows.append({"size": size, "resources": len(graph), "wall_s": wall, "cpu_s": cpu, "loadavg": os.getloadavg()})
    for row in rows:
        row["resources_growth"] = row["resources"] / rows[0]["resources"]
        row["wall_growth"] = row["wall_s"] / rows[0]["wall_s"]
        row["cpu_growth"] = row["cpu_s"] / rows[0]["cpu_s"]
    return rows


# ---- environment and report ---------------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    try:
        proc = subprocess.run([str(find_checkov()), "--version"], capture_output=True, text=True, check=False)
        checkov = proc.stdout.strip() or f"error: {proc.stderr.strip()[-200:]}"
    except Exception as exc:
        checkov = f"unavailable: {exc}"
    return {
        "cpu_count": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": versions,
        "checkov": {"pinned": CHECKOV_VERSION, "reported": checkov},
        "note": "wall-clock timings on a shared machine; other jobs were running (see loadavg per stage)",
    }


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def render(console: Console, result: dict[str, Any]) -> None:
    table = Table(title=f"baseline benchmark: stack {STACK} ({result['resources']} resources)")
    for column in ("stage", "runs", "median", "min", "max", "IQR", "load 1m"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in result["stages"]:
        if "median_s" not in stage:
            table.add_row(stage["name"], "", stage["status"], "", "", "", "")
            continue
        table.add_row(
            stage["name"],
            str(stage["runs"]),
            fmt(stage["median_s"]),
            fmt(stage["min_s"]),
            fmt(stage["max_s"]),
            fmt(stage["iqr_s"]),
            f"{stage['loadavg_before'][0]:.2f}",
        )
    console.print(table)
    for name, ratio in result["ratios"].items():
        console.print(f"ratio {name}: [bold]{ratio['value']:.2f}x[/] ({ratio['meaning']})")
    if result["scale"]:
        scale_table = Table(title="scale (median; growth = time / 1x time)")
        for column in ("factor", "resources", "N extra", "copies", "stage", "median", "per resource", "growth", ""):
            scale_table.add_column(column)
        for row in result["scale"]:
            for name, stats in row["stages"].items():
                scale_table.add_row(
                    f"{row['factor']}x",
                    str(row["resources"]),
                    str(row["extra_data_buckets"]),
                    str(row["copies"]),
                    name,
                    fmt(stats["median_s"]),
                    fmt(stats["s_per_resource"]),
                    f"{stats['growth_vs_1x']:.1f}x",
                    "[red]SUPER-LINEAR[/]" if stats["superlinear"] else "",
                )
        console.print(scale_table)
    for row in result.get("large", []):
        console.print(
            f"scan --preview of {row['resources']} resources: {fmt(row['wall_s'])} wall, {fmt(row['cpu_s'])} CPU "
            f"([bold]{row['cpu_growth']:.1f}x[/] the CPU time for {row['resources_growth']:.1f}x the resources; "
            f"wall {row['wall_growth']:.1f}x, load {row['loadavg'][0]:.1f})"
        )
    if result.get("sweep"):
        for row in result["sweep"]["rows"]:
            console.print(
                f"access sweep {row['factor']}x ({row['buckets']} buckets): {row['requests']} requests in "
                f"{fmt(row['seconds'])} = {row['requests_per_s']:.0f}/s (time {row['seconds_growth_vs_1x']:.1f}x, "
                f"requests {row['requests_growth_vs_1x']:.1f}x of 1x)"
            )
        nc = result["sweep"]["naive_vs_compiled"]
        console.print(
            f"access sweep: reference evaluator / compiled on the same {nc['requests']} requests = "
            f"[bold]{nc['ratio']:.1f}x[/] ({fmt(nc['naive_s'])} vs {fmt(nc['compiled_s'])})"
        )
    for name, target in result["targets"].items():
        mark = {True: "[green]met[/]", False: "[red]not met[/]", None: "[yellow]not measured[/]"}[target["met"]]
        console.print(f"target {name}: {mark} ({target['detail']})")


def ratio(stages: dict[str, dict[str, Any]], top: str, bottom: str, meaning: str) -> dict[str, Any] | None:
    if "median_s" not in stages.get(top, {}) or "median_s" not in stages.get(bottom, {}):
        return None
    return {"value": stages[top]["median_s"] / stages[bottom]["median_s"], "meaning": meaning, "of": [top, bottom]}


def targets(
    stages: dict[str, dict[str, Any]],
    scale_rows: list[dict[str, Any]],
    pytest_s: float | None,
    large_rows: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    def median(name: str) -> float | None:
        return stages.get(name, {}).get("median_s")

    engine, rules, scan = median("offline engine (warm)"), median("rule scan"), median("baseline scan")
    out: dict[str, Any] = {}
    if engine is not None and rules is not None:
        total = engine + rules
        out["offline engine + rules < 5 s"] = {"met": total < 5, "detail": f"{total:.2f} s (warm engine + rules)"}
    cold = median("baseline preview (cold)")
    if cold is not None:
        out["cold baseline preview <= 2 s"] = {"met": cold <= 2, "detail": f"{cold:.2f} s median"}
    if scan is not None:
        out["baseline scan with checkov < 30 s"] = {"met": scan < 30, "detail": f"{scan:.2f} s median"}
    out["make test < 3 min on 2 cores"] = {
        "met": None if pytest_s is None else pytest_s < 180,
        "detail": "not timed: `make bench BENCH_ARGS=--pytest` times one `make pytest`"
        if pytest_s is None
        else f"make pytest {pytest_s:.0f} s",
    }
    if len(large_rows) > 1:
        first, last = large_rows[0], large_rows[-1]
        out[f"{last['size']}-resource scan <= {LARGE_SCAN_LIMIT:.0f}x the {first['size']}-resource scan"] = {
            "met": last["cpu_growth"] <= LARGE_SCAN_LIMIT,
            "detail": f"{last['cpu_growth']:.1f}x CPU ({last['wall_growth']:.1f}x wall on a shared machine)",
        }
    if scale_rows and scale_rows[-1]["factor"] >= 16:
        worst = max(scale_rows[-1]["stages"].items(), key=lambda kv: kv[1]["growth_vs_1x"])
        out["16x stack < 20x the 1x time"] = {
            "met": not any(s["superlinear"] for s in scale_rows[-1]["stages"].values()),
            "detail": f"worst stage {worst[0]}: {worst[1]['growth_vs_1x']:.1f}x",
        }
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per stage (default 5, at least 5 advised)")
    parser.add_argument("--scale-runs", type=int, default=3, help="runs per stage at each scale (default 3)")
    parser.add_argument("--scale", default="1,4,16", help="scale factors, comma-separated ('' skips scaling)")
    parser.add_argument("--sweep-scale", default="1,4,16", help="access sweep factors ('' skips the sweep)")
    parser.add_argument(
        "--large",
        default="5000,50000",
        help="resource counts of the N-copy graphs `baseline scan --preview` is timed on ('' skips them)",
    )
    parser.add_argument("--only", default="", help="comma-separated stage names to run (default: all)")
    parser.add_argument("--pytest", action="store_true", help="also time one `make pytest` run")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "bench.json")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console(width=150)
    env = environment()
    first_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="baseline-bench-") as tmp:
        ctx = Context(runs=args.runs, out=Path(tmp))
        first_run = time.perf_counter() - first_start
        only = {s.strip() for s in args.only.split(",") if s.strip()}
        results: list[dict[str, Any]] = []
        for stage in STAGES:
            if only and stage.name not in only:
                continue
            entry: dict[str, Any] = {"name": stage.name, "what": stage.what}
            if stage.name == "offline engine (first run)":
                entry |= {"runs": 1, "median_s": first_run, "min_s": first_run, "max_s": first_run, "iqr_s": 0.0}
                entry |= {"loadavg_before": env["loadavg_start"], "loadavg_after": os.getloadavg()}
            elif not available(stage):
                entry["status"] = f"not available on this checkout (no {stage.requires})"
            else:
                console.print(f"[dim]measuring {stage.name} …[/]")
                try:
                    assert stage.make is not None
                    entry |= measure(stage.make(ctx), stage.runs(ctx), warmup=stage.warmup).summary()
                except Exception as exc:  # a stage that cannot run is reported, never timed
                    entry["status"] = f"error: {type(exc).__name__}: {str(exc)[:300]}"
            results.append(entry)
        for cleanup in ctx_exit:
            cleanup()
        by_name = {r["name"]: r for r in results}
        ratios = {
            name: r
            for name, r in {
                "checkov / rule scan (same graph, bridged plan for checkov)": ratio(
                    by_name, "bridge + checkov", "rule scan", "how many times slower checkov is than the rules"
                ),
                "offline engine / import floor (both fresh subprocesses)": ratio(
                    by_name,
                    "offline engine (subprocess)",
                    "import floor (subprocess)",
                    "whole offline run vs just `import pulumi, pulumi_aws`",
                ),
                "live audit / boto3 listing floor (same moto account)": ratio(
                    by_name, "live audit", "boto3 listing floor", "checks and policy evaluation vs bare API reads"
                ),
            }.items()
            if r is not None
        }
        factors = [int(f) for f in args.scale.split(",") if f.strip()]
        console.print(f"[dim]scaling {factors} …[/]")
        scale_rows = scale(args.scale_runs, args.scale_runs, factors) if factors else []
        sweep_rows = _sweep_rows(args.sweep_scale, only, console)
        large_rows = _large_rows(args.large, Path(tmp), console)
    pytest_s: float | None = None
    if args.pytest:
        start = time.perf_counter()
        subprocess.run(["make", "pytest"], cwd=PROJECT_ROOT, check=False, capture_output=True)
        pytest_s = time.perf_counter() - start
    result = {
        "stack": STACK,
        "resources": len(ctx.dev.graph),
        "managed_resources": len(ctx.dev.graph.custom_resources()),
        "environment": env | {"loadavg_end": os.getloadavg()},
        "stages": results,
        "ratios": ratios,
        "scale": scale_rows,
        "sweep": sweep_rows,
        "large": large_rows,
        "targets": targets(by_name, scale_rows, pytest_s, large_rows),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    render(console, result)
    console.print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

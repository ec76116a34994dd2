"""Waivers (``policies/waivers.yaml``): accepted, owned, expiring exceptions to catalog controls.

A waiver never hides a finding: it turns a ``fail`` into ``waived`` with its justification, and every report
still lists it. Loading fails closed on anything malformed, on unknown controls and on controls the catalog marks
``waivable: false``; an expired waiver stops working (the finding fails again, saying why) and a waiver that
matches no failing finding is reported as stale. What an entry must hold and when it is refused is
``ai_security_baseline.controls.waivers``, shared with the CrossGuard pack so both accept exactly the same waivers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ai_security_baseline.controls.waivers import WaivableControls, Waiver, WaiverError, parse_entry
from ai_security_baseline.verify.findings.catalog import Catalog
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.inputs import InputFileError, load_yaml
from ai_security_baseline.verify.project import PROJECT_ROOT

WAIVERS_PATH = PROJECT_ROOT / "policies" / "waivers.yaml"
#: Checkers that name resources by Pulumi URN, which is what a waiver's resource glob is written against; the live
#: audit names AWS ARNs, so an audit-only run cannot tell whether a control waiver is still needed.
__all__ = (
    "WAIVERS_PATH",
    "Waiver",
    "WaiverError",
    "WaiverOutcome",
    "apply_waivers",
    "load_waivers",
    "parse_waivers",
    "waivable_controls",
)
URN_CHECKERS = frozenset({"rule", "checkov", "access"})
EVERY_CHECKER = frozenset({*URN_CHECKERS, "audit"})


@dataclass(frozen=True)
class WaiverOutcome:
    """Findings after waivers, plus warnings (stale and expired waivers) that every report shows."""

    findings: tuple[Finding, ...]
    warnings: tuple[str, ...]


def waivable_controls(catalog: Catalog) -> WaivableControls:
    """The catalog's waiving facts in the shape the shared validation (``controls.waivers``) reads."""
    return WaivableControls(
        waivable={c.id: c.waivable for c in catalog.controls},
        checkov_controls={check: [c.id for c in cs] for check, cs in catalog.checkov_to_controls().items()},
    )


def load_waivers(path: Path, catalog: Catalog) -> list[Waiver]:
    """Read and validate a waiver file against the catalog; one ``WaiverError`` on the first problem."""
    try:
        raw = load_yaml(path)  # dates stay text: PyYAML crashes on ``2026-13-01``; parse_date names the field
    except InputFileError as exc:
        raise WaiverError(f"cannot read the waiver file: {exc}") from None
    return parse_waivers(raw, catalog, str(path))


def parse_waivers(raw: object, catalog: Catalog, origin: str = "waivers") -> list[Waiver]:
    """Validate a decoded waiver document (``{"waivers": [...]}``); ``origin`` prefixes every message."""
    if not isinstance(raw, Mapping) or set(raw) != {"waivers"} or not isinstance(raw["waivers"], list):
        raise WaiverError(f"{origin}: must be a mapping with the single key 'waivers' holding a list (may be [])")
    known = waivable_controls(catalog)
    entries: list[object] = raw["waivers"]
    return [parse_entry(entry, index, known, f"{origin}: waivers[{index}]") for index, entry in enumerate(entries)]


def _judged(waiver: Waiver, ran: Collection[str]) -> bool:
    """Whether this run can tell that the waiver matches nothing: its checker ran and names resources by URN."""
    if waiver.checkov:
        return "checkov" in ran
    return bool(URN_CHECKERS & set(ran))


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], today: date, ran: Collection[str] = EVERY_CHECKER
) -> WaiverOutcome:
    """Turn failing findings matched by a live waiver into ``waived``; never touch pass or error.

    The first live waiver that matches wins. A finding matched only by expired waivers stays ``fail`` and its
    message says which waiver expired. ``ran`` names the checkers that produced ``findings``: a waiver that
    matches no failing finding is a warning only when this run could have matched it (its checker ran), and a
    waiver that covers a finding a checker already reports ``waived`` by design is in use, not stale.
    """
    used: set[int] = set()
    result: list[Finding] = []
    for finding in findings:
        covering = [w for w in waivers if w.covers(finding.control, finding.tool_id, finding.urn)]
        if finding.status == "waived":
            used.update(w.index for w in covering)
        matching = covering if finding.status == "fail" else []
        used.update(w.index for w in matching)
        result.append(_waive(finding, matching, today))
    warnings = [w for w in (_warning(w, w.index in used or not _judged(w, ran), today) for w in waivers) if w]
    return WaiverOutcome(findings=tuple(result), warnings=tuple(warnings))


def _waive(finding: Finding, matching: Sequence[Waiver], today: date) -> Finding:
    live = [w for w in matching if not w.expired(today)]
    if live:
        return dataclasses.replace(finding, status="waived", waiver=live[0].justification)
    if matching:
        lapsed = "; ".join(f"waiver {w.index} expired {w.expires.isoformat()}: {w.reason}" for w in matching)
        return dataclasses.replace(finding, message=f"{finding.message} [{lapsed}]")
    return finding


def _warning(waiver: Waiver, used: bool, today: date) -> str:
    """Why this waiver needs attention, or ``""`` when it is live and in use."""
    problems = []
    if waiver.expired(today):
        problems.append(f"expired {waiver.expires.isoformat()}: renew or remove it")
    if not used:
        problems.append("matched no failing finding: remove it or fix its resource pattern")
    if not problems:
        return ""
    return f"waiver {waiver.index} ({waiver.target}, owner {waiver.owner}) " + "; ".join(problems)

"""Waivers (``policies/waivers.yaml``): accepted, owned, expiring exceptions to catalog controls.

A waiver never hides a finding: it turns a ``fail`` into ``waived`` with its justification, and every report
still lists it. Loading fails closed on anything malformed, on unknown controls and on controls the catalog marks
``waivable: false``; an expired waiver stops working (the finding fails again, saying why) and a waiver that
matches no failing finding is reported as stale.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

from verify.findings.catalog import CHECKOV_ID, Catalog
from verify.findings.finding import Finding

WAIVERS_PATH = Path(__file__).resolve().parents[2] / "policies" / "waivers.yaml"
MIN_REASON = 20
TARGET_KEYS = ("control", "checkov")
REQUIRED_KEYS = ("resource", "reason", "owner", "expires")
ALLOWED_KEYS = (*TARGET_KEYS, *REQUIRED_KEYS)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _TextDateLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: PyYAML crashes on ``2026-13-01``; ours names the field instead."""


_TextDateLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class WaiverError(ValueError):
    """The waiver file is invalid; the message names the file, the entry, the field and what is allowed."""


@dataclass(frozen=True)
class Waiver:
    """One waiver entry. Exactly one of ``control`` / ``checkov`` is set; ``resource`` is an fnmatch glob
    over the finding's URN or its logical name."""

    index: int
    control: str
    checkov: str
    resource: str
    reason: str
    owner: str
    expires: date

    @property
    def target(self) -> str:
        """What is waived, for messages: ``S3-03 on raw-bucket``."""
        return f"{self.control or self.checkov} on {self.resource}"

    @property
    def justification(self) -> str:
        """The text a waived finding carries: ``reason (owner, expires DATE)``."""
        return f"{self.reason} ({self.owner}, expires {self.expires.isoformat()})"

    def expired(self, today: date) -> bool:
        """Valid through its ``expires`` day, expired from the day after."""
        return today > self.expires

    def matches(self, finding: Finding) -> bool:
        if self.control and finding.control != self.control:
            return False
        if self.checkov and finding.tool_id != self.checkov:
            return False
        return fnmatchcase(finding.urn, self.resource) or fnmatchcase(finding.resource_name, self.resource)


@dataclass(frozen=True)
class WaiverOutcome:
    """Findings after waivers, plus warnings (stale and expired waivers) that every report shows."""

    findings: tuple[Finding, ...]
    warnings: tuple[str, ...]


def load_waivers(path: Path, catalog: Catalog) -> list[Waiver]:
    """Read and validate a waiver file against the catalog; one ``WaiverError`` on the first problem."""
    try:
        raw = yaml.load(path.read_text(), Loader=_TextDateLoader)  # a SafeLoader subclass: safe
    except (OSError, yaml.YAMLError) as exc:
        raise WaiverError(f"{path}: cannot read the waiver file: {exc}") from exc
    return parse_waivers(raw, catalog, str(path))


def parse_waivers(raw: object, catalog: Catalog, origin: str = "waivers") -> list[Waiver]:
    """Validate a decoded waiver document (``{"waivers": [...]}``); ``origin`` prefixes every message."""
    if not isinstance(raw, Mapping) or set(raw) != {"waivers"} or not isinstance(raw["waivers"], list):
        raise WaiverError(f"{origin}: must be a mapping with the single key 'waivers' holding a list (may be [])")
    return [_waiver(entry, index, catalog, f"{origin}: waivers[{index}]") for index, entry in enumerate(raw["waivers"])]


def _waiver(entry: object, index: int, catalog: Catalog, where: str) -> Waiver:
    allowed = ", ".join(ALLOWED_KEYS)
    if not isinstance(entry, Mapping):
        raise WaiverError(f"{where}: must be a mapping with keys {allowed}")
    for key in entry:
        if key not in ALLOWED_KEYS:
            raise WaiverError(f"{where}.{key}: unknown key (allowed: {allowed})")
    targets = [key for key in TARGET_KEYS if key in entry]
    if len(targets) != 1:
        raise WaiverError(f"{where}.control: give exactly one of 'control' (catalog id) or 'checkov' (CKV id)")
    for key in REQUIRED_KEYS:
        if key not in entry:
            raise WaiverError(f"{where}.{key}: missing (required: {', '.join(REQUIRED_KEYS)})")
    text = {key: _text(entry[key], f"{where}.{key}") for key in (*targets, "resource", "reason", "owner")}
    if len(text["reason"]) < MIN_REASON:
        raise WaiverError(
            f"{where}.reason: must be at least {MIN_REASON} characters saying why the risk is accepted "
            f"(got {len(text['reason'])})"
        )
    control, checkov = text.get("control", ""), text.get("checkov", "")
    if control:
        _check_control(control, catalog, f"{where}.control")
    else:
        _check_checkov(checkov, catalog, f"{where}.checkov")
    return Waiver(
        index=index,
        control=control,
        checkov=checkov,
        resource=text["resource"],
        reason=text["reason"],
        owner=text["owner"],
        expires=_date(entry["expires"], f"{where}.expires"),
    )


def _check_control(control: str, catalog: Catalog, where: str) -> None:
    if control not in catalog:
        raise WaiverError(f"{where}: unknown control id {control!r} (allowed: a catalog id such as S3-03)")
    if not catalog.get(control).waivable:
        waivable = ", ".join(c.id for c in catalog.controls if c.waivable)
        raise WaiverError(f"{where}: control {control} is not waivable (waivable: false); allowed: {waivable}")


def _check_checkov(check: str, catalog: Catalog, where: str) -> None:
    if not CHECKOV_ID.match(check):
        raise WaiverError(f"{where}: {check!r} is not a checkov id (allowed: like CKV_AWS_7 or CKV2_AWS_6)")
    blocked = [c.id for c in catalog.checkov_to_controls().get(check, ()) if not c.waivable]
    if blocked:
        raise WaiverError(
            f"{where}: {check} backs the non-waivable control {', '.join(blocked)} (waivable: false); "
            "waiving the check would waive the control"
        )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WaiverError(f"{where}: must be a non-empty string (got {value!r})")
    return value.strip()


def _date(value: object, where: str) -> date:
    # The file loader keeps dates as text; callers of parse_waivers may pass a date. A datetime is refused.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise WaiverError(f"{where}: must be a calendar date YYYY-MM-DD (got {value!r})")


def apply_waivers(findings: Iterable[Finding], waivers: Sequence[Waiver], today: date) -> WaiverOutcome:
    """Turn failing findings matched by a live waiver into ``waived``; never touch pass or error.

    The first live waiver that matches wins. A finding matched only by expired waivers stays ``fail`` and its
    message says which waiver expired. Waivers that match no failing finding come back as warnings.
    """
    used: set[int] = set()
    result: list[Finding] = []
    for finding in findings:
        matching = [w for w in waivers if finding.status == "fail" and w.matches(finding)]
        used.update(w.index for w in matching)
        result.append(_waive(finding, matching, today))
    warnings = [w for w in (_warning(w, w.index in used, today) for w in waivers) if w]
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

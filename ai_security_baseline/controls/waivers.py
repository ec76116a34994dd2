"""The waiver model: what a waiver entry must hold, when it is refused, what it matches. Standard library only.

Why here: ``baseline`` (``verify.findings.waivers``, reading ``policies/waivers.yaml``) and the CrossGuard pack
(reading its policy config, with only pulumi-policy installed) must accept and refuse exactly the same waivers.
An entry names exactly one of ``control`` (a catalog id) or ``checkov`` (a check id), plus ``resource`` (an
fnmatch glob over the URN or the logical name, never one that covers a whole stack or project), ``reason`` (at least
``MIN_REASON`` characters), ``owner`` and ``expires`` (YYYY-MM-DD, valid through that day). A control marked
``waivable: false`` cannot be waived, neither directly nor through a checkov check that backs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase

from ai_security_baseline.controls.text import clip

MIN_REASON = 20
#: Longest waiver text field: a reason is a sentence or two that every report repeats per waived finding.
MAX_TEXT = {"reason": 1000, "owner": 200, "resource": 1000}
TARGET_KEYS = ("control", "checkov")
REQUIRED_KEYS = ("resource", "reason", "owner", "expires")
ALLOWED_KEYS = (*TARGET_KEYS, *REQUIRED_KEYS)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


class WaiverError(ValueError):
    """An invalid waiver; the message names where it came from, the entry, the field and what is allowed."""


@dataclass(frozen=True)
class WaivableControls:
    """What the catalog says about waiving: each control id's ``waivable``, and the controls each checkov id backs."""

    waivable: Mapping[str, bool]
    checkov_controls: Mapping[str, Sequence[str]]

    @classmethod
    def from_catalog_document(cls, document: Mapping[str, object]) -> WaivableControls:
        """From ``ai_security_baseline.controls.registry.catalog_document()`` (or the same shape read from JSON)."""
        controls = document.get("controls")
        entries = [c for c in controls if isinstance(c, Mapping)] if isinstance(controls, list) else []
        waivable = {str(c.get("id")): c.get("waivable") is True for c in entries}
        backs: dict[str, list[str]] = {}
        for control in entries:
            frameworks = control.get("frameworks")
            checks = frameworks.get("checkov", []) if isinstance(frameworks, Mapping) else []
            for check in checks if isinstance(checks, list) else []:
                backs.setdefault(str(check), []).append(str(control.get("id")))
        return cls(waivable=waivable, checkov_controls=backs)


@dataclass(frozen=True)
class Waiver:
    """One valid waiver entry. Exactly one of ``control`` / ``checkov`` is set."""

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

    def covers(self, control: str, tool_id: str, urn: str) -> bool:
        """Whether this waiver names this control (or checkov check) on this resource, expired or not."""
        if self.control and control != self.control:
            return False
        if self.checkov and tool_id != self.checkov:
            return False
        return covers_resource(self.resource, urn)


def covers_resource(pattern: str, urn: str) -> bool:
    """The glob matches the URN or its logical name (the last ``::`` part of a Pulumi URN)."""
    parts = urn.split("::")
    name = parts[3] if len(parts) >= 4 else urn
    return fnmatchcase(urn, pattern) or fnmatchcase(name, pattern)


#: URNs unlike each other and unlike any resource the baseline names: a glob that covers them all covers everything.
_UNRELATED_URNS = (
    "urn:pulumi:a::b::c:d/e:F::g",
    "urn:pulumi:st4ck-Z::pr0j_q::pkg:mod/res:Res$x:y/z:W::N.9-m",
    "urn:pulumi:\u00e9::\u00df::\u00e7:\u00f8/\u00e5:\u00c6::\u00fe",
)
#: A logical name and types no resource has: a glob that covers them names no resource or type, it covers a whole
#: stack or project (``urn:pulumi:dev::*``, ``urn:pulumi:*::ai-security-baseline::*``, ``*aws:*``), new resources
#: included. A glob naming a type (``urn:pulumi:*::*aws:s3/bucket:Bucket::*``) is a deliberate type-wide exception.
_NO_SUCH_NAME = "zz-no-such-resource-7f3a"
_UNNAMED_URNS = tuple(
    f"urn:pulumi:{stack}::{project}::{kind}::{_NO_SUCH_NAME}"
    for stack in ("dev", "prod", "q")
    for project in ("ai-security-baseline", "q")
    for kind in ("aws:q/r:S", "baseline:q:R$aws:q/r:S", "q:r/s:T")
)


def matches_everything(pattern: str) -> bool:
    """Whether the resource glob covers any resource at all (``*``, ``**``, ``urn:pulumi:*``, ``*::*`` ...)."""
    return all(covers_resource(pattern, urn) for urn in _UNRELATED_URNS)


def names_no_resource(pattern: str) -> bool:
    """Whether the glob covers resources without naming them or their type: everything, or a whole stack or project."""
    return matches_everything(pattern) or any(covers_resource(pattern, urn) for urn in _UNNAMED_URNS)


def parse_entry(entry: object, index: int, known: WaivableControls, where: str) -> Waiver:
    """Validate one entry; ``WaiverError`` on the first problem, naming ``where`` and the field."""
    allowed = ", ".join(ALLOWED_KEYS)
    if not isinstance(entry, Mapping):
        raise WaiverError(f"{where}: must be a mapping with keys {allowed}")
    for key in entry:
        if key not in ALLOWED_KEYS:
            raise WaiverError(f"{clip(f'{where}.{key}')}: unknown key (allowed: {allowed})")
    targets = [key for key in TARGET_KEYS if key in entry]
    if len(targets) != 1:
        raise WaiverError(f"{where}.control: give exactly one of 'control' (catalog id) or 'checkov' (CKV id)")
    for key in REQUIRED_KEYS:
        if key not in entry:
            raise WaiverError(f"{where}.{key}: missing (required: {', '.join(REQUIRED_KEYS)})")
    text = {key: _text(entry[key], f"{where}.{key}") for key in (*targets, "resource", "reason", "owner")}
    for key, limit in MAX_TEXT.items():
        if len(text[key]) > limit:
            raise WaiverError(f"{where}.{key}: {len(text[key])} characters (allowed: at most {limit})")
    if len(text["reason"]) < MIN_REASON:
        raise WaiverError(
            f"{where}.reason: must be at least {MIN_REASON} characters saying why the risk is accepted "
            f"(got {len(text['reason'])})"
        )
    if names_no_resource(text["resource"]):
        raise WaiverError(
            f"{where}.resource: {clip(repr(text['resource']))} matches every resource of a stack or project, "
            "new ones included (allowed: the logical name or a URN glob naming the resources the exception is for, "
            "e.g. *-access-logs)"
        )
    control, checkov = text.get("control", ""), text.get("checkov", "")
    if control:
        check_control(control, known, f"{where}.control")
    else:
        check_checkov(checkov, known, f"{where}.checkov")
    return Waiver(
        index=index,
        control=control,
        checkov=checkov,
        resource=text["resource"],
        reason=text["reason"],
        owner=text["owner"],
        expires=parse_date(entry["expires"], f"{where}.expires"),
    )


def check_control(control: str, known: WaivableControls, where: str) -> None:
    if control not in known.waivable:
        raise WaiverError(f"{where}: unknown control id {clip(repr(control))} (allowed: a catalog id such as S3-03)")
    if not known.waivable[control]:
        waivable = ", ".join(c for c, ok in known.waivable.items() if ok)
        raise WaiverError(f"{where}: control {control} is not waivable (waivable: false); allowed: {waivable}")


def check_checkov(check: str, known: WaivableControls, where: str) -> None:
    if not CHECKOV_ID.match(check):
        raise WaiverError(f"{where}: {clip(repr(check))} is not a checkov id (allowed: like CKV_AWS_7 or CKV2_AWS_6)")
    blocked = [c for c in known.checkov_controls.get(check, ()) if not known.waivable.get(c, False)]
    if blocked:
        raise WaiverError(
            f"{where}: {check} backs the non-waivable control {', '.join(blocked)} (waivable: false); "
            "waiving the check would waive the control"
        )


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WaiverError(f"{where}: must be a non-empty string (got {clip(repr(value))})")
    return value.strip()


def parse_date(value: object, where: str) -> date:
    """A calendar date, given as a date or as ``YYYY-MM-DD`` text; a datetime is refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise WaiverError(f"{where}: must be a calendar date YYYY-MM-DD (got {clip(repr(value))})")


@dataclass(frozen=True)
class Refusal:
    """A policy-config waiver the pack will not honour, and why; ``resource`` is its glob when it had one."""

    index: int
    control: str
    resource: str
    message: str


def split_config_waivers(
    entries: object, known: WaivableControls, today: date, where: str = "policy config"
) -> tuple[list[Waiver], list[Refusal]]:
    """Live waivers and refusals (invalid or expired) from a CrossGuard policy config's ``waivers`` list.

    Unlike the waiver file, the pack cannot stop on the first bad entry (it only reports violations), so each
    entry is judged on its own.
    """
    live: list[Waiver] = []
    refused: list[Refusal] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        raw = entry if isinstance(entry, Mapping) else {}
        named, pattern = str(raw.get("control", "")), str(raw.get("resource", ""))
        try:
            waiver = parse_entry(entry, index, known, f"{where} waivers[{index}]")
        except WaiverError as exc:
            refused.append(Refusal(index, named, pattern, f"waiver refused: {exc}"))
            continue
        if waiver.expired(today):
            message = (
                f"waiver refused: {where} waivers[{index}] ({waiver.target}, owner {waiver.owner}) expired "
                f"{waiver.expires.isoformat()}: renew or remove it"
            )
            refused.append(Refusal(index, named, pattern, message))
            continue
        live.append(waiver)
    return live, refused

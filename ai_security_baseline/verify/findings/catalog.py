"""The control catalog (every unit's ``controls/<area>/<unit>/control.json``) as typed, frozen data.

Every finding, waiver and report refers to controls by id; loading validates the whole file up front and
fails closed with one message naming the control and the field, so a typo never silently drops a control.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ai_security_baseline.controls import registry

CATALOG_VERSION = 1
CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*-\d{2}$")
CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
CONTROL_KEYS = ("id", "area", "title", "severity", "threat", "rationale", "frameworks", "waivable", "evidence")
FRAMEWORK_KEYS = ("cis", "fsbp", "checkov")


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the file, the control and the field."""


@dataclass(frozen=True)
class Frameworks:
    """Cross-references: CIS AWS Foundations ids, AWS FSBP ids, checkov check ids."""

    cis: tuple[str, ...]
    fsbp: tuple[str, ...]
    checkov: tuple[str, ...]


@dataclass(frozen=True)
class Control:
    """One catalog control; ``evidence`` names the checkers that must report it (controls.registry.LAYERS)."""

    id: str
    area: str
    title: str
    severity: str
    threat: str
    rationale: str
    frameworks: Frameworks
    waivable: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """All controls in file order (the order reports use)."""

    version: int
    severities: tuple[str, ...]
    controls: tuple[Control, ...]

    @cached_property
    def _by_id(self) -> dict[str, Control]:
        """Built once: reports look a control up for every finding."""
        return {c.id: c for c in self.controls}

    def __contains__(self, control_id: object) -> bool:
        return isinstance(control_id, str) and control_id in self._by_id

    def get(self, control_id: str) -> Control:
        """The control with this id; ``KeyError`` naming the id otherwise (never a silent default)."""
        try:
            return self._by_id[control_id]
        except KeyError:
            raise KeyError(f"unknown control id {control_id!r} (not in the catalog)") from None

    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.controls)

    def by_area(self) -> dict[str, tuple[Control, ...]]:
        """Controls grouped by area, areas and controls in catalog order."""
        groups: dict[str, list[Control]] = {}
        for control in self.controls:
            groups.setdefault(control.area, []).append(control)
        return {area: tuple(controls) for area, controls in groups.items()}

    def checkov_to_controls(self) -> dict[str, tuple[Control, ...]]:
        """Each checkov id -> the controls that list it (one check may back several controls)."""
        mapping: dict[str, list[Control]] = {}
        for control in self.controls:
            for check in control.frameworks.checkov:
                mapping.setdefault(check, []).append(control)
        return {check: tuple(controls) for check, controls in sorted(mapping.items())}


def load_catalog() -> Catalog:
    """Read and validate every unit's metadata; an error names the unit's ``control.json``."""
    try:
        document = registry.catalog_document()
    except registry.UnitError as exc:
        raise CatalogError(str(exc)) from None
    return parse_catalog(document, "controls")


def parse_catalog(raw: object, origin: str = "catalog") -> Catalog:
    """Validate a decoded catalog document; ``origin`` prefixes every error message."""
    top = _mapping(raw, origin, ("version", "severities", "controls"))
    if top["version"] != CATALOG_VERSION:
        raise CatalogError(f"{origin}: version: must be {CATALOG_VERSION} (got {top['version']!r})")
    severities = _strings(top["severities"], f"{origin}: severities")
    if not severities:
        raise CatalogError(f"{origin}: severities: must list at least one severity")
    if not isinstance(top["controls"], list):
        raise CatalogError(f"{origin}: controls: must be a list of controls")
    controls: list[Control] = []
    for index, entry in enumerate(top["controls"]):
        control = _control(entry, f"{origin}: controls[{index}]", severities)
        if control.id in {c.id for c in controls}:
            raise CatalogError(f"{origin}: controls[{index}] ({control.id}).id: duplicate control id")
        controls.append(control)
    return Catalog(version=CATALOG_VERSION, severities=severities, controls=tuple(controls))


def _control(entry: object, where: str, severities: tuple[str, ...]) -> Control:
    if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
        where = f"{where} ({entry['id']})"
    data = _mapping(entry, where, CONTROL_KEYS)
    text = {key: _string(data[key], f"{where}.{key}") for key in ("id", "area", "title", "threat", "rationale")}
    if not CONTROL_ID.match(text["id"]):
        raise CatalogError(f"{where}.id: must look like AREA-NN, e.g. S3-01 (got {text['id']!r})")
    if not text["id"].startswith(f"{text['area']}-"):
        raise CatalogError(f"{where}.area: must be the id's prefix {text['id'].split('-')[0]!r}")
    if data["severity"] not in severities:
        raise CatalogError(f"{where}.severity: must be one of {', '.join(severities)} (got {data['severity']!r})")
    if not isinstance(data["waivable"], bool):
        raise CatalogError(f"{where}.waivable: must be true or false (got {data['waivable']!r})")
    evidence = _strings(data["evidence"], f"{where}.evidence")
    unknown = sorted(set(evidence) - set(registry.LAYERS))
    if unknown or not evidence:
        raise CatalogError(f"{where}.evidence: must list one or more of {', '.join(registry.LAYERS)}")
    refs = _mapping(data["frameworks"], f"{where}.frameworks", FRAMEWORK_KEYS)
    frameworks = Frameworks(**{key: _strings(refs[key], f"{where}.frameworks.{key}") for key in FRAMEWORK_KEYS})
    for check in frameworks.checkov:
        if not CHECKOV_ID.match(check):
            raise CatalogError(f"{where}.frameworks.checkov: {check!r} is not a checkov id like CKV_AWS_7")
    return Control(
        severity=data["severity"], frameworks=frameworks, waivable=data["waivable"], evidence=evidence, **text
    )


def _mapping(value: object, where: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CatalogError(f"{where}: must be an object with keys {', '.join(keys)}")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise CatalogError(f"{where}.{unknown[0]}: unknown key (allowed: {', '.join(keys)})")
    missing = [key for key in keys if key not in value]
    if missing:
        raise CatalogError(f"{where}.{missing[0]}: missing (required: {', '.join(keys)})")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: must be a non-empty string (got {value!r})")
    return value


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CatalogError(f"{where}: must be a list of non-empty strings (got {value!r})")
    return tuple(value)

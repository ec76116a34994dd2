"""docs/threat-model.md stays true: its controls exist, its tests exist, and each row proves its own control."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ai_security_baseline.verify.findings.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent
THREAT_MODEL = ROOT / "docs" / "threat-model.md"
THREAT = re.compile(r"^## (T\d+) (.+)$")
ROW = re.compile(r"^\| ([A-Z][A-Z0-9]*-\d{2}) \|.*\| (.+) \|$")
TEST_REF = re.compile(r"`((?:tests|ai_security_baseline/controls)/[\w/]+\.py)::(test_\w+)`")
#: The threats the model must cover; each must have a section.
REQUIRED_THREATS = (
    "Data breach of training data",
    "Exfiltration through endpoints",
    "Model poisoning through write access to `curated`",
    "Model tampering in the registry",
    "Log tampering",
    "Insider key misuse",
    "Confused deputy",
    "Lock-out",
    "Poisoned training data or a malicious model artifact",
    "An attacker works in the account unnoticed",
    "Model theft",
    "Model misuse: prompt injection, sensitive data, LLM-jacking",
)


@dataclass(frozen=True)
class Row:
    threat: str
    control: str
    proof: str

    @property
    def tests(self) -> list[tuple[str, str]]:
        return TEST_REF.findall(self.proof)


def threat_model() -> tuple[dict[str, str], list[Row]]:
    """Threat sections (id -> title) and every control row under them."""
    threats: dict[str, str] = {}
    rows: list[Row] = []
    current = ""
    for line in THREAT_MODEL.read_text(encoding="utf-8").splitlines():
        if heading := THREAT.match(line):
            current = heading.group(1)
            threats[current] = heading.group(2)
        elif (row := ROW.match(line)) and current:
            rows.append(Row(current, row.group(1), row.group(2)))
    return threats, rows


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_threat_model_covers_every_threat_of_the_issue_with_controls() -> None:
    threats, rows = threat_model()
    assert sorted(threats.values()) == sorted(REQUIRED_THREATS)
    assert {r.threat for r in rows} == set(threats)


def test_threat_model_names_only_catalog_controls() -> None:
    catalog: Catalog = load_catalog()
    unknown = sorted({r.control for r in threat_model()[1] if r.control not in catalog})
    assert unknown == []


def test_threat_model_cites_only_tests_that_exist() -> None:
    missing = []
    for row in threat_model()[1]:
        for file, name in row.tests:
            path = ROOT / file
            if not path.is_file() or name not in defined_tests(path):
                missing.append(f"{row.threat} {row.control}: {file}::{name}")
    assert missing == []


def test_threat_model_row_cites_a_test_named_after_its_control() -> None:
    unproven = []
    for row in threat_model()[1]:
        prefix = "test_" + row.control.lower().replace("-", "_") + "_"
        if not any(name.startswith(prefix) for _, name in row.tests):
            unproven.append(f"{row.threat} {row.control}: no cited test starts with {prefix}")
    assert unproven == []

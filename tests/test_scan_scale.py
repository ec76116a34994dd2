"""A scan grows linearly with the graph and skips what no requested report shows."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import pytest

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.engine.copies import copy_graph
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.validation import validation_findings
from ai_security_baseline.verify.reports import diagram

STEMS = ("aisb-dev", "/aisb/dev/")
#: One per account and region, named by the account or the region (the account settings, the hub and its standards
#: subscriptions, Bedrock's invocation logging setting): copies share their ids.
ACCOUNT_WIDE = frozenset(
    {
        vocabulary.ACCOUNT_PUBLIC_ACCESS_BLOCK,
        vocabulary.EBS_ENCRYPTION_BY_DEFAULT,
        vocabulary.EBS_DEFAULT_KMS_KEY,
        vocabulary.SECURITY_HUB,
        vocabulary.SECURITY_HUB_STANDARD,
        vocabulary.BEDROCK_LOGGING_TYPE,
    }
)
#: Linear work on 16x the resources makes about 16x the function calls; a quadratic stage makes about 256x.
MAX_GROWTH = 32.0


#: The graph-sized stages of a scan (the reports are rendered from the findings, counted per finding).
STAGES: dict[str, Callable[[ResourceGraph], object]] = {
    "rules": scan_rules,
    "iam validation": validation_findings,
    "diagram": diagram.mermaid_diagram,
}


def function_calls(stage: Callable[[ResourceGraph], object], graph: ResourceGraph) -> int:
    """The Python function calls one run of the stage makes: a count of work that machine load cannot move.

    Time is measured by `make bench`; here the stage runs once first, so caches filled on first use are not counted.
    """
    stage(graph)
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        stage(graph)
    finally:
        sys.setprofile(None)
    return calls


@pytest.fixture(scope="module")
def small_and_large(dev_graph: ResourceGraph) -> tuple[ResourceGraph, ResourceGraph]:
    return copy_graph(dev_graph, 2, STEMS), copy_graph(dev_graph, 32, STEMS)


def test_copies_of_the_dev_stack_share_no_id_and_link_only_within_themselves(dev_graph: ResourceGraph) -> None:
    copies = copy_graph(dev_graph, 3, STEMS)
    assert len(copies) == 3 * len(dev_graph) - 2  # one stack resource
    # the account-wide settings are one per account and region: their ids (the account, the region) are shared
    ids = {r.id for r in dev_graph if r.id and r.type not in ACCOUNT_WIDE}
    assert len({r.id for r in copies if r.id and r.type not in ACCOUNT_WIDE}) == 3 * len(ids)
    dependencies = {d for r in copies for d in r.dependencies}
    assert dependencies <= {r.urn for r in copies}


@pytest.mark.parametrize("name", STAGES)
def test_scan_stage_grows_linearly_with_the_graph(name: str, small_and_large: tuple[ResourceGraph, ...]) -> None:
    small, large = small_and_large
    growth = function_calls(STAGES[name], large) / function_calls(STAGES[name], small)
    assert growth < MAX_GROWTH, f"{name}: 16x the resources made {growth:.1f}x the function calls"


def test_scan_without_markdown_never_draws_the_diagram(
    tmp_path: Path, dev_graph: ResourceGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    preview = tmp_path / "preview.json"
    preview.write_text(json.dumps(dev_graph.to_preview_json()))

    def refuse(graph: ResourceGraph) -> str:
        raise AssertionError("the diagram was drawn for a scan that writes no Markdown")

    monkeypatch.setattr(diagram, "mermaid_diagram", refuse)
    code = main(["scan", "--preview", str(preview), "--no-checkov", "--format", "json", "--out", str(tmp_path)])
    assert code == 0
    assert (tmp_path / "findings.json").exists()

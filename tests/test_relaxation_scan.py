"""``relaxations.shortLogRetention``: the dev stack keeping audit logs 180 days scans clean, every finding the
relaxation weakens (LOG-07, NET-05, NET-07, checkov's one-year retention check) reported ``waived`` with its reason."""

from __future__ import annotations

import pytest

from ai_security_baseline.controls.vocabulary import RELAXATION_REASONS, SHORT_LOG_RETENTION
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH, load_waivers
from ai_security_baseline.verify.pipeline import EXIT_OK, Concluded, conclude, offline_checks

REASON = RELAXATION_REASONS[SHORT_LOG_RETENTION]
SHORT_RETENTION = {"baseline:relaxations": {"shortLogRetention": True}, "baseline:logging": {"retentionDays": 180}}


@pytest.fixture(scope="module")
def relaxed_graph() -> ResourceGraph:
    return run_stack("dev", overrides=SHORT_RETENTION).graph


def scan(graph: ResourceGraph, *, checkov: bool) -> Concluded:
    """What ``baseline scan`` concludes on the graph, with the shipped waiver file."""
    catalog = load_catalog()
    checked = offline_checks(graph, catalog, checkov=checkov)
    return conclude(checked, load_waivers(WAIVERS_PATH, catalog), catalog, stack="dev", source="test")


def waived_by_relaxation(findings: tuple[Finding, ...]) -> list[tuple[str, str, str]]:
    return sorted(
        (f.control, f.source, f.urn.rsplit("::", 1)[1]) for f in findings if f.status == "waived" and REASON in f.waiver
    )


def test_short_log_retention_scan_is_clean_with_log_07_net_05_and_net_07_waived(relaxed_graph: ResourceGraph) -> None:
    concluded = scan(relaxed_graph, checkov=False)
    assert [f for f in concluded.findings if f.status in ("fail", "error")] == []
    assert concluded.exit_code == EXIT_OK
    assert waived_by_relaxation(concluded.findings) == [
        ("LOG-07", "rule", "aisb-dev-bedrock-invocations"),
        ("LOG-07", "rule", "aisb-dev-cloudtrail"),
        ("LOG-07", "rule", "dns-query-logs-group"),
        ("LOG-07", "rule", "network-flow-logs"),
        ("NET-05", "rule", "network-vpc"),
        ("NET-07", "rule", "network-vpc"),
    ]


@pytest.mark.checkov
def test_short_log_retention_scan_with_checkov_is_clean_with_the_retention_check_waived(
    relaxed_graph: ResourceGraph,
) -> None:
    concluded = scan(relaxed_graph, checkov=True)
    assert [f for f in concluded.findings if f.status in ("fail", "error")] == []
    assert concluded.exit_code == EXIT_OK
    checkov = [w for w in waived_by_relaxation(concluded.findings) if w[1] == "checkov"]
    assert checkov == [
        ("LOG-07", "checkov", "aisb-dev-bedrock-invocations"),
        ("LOG-07", "checkov", "aisb-dev-cloudtrail"),
        ("LOG-07", "checkov", "dns-query-logs-group"),
        ("LOG-07", "checkov", "network-flow-logs"),
        ("NET-05", "checkov", "aisb-dev-bedrock-invocations"),
        ("NET-05", "checkov", "aisb-dev-cloudtrail"),
        ("NET-05", "checkov", "dns-query-logs-group"),
        ("NET-05", "checkov", "network-flow-logs"),
    ]
    assert {f.tool_id for f in concluded.findings if f.source == "checkov" and REASON in f.waiver} == {"CKV_AWS_338"}

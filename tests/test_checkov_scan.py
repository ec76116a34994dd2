"""checkov on the full dev stack (one offline run and one checkov run for the module, about 45 s).

After the shipped waivers, no checkov check fails on the dev stack: every failing check was either fixed in the
baseline or waived with its reason in policies/waivers.yaml (docs/checkov.md). Everything checkov reports must map
back to a URN of the stack, and the scan must have run enough checks that an empty or broken conversion cannot pass.
"""

from __future__ import annotations

from datetime import date

import pytest

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.checkers import checkov, mutation
from ai_security_baseline.verify.engine.graph import ResourceGraph, graph_from_preview, graph_from_stack_export
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH, WaiverOutcome, apply_waivers, load_waivers

pytestmark = pytest.mark.checkov

CATALOG = load_catalog()
#: Fewest checkov results the dev stack must produce (311 with checkov 3.3.30 on 79 resources).
MIN_RESULTS = 150
#: (check, logical name) failing on dev that the baseline, not a waiver, should answer.
FIX_CANDIDATES: set[tuple[str, str]] = set()
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def dev(dev_graph: ResourceGraph) -> ResourceGraph:
    return dev_graph


@pytest.fixture(scope="module")
def run(dev: ResourceGraph) -> checkov.CheckovRun:
    return checkov.scan_checkov(dev)


@pytest.fixture(scope="module")
def waived(run: checkov.CheckovRun) -> WaiverOutcome:
    return apply_waivers(run.findings(CATALOG), load_waivers(WAIVERS_PATH, CATALOG), TODAY)


def test_type_table_lists_every_aws_type_of_the_dev_stack(dev: ResourceGraph) -> None:
    types = {r.type for r in checkov.managed_aws_resources(dev)}
    assert len(types) > 20
    assert sorted(types - set(checkov.TYPE_TABLE)) == []


def test_dev_stack_checkov_runs_more_checks_than_the_floor(run: checkov.CheckovRun) -> None:
    assert len(run.results) >= MIN_RESULTS


def test_dev_stack_every_aws_resource_is_in_the_plan(run: checkov.CheckovRun, dev: ResourceGraph) -> None:
    assert sorted(run.plan.address_to_urn.values()) == sorted(r.urn for r in checkov.managed_aws_resources(dev))


def test_dev_stack_every_checkov_result_maps_to_a_stack_urn(run: checkov.CheckovRun, dev: ResourceGraph) -> None:
    assert all(f.urn in dev for f in run.findings(CATALOG))


def test_dev_stack_has_no_unwaived_checkov_failure(waived: WaiverOutcome) -> None:
    failing = {(f.tool_id, f.resource_name) for f in waived.findings if f.status == "fail"}
    assert failing == FIX_CANDIDATES


def test_dev_stack_every_shipped_checkov_waiver_is_used(waived: WaiverOutcome) -> None:
    """Control waivers (S3-03) are used by the rule scan; here only checkov's own results are waived."""
    assert [w for w in waived.warnings if "(CKV" in w] == []


@pytest.mark.parametrize(
    ("check", "control"),
    [
        ("CKV2_AWS_6", "S3-01"),
        ("CKV_AWS_21", "S3-09"),
        ("CKV_AWS_18", "S3-11"),
        ("CKV_AWS_7", "KMS-02"),
        ("CKV2_AWS_11", "NET-05"),
        ("CKV_AWS_158", "NET-05"),
        ("CKV2_AWS_12", "NET-03"),
    ],
)
def test_dev_stack_linked_checks_pass_on_every_resource(run: checkov.CheckovRun, check: str, control: str) -> None:
    statuses = {f.status for f in run.findings(CATALOG) if f.tool_id == check and f.control == control}
    assert statuses == {"pass"}


def test_dev_stack_kms_encryption_passes_on_the_data_model_and_archive_buckets(run: checkov.CheckovRun) -> None:
    passed = {f.resource_name for f in run.findings(CATALOG) if f.tool_id == "CKV_AWS_145" and f.status == "pass"}
    data = {"aisb-dev-raw", "aisb-dev-curated", "aisb-dev-models"}
    assert passed == data | {"aisb-dev-audit", "aisb-dev-config", "aisb-dev-bedrock-logs"}


def test_dev_stack_scan_made_no_network_attempt(run: checkov.CheckovRun) -> None:
    assert run.blocked_connections == ()


def test_generated_preview_and_stack_export_files_give_the_same_plan(dev: ResourceGraph) -> None:
    direct = checkov.graph_to_plan(dev).document
    assert checkov.graph_to_plan(graph_from_preview(dev.to_preview_json())).document == direct
    assert checkov.graph_to_plan(graph_from_stack_export(dev.to_stack_export())).document == direct


def test_one_checkov_process_judges_each_plan_of_a_batch_alone(dev: ResourceGraph) -> None:
    """The mutation runner hands checkov every mutant at once: a plan without curated's public access block must
    fail CKV2_AWS_6 on curated even though the plan beside it in the batch has the block."""
    unblocked = mutation.drop_resources(vocabulary.BUCKET_PUBLIC_ACCESS_BLOCK, "-curated")(dev)
    whole, mutant = checkov.scan_checkov_graphs([dev, unblocked])

    def curated_block_check(run: checkov.CheckovRun) -> set[str]:
        return {
            str(r["check_result"]["result"])
            for r in run.results
            if r["check_id"] == "CKV2_AWS_6" and "curated" in run.plan.urn_of(str(r["resource"]))
        }

    assert (curated_block_check(whole), curated_block_check(mutant)) == ({"PASSED"}, {"FAILED"})

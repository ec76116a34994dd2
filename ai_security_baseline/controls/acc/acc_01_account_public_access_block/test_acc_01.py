"""ACC-01: the account's S3 Block Public Access in the dev stack, the preview rule, and the live probe on moto."""

from __future__ import annotations

import dataclasses

from ai_security_baseline.controls.acc.acc_01_account_public_access_block import mutation
from ai_security_baseline.controls.acc.testing import (
    REASON,
    central,
    central_run,
    centrally_managed_exports,
    dev_view,
    verdicts,
    with_outputs,
)
from ai_security_baseline.controls.vocabulary import ACCOUNT_PUBLIC_ACCESS_BLOCK, CENTRALLY_MANAGED_OUTPUT
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount

RULE = "acc-01-account-public-access-block"
BLOCK = "guardrails-s3-public-access-block"


def test_acc_01_dev_stack_sets_all_four_settings_and_retains_them(dev_graph: ResourceGraph) -> None:
    [block] = dev_graph.by_type(ACCOUNT_PUBLIC_ACCESS_BLOCK)
    settings = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert {k: block.inputs[k] for k in settings} == dict.fromkeys(settings, True)
    assert block.retain_on_delete is True


def test_acc_01_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert verdicts(RULE, dev_view(dev_graph), "ACC-01") == [("pass", "all four settings on, retained on destroy")]


def test_acc_01_rule_fails_public_bucket_policies_not_restricted(dev_graph: ResourceGraph) -> None:
    view = dev_view(dev_graph, **{BLOCK: {"restrictPublicBuckets": False}})
    assert verdicts(RULE, view, "ACC-01") == [("fail", "restrictPublicBuckets is False")]


def test_acc_01_rule_fails_a_block_destroy_would_delete(dev_graph: ResourceGraph) -> None:
    view = [dataclasses.replace(r, retain_on_delete=False) if r.name == BLOCK else r for r in dev_view(dev_graph)]
    [(status, message)] = verdicts(RULE, view, "ACC-01")
    assert status == "fail"
    assert "not retained on delete" in message


def test_acc_01_rule_fails_a_stack_without_the_block(dev_graph: ResourceGraph) -> None:
    view = [r for r in dev_view(dev_graph) if r.type != ACCOUNT_PUBLIC_ACCESS_BLOCK]
    assert verdicts(RULE, view, "ACC-01") == [("fail", "no account-level S3 Block Public Access in the stack")]


def test_acc_01_rule_waives_a_centrally_managed_block_with_its_reason(dev_graph: ResourceGraph) -> None:
    view = with_outputs(dev_view(dev_graph), **{CENTRALLY_MANAGED_OUTPUT: central("accountPublicAccessBlock")})
    view = [r for r in view if r.type != ACCOUNT_PUBLIC_ACCESS_BLOCK]
    assert verdicts(RULE, view, "ACC-01") == [("waived", f"centrally managed: {REASON}")]


def test_acc_01_centrally_managed_block_is_not_created() -> None:
    assert central_run().graph.by_type(ACCOUNT_PUBLIC_ACCESS_BLOCK) == []


def test_acc_01_probe_passes_the_deployed_account(live_dev: LiveAccount) -> None:
    assert [(f.status, f.message) for f in live_dev.probe("ACC-01")] == [("pass", "all four settings on")]


def test_acc_01_probe_fails_restrict_public_buckets_off(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("ACC-01", mutation.restrict_off_live)
    assert (finding.status, finding.message) == ("fail", "settings off: ['restrictPublicBuckets']")


def test_acc_01_probe_waives_a_centrally_managed_block(live_dev: LiveAccount) -> None:
    exports = centrally_managed_exports(live_dev.exports, "accountPublicAccessBlock")
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("ACC-01")
    assert (finding.status, finding.waiver) == ("waived", REASON)

"""LOG-07: the trail log group and archive keep records 365 days by default, never below 180."""

from __future__ import annotations

import pytest

from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.controls.log.log_07_retention import mutation
from ai_security_baseline.controls.log.log_07_retention import rule as log_07
from ai_security_baseline.controls.log.testing import T_GROUP, T_LOCK, edited, relaxed_to, results
from ai_security_baseline.controls.testing import res, rule_view
from ai_security_baseline.controls.vocabulary import RELAXATION_REASONS, RELAXATION_TAG, SHORT_LOG_RETENTION
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack
from conftest import LiveAccount


@pytest.fixture(scope="module")
def prod(prod_run: OfflineRun) -> OfflineRun:
    """The session's prod render, under the name these tests read it by."""
    return prod_run


def test_log_07_retention_follows_config_in_group_and_archive_lock(prod: OfflineRun) -> None:
    group = prod.graph.one(T_GROUP, "aisb-prod-cloudtrail")
    lock = prod.graph.one(T_LOCK, "aisb-prod-audit")
    assert (group.inputs["retentionInDays"], lock.inputs["rule"]["defaultRetention"]["days"]) == (2557, 2557)


def test_log_07_archive_lock_below_365_days_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"baseline:logging\.archiveLock\.days = 200: below 365"):
        parse_config({"logging": {"archiveLock": {"days": 200}}})


def test_log_07_archive_lock_may_go_to_180_days_only_with_the_relaxation() -> None:
    cfg = parse_config(
        {"logging": {"retentionDays": 180, "archiveLock": {"days": 180}}, "relaxations": {"shortLogRetention": True}}
    )
    assert cfg.logging.archive_lock.days == 180
    with pytest.raises(ConfigError, match=r"baseline:logging\.archiveLock\.days = 179: below 180"):
        parse_config({"logging": {"archiveLock": {"days": 179}}, "relaxations": {"shortLogRetention": True}})


def test_log_07_rule_fails_a_log_group_kept_180_days(dev_graph: ResourceGraph) -> None:
    dev = rule_view(dev_graph)
    graph = edited(dev, T_GROUP, lambda p: {**p, "retentionInDays": 180}, name="aisb-dev-cloudtrail")
    others = len(dev_graph.by_type(T_GROUP)) - 1
    assert sorted(results(graph, "LOG-07")) == ["fail"] + ["pass"] * others


def test_log_07_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = results(rule_view(dev_graph), "LOG-07")
    assert statuses
    assert set(statuses) == {"pass"}, statuses


def test_log_07_probe_passes_the_deployed_dev_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("LOG-07")
    assert findings
    assert all(f.status == "pass" for f in findings), findings


def test_log_07_probe_fails_after_the_live_mutation(live_dev: LiveAccount) -> None:
    statuses = [f.status for f in live_dev.probe_mutated("LOG-07", mutation.retention_180_live)]
    assert statuses == ["fail"]


RELAXED = {RELAXATION_TAG: SHORT_LOG_RETENTION}


def test_log_07_rule_waives_180_days_under_the_relaxation_with_its_reason() -> None:
    [outcome] = log_07.RULE.evaluate([res(T_GROUP, "trail-group", retentionInDays=180, tags=RELAXED)])
    assert outcome.status == "waived"
    assert RELAXATION_REASONS[SHORT_LOG_RETENTION] in outcome.message


def test_log_07_rule_fails_short_retention_without_the_relaxation_or_below_its_floor() -> None:
    without_tag = res(T_GROUP, "a", retentionInDays=180)
    below_floor = res(T_GROUP, "b", retentionInDays=90, tags=RELAXED)
    other_tag = res(T_GROUP, "c", retentionInDays=180, tags={RELAXATION_TAG: "somethingElse"})
    assert [o.status for o in log_07.RULE.evaluate([without_tag, below_floor, other_tag])] == ["fail"] * 3


def test_log_07_relaxation_tags_every_log_group_only_when_it_is_on(dev_graph: ResourceGraph) -> None:
    relaxed = run_stack(
        "dev",
        overrides={"baseline:relaxations": {"shortLogRetention": True}, "baseline:logging": {"retentionDays": 180}},
    ).graph
    groups = len(dev_graph.by_type(T_GROUP))
    assert [(g.inputs["retentionInDays"], g.inputs.get("tags")) for g in relaxed.by_type(T_GROUP)] == [
        (180, RELAXED)
    ] * groups
    assert [g.inputs.get("tags") for g in dev_graph.by_type(T_GROUP)] == [None] * groups


def test_log_07_probe_waives_180_days_on_a_group_tagged_with_the_relaxation(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("LOG-07", relaxed_to("trailLogGroupName", 180))
    assert (finding.status, finding.waiver) == ("waived", RELAXATION_REASONS[SHORT_LOG_RETENTION])


def test_log_07_probe_fails_a_relaxed_group_below_the_180_day_floor(live_dev: LiveAccount) -> None:
    assert [f.status for f in live_dev.probe_mutated("LOG-07", relaxed_to("trailLogGroupName", 90))] == ["fail"]

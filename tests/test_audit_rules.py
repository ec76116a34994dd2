"""Audit rules (LOG-01…LOG-07): the dev stack passes each; a graph broken for one control fails with its id."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from controls.kit import UNKNOWN, Res
from policies import rules_audit
from verify.checkers.rules import to_rule_resource
from verify.engine.offline import run_stack

Graph = list[Res]


@pytest.fixture(scope="module")
def dev() -> Graph:
    return [to_rule_resource(r) for r in run_stack("dev").graph]


def results(graph: Graph, control: str) -> list[str]:
    rules = [r for r in rules_audit.AUDIT_RULES if control in r.controls]
    return [o.status for rule in rules for o in rule.evaluate(graph) if o.control == control]


def edited(graph: Graph, token: str, change: Callable[[dict[str, Any]], dict[str, Any]], name: str = "") -> Graph:
    """The graph with ``change`` applied to the props of every resource of ``token`` (and ``name``, when given)."""
    return [
        dataclasses.replace(r, props=change(dict(r.props))) if r.type == token and (not name or r.name == name) else r
        for r in graph
    ]


@pytest.mark.parametrize("control", ["LOG-01", "LOG-02", "LOG-03", "LOG-04", "LOG-05", "LOG-06", "LOG-07"])
def test_log_rules_pass_on_the_dev_stack(dev: Graph, control: str) -> None:
    statuses = results(dev, control)
    assert statuses
    assert set(statuses) == {"pass"}


def test_log_01_rule_fails_a_trail_without_log_file_validation(dev: Graph) -> None:
    graph = edited(dev, rules_audit.TRAIL, lambda p: {**p, "enableLogFileValidation": False})
    assert results(graph, "LOG-01") == ["fail"]


def test_log_02_rule_fails_a_trail_without_a_kms_key(dev: Graph) -> None:
    graph = edited(dev, rules_audit.TRAIL, lambda p: {k: v for k, v in p.items() if k != "kmsKeyId"})
    assert results(graph, "LOG-02") == ["fail"]


def test_log_03_rule_fails_an_archive_policy_that_allows_deletion(dev: Graph) -> None:
    def allow_deletes(props: dict[str, Any]) -> dict[str, Any]:
        document = json.loads(props["policy"])
        document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "DenyAuditLogDeletion"]
        return {**props, "policy": json.dumps(document)}

    graph = edited(dev, rules_audit.BUCKET_POLICY, allow_deletes, name="aisb-dev-audit")
    assert results(graph, "LOG-03") == ["fail"]


def test_log_03_rule_fails_an_archive_without_object_lock(dev: Graph) -> None:
    graph = [r for r in dev if not (r.type == rules_audit.OBJECT_LOCK and r.name == "aisb-dev-audit")]
    assert results(graph, "LOG-03") == ["fail"]


def test_log_04_rule_fails_an_unencrypted_trail_log_group(dev: Graph) -> None:
    graph = edited(dev, rules_audit.LOG_GROUP, lambda p: {k: v for k, v in p.items() if k != "kmsKeyId"})
    assert results(graph, "LOG-04") == ["fail"]


def test_log_05_rule_fails_data_events_for_every_bucket(dev: Graph) -> None:
    every_bucket = [{"fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}]}]
    graph = edited(dev, rules_audit.TRAIL, lambda p: {**p, "advancedEventSelectors": every_bucket})
    assert results(graph, "LOG-05") == ["fail"]


def test_log_06_rule_fails_when_the_trail_change_alarm_is_gone(dev: Graph) -> None:
    graph = [r for r in dev if not (r.type == rules_audit.ALARM and r.name == "aisb-dev-trail-changes")]
    assert results(graph, "LOG-06") == ["fail"]


def test_log_06_rule_fails_alarms_to_an_unencrypted_topic(dev: Graph) -> None:
    graph = edited(dev, rules_audit.TOPIC, lambda p: {k: v for k, v in p.items() if k != "kmsMasterKeyId"})
    assert results(graph, "LOG-06") == ["fail"]


def test_log_07_rule_fails_a_log_group_kept_180_days(dev: Graph) -> None:
    graph = edited(dev, rules_audit.LOG_GROUP, lambda p: {**p, "retentionInDays": 180}, name="aisb-dev-cloudtrail")
    assert sorted(results(graph, "LOG-07")) == ["fail", "pass"]


def test_log_01_rule_errors_on_an_unknown_flag(dev: Graph) -> None:
    graph = edited(dev, rules_audit.TRAIL, lambda p: {**p, "isMultiRegionTrail": UNKNOWN})
    assert results(graph, "LOG-01") == ["error"]

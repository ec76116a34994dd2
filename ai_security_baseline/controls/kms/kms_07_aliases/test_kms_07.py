"""KMS-07: an alias alias/<prefix>-<class> per key, in the rendered stack, the rule and the live account."""

from __future__ import annotations

from ai_security_baseline.controls.kms.common import KEY_CLASSES
from ai_security_baseline.controls.kms.kms_07_aliases import mutation, rule
from ai_security_baseline.controls.kms.testing import alias, statuses, three_keys
from ai_security_baseline.controls.vocabulary import KMS_ALIAS, KMS_KEY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_kms_07_an_alias_per_key_named_prefix_class(dev_graph: ResourceGraph) -> None:
    for data_class in KEY_CLASSES:
        key = dev_graph.one(KMS_KEY, f"keys-{data_class}")
        alias = dev_graph.one(KMS_ALIAS, f"keys-{data_class}")
        assert alias.inputs["name"] == f"alias/aisb-dev-{data_class}"
        assert alias.inputs["targetKeyId"] == key.id
        assert alias.property_dependencies == {"targetKeyId": (key.urn,)}


def test_kms_07_rule_passes_one_alias_per_key() -> None:
    assert statuses(rule.RULE, *three_keys() + [alias(c, f"k-{c}") for c in KEY_CLASSES]) == ["pass"] * len(KEY_CLASSES)


def test_kms_07_rule_fails_a_key_without_alias() -> None:
    graph = [*three_keys(), alias("data", "k-data"), alias("logs", "k-logs"), alias("ebs", "k-ebs")]
    assert statuses(rule.RULE, *graph) == ["pass", "fail", "pass", "pass"]


def test_kms_07_rule_fails_a_key_with_two_aliases() -> None:
    graph = [*three_keys(), *(alias(c, "k-data" if c == "models" else f"k-{c}") for c in KEY_CLASSES)]
    assert statuses(rule.RULE, *graph) == ["fail", "fail", "pass", "pass"]


def test_kms_07_probe_finds_the_alias_of_every_key(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("KMS-07")
    assert [f.status for f in findings] == ["pass"] * len(KEY_CLASSES), findings


def test_kms_07_probe_fails_the_key_whose_alias_was_deleted(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("KMS-07", mutation.models_alias_deleted_live)
    assert failed == [live_dev.exports["modelsKeyArn"]]

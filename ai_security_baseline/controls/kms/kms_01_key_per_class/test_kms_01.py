"""KMS-01: one customer-managed symmetric key per data class, in the rendered stack, the rule and the live account."""

from __future__ import annotations

from ai_security_baseline.controls.kms.common import KEY_CLASSES
from ai_security_baseline.controls.kms.kms_01_key_per_class import mutation, rule
from ai_security_baseline.controls.kms.testing import alias, statuses, three_keys
from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_kms_01_one_customer_managed_symmetric_key_per_data_class(dev_graph: ResourceGraph) -> None:
    keys = dev_graph.by_type(KMS_KEY)
    assert sorted(k.name for k in keys) == sorted(f"keys-{c}" for c in KEY_CLASSES)
    assert {(k.inputs["keyUsage"], k.inputs["customerMasterKeySpec"], k.inputs["multiRegion"]) for k in keys} == {
        ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", False)
    }
    assert len({k.outputs["arn"] for k in keys}) == len(KEY_CLASSES)


def test_kms_01_rule_passes_one_key_per_class() -> None:
    assert statuses(rule.RULE, *three_keys() + [alias(c, f"k-{c}") for c in KEY_CLASSES]) == ["pass"]


def test_kms_01_rule_fails_when_two_classes_share_a_key() -> None:
    graph = [*three_keys(), alias("data", "k-data"), alias("models", "k-data"), alias("logs", "k-logs")]
    assert statuses(rule.RULE, *graph) == ["fail"]


def test_kms_01_rule_fails_a_class_without_key() -> None:
    graph = [*three_keys(), alias("data", "k-data"), alias("logs", "k-logs")]
    [outcome] = rule.RULE.evaluate(graph)
    assert outcome.status == "fail"
    assert "models: 0 key(s)" in outcome.message


def test_kms_01_probe_passes_every_enabled_class_key(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("KMS-01")
    assert [f.status for f in findings] == ["pass"] * len(KEY_CLASSES), findings


def test_kms_01_probe_fails_a_disabled_class_key(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("KMS-01", mutation.models_key_disabled_live)
    assert failed == [live_dev.exports["modelsKeyArn"]]

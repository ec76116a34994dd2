"""KMS-02: automatic key rotation on, period 90-2560 days, in the rendered stack, the rule and the live account."""

from __future__ import annotations

from ai_security_baseline.components.config import KmsConfig
from ai_security_baseline.controls.kit import UNKNOWN, Res
from ai_security_baseline.controls.kms.kms_02_rotation import mutation, rule
from ai_security_baseline.controls.vocabulary import DATA_CLASSES, KMS_KEY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount

URN = "urn:pulumi:dev::p::aws:kms/key:Key::data"


def key(**props: object) -> Res:
    return Res(urn=URN, type=KMS_KEY, props={"enableKeyRotation": True, "rotationPeriodInDays": 365, **props})


def statuses(res: Res) -> list[str]:
    return [o.status for o in rule.RULE.evaluate([res])]


def test_kms_02_every_key_rotates_every_365_days_by_default(dev_graph: ResourceGraph) -> None:
    keys = dev_graph.by_type(KMS_KEY)
    assert {(k.inputs["enableKeyRotation"], k.inputs["rotationPeriodInDays"]) for k in keys} == {(True, 365)}


def test_kms_02_rotation_period_follows_config() -> None:
    graph = run_stack("dev", overrides={"baseline:kms": {"rotationDays": 90}}).graph
    assert {k.inputs["rotationPeriodInDays"] for k in graph.by_type(KMS_KEY)} == {90}


def test_kms_02_rule_passes_rotation_on_and_fails_rotation_off() -> None:
    assert statuses(key()) == ["pass"]
    assert statuses(key(enableKeyRotation=False)) == ["fail"]


def test_kms_02_rule_fails_a_rotation_period_out_of_range() -> None:
    assert statuses(key(rotationPeriodInDays=3000)) == ["fail"]
    assert statuses(key(rotationPeriodInDays=89)) == ["fail"]


def test_kms_02_rule_errors_on_an_unknown_rotation_flag() -> None:
    assert statuses(key(enableKeyRotation=UNKNOWN)) == ["error"]


def test_kms_02_probe_reads_the_rotation_period_of_every_key(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("KMS-02")
    assert len(findings) == len(DATA_CLASSES)
    assert all(f.status == "pass" and "rotation every 365 days" in f.message for f in findings), findings


def test_kms_02_probe_fails_the_key_whose_rotation_was_turned_off(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("KMS-02", mutation.rotation_off_live)
    assert failed == [live_dev.exports["modelsKeyArn"]]


def test_kms_02_rotation_default_comes_from_the_config_model() -> None:
    assert KmsConfig().rotation_days == 365

"""KMS-03: a 30-day deletion window, keys retained on delete and protected in prod."""

from __future__ import annotations

from ai_security_baseline.components.config import KmsConfig
from ai_security_baseline.controls.kit import Res
from ai_security_baseline.controls.kms.kms_03_deletion_window import rule
from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun


def statuses(**props: object) -> list[str]:
    key = Res(urn="urn:pulumi:dev::p::aws:kms/key:Key::data", type=KMS_KEY, props=props)
    return [o.status for o in rule.RULE.evaluate([key])]


def test_kms_03_deletion_window_30_days_and_keys_retained_on_delete(dev_graph: ResourceGraph) -> None:
    for key in dev_graph.by_type(KMS_KEY):
        assert key.inputs["deletionWindowInDays"] == 30
        assert key.retain_on_delete is True
        assert key.protect is False


def test_kms_03_prod_keys_are_protected(prod_run: OfflineRun) -> None:
    prod = prod_run.graph
    assert {(k.protect, k.retain_on_delete) for k in prod.by_type(KMS_KEY)} == {(True, True)}


def test_kms_03_deletion_window_default_comes_from_the_config_model() -> None:
    assert KmsConfig().deletion_window_days == 30


def test_kms_03_rule_fails_a_seven_day_deletion_window() -> None:
    assert statuses(deletionWindowInDays=30) == ["pass"]
    assert statuses(deletionWindowInDays=7) == ["fail"]


def test_kms_03_rule_passes_an_unset_window_as_the_aws_default() -> None:
    assert statuses() == ["pass"]

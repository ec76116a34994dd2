"""GOV-02: the pseudonymization secret uses the data key and is readable only by the data processor."""

from __future__ import annotations

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.gov.gov_02_pseudonymization_secret import mutation, rule
from ai_security_baseline.controls.kit import UNKNOWN, Res
from ai_security_baseline.controls.s3.testing import PROCESSOR, compliant, edited, secret, without
from ai_security_baseline.controls.testing import ACCOUNT
from conftest import LiveAccount

SECRET_TYPES = (vocabulary.SECRET, vocabulary.SECRET_POLICY)


def results(graph: list[Res]) -> dict[tuple[str, str], str]:
    return {(o.control, o.urn.split("::")[-1]): o.status for o in rule.RULE.evaluate(graph)}


def messages(graph: list[Res]) -> dict[tuple[str, str], str]:
    return {(o.control, o.urn.split("::")[-1]): o.message for o in rule.RULE.evaluate(graph)}


def test_gov_02_rule_passes_a_secret_denied_to_everyone_until_the_processor_exists() -> None:
    graph = [r for r in compliant() if r.type not in SECRET_TYPES] + secret(readers=())
    assert results(graph) == {("GOV-02", "pseudonymization"): "pass"}


def test_gov_02_rule_fails_a_secret_encrypted_with_the_models_key() -> None:
    graph = [r for r in compliant() if r.type not in SECRET_TYPES] + secret("models")
    assert results(graph) == {("GOV-02", "pseudonymization"): "fail"}


def test_gov_02_rule_fails_a_secret_readable_by_two_roles() -> None:
    readers = (PROCESSOR, f"arn:aws:iam::{ACCOUNT}:role/trainer")
    graph = [r for r in compliant() if r.type not in SECRET_TYPES] + secret(readers=readers)
    assert results(graph) == {("GOV-02", "pseudonymization"): "fail"}


def test_gov_02_rule_fails_a_secret_without_resource_policy() -> None:
    graph = without(compliant(), vocabulary.SECRET_POLICY, "pseudonymization")
    assert messages(graph)[("GOV-02", "pseudonymization")] == "no secret resource policy attached"


def test_gov_02_rule_fails_a_stack_without_the_pseudonymization_secret() -> None:
    graph = [r for r in compliant() if r.type not in SECRET_TYPES]
    assert results(graph) == {("GOV-02", "p-dev"): "fail"}


def test_gov_02_rule_errors_on_a_secret_policy_unknown_until_apply() -> None:
    graph = edited(compliant(), vocabulary.SECRET_POLICY, "pseudonymization", policy=UNKNOWN)
    assert results(graph) == {("GOV-02", "p-dev"): "error"}


def test_gov_02_probe_passes_the_deployed_secret(live_dev: LiveAccount) -> None:
    assert [f.status for f in live_dev.probe("GOV-02")] == ["pass"]


def test_gov_02_probe_fails_the_secret_re_keyed_to_the_models_key(live_dev: LiveAccount) -> None:
    findings = live_dev.probe_mutated("GOV-02", mutation.models_key_live)
    assert [f.status for f in findings] == ["fail"]
    assert "expected" in findings[0].message

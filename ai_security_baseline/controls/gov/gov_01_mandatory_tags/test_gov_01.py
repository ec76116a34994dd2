"""GOV-01: every taggable resource carries owner, environment and data-classification, from the provider."""

from __future__ import annotations

import json

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.gov.gov_01_mandatory_tags import rule
from ai_security_baseline.controls.vocabulary import KMS_ALIAS, KMS_KEY
from ai_security_baseline.verify.checkers.rules import to_rule_resource
from ai_security_baseline.verify.engine.graph import ResourceGraph

PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:aws::aws"
MANDATORY = {"owner": "ml", "environment": "dev", "data-classification": "confidential"}


def provider(tags: dict[str, str]) -> kit.Res:
    return kit.Res(urn=PROVIDER_URN, type=kit.AWS_PROVIDER, props={"defaultTags": json.dumps({"tags": tags})})


def key() -> kit.Res:
    return kit.Res(urn="urn:pulumi:dev::p::aws:kms/key:Key::data", type=KMS_KEY, props={}, provider_urn=PROVIDER_URN)


def statuses(resources: list[kit.Res]) -> list[str]:
    return [o.status for o in rule.RULE.evaluate(resources)]


def test_gov_01_rule_passes_tags_from_the_provider() -> None:
    assert statuses([provider(MANDATORY), key()]) == ["pass"]


def test_gov_01_rule_fails_a_resource_missing_the_owner_tag() -> None:
    assert statuses([provider({k: v for k, v in MANDATORY.items() if k != "owner"}), key()]) == ["fail"]


def test_gov_01_rule_skips_types_that_take_no_tags() -> None:
    alias = kit.Res(urn="urn:pulumi:dev::p::aws:kms/alias:Alias::data", type=KMS_ALIAS, props={})
    assert statuses([provider({}), alias]) == []


def test_gov_01_every_taggable_resource_of_the_dev_stack_is_tagged(dev_graph: ResourceGraph) -> None:
    found = statuses([to_rule_resource(r) for r in dev_graph])
    assert found
    assert set(found) == {"pass"}

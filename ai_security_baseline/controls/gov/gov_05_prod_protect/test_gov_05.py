"""GOV-05: production keys, buckets and trail are protected; the prod archive lock is COMPLIANCE."""

from __future__ import annotations

import json

import pytest

from ai_security_baseline.controls.gov.gov_05_prod_protect import rule
from ai_security_baseline.controls.kit import AWS_PROVIDER, Res
from ai_security_baseline.controls.log.testing import T_BUCKET, T_GROUP, T_LOCK, T_TRAIL, trail_of
from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.checkers.rules import to_rule_resource
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun

PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:aws::aws"
KEY_URN = "urn:pulumi:dev::p::aws:kms/key:Key::data"


@pytest.fixture(scope="module")
def prod(prod_run: OfflineRun) -> OfflineRun:
    """The session's prod render, under the name these tests read it by."""
    return prod_run


def test_gov_05_prod_archive_is_compliance_locked(prod: OfflineRun) -> None:
    assert prod.graph.one(T_LOCK, "aisb-prod-audit").inputs["rule"]["defaultRetention"]["mode"] == "COMPLIANCE"


@pytest.mark.parametrize(
    ("token", "name"),
    [(T_TRAIL, "aisb-prod-trail"), (T_BUCKET, "aisb-prod-audit"), (T_GROUP, "aisb-prod-cloudtrail")],
)
def test_gov_05_prod_trail_archive_and_group_are_protected_and_retained(
    prod: OfflineRun, token: str, name: str
) -> None:
    resource = prod.graph.one(token, name)
    assert (resource.protect, resource.retain_on_delete) == (True, True)


def test_gov_05_dev_trail_is_retained_but_not_protected(dev_graph: ResourceGraph) -> None:
    trail = trail_of(dev_graph)
    assert (trail.protect, trail.retain_on_delete) == (False, True)


def test_gov_05_rule_fails_an_unprotected_key_in_prod() -> None:
    tags = {"owner": "ml", "environment": "prod", "data-classification": "confidential"}
    prod_provider = Res(urn=PROVIDER_URN, type=AWS_PROVIDER, props={"defaultTags": json.dumps({"tags": tags})})
    unprotected = Res(urn=KEY_URN, type=KMS_KEY, props={}, provider_urn=PROVIDER_URN)
    protected = Res(urn=KEY_URN, type=KMS_KEY, props={}, protect=True)
    assert [o.status for o in rule.RULE.evaluate([prod_provider, unprotected])] == ["fail"]
    assert [o.status for o in rule.RULE.evaluate([prod_provider, protected])] == ["pass"]


def test_gov_05_rule_passes_the_unprotected_dev_stack(dev_graph: ResourceGraph) -> None:
    statuses = {o.status for o in rule.RULE.evaluate([to_rule_resource(r) for r in dev_graph])}
    assert statuses == {"pass"}

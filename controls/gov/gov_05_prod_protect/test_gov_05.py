"""GOV-05: production keys, buckets and trail are protected; the prod archive lock is COMPLIANCE."""

from __future__ import annotations

import pytest

from controls.log.testing import T_BUCKET, T_GROUP, T_LOCK, T_TRAIL, trail_of
from verify.engine.graph import ResourceGraph
from verify.engine.offline import OfflineRun, run_stack


@pytest.fixture(scope="module")
def prod() -> OfflineRun:
    return run_stack("prod")


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

"""GOV-04: the stack outputs name every resource an auditor needs."""

from __future__ import annotations

import pytest

from controls.log.testing import T_BUCKET, TOPIC_ARN, TRAIL_ARN, audit_of
from verify.engine.offline import OfflineRun, run_stack


@pytest.fixture(scope="module")
def dev() -> OfflineRun:
    return run_stack("dev")


def test_gov_04_outputs_name_the_trail_archive_group_and_topic(dev: OfflineRun) -> None:
    bucket = audit_of(dev.graph, T_BUCKET)
    assert {k: dev.exports[k] for k in ("trailArn", "trailName", "auditBucketName", "auditBucketArn")} == {
        "trailArn": TRAIL_ARN,
        "trailName": "aisb-dev-trail",
        "auditBucketName": bucket.outputs["bucket"],
        "auditBucketArn": bucket.outputs["arn"],
    }
    assert (dev.exports["trailLogGroupName"], dev.exports["alarmTopicArn"]) == ("/aisb/dev/cloudtrail", TOPIC_ARN)

"""GOV-04: the stack outputs name every resource an auditor needs."""

from __future__ import annotations

from typing import Any

import pytest

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.gov.gov_04_audit_outputs import rule
from ai_security_baseline.controls.kit import STACK, Res
from ai_security_baseline.controls.log.testing import T_BUCKET, TOPIC_ARN, TRAIL_ARN, audit_of
from ai_security_baseline.verify.engine.offline import OfflineRun


@pytest.fixture(scope="module")
def dev(dev_run: OfflineRun) -> OfflineRun:
    """The session's dev render, under the name these tests read it by."""
    return dev_run


def test_gov_04_outputs_name_the_trail_archive_group_and_topic(dev: OfflineRun) -> None:
    bucket = audit_of(dev.graph, T_BUCKET)
    assert {k: dev.exports[k] for k in ("trailArn", "trailName", "auditBucketName", "auditBucketArn")} == {
        "trailArn": TRAIL_ARN,
        "trailName": "aisb-dev-trail",
        "auditBucketName": bucket.outputs["bucket"],
        "auditBucketArn": bucket.outputs["arn"],
    }
    assert (dev.exports["trailLogGroupName"], dev.exports["alarmTopicArn"]) == ("/aisb/dev/cloudtrail", TOPIC_ARN)


def stack_with(outputs: dict[str, Any]) -> Res:
    return Res(urn="urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type=STACK, props=outputs)


def outcome(resources: list[Res]) -> list[tuple[str, str]]:
    return [(o.control, o.status) for o in rule.RULE.evaluate(resources)]


def test_gov_04_rule_passes_a_stack_exporting_every_audit_output() -> None:
    assert outcome([stack_with(dict.fromkeys(vocabulary.AUDIT_OUTPUTS, "x"))]) == [("GOV-04", "pass")]


def test_gov_04_rule_fails_a_stack_without_the_trail_output() -> None:
    partial = {k: "x" for k in vocabulary.AUDIT_OUTPUTS if k != "trailArn"}
    assert outcome([stack_with(partial)]) == [("GOV-04", "fail")]


def test_gov_04_rule_errors_without_a_root_stack() -> None:
    policy = Res(
        urn="urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::trainer", type="aws:iam/rolePolicy:RolePolicy", props={}
    )
    assert outcome([policy]) == [("GOV-04", "error")]


def test_gov_04_every_audit_output_is_exported_by_the_dev_stack(dev: OfflineRun) -> None:
    assert set(vocabulary.AUDIT_OUTPUTS) <= set(dev.exports)

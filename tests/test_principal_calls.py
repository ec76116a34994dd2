"""Every principal that acts is proven, not only the workload roles: the calls AWS services make for the stack (each
with the context AWS documents, and a confused-deputy sibling) and the deployer's calls, evaluated on the dev graph."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.verify.iam.analysis import AccessReport, requests_json
from ai_security_baseline.verify.iam.principals import Outcome, TrailFacts, decide, trail_creation_calls


@pytest.fixture(scope="module")
def dev(dev_access: AccessReport) -> AccessReport:
    return dev_access


def _outcome(report: AccessReport, name: str) -> Outcome:
    [found] = [o for o in report.calls if o.call.name == name]
    return found


def test_access_json_holds_at_least_15_service_and_8_deployer_requests(dev: AccessReport) -> None:
    kinds = [r["kind"] for r in requests_json(dev)["requests"]]
    assert kinds.count("service") >= 15
    assert kinds.count("deployer") >= 8
    assert kinds.count("workload") == len(dev.rows) + [o.call.kind for o in dev.calls].count("workload")


def test_every_service_and_deployer_request_is_decided_as_expected(dev: AccessReport) -> None:
    wrong = [o.to_json() for o in dev.calls if not o.as_expected]
    assert wrong == []
    assert dev.call_gaps == []


def test_every_control_with_a_service_call_that_must_work_also_proves_a_denied_sibling(dev: AccessReport) -> None:
    allowed = {o.call.control for o in dev.calls if o.call.kind == "service" and o.call.expected == "allow"}
    denied = {o.call.control for o in dev.calls if o.call.kind == "service" and o.call.expected == "deny"}
    assert allowed <= denied


def test_log_04_cloudtrail_assumes_its_delivery_role_without_source_keys(dev: AccessReport) -> None:
    outcome = _outcome(dev, "CloudTrail assumes its CloudWatch Logs delivery role")
    assert (outcome.decision, outcome.statement) == ("allow", "resource:CloudTrailAssumeRole")
    assert not {"aws:SourceArn", "aws:SourceAccount"} & set(outcome.context)


def test_log_04_a_source_conditioned_delivery_trust_is_refused_to_cloudtrail() -> None:
    """The proof can fail: the trust shape AWS refuses at CreateTrail is denied to what CloudTrail sends."""
    conditioned = documents.trail_delivery_trust_policy()
    conditioned["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    facts = TrailFacts(
        "111122223333",
        "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t",
        "arn:aws:s3:::b",
        "{}",
        "arn:aws:kms:eu-west-1:111122223333:key/k",
        "{}",
        "arn:aws:iam::111122223333:role/r",
        json.dumps(conditioned),
    )
    assume = trail_creation_calls(facts)[0]
    assert decide(assume).decision == "implicit-deny"


def test_log_02_cloudtrail_gets_data_keys_for_this_trail_only(dev: AccessReport) -> None:
    assert _outcome(dev, "CloudTrail generates a log file's data key").decision == "allow"
    assert _outcome(dev, "CloudTrail generates a log file's data key (for another account)").decision != "allow"


def test_log_03_cloudtrail_writes_log_and_digest_files_into_the_archive_for_this_trail_only(dev: AccessReport) -> None:
    assert _outcome(dev, "CloudTrail writes a log file").decision == "allow"
    assert _outcome(dev, "CloudTrail writes a digest file (SSE-S3)").decision == "allow"
    assert _outcome(dev, "CloudTrail writes a log file (for another account)").decision != "allow"


@pytest.mark.parametrize("group", ["/aisb/dev/cloudtrail", "/aisb/dev/vpc-flow-logs"])
def test_kms_05_cloudwatch_logs_uses_the_logs_key_for_each_encrypted_group_only(dev: AccessReport, group: str) -> None:
    assert _outcome(dev, f"CloudWatch Logs GenerateDataKey for {group}").decision == "allow"
    assert _outcome(dev, f"CloudWatch Logs GenerateDataKey for {group} (for another account)").decision != "allow"


def test_gov_02_secrets_manager_as_the_deployer_may_generate_and_decrypt_the_secrets_data_key(
    dev: AccessReport,
) -> None:
    for verb in ("GenerateDataKey", "Decrypt"):
        name = f"Secrets Manager {verb} as the deployer (CreateSecret, PutSecretValue)"
        assert _outcome(dev, name).decision == "allow"
        assert _outcome(dev, f"Secrets Manager {verb} as a principal that is not a writer").decision != "allow"
        assert _outcome(dev, f"Secrets Manager {verb} as the deployer for another secret").decision != "allow"


def test_log_06_cloudwatch_publishes_to_the_encrypted_topic_for_this_account_only(dev: AccessReport) -> None:
    assert _outcome(dev, "CloudWatch publishes an alarm").decision == "allow"
    assert _outcome(dev, "CloudWatch GenerateDataKey for the encrypted topic").decision == "allow"
    assert _outcome(dev, "CloudWatch publishes an alarm (for another account)").decision != "allow"


def test_s3_13_the_deployer_can_rewrite_every_bucket_policy_and_key_policy(dev: AccessReport) -> None:
    updates = [o for o in dev.calls if o.call.action in ("s3:PutBucketPolicy", "kms:PutKeyPolicy")]
    assert len(updates) == len(dev.model.key_policies) + len(
        {o.call.resource for o in updates if "s3" in o.call.action}
    )
    assert {o.decision for o in updates} == {"allow"}


def test_a_service_call_that_differs_is_a_failing_finding_of_its_control(dev: AccessReport) -> None:
    [assume] = [o for o in dev.calls if o.call.name == "CloudTrail assumes its CloudWatch Logs delivery role"]
    broken = replace(assume, decision="implicit-deny")
    findings = replace(dev, calls=[broken]).call_findings()
    assert [(f.control, f.status, f.tool_id) for f in findings] == [("LOG-04", "fail", "principal-calls")]


def test_access_cli_json_prints_one_document_with_every_request_field(
    dev_access_json: tuple[int, dict[str, Any]],
) -> None:
    code, document = dev_access_json
    fields = {"kind", "principal", "action", "resource", "context", "expected", "decision", "statement"}
    assert all(fields <= set(r) for r in document["requests"])
    assert {r["decision"] for r in document["requests"]} <= {"allow", "deny", "implicit-deny", "error"}
    assert code == (0 if all(_as_expected(r) for r in document["requests"]) else 1)


def _as_expected(request: dict[str, str]) -> bool:
    return request["decision"] == request["expected"] or (request["expected"], request["decision"]) == (
        "deny",
        "implicit-deny",
    )

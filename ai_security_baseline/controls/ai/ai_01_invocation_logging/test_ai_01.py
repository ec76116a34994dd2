"""AI-01: Bedrock model invocation logging in the dev stack, its grants, the preview rule, and the live probe."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ai_security_baseline.components import bedrock_logging
from ai_security_baseline.components.config import parse_config
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.acc.testing import dev_view, verdicts
from ai_security_baseline.controls.ai.ai_01_invocation_logging import mutation
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import (
    BEDROCK_LOG_BUCKET_CLASS,
    BEDROCK_LOG_STREAM,
    BEDROCK_LOGGING_TYPE,
    BEDROCK_SERVICE,
    BUCKET,
    BUCKET_OBJECT_LOCK,
    INVOCATION_LOGGING_OUTPUT,
    KMS_KEY,
    LOG_GROUP,
    ROLE,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount

RULE = "ai-01-invocation-logging"
ACCOUNT, REGION = "111122223333", "eu-west-1"
ACCT = AccountContext(ACCOUNT, REGION, "aws")
SOURCE = {
    "StringEquals": {"aws:SourceAccount": ACCOUNT},
    "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"},
}
SETTING = "aisb-dev-invocation-logging"


def _setting(graph: ResourceGraph) -> dict[str, Any]:
    return dict(graph.one(BEDROCK_LOGGING_TYPE, SETTING).inputs["loggingConfig"])


def test_ai_01_dev_logs_text_to_the_locked_archive_and_the_encrypted_group(dev_graph: ResourceGraph) -> None:
    config = _setting(dev_graph)
    archive = dev_graph.one(BUCKET, f"aisb-dev-{BEDROCK_LOG_BUCKET_CLASS}")
    group = dev_graph.one(LOG_GROUP, "aisb-dev-bedrock-invocations")
    assert config["s3Config"] == {"bucketName": archive.outputs["bucket"], "keyPrefix": "bedrock"}
    assert config["cloudwatchConfig"]["logGroupName"] == "/aisb/dev/bedrock-invocations"
    assert (config["textDataDeliveryEnabled"], config["imageDataDeliveryEnabled"]) == (True, False)
    assert archive.inputs["objectLockEnabled"] is True
    assert group.inputs["kmsKeyId"] == dev_graph.one(KMS_KEY, "keys-logs").outputs["arn"]


def test_ai_01_archive_policy_admits_bedrock_only_under_its_prefix_for_this_account() -> None:
    arn = "arn:aws:s3:::archive"
    write, deny = bedrock_logging.bedrock_bucket_statements(arn, ACCT)
    assert write["Principal"] == {"Service": BEDROCK_SERVICE}
    assert write["Resource"] == f"{arn}/bedrock/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/*"
    assert write["Condition"] == SOURCE
    assert (deny["Sid"], deny["Principal"]) == ("DenyAuditLogDeletion", "*")


def test_ai_01_delivery_role_trusts_bedrock_only_for_this_account(dev_graph: ResourceGraph) -> None:
    role = dev_graph.one(ROLE, "aisb-dev-bedrock-logs")
    [statement] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert (statement["Principal"], statement["Condition"]) == ({"Service": BEDROCK_SERVICE}, SOURCE)
    assert role.inputs["permissionsBoundary"]


def test_ai_01_delivery_role_writes_only_the_invocation_stream() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/bedrock-invocations"
    [statement] = bedrock_logging.bedrock_delivery_policy(group)["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == f"{group}:log-stream:{BEDROCK_LOG_STREAM}"


def test_ai_01_logs_key_lets_bedrock_generate_data_keys_only_for_this_account() -> None:
    [bedrock, _logs] = bedrock_logging.bedrock_key_statements(ACCT, "/aisb/dev/bedrock-invocations")["logs"]
    assert (bedrock["Principal"], bedrock["Action"]) == ({"Service": BEDROCK_SERVICE}, ["kms:GenerateDataKey"])
    assert bedrock["Condition"] == SOURCE


def test_ai_01_logging_is_on_by_default_only_with_the_bedrock_bundle() -> None:
    assert parse_config({"network": {"endpointBundles": ["ml-core", "bedrock"]}}).invocation_logging
    assert not parse_config({}).invocation_logging
    assert parse_config({"ai": {"invocationLogging": True}}).invocation_logging


def test_ai_01_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert [s for s, _ in verdicts(RULE, rule_view(dev_graph), "AI-01")] == ["pass"]


def test_ai_01_rule_fails_text_delivery_off(dev_graph: ResourceGraph) -> None:
    config = {**_setting(dev_graph), "textDataDeliveryEnabled": False}
    [(status, message)] = verdicts(RULE, dev_view(dev_graph, **{SETTING: {"loggingConfig": config}}), "AI-01")
    assert (status, message) == ("fail", "text data delivery is off (prompts and completions are not logged)")


def test_ai_01_rule_fails_delivery_to_a_foreign_bucket(dev_graph: ResourceGraph) -> None:
    config = _setting(dev_graph)
    config = {**config, "s3Config": {"bucketName": "someone-elses-bucket"}}
    [(status, message)] = verdicts(RULE, dev_view(dev_graph, **{SETTING: {"loggingConfig": config}}), "AI-01")
    assert (status, message) == ("fail", "invocation logs are not delivered to a bucket of the stack")


def test_ai_01_rule_fails_an_archive_without_object_lock(dev_graph: ResourceGraph) -> None:
    view = [r for r in rule_view(dev_graph) if not (r.type == BUCKET_OBJECT_LOCK and r.name.endswith("bedrock-logs"))]
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert status == "fail"
    assert "has no Object Lock" in message


def test_ai_01_rule_fails_an_unencrypted_group(dev_graph: ResourceGraph) -> None:
    view = dev_view(dev_graph, **{"aisb-dev-bedrock-invocations": {"kmsKeyId": None}})
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert (status, message) == ("fail", "the invocation log group aisb-dev-bedrock-invocations is not KMS-encrypted")


#: The dev stack without its Bedrock endpoints and allowlist (the network and identity defaults).
WITHOUT_BEDROCK_ENDPOINTS: dict[str, object] = {"baseline:network": {}, "baseline:identity": {}}


def test_ai_01_rule_fails_the_logging_setting_dropped() -> None:
    # Bedrock not reachable from the VPC, so the exported destinations are what betray the missing setting
    graph = run_stack("dev", overrides=WITHOUT_BEDROCK_ENDPOINTS).graph
    view = [r for r in rule_view(graph) if r.type != BEDROCK_LOGGING_TYPE]
    [(status, message)] = verdicts(RULE, view, "AI-01")
    assert (status, message) == (
        "fail",
        "the stack exports invocation log destinations but sets no invocation logging",
    )


def test_ai_01_rule_fails_bedrock_reachable_without_logging() -> None:
    graph = run_stack(
        "dev",
        overrides={
            "baseline:network": {"endpointBundles": ["ml-core", "bedrock"]},
            "baseline:ai": {"invocationLogging": False},
        },
    ).graph
    [(status, message)] = verdicts(RULE, rule_view(graph), "AI-01")
    assert (status, message) == ("fail", "Bedrock is reachable from the VPC but model invocations are not logged")


def test_ai_01_rule_waives_a_stack_without_bedrock() -> None:
    graph = run_stack("dev", overrides={**WITHOUT_BEDROCK_ENDPOINTS, "baseline:ai": {"invocationLogging": False}}).graph
    [(status, _)] = verdicts(RULE, rule_view(graph), "AI-01")
    assert status == "waived"


def test_ai_01_probe_passes_the_deployed_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("AI-01")
    assert finding.status == "pass", finding.message


def test_ai_01_probe_fails_logging_deleted(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("AI-01", mutation.logging_deleted_live)
    assert (finding.status, finding.message) == ("fail", "Bedrock model invocation logging is off in this region")


def test_ai_01_probe_waives_a_stack_without_bedrock_logging(live_dev: LiveAccount) -> None:
    exports = {**live_dev.exports, INVOCATION_LOGGING_OUTPUT: {"enabled": False}}
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("AI-01")
    assert finding.status == "waived"


def test_ai_01_probe_reports_a_missing_logging_output_as_an_error(live_dev: LiveAccount) -> None:
    exports = {k: v for k, v in live_dev.exports.items() if k != INVOCATION_LOGGING_OUTPUT}
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("AI-01")
    assert finding.status == "error"

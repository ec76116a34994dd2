"""NET-05: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

import dataclasses
import json

from pulumi_policy import StackValidationArgs

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.log.testing import relaxed_to
from ai_security_baseline.controls.net import common as net
from ai_security_baseline.controls.net.net_05_flow_logs import mutation
from ai_security_baseline.controls.net.testing import (
    ACCOUNT,
    BOUNDARY,
    DATA_KEY_ARN,
    FLOW_LOG_ROLE,
    KEY,
    REGION,
    UNKNOWN,
    failed_controls,
    failure,
    mutated,
    network,
    only_network,
    outcomes,
    policy_document,
    statuses,
    trust_policy,
)
from ai_security_baseline.controls.testing import changed, urn, without
from ai_security_baseline.controls.vocabulary import FLOW_LOG, LOG_GROUP, ROLE, ROLE_POLICY, VPC
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount
from tests.test_crossguard import policy, stack_resources, violations


def test_net_05_flow_log_captures_all_traffic_into_the_log_group(dev_graph: ResourceGraph) -> None:
    flow_log = only_network(dev_graph, FLOW_LOG)
    group = only_network(dev_graph, LOG_GROUP)
    role = dev_graph.one(ROLE, FLOW_LOG_ROLE)
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["vpcId"] == only_network(dev_graph, VPC).id
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == group.outputs["arn"]
    assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"]


def test_net_05_flow_log_group_encrypted_with_logs_key_and_retained(dev_graph: ResourceGraph) -> None:
    group = only_network(dev_graph, LOG_GROUP)
    logs_key = dev_graph.one(KEY, "keys-logs")
    assert group.inputs["name"] == "/aisb/dev/vpc-flow-logs"
    assert group.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    assert group.inputs["retentionInDays"] == 365
    assert group.retain_on_delete is True
    assert group.outputs["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/vpc-flow-logs"


def test_net_05_delivery_role_trust_conditions_exact(dev_graph: ResourceGraph) -> None:
    trust = policy_document(dev_graph.one(ROLE, FLOW_LOG_ROLE), "assumeRolePolicy")
    assert trust["Statement"] == [
        {
            "Sid": "VpcFlowLogsAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/*"},
            },
        }
    ]


def test_net_05_delivery_role_carries_the_boundary_and_one_scoped_inline_policy(dev_graph: ResourceGraph) -> None:
    role = dev_graph.one(ROLE, FLOW_LOG_ROLE)
    assert role.inputs["permissionsBoundary"] == dev_graph.one(BOUNDARY, "identity-boundary").outputs["arn"]
    assert [p.name for p in dev_graph.by_type(ROLE_POLICY) if p.inputs["role"] == role.id] == [FLOW_LOG_ROLE]
    policy = dev_graph.one(ROLE_POLICY, FLOW_LOG_ROLE)
    assert policy.inputs["role"] == role.id
    group_arn = only_network(dev_graph, LOG_GROUP).outputs["arn"]
    assert policy_document(policy)["Statement"] == [
        {
            "Sid": "WriteFlowLogStreams",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": f"{group_arn}:*",
        },
        {"Sid": "DescribeLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
    ]


def test_net_05_logs_key_admits_logs_service_for_the_flow_log_group_only(dev_graph: ResourceGraph) -> None:
    statements = policy_document(dev_graph.one(KEY, "keys-logs"))["Statement"]
    logs = [s for s in statements if s["Sid"] == "LogsEncryptVpcFlowLogs"]
    assert len(logs) == 1
    assert logs[0]["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs[0]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": only_network(dev_graph, LOG_GROUP).outputs["arn"]},
    }
    for other in ("keys-data", "keys-models"):
        assert "LogsEncryptVpcFlowLogs" not in {
            s["Sid"] for s in policy_document(dev_graph.one(KEY, other))["Statement"]
        }


def test_net_05_flow_log_created_after_group_role_and_its_policy(dev_graph: ResourceGraph) -> None:
    flow_log = only_network(dev_graph, FLOW_LOG)
    assert only_network(dev_graph, LOG_GROUP).urn in flow_log.property_dependencies["logDestination"]
    assert dev_graph.one(ROLE, FLOW_LOG_ROLE).urn in flow_log.property_dependencies["iamRoleArn"]
    assert dev_graph.one(ROLE_POLICY, FLOW_LOG_ROLE).urn in flow_log.dependencies


def test_net_05_rule_fails_a_vpc_without_flow_log() -> None:
    message = failure("net-05-flow-logs", without(network(), "flow-log"), "NET-05")
    assert message == "no flow log attached; expected one with traffic type ALL"


def test_net_05_rule_fails_rejected_traffic_only() -> None:
    message = failure("net-05-flow-logs", changed(network(), "flow-log", trafficType="REJECT"), "NET-05")
    assert message == "flow-log: traffic type REJECT (expected ALL)"


def test_net_05_rule_fails_a_short_retention() -> None:
    message = failure("net-05-flow-logs", changed(network(), "flow-group", retentionInDays=30), "NET-05")
    assert "keeps 30 days (expected >= 365)" in message


def test_net_05_rule_waives_a_short_retention_under_the_relaxation_with_its_reason() -> None:
    relaxed = {vocabulary.RELAXATION_TAG: vocabulary.SHORT_LOG_RETENTION}
    graph = changed(network(), "flow-group", retentionInDays=180, tags=relaxed)
    [outcome] = [o for o in outcomes("net-05-flow-logs", graph) if o.control == "NET-05"]
    assert outcome.status == "waived"
    assert "keeps 180 days (expected >= 365)" in outcome.message
    assert vocabulary.RELAXATION_REASONS[vocabulary.SHORT_LOG_RETENTION] in outcome.message


def test_net_05_rule_fails_a_retention_below_the_floor_even_under_the_relaxation() -> None:
    relaxed = {vocabulary.RELAXATION_TAG: vocabulary.SHORT_LOG_RETENTION}
    message = failure("net-05-flow-logs", changed(network(), "flow-group", retentionInDays=90, tags=relaxed), "NET-05")
    assert "keeps 90 days (expected >= 365)" in message


def test_net_05_rule_fails_a_group_encrypted_with_the_data_key() -> None:
    message = failure("net-05-flow-logs", changed(network(), "flow-group", kmsKeyId=DATA_KEY_ARN), "NET-05")
    assert "encrypted with data-key, not the logs key" in message


def test_net_05_rule_fails_an_unencrypted_group() -> None:
    message = failure("net-05-flow-logs", changed(network(), "flow-group", kmsKeyId=None), "NET-05")
    assert "is not encrypted with a customer-managed key of this stack" in message


def test_net_05_rule_fails_a_destination_outside_the_stack() -> None:
    other = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/elsewhere"
    message = failure("net-05-flow-logs", changed(network(), "flow-log", logDestination=other), "NET-05")
    assert "destination log group not found in the stack" in message


def test_net_05_rule_fails_a_delivery_role_trust_without_source_arn() -> None:
    trust = json.loads(trust_policy())
    del trust["Statement"][0]["Condition"]["ArnLike"]
    graph = changed(network(), "flow-role", assumeRolePolicy=json.dumps(trust))
    assert "trust lacks ['aws:sourcearn']" in failure("net-05-flow-logs", graph, "NET-05")


def test_net_05_rule_links_unknown_ids_through_property_dependencies() -> None:
    deps = {
        "vpcId": (urn(vocabulary.VPC, "vpc"),),
        "logDestination": (urn(vocabulary.LOG_GROUP, "flow-group"),),
        "iamRoleArn": (urn(net.IAM_ROLE, "flow-role"),),
    }
    graph = changed(network(), "flow-log", vpcId=UNKNOWN, logDestination=UNKNOWN, iamRoleArn=UNKNOWN)
    graph = [dataclasses.replace(r, property_dependencies=deps) if r.name == "flow-log" else r for r in graph]
    assert statuses("net-05-flow-logs", graph, "NET-05") == {"pass"}


def test_net_05_rule_errors_on_an_unknown_destination_without_dependency() -> None:
    graph = changed(network(), "flow-log", logDestination=UNKNOWN)
    assert statuses("net-05-flow-logs", graph, "NET-05") == {"error"}


def test_net_05_scan_fails_the_dev_stack_without_flow_log(dev_graph: ResourceGraph) -> None:
    assert failed_controls(mutated(dev_graph, drop=vocabulary.FLOW_LOG)) == {"NET-05"}


def test_net_05_stack_policy_passes_the_dev_stack_through_the_sdk(dev_graph: ResourceGraph) -> None:
    assert violations(policy("net-05-flow-logs"), StackValidationArgs(stack_resources(dev_graph), {})) == []


def test_net_05_stack_policy_reports_a_missing_flow_log_through_the_sdk(dev_graph: ResourceGraph) -> None:
    resources = [r for r in stack_resources(dev_graph) if r.resource_type != FLOW_LOG]
    found = violations(policy("net-05-flow-logs"), StackValidationArgs(resources, {}))
    assert found == ["[NET-05] no flow log attached; expected one with traffic type ALL"]


def test_net_05_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("NET-05")
    assert findings
    assert {f.status for f in findings} == {"pass"}, findings


def test_net_05_probe_fails_the_flow_log_group_kept_30_days(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("NET-05", mutation.short_retention_live)
    assert failed == [live_dev.exports["vpcId"]]


def test_net_05_probe_waives_a_flow_log_group_tagged_with_the_relaxation_at_180_days(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("NET-05", relaxed_to("flowLogGroupName", 180))
    assert (finding.status, finding.waiver) == (
        "waived",
        vocabulary.RELAXATION_REASONS[vocabulary.SHORT_LOG_RETENTION],
    )


def test_net_05_probe_fails_a_relaxed_flow_log_group_below_the_180_day_floor(live_dev: LiveAccount) -> None:
    assert [f.status for f in live_dev.probe_mutated("NET-05", relaxed_to("flowLogGroupName", 90))] == ["fail"]

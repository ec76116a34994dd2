"""NET-07: the rendered query logging, its resource policy and key statement, the preview rule on the dev stack
changed, the delivery AWS evaluates, and the live probe."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ai_security_baseline.components import documents
from ai_security_baseline.controls import kit, vocabulary
from ai_security_baseline.controls.log.testing import relaxed_to
from ai_security_baseline.controls.net.net_07_query_logging import mutation
from ai_security_baseline.controls.net.net_07_query_logging.rule import RULE
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import (
    KMS_KEY,
    LOG_GROUP,
    LOG_RESOURCE_POLICY,
    QUERY_LOG_ASSOCIATION,
    QUERY_LOG_CONFIG,
    VPC,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.principals import decide, query_log_delivery_calls
from conftest import LiveAccount

ACCOUNT = "111122223333"
GROUP = "/aisb/dev/resolver-query-logs"
GROUP_ARN = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:{GROUP}"


def edited(graph: ResourceGraph, type_token: str, name: str, **props: Any) -> list[kit.Res]:
    """The rule view with ``props`` set (None: removed) on the resource of that type and name."""
    return [
        dataclasses.replace(r, props={k: v for k, v in {**r.props, **props}.items() if v is not None})
        if r.type == type_token and r.name == name
        else r
        for r in rule_view(graph)
    ]


def verdict(resources: list[kit.Res]) -> tuple[str, str]:
    [outcome] = RULE.evaluate(resources)
    return outcome.status, outcome.message


def test_net_07_query_logs_of_the_vpc_go_to_the_query_log_group(dev_graph: ResourceGraph) -> None:
    [config] = dev_graph.by_type(QUERY_LOG_CONFIG)
    [association] = dev_graph.by_type(QUERY_LOG_ASSOCIATION)
    [group] = [g for g in dev_graph.by_type(LOG_GROUP) if g.inputs["name"] == GROUP]
    assert config.inputs["destinationArn"] == group.outputs["arn"] == GROUP_ARN
    assert association.inputs["resolverQueryLogConfigId"] == config.id
    assert association.inputs["resourceId"] == dev_graph.one(VPC, "network-vpc").id


def test_net_07_query_log_group_encrypted_with_logs_key_and_retained(dev_graph: ResourceGraph) -> None:
    [group] = [g for g in dev_graph.by_type(LOG_GROUP) if g.inputs["name"] == GROUP]
    assert group.inputs["kmsKeyId"] == dev_graph.one(KMS_KEY, "keys-logs").outputs["arn"]
    assert (group.inputs["retentionInDays"], group.retain_on_delete) == (365, True)


def test_net_07_logs_key_admits_logs_for_the_query_log_group_only(dev_graph: ResourceGraph) -> None:
    policy = json.loads(dev_graph.one(KMS_KEY, "keys-logs").inputs["policy"])
    [statement] = [s for s in policy["Statement"] if s["Sid"] == "LogsEncryptResolverQueryLogs"]
    assert statement["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert statement["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": GROUP_ARN}}


def test_net_07_resource_policy_admits_the_delivery_service_for_this_account_only(dev_graph: ResourceGraph) -> None:
    [policy] = dev_graph.by_type(LOG_RESOURCE_POLICY)
    assert policy.inputs["policyName"] == "aisb-dev-resolver-query-logs"
    assert json.loads(policy.inputs["policyDocument"])["Statement"] == [
        {
            "Sid": "AWSLogDeliveryWriteResolverQueryLogs",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{GROUP_ARN}:log-stream:*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:*"},
            },
        }
    ]


def test_net_07_config_is_created_after_its_resource_policy(dev_graph: ResourceGraph) -> None:
    [config] = dev_graph.by_type(QUERY_LOG_CONFIG)
    [policy] = dev_graph.by_type(LOG_RESOURCE_POLICY)
    assert policy.urn in config.dependencies


def test_net_07_delivery_is_allowed_for_this_account_and_refused_for_another() -> None:
    policy = documents.query_log_delivery_policy(GROUP_ARN, partition="aws", region="eu-west-1", account_id=ACCOUNT)
    calls = query_log_delivery_calls(
        account=ACCOUNT, partition="aws", region="eu-west-1", group_arn=GROUP_ARN, resource_policy=policy
    )
    assert [(c.expected, decide(c).as_expected) for c in calls] == [("allow", True), ("deny", True)] * 2


def test_net_07_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert verdict(rule_view(dev_graph)) == (
        "pass",
        "query logs dns-query-logs to a logs-key-encrypted, retained group",
    )


def test_net_07_rule_fails_a_vpc_without_association(dev_graph: ResourceGraph) -> None:
    graph = [r for r in rule_view(dev_graph) if r.type != QUERY_LOG_ASSOCIATION]
    assert verdict(graph) == ("fail", "no Resolver query log config is associated with the VPC")


def test_net_07_rule_fails_a_short_retention(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_graph, LOG_GROUP, "dns-query-logs-group", retentionInDays=30)
    assert verdict(graph) == ("fail", "dns-query-logs: log group dns-query-logs-group keeps 30 days (expected >= 365)")


def test_net_07_rule_waives_a_short_retention_under_the_relaxation(dev_graph: ResourceGraph) -> None:
    relaxed = {vocabulary.RELAXATION_TAG: vocabulary.SHORT_LOG_RETENTION}
    graph = edited(dev_graph, LOG_GROUP, "dns-query-logs-group", retentionInDays=180, tags=relaxed)
    status, message = verdict(graph)
    assert (status, vocabulary.RELAXATION_REASONS[vocabulary.SHORT_LOG_RETENTION] in message) == ("waived", True)


def test_net_07_rule_fails_without_the_resource_policy(dev_graph: ResourceGraph) -> None:
    graph = [r for r in rule_view(dev_graph) if r.type != LOG_RESOURCE_POLICY]
    assert verdict(graph) == (
        "fail",
        f"dns-query-logs: no resource policy of the stack admits delivery.logs.amazonaws.com to write {GROUP_ARN}",
    )


def test_net_07_rule_fails_delivery_admitted_for_any_account(dev_graph: ResourceGraph) -> None:
    document = documents.query_log_delivery_policy(GROUP_ARN, partition="aws", region="eu-west-1", account_id=ACCOUNT)
    del document["Statement"][0]["Condition"]
    graph = edited(dev_graph, LOG_RESOURCE_POLICY, "dns-query-logs", policyDocument=json.dumps(document))
    assert verdict(graph) == (
        "fail",
        "dns-query-logs: the resource policy admits delivery.logs.amazonaws.com for "
        f"{GROUP_ARN} without aws:SourceAccount",
    )


def test_net_07_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("NET-07")
    assert finding.status == "pass", finding


def test_net_07_probe_fails_the_query_log_group_kept_30_days(live_dev: LiveAccount) -> None:
    assert live_dev.failing_under("NET-07", mutation.short_retention_live) == [live_dev.exports["vpcId"]]


def test_net_07_probe_fails_without_the_resource_policy(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("NET-07", mutation.resource_policy_deleted_live)
    assert (finding.status, "Logs delivery CreateLogStream" in finding.message) == ("fail", True)


def test_net_07_probe_waives_a_relaxed_query_log_group_at_180_days(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("NET-07", relaxed_to(vocabulary.QUERY_LOG_GROUP_OUTPUT, 180))
    assert (finding.status, finding.waiver) == (
        "waived",
        vocabulary.RELAXATION_REASONS[vocabulary.SHORT_LOG_RETENTION],
    )

"""Log delivery has one source of truth: the ``LogDelivery`` values the boundary's cap and the policy quotas read
(``log_deliveries``) are what the components build, and the one builder keeps every delivery alike."""

from __future__ import annotations

import json

import pytest

from ai_security_baseline.components.baseline import log_deliveries
from ai_security_baseline.components.config import BaselineConfig, namespace_values, parse_config, with_deployer
from ai_security_baseline.components.delivery import LogDelivery
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.mocks import FakeAccount
from ai_security_baseline.verify.engine.offline import OfflineRun, stack_config

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ACCOUNT = FakeAccount()


def deliveries(stack: str) -> list[LogDelivery]:
    config: BaselineConfig = with_deployer(
        parse_config(namespace_values(stack_config(stack))), ACCOUNT.caller_arn, applying=False
    )
    return log_deliveries(config, AccountContext(ACCOUNT.account_id, ACCOUNT.region, ACCOUNT.partition))


def named(graph: ResourceGraph, type_token: str, key: str, value: str) -> Resource:
    [found] = [r for r in graph.by_type(type_token) if r.prop(key) == value]
    return found


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request: pytest.FixtureRequest, dev_run: OfflineRun, prod_run: OfflineRun) -> tuple[str, ResourceGraph]:
    return request.param, (dev_run if request.param == "dev" else prod_run).graph


def test_log_deliveries_are_the_flow_log_trail_and_bedrock_roles_of_the_dev_stack() -> None:
    assert [d.role_name for d in deliveries("dev")] == [
        "aisb-dev-vpc-flow-logs",
        "aisb-dev-cloudtrail-logs",
        "aisb-dev-bedrock-logs",  # dev turns invocation logging on
    ]


def test_log_deliveries_leave_out_bedrock_where_invocation_logging_is_off() -> None:
    assert [d.role_name for d in deliveries("prod")] == ["aisb-prod-vpc-flow-logs", "aisb-prod-cloudtrail-logs"]


def test_each_delivery_role_is_built_with_the_trust_of_its_log_delivery(stack: tuple[str, ResourceGraph]) -> None:
    name, graph = stack
    for delivery in deliveries(name):
        role = named(graph, ROLE, "name", delivery.role_name)
        assert json.loads(role.prop("assumeRolePolicy")) == delivery.trust, delivery.role_name


def test_each_delivery_role_holds_exactly_the_grants_of_its_log_delivery(stack: tuple[str, ResourceGraph]) -> None:
    name, graph = stack
    for delivery in deliveries(name):
        policy = named(graph, ROLE_POLICY, "role", delivery.role_name)
        assert (policy.prop("name"), json.loads(policy.prop("policy"))) == (delivery.policy_name, delivery.grants)


def test_each_delivery_writes_a_retained_group_under_the_logs_key(stack: tuple[str, ResourceGraph]) -> None:
    name, graph = stack
    for delivery in deliveries(name):
        group = named(graph, LOG_GROUP, "name", delivery.group_name)
        assert (group.retain_on_delete, group.prop("skipDestroy"), bool(group.prop("kmsKeyId"))) == (True, True, True)


def test_delivery_roles_are_retained_and_only_the_flow_log_grant_goes_at_destroy(
    stack: tuple[str, ResourceGraph],
) -> None:
    name, graph = stack
    kept = {
        d.role_name: (
            named(graph, ROLE, "name", d.role_name).retain_on_delete,
            named(graph, ROLE_POLICY, "role", d.role_name).retain_on_delete,
        )
        for d in deliveries(name)
    }
    flow_log_role = f"aisb-{name}-vpc-flow-logs"
    assert kept == {r: (True, r != flow_log_role) for r in kept}

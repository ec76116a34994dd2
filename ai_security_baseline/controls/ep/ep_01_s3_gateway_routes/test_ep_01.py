"""EP-01: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

from pulumi_policy import StackValidationArgs

from ai_security_baseline.controls.ep.ep_01_s3_gateway_routes import mutation
from ai_security_baseline.controls.net.testing import (
    REGION,
    UNKNOWN,
    expected_ids,
    failure,
    network,
    only_network,
    s3_gateway,
    statuses,
)
from ai_security_baseline.controls.testing import changed, res, without
from ai_security_baseline.controls.vocabulary import ENDPOINT_ROUTE_TABLE, ROUTE_TABLE, VPC
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount
from tests.test_crossguard import policy, stack_resources, violations


def test_ep_01_s3_gateway_endpoint_on_every_private_route_table(dev_graph: ResourceGraph) -> None:
    gateway = s3_gateway(dev_graph)
    assert gateway.inputs["serviceName"] == f"com.amazonaws.{REGION}.s3"
    assert gateway.inputs["vpcId"] == only_network(dev_graph, VPC).id
    assert sorted(gateway.inputs["routeTableIds"]) == expected_ids(dev_graph, ROUTE_TABLE)


def test_ep_01_rule_fails_a_route_table_without_the_gateway() -> None:
    graph = changed(network(), "ep-s3", routeTableIds=["rtb-a"])
    assert failure("ep-01-s3-gateway-routes", graph, "EP-01") == "route table rt-b: no S3 gateway endpoint attached"


def test_ep_01_rule_accepts_a_separate_route_table_association() -> None:
    association = res(ENDPOINT_ROUTE_TABLE, "s3-rt-b", vpcEndpointId="vpce-s3", routeTableId="rtb-b")
    graph = [*changed(network(), "ep-s3", routeTableIds=["rtb-a"]), association]
    assert statuses("ep-01-s3-gateway-routes", graph, "EP-01") == {"pass"}


def test_ep_01_rule_fails_a_vpc_without_s3_gateway() -> None:
    message = failure("ep-01-s3-gateway-routes", without(network(), "ep-s3"), "EP-01")
    assert message.startswith("0 S3 gateway endpoint(s), 2 route table(s)")


def test_ep_01_rule_fails_a_subnet_left_on_the_main_route_table() -> None:
    message = failure("ep-01-s3-gateway-routes", without(network(), "assoc-b"), "EP-01")
    assert message == "subnet subnet-b uses the VPC main route table (no S3 gateway)"


def test_ep_01_stack_policy_follows_sdk_property_dependencies(dev_graph: ResourceGraph) -> None:
    resources = stack_resources(dev_graph)
    gateway = next(r for r in resources if r.name == "endpoints-s3")
    gateway.props = {**gateway.props, "routeTableIds": [UNKNOWN, UNKNOWN, UNKNOWN]}
    assert violations(policy("ep-01-s3-gateway-routes"), StackValidationArgs(resources, {})) == []


def test_ep_01_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("EP-01")
    assert findings
    assert {f.status for f in findings} == {"pass"}, findings


def test_ep_01_probe_fails_the_gateway_removed_from_a_route_table(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("EP-01", mutation.detached_route_table_live)
    assert failed == [live_dev.exports["s3GatewayEndpointId"]]

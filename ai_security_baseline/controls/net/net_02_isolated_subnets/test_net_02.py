"""NET-02: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

import ipaddress

import pytest

from ai_security_baseline.components.config import ConfigError
from ai_security_baseline.components.network import pick_zones
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.net.net_02_isolated_subnets import mutation
from ai_security_baseline.controls.net.testing import (
    REGION,
    RT_ASSOC,
    VPC_CIDR,
    dev_network,
    expected_ids,
    failed_controls,
    failure,
    mutated,
    network,
    only_network,
    walk,
)
from ai_security_baseline.controls.testing import changed, res
from ai_security_baseline.controls.vocabulary import ENDPOINT_BUNDLES, ROUTE_TABLE, SUBNET, VPC
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.mocks import BaselineMocks, FakeAccount
from ai_security_baseline.verify.engine.offline import GraphRecorder, OfflineRun, run_stack
from conftest import LiveAccount


def test_net_02_no_internet_gateway_nat_or_open_route_in_any_resource(dev_graph: ResourceGraph) -> None:
    forbidden = ("internetgateway", "natgateway", "egressonlyinternetgateway", "vpngateway", "transitgateway")
    offenders = [r.urn for r in dev_graph if any(word in r.type.lower() for word in forbidden)]
    assert offenders == []
    open_cidrs = {"0.0.0.0/0", "::/0"}
    open_refs = [r.urn for r in dev_graph.custom_resources() if open_cidrs & set(map(str, walk(dict(r.inputs))))]
    assert open_refs == []
    assert dev_graph.by_type("aws:ec2/route:Route") == []


def test_net_02_route_tables_hold_no_routes_and_one_per_subnet(dev_graph: ResourceGraph) -> None:
    tables = dev_graph.by_type(ROUTE_TABLE)
    assert [t.inputs.get("routes", []) for t in tables] == [[], [], []]
    pairs = {(a.inputs["subnetId"], a.inputs["routeTableId"]) for a in dev_graph.by_type(RT_ASSOC)}
    assert sorted(s for s, _ in pairs) == expected_ids(dev_graph, SUBNET)
    assert sorted(t for _, t in pairs) == expected_ids(dev_graph, ROUTE_TABLE)


def test_net_02_private_subnets_one_per_zone_without_public_ips(dev_graph: ResourceGraph) -> None:
    subnets = sorted(dev_graph.by_type(SUBNET), key=lambda s: s.inputs["availabilityZone"])
    vpc = only_network(dev_graph, VPC)
    assert [s.inputs["availabilityZone"] for s in subnets] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    assert all(s.inputs["vpcId"] == vpc.id for s in subnets)


def test_net_02_zones_come_from_the_available_zones_invoke(dev_run: OfflineRun) -> None:
    calls = [args for token, args in dev_run.invokes if token == "aws:index/getAvailabilityZones:getAvailabilityZones"]
    assert calls
    assert all(args.get("state") == "available" for args in calls)


def test_net_02_zones_invoke_asks_for_standard_zones_only(dev_run: OfflineRun) -> None:
    calls = [args for token, args in dev_run.invokes if token == "aws:index/getAvailabilityZones:getAvailabilityZones"]
    assert calls
    assert all(args["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}] for args in calls)


def test_net_02_opted_in_local_zone_gets_no_subnet() -> None:
    """A Local Zone's name sorts before the AZs (us-west-2-lax-1a < us-west-2a): it must be filtered out."""
    account = FakeAccount(local_zones=("us-west-2-lax-1a",))
    run = run_stack("dev", overrides={"aws:region": "us-west-2"}, account=account)
    zones = sorted(s.inputs["availabilityZone"] for s in run.graph.by_type(SUBNET))
    assert zones == ["us-west-2a", "us-west-2b", "us-west-2c"]


def test_net_02_zones_are_those_every_interface_endpoint_service_is_offered_in() -> None:
    account = FakeAccount(service_zones={"sagemaker.runtime": ("us-east-1a", "us-east-1c", "us-east-1d")})
    run = run_stack("dev", overrides={"aws:region": "us-east-1"}, account=account)
    zones = sorted(s.inputs["availabilityZone"] for s in run.graph.by_type(SUBNET))
    assert zones == ["us-east-1a", "us-east-1c", "us-east-1d"]


def test_net_02_endpoint_service_zones_are_asked_for_every_enabled_service(dev_run: OfflineRun) -> None:
    token = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
    asked = [(args["serviceName"], args["serviceType"]) for t, args in dev_run.invokes if t == token]
    dev_services = (*ENDPOINT_BUNDLES["ml-core"], *ENDPOINT_BUNDLES["bedrock"])  # the dev stack's two bundles
    assert sorted(asked) == sorted((f"com.amazonaws.{REGION}.{s}", "Interface") for s in dev_services)


def test_net_02_pick_zones_takes_the_intersection_in_name_order() -> None:
    offered = {"sts": ["r-1d", "r-1a", "r-1c", "r-1b"], "ecr.dkr": ["r-1c", "r-1d", "r-1b"]}
    assert pick_zones(["r-1d", "r-1b", "r-1a", "r-1c"], 2, "r-1", offered) == ("r-1b", "r-1c")


def test_net_02_pick_zones_names_the_key_and_the_service_that_limits_it() -> None:
    offered = {"sts": ["r-1a", "r-1b", "r-1c"], "ecr.dkr": ["r-1a", "r-1b"]}
    with pytest.raises(ConfigError) as error:
        pick_zones(["r-1a", "r-1b", "r-1c"], 3, "r-1", offered)
    message = str(error.value)
    assert message.startswith("invalid configuration: baseline:network.azCount = 3: region r-1 has only 2 available")
    assert "ecr.dkr is offered only in r-1a, r-1b" in message
    assert "sts" not in message


def test_net_02_service_offered_in_too_few_zones_fails_before_any_resource() -> None:
    recorder = GraphRecorder(BaselineMocks(FakeAccount(service_zones={"ecr.dkr": ("eu-west-1a", "eu-west-1b")})))
    with pytest.raises(ConfigError, match=r"baseline:network\.azCount = 3: .*ecr\.dkr is offered only in"):
        run_stack("dev", recorder=recorder)
    assert [r.type for r in recorder.records.values() if r.custom and not r.is_provider] == []


@pytest.mark.parametrize(
    ("az_count", "expected"),
    [
        (3, ["10.42.0.0/18", "10.42.64.0/18", "10.42.128.0/18"]),
        (2, ["10.42.0.0/17", "10.42.128.0/17"]),
    ],
)
def test_net_02_subnet_cidrs_exact_and_disjoint(az_count: int, expected: list[str]) -> None:
    run = run_stack("dev", overrides=dev_network(azCount=az_count))
    subnets = sorted(run.graph.by_type(SUBNET), key=lambda s: s.inputs["availabilityZone"])
    cidrs = [s.inputs["cidrBlock"] for s in subnets]
    assert cidrs == expected
    networks = [ipaddress.IPv4Network(c) for c in cidrs]
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])
    assert all(n.subnet_of(ipaddress.IPv4Network(VPC_CIDR)) for n in networks)


def test_net_02_region_with_too_few_zones_fails_before_any_resource() -> None:
    recorder = GraphRecorder(BaselineMocks(FakeAccount(zone_count=2)))
    with pytest.raises(ConfigError, match=r"baseline:network\.azCount = 3: region eu-west-1 has only 2"):
        run_stack("dev", recorder=recorder)
    created = [r.type for r in recorder.records.values() if r.custom and not r.is_provider]
    assert created == []


@pytest.mark.parametrize(
    "gateway", ["aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway"], ids=["igw", "nat"]
)
def test_net_02_rule_fails_an_internet_or_nat_gateway(gateway: str) -> None:
    graph = [*network(), res(gateway, "exit", vpcId="vpc-1")]
    assert "opens an internet path; expected none" in failure("net-02-isolated-subnets", graph, "NET-02")


def test_net_02_rule_fails_an_ipv4_default_route() -> None:
    route = res(vocabulary.ROUTE, "default", routeTableId="rtb-a", destinationCidrBlock="0.0.0.0/0", gatewayId="vgw-1")
    message = failure("net-02-isolated-subnets", [*network(), route], "NET-02")
    assert "default routes ['0.0.0.0/0'] (a default route)" in message


def test_net_02_rule_fails_an_inline_ipv6_default_route() -> None:
    graph = changed(network(), "rt-a", routes=[{"ipv6CidrBlock": "::/0", "egressOnlyGatewayId": "eigw-1"}])
    assert "rt-a routes ['::/0']" in failure("net-02-isolated-subnets", graph, "NET-02")


def test_net_02_rule_fails_a_subnet_with_public_ip_on_launch() -> None:
    graph = changed(network(), "subnet-a", mapPublicIpOnLaunch=True)
    assert "subnet-a has mapPublicIpOnLaunch=true" in failure("net-02-isolated-subnets", graph, "NET-02")


def test_net_02_rule_fails_subnets_in_a_single_az() -> None:
    graph = changed(network(), "subnet-b", availabilityZone="eu-west-1a")
    assert "2 subnet(s) over 1 AZ(s) (expected 2-6 AZs)" in failure("net-02-isolated-subnets", graph, "NET-02")


def test_net_02_scan_fails_the_dev_stack_with_an_internet_gateway(dev_graph: ResourceGraph) -> None:
    vpc = dev_graph.one(vocabulary.VPC, "network-vpc")
    igw_urn = vpc.urn.replace(vocabulary.VPC, "aws:ec2/internetGateway:InternetGateway").replace("network-vpc", "igw")
    igw = Resource(urn=igw_urn, type="aws:ec2/internetGateway:InternetGateway", custom=True, parent=vpc.parent)
    assert failed_controls(mutated(dev_graph, add=[igw])) == {"NET-02"}


def test_net_02_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("NET-02")
    assert findings
    assert {f.status for f in findings} == {"pass"}, findings


def test_net_02_probe_fails_an_internet_gateway_attached_after_deploy(live_dev: LiveAccount) -> None:
    failed = [f for f in live_dev.probe_mutated("NET-02", mutation.internet_gateway_live) if f.status == "fail"]
    assert [f.urn for f in failed] == [live_dev.exports["vpcId"]]
    assert "internet gateway" in failed[0].message

"""The network component as a whole on the offline dev graph (invokes, dependencies, outputs) and its config rules."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import MockCallArgs

from ai_security_baseline.components.config import (
    ConfigError,
    parse_config,
)
from ai_security_baseline.controls.net.testing import expected_ids, interface_endpoints_in, only_network, s3_gateway
from ai_security_baseline.controls.vocabulary import VPC
from ai_security_baseline.verify.engine.mocks import BaselineMocks, UnsupportedMockError
from ai_security_baseline.verify.engine.offline import OfflineRun

SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def dev(dev_run: OfflineRun) -> OfflineRun:
    """The session's dev render, under the name these tests read it by."""
    return dev_run


# ---- NET-01 / NET-02 -------------------------------------------------------------------------


def test_offline_zone_and_endpoint_service_invokes_fail_closed() -> None:
    mocks = BaselineMocks()
    zones = "aws:index/getAvailabilityZones:getAvailabilityZones"
    with pytest.raises(UnsupportedMockError, match="zone-type"):
        mocks.call(MockCallArgs(zones, {"filters": [{"name": "zone-type", "values": ["local-zone"]}]}, ""))
    service = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
    with pytest.raises(UnsupportedMockError, match="s3-express"):
        mocks.call(MockCallArgs(service, {"serviceName": f"com.amazonaws.{REGION}.s3-express"}, ""))


# ---- NET-03 / NET-04 -------------------------------------------------------------------------


# ---- NET-05 ----------------------------------------------------------------------------------


# ---- EP-01 … EP-05 ---------------------------------------------------------------------------


def test_interface_endpoints_depend_on_the_vpc_with_dns_enabled(dev: OfflineRun) -> None:
    vpc = only_network(dev.graph, VPC)
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True
    for endpoint in interface_endpoints_in(dev.graph):
        assert vpc.urn in endpoint.property_dependencies["vpcId"], endpoint.name


# ---- outputs (GOV-04) ------------------------------------------------------------------------


def test_gov_04_outputs_name_vpc_subnets_endpoints_and_flow_log_group(dev: OfflineRun) -> None:
    graph, exports = dev.graph, dev.exports
    assert exports["vpcId"] == only_network(graph, VPC).id
    assert sorted(exports["privateSubnetIds"]) == expected_ids(graph, SUBNET)
    assert exports["endpointSecurityGroupId"] == graph.one(SG, "endpoints-sg").id
    assert exports["s3GatewayEndpointId"] == s3_gateway(graph).id
    by_service = {
        e.inputs["serviceName"].removeprefix(f"com.amazonaws.{REGION}."): e.id for e in interface_endpoints_in(graph)
    }
    assert exports["interfaceEndpointIds"] == by_service
    assert exports["flowLogGroupName"] == "/aisb/dev/vpc-flow-logs"


# ---- config ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "key"),
    [
        ({"cidr": "10.0.0.0/24", "azCount": 6, "subnetPrefix": 26}, "baseline:network.cidr"),
        ({"azCount": 1}, "baseline:network.azCount"),
        ({"azCount": 7}, "baseline:network.azCount"),
        ({"endpointBundles": ["ml-core", "gpu"]}, "baseline:network.endpointBundles"),
        ({"endpointServices": ["s3-express"]}, "baseline:network.endpointServices"),
    ],
)
def test_network_config_errors_name_the_key(network: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config({"network": network})


def test_cidr_too_small_error_says_too_small() -> None:
    with pytest.raises(ConfigError, match="too small"):
        parse_config({"network": {"cidr": "10.0.0.0/24", "azCount": 6, "subnetPrefix": 26}})

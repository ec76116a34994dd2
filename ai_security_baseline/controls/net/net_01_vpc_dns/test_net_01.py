"""NET-01: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

from ai_security_baseline.controls.net.net_01_vpc_dns import mutation
from ai_security_baseline.controls.net.testing import (
    VPC_CIDR,
    failed_controls,
    failure,
    mutated,
    network,
    only_network,
    statuses,
)
from ai_security_baseline.controls.testing import changed
from ai_security_baseline.controls.vocabulary import VPC
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_net_01_vpc_has_dns_support_and_hostnames(dev_graph: ResourceGraph) -> None:
    vpc = only_network(dev_graph, VPC)
    assert vpc.inputs["cidrBlock"] == VPC_CIDR
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_net_01_rule_fails_a_vpc_without_dns_hostnames() -> None:
    message = failure("net-01-vpc-dns", changed(network(), "vpc", enableDnsHostnames=False), "NET-01")
    assert message == "enableDnsSupport=True, enableDnsHostnames=False (expected both true)"


def test_net_01_rule_fails_dns_support_left_unset() -> None:
    assert statuses("net-01-vpc-dns", changed(network(), "vpc", enableDnsSupport=None), "NET-01") == {"fail"}


def test_net_01_scan_fails_the_dev_stack_with_dns_hostnames_off(dev_graph: ResourceGraph) -> None:
    assert failed_controls(mutated(dev_graph, changes={"network-vpc": {"enableDnsHostnames": False}})) == {"NET-01"}


def test_net_01_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("NET-01")
    assert findings
    assert {f.status for f in findings} == {"pass"}, findings


def test_net_01_probe_fails_dns_hostnames_turned_off(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("NET-01", mutation.dns_hostnames_off_live)
    assert failed == [live_dev.exports["vpcId"]]

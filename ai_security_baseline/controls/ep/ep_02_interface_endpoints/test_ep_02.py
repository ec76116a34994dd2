"""EP-02: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

from ai_security_baseline.controls.ep.ep_02_interface_endpoints import mutation
from ai_security_baseline.controls.net.testing import REGION, SG, expected_ids, failure, interface_endpoints_in, network
from ai_security_baseline.controls.testing import changed, without
from ai_security_baseline.controls.vocabulary import ENDPOINT_BUNDLES, SUBNET
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_ep_02_dev_stack_bundles_interface_endpoints_in_every_subnet_with_private_dns(dev_graph: ResourceGraph) -> None:
    endpoints = interface_endpoints_in(dev_graph)
    names = sorted(e.inputs["serviceName"] for e in endpoints)
    dev_services = (*ENDPOINT_BUNDLES["ml-core"], *ENDPOINT_BUNDLES["bedrock"])  # the dev stack's two bundles
    assert names == sorted(f"com.amazonaws.{REGION}.{s}" for s in dev_services)
    sg = dev_graph.one(SG, "endpoints-sg")
    for endpoint in endpoints:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert sorted(endpoint.inputs["subnetIds"]) == expected_ids(dev_graph, SUBNET)
        assert endpoint.inputs["securityGroupIds"] == [sg.id]


def test_ep_02_rule_fails_a_missing_ml_core_endpoint() -> None:
    message = failure("ep-02-interface-endpoints", without(network(), "ep-sts"), "EP-02")
    assert message == "missing ml-core endpoint(s) ['sts']"


def test_ep_02_rule_fails_an_endpoint_without_private_dns() -> None:
    graph = changed(network(), "ep-kms", privateDnsEnabled=False)
    message = failure("ep-02-interface-endpoints", graph, "EP-02")
    assert message == "private DNS is off (expected private DNS in every private subnet)"


def test_ep_02_rule_fails_an_endpoint_missing_a_subnet() -> None:
    graph = changed(network(), "ep-logs", subnetIds=["subnet-a"])
    assert "not in subnet(s) subnet-b" in failure("ep-02-interface-endpoints", graph, "EP-02")


def test_ep_02_probe_passes_every_interface_endpoint_as_deployed(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("EP-02")
    assert len(findings) == len(live_dev.exports["interfaceEndpointIds"])
    assert {f.status for f in findings} == {"pass"}, findings


def test_ep_02_probe_fails_the_endpoint_left_out_of_a_subnet(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("EP-02", mutation.subnet_removed_live)
    assert failed == [live_dev.exports["interfaceEndpointIds"]["sts"]]

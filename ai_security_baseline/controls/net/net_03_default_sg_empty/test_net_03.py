"""NET-03: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.net.net_03_default_sg_empty import mutation
from ai_security_baseline.controls.net.testing import SG_RULE_TYPES, failure, network, only_network
from ai_security_baseline.controls.testing import changed, res, without
from ai_security_baseline.controls.vocabulary import DEFAULT_SG, VPC
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_net_03_default_security_group_has_no_rules(dev_graph: ResourceGraph) -> None:
    default_sg = only_network(dev_graph, DEFAULT_SG)
    assert default_sg.inputs["vpcId"] == only_network(dev_graph, VPC).id
    assert default_sg.inputs["ingress"] == []
    assert default_sg.inputs["egress"] == []
    targeting = [r.urn for t in SG_RULE_TYPES for r in dev_graph.by_type(t) if default_sg.urn in r.dependencies]
    assert targeting == []


def test_net_03_rule_fails_a_default_sg_with_an_ingress_rule() -> None:
    everything = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]
    message = failure("net-03-default-sg-empty", changed(network(), "default-sg", ingress=everything), "NET-03")
    assert "default-sg.ingress = " in message
    assert "expected ingress [] and egress []" in message


def test_net_03_rule_fails_an_unmanaged_default_sg() -> None:
    message = failure("net-03-default-sg-empty", without(network(), "default-sg"), "NET-03")
    assert message == "default security group not managed (AWS's default allows traffic)"


def test_net_03_rule_fails_a_standalone_rule_on_the_default_sg() -> None:
    rule = res(vocabulary.SG_EGRESS, "open", securityGroupId="sg-default", ipProtocol="-1", cidrIpv4="0.0.0.0/0")
    message = failure("net-03-default-sg-empty", [*network(), rule], "NET-03")
    assert "rules attached to the default SG: open" in message


def test_net_03_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("NET-03")
    assert findings
    assert {f.status for f in findings} == {"pass"}, findings


def test_net_03_probe_fails_an_allow_all_rule_on_the_default_group(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("NET-03", mutation.default_sg_ingress_live)
    assert failed == [live_dev.exports["vpcId"]]

"""NET-04: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

import ipaddress

from ai_security_baseline.controls.net.net_04_nacls_vpc_only import mutation
from ai_security_baseline.controls.net.testing import (
    NACL_ASSOC,
    S3_RANGE,
    VPC_CIDR,
    expected_ids,
    failure,
    nacl_rule,
    network,
    only_network,
)
from ai_security_baseline.controls.testing import changed, without
from ai_security_baseline.controls.vocabulary import DEFAULT_NACL, NACL, NACL_RULE, SUBNET, VPC
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.mocks import S3_PREFIX_LIST_CIDRS
from conftest import LiveAccount


def test_net_04_default_nacl_managed_with_no_rules(dev_graph: ResourceGraph) -> None:
    default_nacl = only_network(dev_graph, DEFAULT_NACL)
    assert default_nacl.inputs["defaultNetworkAclId"] == only_network(dev_graph, VPC).outputs["defaultNetworkAclId"]
    assert default_nacl.inputs["ingress"] == []
    assert default_nacl.inputs["egress"] == []


def test_net_04_private_nacl_entries_exact(dev_graph: ResourceGraph) -> None:
    nacl = only_network(dev_graph, NACL)
    assert "ingress" not in nacl.inputs
    assert "egress" not in nacl.inputs
    entries = {
        (
            r.inputs["egress"],
            r.inputs["ruleNumber"],
            r.inputs["ruleAction"],
            r.inputs["protocol"],
            r.inputs["cidrBlock"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
        )
        for r in dev_graph.by_type(NACL_RULE)
        if r.inputs["networkAclId"] == nacl.id
    }
    s3 = sorted(S3_PREFIX_LIST_CIDRS, key=ipaddress.IPv4Network)
    expected = {(False, 100, "allow", "-1", VPC_CIDR, 0, 0), (True, 100, "allow", "-1", VPC_CIDR, 0, 0)}
    expected |= {(True, 200 + i, "allow", "tcp", cidr, 443, 443) for i, cidr in enumerate(s3)}
    expected |= {(False, 200 + i, "allow", "tcp", cidr, 1024, 65535) for i, cidr in enumerate(s3)}
    assert entries == expected
    assert len(dev_graph.by_type(NACL_RULE)) == len(expected)


def test_net_04_every_private_subnet_uses_the_private_nacl(dev_graph: ResourceGraph) -> None:
    nacl = only_network(dev_graph, NACL)
    associations = dev_graph.by_type(NACL_ASSOC)
    assert {a.inputs["networkAclId"] for a in associations} == {nacl.id}
    assert sorted(a.inputs["subnetId"] for a in associations) == expected_ids(dev_graph, SUBNET)


def test_net_04_rule_fails_an_allow_all_entry() -> None:
    graph = [*network(), nacl_rule("anything-in", False, "-1", "0.0.0.0/0", (0, 0))]
    assert "anything-in: in -1 0.0.0.0/0 0-0 is outside 10.0.0.0/16" in failure(
        "net-04-nacls-vpc-only", graph, "NET-04"
    )


def test_net_04_rule_fails_ssh_from_a_public_range() -> None:
    graph = [*network(), nacl_rule("ssh-in", False, "tcp", S3_RANGE, (22, 22))]
    assert "ssh-in: in tcp" in failure("net-04-nacls-vpc-only", graph, "NET-04")


def test_net_04_rule_fails_an_unmanaged_default_nacl() -> None:
    message = failure("net-04-nacls-vpc-only", without(network(), "default-nacl"), "NET-04")
    assert "default NACL not managed" in message


def test_net_04_rule_fails_an_inline_allow_all_on_the_default_nacl() -> None:
    allow_all = [{"action": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0", "fromPort": 0, "toPort": 0}]
    graph = changed(network(), "default-nacl", ingress=allow_all)
    assert "default-nacl: in -1 0.0.0.0/0" in failure("net-04-nacls-vpc-only", graph, "NET-04")


def test_net_04_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("NET-04")
    assert findings
    assert {f.status for f in findings} == {"pass"}, findings


def test_net_04_probe_fails_an_allow_all_ingress_entry_on_the_private_nacl(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("NET-04", mutation.open_nacl_live)
    assert failed == [live_dev.exports["vpcId"]]

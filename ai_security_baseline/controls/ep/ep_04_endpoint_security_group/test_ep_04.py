"""EP-04: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.ep.ep_04_endpoint_security_group import mutation
from ai_security_baseline.controls.net.testing import RULES_EXCLUSIVE, SG, SG_RULE_TYPES, VPC_CIDR, failure, network
from ai_security_baseline.controls.testing import changed, res
from ai_security_baseline.controls.vocabulary import SECURITY_GROUP
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def test_ep_04_endpoint_security_group_allows_only_https_from_the_vpc(dev_graph: ResourceGraph) -> None:
    sg = dev_graph.one(SG, "endpoints-sg")
    assert "ingress" not in sg.inputs
    assert "egress" not in sg.inputs
    rules = [r for t in SG_RULE_TYPES for r in dev_graph.by_type(t) if r.inputs.get("securityGroupId") == sg.id]
    assert [(r.type, dict(r.inputs)) for r in rules] == [
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            {
                "securityGroupId": sg.id,
                "description": "HTTPS from inside the VPC",
                "ipProtocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrIpv4": VPC_CIDR,
            },
        )
    ]
    exclusive = dev_graph.one(RULES_EXCLUSIVE, "endpoints-sg")
    assert exclusive.inputs == {
        "securityGroupId": sg.id,
        "ingressRuleIds": [rules[0].outputs["securityGroupRuleId"]],
        "egressRuleIds": [],
    }


def test_ep_04_no_other_security_group_rule_exists_in_the_stack(dev_graph: ResourceGraph) -> None:
    """One rule on the endpoint group; the SageMaker workload group's four rules are pinned in test_identity."""
    groups = {dev_graph.one(SG, name).id: name for name in ("endpoints-sg", "workloads-sg")}
    rules = [groups[r.inputs["securityGroupId"]] for t in SG_RULE_TYPES for r in dev_graph.by_type(t)]
    assert sorted(rules) == ["endpoints-sg", *["workloads-sg"] * 4]


def test_ep_04_rule_fails_an_endpoint_with_a_second_security_group() -> None:
    graph = changed(network(), "ep-sts", securityGroupIds=["sg-ep", "sg-default"])
    message = failure("ep-04-endpoint-security-group", graph, "EP-04")
    expected = "2 security group(s), linked: default-sg, endpoint-sg (expected exactly the endpoint security group)"
    assert expected in message.split(" | ")


def test_ep_04_rule_fails_endpoints_split_over_two_groups() -> None:
    graph = [*network(), res(SECURITY_GROUP, "other-sg", id="sg-other", vpcId="vpc-1")]
    graph = changed(graph, "ep-sts", securityGroupIds=["sg-other"])
    message = failure("ep-04-endpoint-security-group", graph, "EP-04")
    assert "endpoint security groups: endpoint-sg, other-sg (expected exactly one)" in message


def test_ep_04_rule_fails_ingress_from_anywhere() -> None:
    graph = changed(network(), "endpoint-https", cidrIpv4="0.0.0.0/0")
    message = failure("ep-04-endpoint-security-group", graph, "EP-04")
    assert (
        message
        == "ingress: endpoint-https tcp 443-443 0.0.0.0/0; expected one ingress TCP 443 from 10.0.0.0/16, no egress"
    )


def test_ep_04_rule_fails_an_egress_rule() -> None:
    egress = res(vocabulary.SG_EGRESS, "out", securityGroupId="sg-ep", ipProtocol="-1", cidrIpv4="0.0.0.0/0")
    message = failure("ep-04-endpoint-security-group", [*network(), egress], "EP-04")
    assert message.startswith("egress: out -1 0-0 0.0.0.0/0;")


def test_ep_04_rule_fails_an_exclusive_set_pinning_egress() -> None:
    graph = changed(network(), "endpoint-pin", egressRuleIds=["sgr-out"])
    assert "endpoint-pin pins egress rules" in failure("ep-04-endpoint-security-group", graph, "EP-04")


def test_ep_04_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("EP-04")
    assert findings
    assert {f.status for f in findings} == {"pass"}, findings


def test_ep_04_probe_fails_https_opened_to_anywhere(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("EP-04", mutation.open_ingress_live)
    assert failed == [live_dev.exports["endpointSecurityGroupId"]]

"""NET-06: the rendered DNS Firewall, the allowlist's validation, the preview rule on the dev stack changed, and the
live probe (not observable in moto)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ai_security_baseline.components import dns
from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.net_06_dns_firewall.rule import RULE
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import (
    FIREWALL_ASSOCIATION,
    FIREWALL_CONFIG,
    FIREWALL_DOMAIN_LIST,
    FIREWALL_RULE,
    VPC,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount


def one(graph: ResourceGraph, type_token: str, name: str) -> dict[str, Any]:
    [found] = [r for r in graph.by_type(type_token) if r.name == name]
    return dict(found.inputs)


def edited(graph: ResourceGraph, type_token: str, name: str, **props: Any) -> list[kit.Res]:
    """The rule view of the graph with ``props`` set (None: removed) on the resource of that type and name."""
    return [
        dataclasses.replace(r, props={k: v for k, v in {**r.props, **props}.items() if v is not None})
        if r.type == type_token and r.name == name
        else r
        for r in rule_view(graph)
    ]


def verdict(resources: list[kit.Res]) -> tuple[str, str]:
    [outcome] = RULE.evaluate(resources)
    return outcome.status, outcome.message


def test_net_06_allow_list_holds_aws_domains_and_the_vpc_internal_names(dev_graph: ResourceGraph) -> None:
    assert one(dev_graph, FIREWALL_DOMAIN_LIST, "dns-firewall-allow")["domains"] == [
        "amazonaws.com",
        "*.amazonaws.com",
        "eu-west-1.compute.internal",
        "*.eu-west-1.compute.internal",
    ]
    assert one(dev_graph, FIREWALL_DOMAIN_LIST, "dns-firewall-block-all")["domains"] == ["*"]


def test_net_06_allow_rule_comes_first_and_inspects_redirections(dev_graph: ResourceGraph) -> None:
    rule = one(dev_graph, FIREWALL_RULE, "dns-firewall-allow")
    assert (rule["action"], rule["priority"], rule["firewallDomainRedirectionAction"]) == (
        "ALLOW",
        100,
        "INSPECT_REDIRECTION_DOMAIN",
    )


def test_net_06_block_rule_answers_every_other_name_nxdomain(dev_graph: ResourceGraph) -> None:
    rule = one(dev_graph, FIREWALL_RULE, "dns-firewall-block")
    assert (rule["action"], rule["priority"], rule["blockResponse"]) == ("BLOCK", 200, "NXDOMAIN")


def test_net_06_association_is_mutation_protected_on_the_vpc(dev_graph: ResourceGraph) -> None:
    association = one(dev_graph, FIREWALL_ASSOCIATION, "dns-firewall")
    vpc = dev_graph.one(VPC, "network-vpc")
    assert (association["vpcId"], association["priority"], association["mutationProtection"]) == (
        vpc.id,
        200,
        "ENABLED",
    )


def test_net_06_association_waits_for_both_rules(dev_graph: ResourceGraph) -> None:
    [association] = dev_graph.by_type(FIREWALL_ASSOCIATION)
    rules = {r.urn for r in dev_graph.by_type(FIREWALL_RULE)}
    assert rules <= set(association.dependencies)


def test_net_06_firewall_config_fails_closed(dev_graph: ResourceGraph) -> None:
    config = one(dev_graph, FIREWALL_CONFIG, "dns-firewall")
    assert (config["resourceId"], config["firewallFailOpen"]) == (dev_graph.one(VPC, "network-vpc").id, "DISABLED")


def test_net_06_allowlist_config_is_appended_after_aws_domains_once() -> None:
    domains = dns.allowed_domains("aws", "us-east-1", ["pypi.org", "*.pythonhosted.org", "AmazonAWS.com"])
    assert domains == [
        "amazonaws.com",
        "*.amazonaws.com",
        "ec2.internal",
        "*.ec2.internal",
        "pypi.org",
        "*.pythonhosted.org",
    ]


def test_net_06_china_partition_allows_its_endpoint_suffix() -> None:
    assert dns.aws_domains("aws-cn", "cn-north-1")[:2] == ("amazonaws.com.cn", "*.amazonaws.com.cn")


@pytest.mark.parametrize("domain", ["*example.com", "exa mple.com", "a..b", "-" * 64 + ".com", "a_b.com"])
def test_net_06_config_refuses_a_domain_outside_the_firewall_syntax(domain: str) -> None:
    with pytest.raises(ConfigError, match=r"baseline:network\.dnsAllowlist = .*: not a DNS Firewall domain spec"):
        parse_config({"network": {"dnsAllowlist": ["pypi.org", domain]}})


def test_net_06_config_refuses_an_allowlist_of_every_name() -> None:
    with pytest.raises(ConfigError, match=r"""dnsAllowlist = \["\*"\]: '\*' alone matches every name"""):
        parse_config({"network": {"dnsAllowlist": ["*"]}})


def test_net_06_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert verdict(rule_view(dev_graph))[0] == "pass"


def test_net_06_rule_fails_without_the_block_rule(dev_graph: ResourceGraph) -> None:
    graph = [r for r in rule_view(dev_graph) if not (r.type == FIREWALL_RULE and r.name == "dns-firewall-block")]
    assert verdict(graph) == ("fail", "no BLOCK rule for every other domain (*) is reached")


def test_net_06_rule_fails_a_firewall_failing_open(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_graph, FIREWALL_CONFIG, "dns-firewall", firewallFailOpen="ENABLED")
    assert verdict(graph) == ("fail", "firewall fail-open is ENABLED (expected DISABLED)")


def test_net_06_rule_fails_an_allowlist_of_every_name(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_graph, FIREWALL_DOMAIN_LIST, "dns-firewall-allow", domains=["*"])
    assert verdict(graph) == ("fail", "rule dns-firewall-allow allows every domain (*)")


def test_net_06_rule_fails_an_allow_rule_trusting_redirections(dev_graph: ResourceGraph) -> None:
    graph = edited(
        dev_graph, FIREWALL_RULE, "dns-firewall-allow", firewallDomainRedirectionAction="TRUST_REDIRECTION_DOMAIN"
    )
    assert verdict(graph) == ("fail", "rule dns-firewall-allow trusts redirections out of its allowed domains")


def test_net_06_rule_fails_an_association_without_mutation_protection(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_graph, FIREWALL_ASSOCIATION, "dns-firewall", mutationProtection="DISABLED")
    assert verdict(graph) == ("fail", "association dns-firewall has mutation protection DISABLED")


def test_net_06_rule_fails_blocked_names_answered_with_an_override(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_graph, FIREWALL_RULE, "dns-firewall-block", blockResponse="OVERRIDE")
    assert verdict(graph) == ("fail", "rule dns-firewall-block answers blocked names with OVERRIDE")


def test_net_06_rule_fails_a_vpc_without_association(dev_graph: ResourceGraph) -> None:
    graph = [r for r in rule_view(dev_graph) if r.type != FIREWALL_ASSOCIATION]
    assert verdict(graph) == ("fail", "no DNS Firewall rule group is associated with the VPC")


def test_net_06_rule_errors_on_domains_unknown_until_apply(dev_graph: ResourceGraph) -> None:
    graph = edited(dev_graph, FIREWALL_DOMAIN_LIST, "dns-firewall-allow", domains=kit.UNKNOWN)
    assert verdict(graph)[0] == "error"


def test_net_06_probe_reports_not_observable_in_moto(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("NET-06")
    assert finding.status == "error"
    assert finding.message.startswith(
        "not observable: route53resolver:ListFirewallRuleGroupAssociations is not implemented by the endpoint"
    )

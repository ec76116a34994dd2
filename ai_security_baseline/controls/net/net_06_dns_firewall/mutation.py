"""NET-06 mutations, in the graph only (moto has no DNS Firewall API to break live): the BLOCK rule removed, the
firewall failing open, the allowlist widened to every name, the association dropped or left unprotected."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import (
    FIREWALL_ASSOCIATION,
    FIREWALL_CONFIG,
    FIREWALL_DOMAIN_LIST,
    FIREWALL_RULE,
)
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property

FIREWALL = "dns-firewall"

MUTATIONS = (
    Mutation("NET-06", "BLOCK rule removed", graph=drop_resources(FIREWALL_RULE, f"{FIREWALL}-block")),
    Mutation(
        "NET-06", "firewall fails open", graph=set_property(FIREWALL_CONFIG, FIREWALL, "firewallFailOpen", "ENABLED")
    ),
    Mutation(
        "NET-06",
        "allowlist widened to every name",
        graph=set_property(FIREWALL_DOMAIN_LIST, f"{FIREWALL}-allow", "domains", ["*"]),
    ),
    Mutation("NET-06", "rule group not associated with the VPC", graph=drop_resources(FIREWALL_ASSOCIATION)),
    Mutation(
        "NET-06",
        "association without mutation protection",
        graph=set_property(FIREWALL_ASSOCIATION, FIREWALL, "mutationProtection", "DISABLED"),
    ),
    Mutation(
        "NET-06",
        "blocked names answered with an override",
        graph=set_property(FIREWALL_RULE, f"{FIREWALL}-block", "blockResponse", "OVERRIDE"),
    ),
)

#: No live mutant: the emulator (moto) implements no DNS Firewall API, so the probe reports ``error`` there.
LIVE_UNOBSERVABLE = "moto implements no route53resolver DNS Firewall API (ListFirewallRuleGroupAssociations ...)"

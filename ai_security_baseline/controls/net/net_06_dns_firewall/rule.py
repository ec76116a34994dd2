"""NET-06: the VPC's Resolver filters every query through DNS Firewall: allowed domains first, then a BLOCK of every
other name (NXDOMAIN or NODATA), in a mutation-protected association, with the firewall failing closed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import Found, Stack, no_vpc
from ai_security_baseline.controls.vocabulary import (
    FIREWALL_ASSOCIATION,
    FIREWALL_CONFIG,
    FIREWALL_DOMAIN_LIST,
    FIREWALL_RULE,
    FIREWALL_RULE_GROUP,
    VPC,
)

#: Answers that refuse the name outright; OVERRIDE answers with a name of one's choosing instead.
REFUSING_RESPONSES = ("NXDOMAIN", "NODATA")
#: An ALLOW rule that trusts redirections lets an allowed name CNAME to any domain unchecked.
TRUSTED_REDIRECTION = "TRUST_REDIRECTION_DOMAIN"


@dataclass(frozen=True)
class FirewallRule:
    """One DNS Firewall rule as both the graph and the API describe it."""

    name: str
    action: str
    priority: int
    domains: tuple[str, ...]
    block_response: str | None = None
    redirection: str | None = None


@dataclass(frozen=True)
class FirewallAssociation:
    """One rule group associated with the VPC."""

    name: str
    priority: int
    mutation_protection: str
    rules: tuple[FirewallRule, ...]


def firewall_problems(associations: Sequence[FirewallAssociation], fail_open: str | None) -> list[str]:
    """What lets a name through or the firewall be lifted, evaluating rules as DNS Firewall does: rule groups by
    association priority, rules by priority, the first match decides."""
    if not associations:
        return ["no DNS Firewall rule group is associated with the VPC"]
    problems = [] if fail_open == "DISABLED" else [f"firewall fail-open is {fail_open} (expected DISABLED)"]
    ordered = sorted(
        ((a, r) for a in associations for r in a.rules), key=lambda pair: (pair[0].priority, pair[1].priority)
    )
    for association, rule in ordered:
        if rule.action == "ALLOW" and "*" in rule.domains:
            problems.append(f"rule {rule.name} allows every domain (*)")
        elif rule.action == "ALLOW" and rule.redirection == TRUSTED_REDIRECTION:
            problems.append(f"rule {rule.name} trusts redirections out of its allowed domains")
        elif rule.action == "BLOCK" and "*" in rule.domains:
            if rule.block_response not in REFUSING_RESPONSES:
                problems.append(f"rule {rule.name} answers blocked names with {rule.block_response}")
            if association.mutation_protection != "ENABLED":
                problems.append(
                    f"association {association.name} has mutation protection {association.mutation_protection}"
                )
            return problems
    return [*problems, "no BLOCK rule for every other domain (*) is reached"]


def _rules(stack: Stack, group: kit.Res) -> tuple[FirewallRule, ...]:
    lists = stack.linker((FIREWALL_DOMAIN_LIST,))
    found = []
    for rule in stack.referrers((FIREWALL_RULE,), "firewallRuleGroupId", (FIREWALL_RULE_GROUP,)).get(group.urn, ()):
        domains = tuple(str(d) for lst in lists(rule, "firewallDomainListId") for d in kit.known(lst, "domains") or [])
        found.append(
            FirewallRule(
                rule.name,
                str(kit.known(rule, "action")),
                int(kit.known(rule, "priority")),
                domains,
                kit.known(rule, "blockResponse"),
                kit.known(rule, "firewallDomainRedirectionAction"),
            )
        )
    return tuple(found)


def _associations(stack: Stack, vpc: kit.Res) -> list[FirewallAssociation]:
    groups = stack.linker((FIREWALL_RULE_GROUP,))
    return [
        FirewallAssociation(
            association.name,
            int(kit.known(association, "priority")),
            str(kit.known(association, "mutationProtection") or "DISABLED"),
            tuple(r for group in groups(association, "firewallRuleGroupId") for r in _rules(stack, group)),
        )
        for association in stack.in_vpc(vpc, FIREWALL_ASSOCIATION)
    ]


def _fail_open(stack: Stack, vpc: kit.Res) -> str | None:
    configs: Iterable[kit.Res] = stack.referrers((FIREWALL_CONFIG,), "resourceId", (VPC,)).get(vpc.urn, ())
    values = [str(kit.known(c, "firewallFailOpen") or "DISABLED") for c in configs]
    # no config: AWS's default for a VPC is fail-closed (FirewallFailOpen DISABLED), but nothing in the stack pins it
    return values[0] if values else "not pinned by the stack"


def check_dns_firewall(resources: Sequence[kit.Res]) -> Found:
    """NET-06 per VPC."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("NET-06",))
    for vpc in stack.vpcs():
        problems = firewall_problems(_associations(stack, vpc), _fail_open(stack, vpc))
        yield (
            vpc.urn,
            "NET-06",
            not problems,
            "; ".join(problems) or "DNS Firewall allows listed domains, blocks every other name, fails closed",
        )


RULE = kit.Rule(
    "net-06-dns-firewall",
    "The VPC's DNS queries pass a fail-closed DNS Firewall that blocks every name outside its allowlist",
    ("NET-06",),
    stack_check=check_dns_firewall,
)

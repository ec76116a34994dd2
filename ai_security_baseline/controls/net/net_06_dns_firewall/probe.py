"""NET-06 live probe: the VPC's DNS Firewall associations, their rules and domain lists, and its fail-open setting,
judged as the preview rule judges them. An endpoint without the DNS Firewall API (moto) makes the control ``error``
(not observable), never a pass."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.net.net_06_dns_firewall.rule import (
    FirewallAssociation,
    FirewallRule,
    firewall_problems,
)
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import vpc_subject

_SERVICE = "route53resolver"


def _pages(ctx: AuditContext, operation: str, key: str, **request: Any) -> list[dict[str, Any]]:
    """Every item of a paginated Resolver list call."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        paged = {**request, **({"NextToken": token} if token else {})}
        page = ctx.observe(_SERVICE, operation, **paged)
        items += page.get(key) or []
        token = page.get("NextToken")
        if not token:
            return items


def _rules(ctx: AuditContext, group_id: str) -> tuple[FirewallRule, ...]:
    rules = []
    for rule in _pages(ctx, "ListFirewallRules", "FirewallRules", FirewallRuleGroupId=group_id):
        domains = _pages(ctx, "ListFirewallDomains", "Domains", FirewallDomainListId=rule.get("FirewallDomainListId"))
        rules.append(
            FirewallRule(
                str(rule.get("Name")),
                str(rule.get("Action")),
                int(rule.get("Priority", 0)),
                tuple(str(d) for d in domains),
                rule.get("BlockResponse"),
                rule.get("FirewallDomainRedirectionAction"),
            )
        )
    return tuple(rules)


@check("NET-06", vpc_subject)
def dns_firewall(ctx: AuditContext, vpc_id: str) -> Verdict:
    listed = _pages(ctx, "ListFirewallRuleGroupAssociations", "FirewallRuleGroupAssociations", VpcId=vpc_id)
    associations = [
        FirewallAssociation(
            str(a.get("Name") or a.get("Id")),
            int(a.get("Priority", 0)),
            str(a.get("MutationProtection")),
            _rules(ctx, str(a.get("FirewallRuleGroupId"))),
        )
        for a in listed
        if a.get("Status") != "DELETING"
    ]
    config = ctx.observe(_SERVICE, "GetFirewallConfig", ResourceId=vpc_id)
    problems = firewall_problems(associations, config["FirewallConfig"].get("FirewallFailOpen"))
    return Verdict(
        not problems,
        "; ".join(problems) or f"{len(associations)} rule group(s): listed domains allowed, the rest blocked, closed",
        {"associations": [a.name for a in associations]},
    )

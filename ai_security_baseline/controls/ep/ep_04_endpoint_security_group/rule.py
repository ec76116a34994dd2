"""EP-04: every interface endpoint sits in the one endpoint security group, which admits TCP 443 from the VPC only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import (
    HTTPS,
    Found,
    Stack,
    endpoint_groups,
    interface_endpoints,
    links,
    names,
    no_vpc,
    protocol_name,
    rules_on,
    vpc_cidr,
)
from ai_security_baseline.controls.vocabulary import (
    DEFAULT_SG,
    SECURITY_GROUP,
    SG_EGRESS,
    SG_EXCLUSIVE,
    SG_INGRESS,
    SG_RULE,
)


def _endpoint_outcome(stack: Stack, endpoint: kit.Res) -> tuple[str, str, bool, str]:
    """The endpoint names exactly one security group, a managed non-default one."""
    groups, count = endpoint_groups(stack, endpoint)
    ok = count == 1 and len(groups) == 1 and groups[0].type == SECURITY_GROUP
    detail = f"{count} security group(s), linked: {names(groups)}"
    return endpoint.urn, "EP-04", ok, detail + ("" if ok else " (expected exactly the endpoint security group)")


@dataclass(frozen=True)
class Permission:
    """One SG permission: protocol, port range and its sources (CIDRs, prefix lists, groups)."""

    where: str
    egress: bool
    protocol: str
    from_port: int
    to_port: int
    sources: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.where} {self.protocol} {self.from_port}-{self.to_port} {' '.join(self.sources) or 'no source'}"


def _standalone_permission(rule: kit.Res) -> Permission:
    if rule.type == SG_RULE:
        egress = kit.known(rule, "type") == "egress"
        source_keys: tuple[str, ...] = (
            "cidrBlocks",
            "ipv6CidrBlocks",
            "prefixListIds",
            "sourceSecurityGroupId",
            "self",
        )
        protocol = kit.known(rule, "protocol")
    else:
        egress = rule.type == SG_EGRESS
        source_keys = ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
        protocol = kit.known(rule, "ipProtocol")
    values = [s for k in source_keys for s in kit.as_list(kit.known(rule, k))]
    sources = tuple(str(s) for s in values if s not in (None, "", False))
    from_port, to_port = int(kit.known(rule, "fromPort") or 0), int(kit.known(rule, "toPort") or 0)
    return Permission(rule.name, egress, protocol_name(protocol), from_port, to_port, sources)


def _inline_permissions(group: kit.Res, exclusive: bool) -> list[Permission]:
    """Inline rules; unknown ones are acceptable only when an exclusive rule set pins the group."""
    found = []
    for key in ("ingress", "egress"):
        try:
            items = kit.as_list(kit.known(group, key))
        except kit.Undecidable:
            if exclusive:
                continue  # computed until apply; the exclusive rule set below decides what exists
            raise
        for item in items:
            keys = ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups")
            sources = tuple(str(s) for k in keys for s in kit.as_list(item.get(k)))
            sources += ("self",) if item.get("self") else ()
            ports = int(item.get("fromPort") or 0), int(item.get("toPort") or 0)
            found.append(Permission(group.name, key == "egress", protocol_name(item.get("protocol")), *ports, sources))
    return found


def _exclusive_problems(stack: Stack, group: kit.Res, ingress: Sequence[kit.Res]) -> list[str]:
    problems = []
    for pin in stack.referrers((SG_EXCLUSIVE,), "securityGroupId", (SECURITY_GROUP, DEFAULT_SG)).get(group.urn, ()):
        pinned = links(pin, "ingressRuleIds", ingress, ("securityGroupRuleId", "id"))
        count = len(kit.as_list(kit.known(pin, "ingressRuleIds")))
        if count != 1 or len(pinned) != 1:
            problems.append(f"{pin.name} pins {count} ingress rule(s), linked {names(pinned)}")
        if kit.known(pin, "egressRuleIds"):
            problems.append(f"{pin.name} pins egress rules")
    return problems


def _group_outcome(stack: Stack, vpc: kit.Res, group: kit.Res) -> tuple[str, str, bool, str]:
    cidr = str(vpc_cidr(vpc))
    standalone = rules_on(stack, [group])
    exclusive = bool(stack.referrers((SG_EXCLUSIVE,), "securityGroupId", (SECURITY_GROUP, DEFAULT_SG)).get(group.urn))
    permissions = [_standalone_permission(r) for r in standalone] + _inline_permissions(group, exclusive)
    ingress = [p for p in permissions if not p.egress]
    egress = [p for p in permissions if p.egress]
    problems = []
    https_from_vpc = ("tcp", HTTPS, HTTPS, (cidr,))
    if [(p.protocol, p.from_port, p.to_port, p.sources) for p in ingress] != [https_from_vpc]:
        problems.append(f"ingress: {', '.join(p.describe() for p in ingress) or 'none'}")
    if egress:
        problems.append(f"egress: {', '.join(p.describe() for p in egress)}")
    problems += _exclusive_problems(stack, group, [r for r in standalone if r.type == SG_INGRESS])
    if problems:
        return group.urn, "EP-04", False, f"{'; '.join(problems)}; expected one ingress TCP 443 from {cidr}, no egress"
    return group.urn, "EP-04", True, f"one ingress rule TCP 443 from {cidr}, no egress"


def check_endpoint_security_group(resources: Sequence[kit.Res]) -> Found:
    """EP-04: each interface endpoint names only the endpoint SG, whose only rule is TCP 443 in from the VPC CIDR."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("EP-04",))
    for vpc in stack.vpcs():
        groups: list[kit.Res] = []
        for endpoint in interface_endpoints(stack, vpc):
            yield _endpoint_outcome(stack, endpoint)
            groups += [g for g in endpoint_groups(stack, endpoint)[0] if g not in groups]
        if len(groups) != 1:
            yield vpc.urn, "EP-04", False, f"endpoint security groups: {names(groups)} (expected exactly one)"
        for group in groups:
            yield _group_outcome(stack, vpc, group)


RULE = kit.Rule(
    "ep-04-endpoint-security-group",
    "Interface endpoints share one security group admitting only TCP 443 from the VPC CIDR, with no egress",
    ("EP-04",),
    stack_check=check_endpoint_security_group,
)

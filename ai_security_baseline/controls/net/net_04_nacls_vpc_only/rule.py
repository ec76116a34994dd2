"""NET-04: NACLs allow only VPC-internal traffic and the S3 HTTPS path; the default NACL is managed."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import HTTPS, Found, Stack, no_vpc, protocol_name, vpc_cidr
from ai_security_baseline.controls.vocabulary import DEFAULT_NACL, NACL, NACL_RULE, VPC

EPHEMERAL = (1024, 65535)


@dataclass(frozen=True)
class NaclEntry:
    """One NACL entry, from an inline block or a NetworkAclRule resource."""

    where: str
    egress: bool
    allow: bool
    protocol: str
    cidr: str
    ipv6: str
    from_port: int
    to_port: int

    def describe(self) -> str:
        direction = "out" if self.egress else "in"
        return f"{self.where}: {direction} {self.protocol} {self.cidr or self.ipv6} {self.from_port}-{self.to_port}"


def _inline_entries(nacl: kit.Res) -> list[NaclEntry]:
    entries = []
    for key in ("ingress", "egress"):
        for item in kit.as_list(kit.known(nacl, key)):
            entries.append(
                NaclEntry(
                    nacl.name,
                    key == "egress",
                    str(item.get("action", "")).lower() == "allow",
                    protocol_name(item.get("protocol")),
                    str(item.get("cidrBlock") or ""),
                    str(item.get("ipv6CidrBlock") or ""),
                    int(item.get("fromPort") or 0),
                    int(item.get("toPort") or 0),
                )
            )
    return entries


def _rule_entry(rule: kit.Res) -> NaclEntry:
    def value(key: str) -> Any:
        return kit.known(rule, key)

    return NaclEntry(
        rule.name,
        value("egress") is True,
        str(value("ruleAction")).lower() == "allow",
        protocol_name(value("protocol")),
        str(value("cidrBlock") or ""),
        str(value("ipv6CidrBlock") or ""),
        int(value("fromPort") or 0),
        int(value("toPort") or 0),
    )


def _entry_ok(entry: NaclEntry, vpc_cidr: ipaddress.IPv4Network) -> bool:
    """Inside the VPC CIDR, or the S3 gateway path: HTTPS out to a public range and its return traffic."""
    if not entry.allow:
        return True
    if entry.ipv6 or not entry.cidr:
        return False
    try:
        network = ipaddress.IPv4Network(entry.cidr, strict=False)
    except ValueError:
        raise kit.Undecidable(f"{entry.where}: {entry.cidr!r} is not an IPv4 CIDR") from None
    if network.subnet_of(vpc_cidr):
        return True
    s3_port = (HTTPS, HTTPS) if entry.egress else EPHEMERAL
    public = network.is_global and network.prefixlen > 0
    return public and entry.protocol == "tcp" and (entry.from_port, entry.to_port) == s3_port


def check_network_acls(resources: Sequence[kit.Res]) -> Found:
    """NET-04: the default NACL is managed, and every NACL of the VPC allows only VPC or S3-HTTPS traffic."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("NET-04",))
    rules = stack.of(NACL_RULE)
    # indexed once: matching every rule and default NACL against every VPC was quadratic
    default_of = stack.referrers((DEFAULT_NACL,), "defaultNetworkAclId", (VPC,), ("defaultNetworkAclId",))
    rules_on_acl = stack.referrers((NACL_RULE,), "networkAclId", (NACL, DEFAULT_NACL))
    rules_on_default = stack.referrers((NACL_RULE,), "networkAclId", (VPC,), ("defaultNetworkAclId",))
    for vpc in stack.vpcs():
        cidr = vpc_cidr(vpc)
        defaults = list(default_of.get(vpc.urn, ()))
        acls = stack.in_vpc(vpc, NACL) + defaults
        problems = [] if defaults else ["default NACL not managed (AWS's default allows all traffic)"]
        entries = [e for acl in acls for e in _inline_entries(acl)]
        mine = {r.urn: r for acl in acls for r in rules_on_acl.get(acl.urn, ())}
        mine.update((r.urn, r) for r in rules_on_default.get(vpc.urn, ()))
        entries += [_rule_entry(r) for r in sorted(mine.values(), key=lambda r: stack.position[r.urn])]
        problems += [f"{e.describe()} is outside {cidr}" for e in entries if not _entry_ok(e, cidr)]
        allowed = sum(1 for e in entries if e.allow)
        message = "; ".join(problems) or f"{len(acls)} NACLs, {allowed} allow entries, all within {cidr} or S3 HTTPS"
        yield vpc.urn, "NET-04", not problems, message
    targeted = {r.urn for group in (rules_on_acl, rules_on_default) for found in group.values() for r in found}
    for rule in rules:
        if rule.urn not in targeted:
            yield rule.urn, "NET-04", False, f"{rule.name} targets a NACL this stack does not manage"


RULE = kit.Rule(
    "net-04-nacls-vpc-only",
    "NACLs allow only VPC-internal traffic and S3 HTTPS; the default NACL is managed",
    ("NET-04",),
    stack_check=check_network_acls,
)

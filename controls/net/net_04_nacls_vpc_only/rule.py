"""NET-04: NACLs allow only VPC-internal traffic and the S3 HTTPS path; the default NACL is managed."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls import kit
from controls.net.common import HTTPS, Found, Stack, links, no_vpc, protocol_name, vpc_cidr
from controls.vocabulary import DEFAULT_NACL, NACL, NACL_RULE

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


def _on_default_nacl(res: kit.Res, key: str, vpc: kit.Res) -> bool:
    """Whether ``res.props[key]`` is the VPC's default NACL id (the VPC output or its value)."""
    return bool(links(res, key, [vpc], ("defaultNetworkAclId",)))


def _nacl_of(rule: kit.Res, acls: Sequence[kit.Res], vpc: kit.Res) -> bool:
    return bool(links(rule, "networkAclId", acls)) or _on_default_nacl(rule, "networkAclId", vpc)


def check_network_acls(resources: Sequence[kit.Res]) -> Found:
    """NET-04: the default NACL is managed, and every NACL of the VPC allows only VPC or S3-HTTPS traffic."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("NET-04",))
    rules = stack.of(NACL_RULE)
    for vpc in stack.vpcs():
        cidr = vpc_cidr(vpc)
        defaults = [d for d in stack.of(DEFAULT_NACL) if _on_default_nacl(d, "defaultNetworkAclId", vpc)]
        acls = stack.in_vpc(vpc, NACL) + defaults
        problems = [] if defaults else ["default NACL not managed (AWS's default allows all traffic)"]
        entries = [e for acl in acls for e in _inline_entries(acl)]
        entries += [_rule_entry(r) for r in rules if _nacl_of(r, acls, vpc)]
        problems += [f"{e.describe()} is outside {cidr}" for e in entries if not _entry_ok(e, cidr)]
        allowed = sum(1 for e in entries if e.allow)
        message = "; ".join(problems) or f"{len(acls)} NACLs, {allowed} allow entries, all within {cidr} or S3 HTTPS"
        yield vpc.urn, "NET-04", not problems, message
    for rule in rules:
        acls = stack.of(NACL, DEFAULT_NACL)
        if not links(rule, "networkAclId", acls) and not any(
            _on_default_nacl(rule, "networkAclId", v) for v in stack.vpcs()
        ):
            yield rule.urn, "NET-04", False, f"{rule.name} targets a NACL this stack does not manage"


RULE = kit.Rule(
    "net-04-nacls-vpc-only",
    "NACLs allow only VPC-internal traffic and S3 HTTPS; the default NACL is managed",
    ("NET-04",),
    stack_check=check_network_acls,
)

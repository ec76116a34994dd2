"""NET-02: no internet path anywhere, and only isolated private subnets over 2-6 AZs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import Found, Stack, no_vpc
from ai_security_baseline.controls.vocabulary import DEFAULT_ROUTE_TABLE, ROUTE, ROUTE_TABLE, SUBNET

#: Resources that open a path to or from the internet (NET-02): none may exist.
INTERNET_PATH_TYPES = (
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
)
DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")
#: Route targets that reach the internet (gateway ids of these kinds, NAT, egress-only gateway).
INTERNET_TARGETS = ("natGatewayId", "egressOnlyGatewayId")
AZ_RANGE = (2, 6)


def _route_problems(res: kit.Res, entries: Iterable[Mapping[str, Any]], cidr_keys: Sequence[str]) -> list[str]:
    problems = []
    for entry in entries:
        destinations = [str(entry[k]) for k in cidr_keys if entry.get(k)]
        gateway = str(entry.get("gatewayId") or "")
        targets = [k for k in INTERNET_TARGETS if entry.get(k)]
        if set(destinations) & set(DEFAULT_ROUTES):
            problems.append(f"{res.name} routes {destinations} (a default route)")
        if gateway.startswith("igw-") or targets:
            problems.append(f"{res.name} routes to an internet target ({gateway or targets[0]})")
    return problems


def check_no_internet_path(resources: Sequence[kit.Res]) -> Found:
    """NET-02: no internet/NAT/egress-only gateway and no route to 0.0.0.0/0 or ::/0 anywhere."""
    stack = Stack(resources)
    bad = stack.of(*INTERNET_PATH_TYPES)
    for res in bad:
        yield res.urn, "NET-02", False, f"{res.type.split(':')[-1]} {res.name} opens an internet path; expected none"
    problems: list[str] = []
    for route in stack.of(ROUTE):
        entry = {k: kit.known(route, k) for k in ("destinationCidrBlock", "destinationIpv6CidrBlock", "gatewayId")}
        entry.update({k: kit.known(route, k) for k in INTERNET_TARGETS})
        problems += _route_problems(route, [entry], ("destinationCidrBlock", "destinationIpv6CidrBlock"))
    for table in stack.of(ROUTE_TABLE, DEFAULT_ROUTE_TABLE):
        entries = [e for e in kit.as_list(kit.known(table, "routes")) if isinstance(e, Mapping)]
        problems += _route_problems(table, entries, ("cidrBlock", "ipv6CidrBlock"))
    expected = "expected no internet gateway, NAT, egress-only gateway or default route"
    if problems:
        yield stack.urn, "NET-02", False, f"{'; '.join(problems)}; {expected}"
    elif not bad:
        yield stack.urn, "NET-02", True, "no internet gateway, NAT, egress-only gateway or default route"


def _subnet_problems(subnet: kit.Res) -> list[str]:
    problems = []
    for key in ("mapPublicIpOnLaunch", "assignIpv6AddressOnCreation", "mapCustomerOwnedIpOnLaunch"):
        if kit.known(subnet, key) is True:
            problems.append(f"{subnet.name} has {key}=true")
    return problems


def check_isolated_subnets(resources: Sequence[kit.Res]) -> Found:
    """NET-02: each VPC has only private subnets (no public IP on launch) over 2-6 distinct AZs."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("NET-02",))
    for vpc in stack.vpcs():
        subnets = stack.in_vpc(vpc, SUBNET)
        problems = [p for s in subnets for p in _subnet_problems(s)]
        zones = set()
        for subnet in subnets:
            zone = kit.known(subnet, "availabilityZone") or kit.known(subnet, "availabilityZoneId")
            if not zone:
                problems.append(f"{subnet.name} has no availability zone (AWS would pick one)")
            zones.add(str(zone))
        low, high = AZ_RANGE
        if not low <= len(zones) <= high:
            problems.append(f"{len(subnets)} subnet(s) over {len(zones)} AZ(s) (expected {low}-{high} AZs)")
        message = "; ".join(problems) or f"{len(subnets)} private subnets over {len(zones)} AZs, no public IPs"
        yield vpc.urn, "NET-02", not problems, message


def check(resources: Sequence[kit.Res]) -> Found:
    """NET-02 as one verdict set: the stack-wide internet path and each VPC's subnets."""
    yield from check_no_internet_path(resources)
    yield from check_isolated_subnets(resources)


RULE = kit.Rule(
    "net-02-isolated-subnets",
    "No internet, NAT or egress-only gateway, no default route, and only private subnets over 2-6 AZs",
    ("NET-02",),
    stack_check=check,
)

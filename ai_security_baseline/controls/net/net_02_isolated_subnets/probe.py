"""NET-02 live probe: the outputs' private subnets over 2-6 AZs; no IGW, NAT or default route."""

from __future__ import annotations

from ai_security_baseline.controls.net.net_02_isolated_subnets.rule import AZ_RANGE
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import vpc_filter, vpc_subject


@check("NET-02", vpc_subject)
def isolated(ctx: AuditContext, vpc_id: str) -> Verdict:
    ec2 = ctx.client("ec2")
    expected = set(ctx.output("privateSubnetIds"))
    subnets = ec2.describe_subnets(Filters=vpc_filter(vpc_id))["Subnets"]
    igws = ec2.describe_internet_gateways(Filters=vpc_filter(vpc_id, "attachment.vpc-id"))["InternetGateways"]
    nats = [
        n
        for n in ec2.describe_nat_gateways(Filters=vpc_filter(vpc_id))["NatGateways"]
        if n["State"] not in ("deleted",)
    ]
    tables = ec2.describe_route_tables(Filters=vpc_filter(vpc_id))["RouteTables"]
    default_routes = [
        (t["RouteTableId"], r.get("GatewayId") or r.get("NatGatewayId") or r.get("InstanceId") or "?")
        for t in tables
        for r in t.get("Routes", [])
        if r.get("DestinationCidrBlock") == "0.0.0.0/0" or r.get("DestinationIpv6CidrBlock") == "::/0"
    ]
    problems = []
    if {s["SubnetId"] for s in subnets} != expected:
        problems.append(f"subnets {sorted(s['SubnetId'] for s in subnets)} != outputs {sorted(expected)}")
    public = [s["SubnetId"] for s in subnets if s.get("MapPublicIpOnLaunch")]
    if public:
        problems.append(f"public IPs on launch in {public}")
    zones = {s["AvailabilityZone"] for s in subnets}
    if not AZ_RANGE[0] <= len(zones) <= AZ_RANGE[1]:
        problems.append(f"{len(zones)} AZs (allowed {AZ_RANGE[0]}-{AZ_RANGE[1]})")
    if igws:
        problems.append(f"internet gateway {[g['InternetGatewayId'] for g in igws]} attached")
    if nats:
        problems.append(f"NAT gateway {[n['NatGatewayId'] for n in nats]}")
    if default_routes:
        problems.append(f"default routes {default_routes}")
    return Verdict(
        not problems,
        "; ".join(problems) or f"{len(subnets)} private subnets in {len(zones)} AZs, no IGW, no NAT, no default route",
        {"subnets": sorted(expected), "zones": sorted(zones)},
    )

"""EP-01: the S3 gateway endpoint is on every private route table."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import Found, Stack, endpoint_type, links, names, no_vpc, service_of
from ai_security_baseline.controls.vocabulary import (
    ENDPOINT,
    ENDPOINT_ROUTE_TABLE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SUBNET,
)


def _s3_gateways(stack: Stack, vpc: kit.Res) -> list[kit.Res]:
    endpoints = stack.in_vpc(vpc, ENDPOINT)
    return [e for e in endpoints if endpoint_type(e) == "Gateway" and service_of(e) == "s3"]


def _tables_with(stack: Stack, gateways: Sequence[kit.Res], tables: Sequence[kit.Res]) -> list[kit.Res]:
    """Route tables a gateway endpoint is attached to, inline or through association resources."""
    attached = [t for g in gateways for t in links(g, "routeTableIds", tables)]
    by_endpoint = stack.referrers((ENDPOINT_ROUTE_TABLE,), "vpcEndpointId", (ENDPOINT,))
    associations = {a.urn: a for g in gateways for a in by_endpoint.get(g.urn, ())}
    for assoc in sorted(associations.values(), key=lambda a: stack.position[a.urn]):
        attached += links(assoc, "routeTableId", tables)
    return attached


def check_s3_gateway_routes(resources: Sequence[kit.Res]) -> Found:
    """EP-01: every route table of the VPC (and every subnet's table) carries the S3 gateway endpoint."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("EP-01",))
    for vpc in stack.vpcs():
        gateways = _s3_gateways(stack, vpc)
        tables = stack.in_vpc(vpc, ROUTE_TABLE)
        if not gateways or not tables:
            found = f"{len(gateways)} S3 gateway endpoint(s), {len(tables)} route table(s)"
            yield vpc.urn, "EP-01", False, f"{found}; expected an S3 gateway endpoint on every private route table"
            continue
        attached = _tables_with(stack, gateways, tables)
        for table in tables:
            ok = table in attached
            detail = f"S3 gateway {names(gateways)} attached" if ok else "no S3 gateway endpoint attached"
            yield table.urn, "EP-01", ok, f"route table {table.name}: {detail}"
        by_subnet = stack.referrers((ROUTE_TABLE_ASSOCIATION,), "subnetId", (SUBNET,))
        for subnet in stack.in_vpc(vpc, SUBNET):
            own = [t for a in by_subnet.get(subnet.urn, ()) for t in links(a, "routeTableId", tables)]
            ok = bool(own)
            detail = f"uses route table {names(own)}" if ok else "uses the VPC main route table (no S3 gateway)"
            yield subnet.urn, "EP-01", ok, f"subnet {subnet.name} {detail}"


RULE = kit.Rule(
    "ep-01-s3-gateway-routes",
    "The S3 gateway endpoint is attached to every private route table",
    ("EP-01",),
    stack_check=check_s3_gateway_routes,
)

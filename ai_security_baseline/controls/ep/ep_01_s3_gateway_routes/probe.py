"""EP-01 live probe: the S3 gateway endpoint is on the route table of every private subnet."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import describe_endpoint


def gateway_subject(ctx: AuditContext) -> list[Subject]:
    gateway = ctx.outputs.get("s3GatewayEndpointId")
    return (
        [Subject(urn=str(gateway), value=str(gateway))]
        if gateway
        else [Subject(urn="stack", missing="s3GatewayEndpointId")]
    )


@check("EP-01", gateway_subject)
def gateway_on_every_table(ctx: AuditContext, endpoint_id: str) -> Verdict:
    endpoint = describe_endpoint(ctx, endpoint_id)
    subnets = list(ctx.output("privateSubnetIds"))
    tables = ctx.client("ec2").describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": subnets}])
    needed = {t["RouteTableId"] for t in tables["RouteTables"]}
    missing = sorted(needed - set(endpoint.get("RouteTableIds", [])))
    ok = endpoint["VpcEndpointType"] == "Gateway" and not missing and bool(needed)
    return Verdict(
        ok,
        f"S3 gateway on {sorted(endpoint.get('RouteTableIds', []))}" + (f"; missing {missing}" if missing else ""),
        {"routeTables": sorted(needed)},
    )

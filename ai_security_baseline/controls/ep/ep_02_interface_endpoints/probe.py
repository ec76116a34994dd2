"""EP-02 live probe: each interface endpoint has private DNS on and sits in every private subnet."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import describe_endpoint, interface_endpoint_subjects


@check("EP-02", interface_endpoint_subjects)
def interface_private_dns(ctx: AuditContext, value: tuple[str, str]) -> Verdict:
    service, endpoint_id = value
    endpoint = describe_endpoint(ctx, endpoint_id)
    subnets = set(ctx.output("privateSubnetIds"))
    missing = sorted(subnets - set(endpoint.get("SubnetIds", [])))
    ok = endpoint["VpcEndpointType"] == "Interface" and endpoint.get("PrivateDnsEnabled") is True and not missing
    return Verdict(
        ok,
        f"{service}: private DNS {endpoint.get('PrivateDnsEnabled')}"
        + (f", missing subnets {missing}" if missing else ""),
        {"subnets": sorted(endpoint.get("SubnetIds", []))},
    )

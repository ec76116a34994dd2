"""NET-01 live probe: both DNS attributes of the VPC read back on."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import vpc, vpc_subject


@check("NET-01", vpc_subject)
def vpc_dns(ctx: AuditContext, vpc_id: str) -> Verdict:
    ec2 = ctx.client("ec2")
    vpc(ctx, vpc_id)
    attributes = {
        name: ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)[name[0].upper() + name[1:]]["Value"]
        for name in ("enableDnsSupport", "enableDnsHostnames")
    }
    return Verdict(all(attributes.values()), f"VPC {vpc_id} DNS {attributes}", attributes)

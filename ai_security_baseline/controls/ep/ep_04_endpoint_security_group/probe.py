"""EP-04 live probe: the endpoint SG admits only TCP 443 from the VPC CIDR; every interface endpoint uses only it."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import describe_endpoint, interface_endpoint_subjects, vpc


def sg_subject(ctx: AuditContext) -> list[Subject]:
    group = ctx.outputs.get("endpointSecurityGroupId")
    return (
        [Subject(urn=str(group), value=str(group))]
        if group
        else [Subject(urn="stack", missing="endpointSecurityGroupId")]
    )


@check("EP-04", sg_subject)
def endpoint_sg(ctx: AuditContext, group_id: str) -> Verdict:
    vpc_cidr = vpc(ctx, str(ctx.output("vpcId")))["CidrBlock"]
    group = ctx.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    ingress = [
        (
            p.get("IpProtocol"),
            p.get("FromPort"),
            p.get("ToPort"),
            sorted(r["CidrIp"] for r in p.get("IpRanges", [])),
            len(p.get("UserIdGroupPairs", [])) + len(p.get("PrefixListIds", [])) + len(p.get("Ipv6Ranges", [])),
        )
        for p in group.get("IpPermissions", [])
    ]
    ok = ingress == [("tcp", 443, 443, [vpc_cidr], 0)]
    interface = [s.value[1] for s in interface_endpoint_subjects(ctx) if not s.missing]
    others = [e for e in interface if {g["GroupId"] for g in describe_endpoint(ctx, e).get("Groups", [])} != {group_id}]
    if others:
        ok = False
    return Verdict(
        ok,
        f"ingress {ingress} (expected tcp 443 from {vpc_cidr})"
        + (f"; endpoints not on it: {others}" if others else ""),
        {"ingress": ingress},
    )

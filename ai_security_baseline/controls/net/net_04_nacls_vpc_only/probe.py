"""NET-04 live probe: NACL allow entries stay inside the VPC or S3's ranges; the default NACL allows nothing."""

from __future__ import annotations

import ipaddress

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import vpc, vpc_filter, vpc_subject


def _s3_ranges(ctx: AuditContext) -> set[str]:
    ec2 = ctx.client("ec2")
    name = f"com.amazonaws.{ctx.region}.s3"
    lists = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [name]}])["PrefixLists"]
    if not lists:
        return set()
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=lists[0]["PrefixListId"])["Entries"]
    return {e["Cidr"] for e in entries}


@check("NET-04", vpc_subject)
def nacls_internal(ctx: AuditContext, vpc_id: str) -> Verdict:
    vpc_cidr = ipaddress.ip_network(vpc(ctx, vpc_id)["CidrBlock"])
    allowed_outside = _s3_ranges(ctx)
    problems = []
    for acl in ctx.client("ec2").describe_network_acls(Filters=vpc_filter(vpc_id))["NetworkAcls"]:
        for entry in acl["Entries"]:
            if entry["RuleAction"] != "allow":
                continue
            cidr = entry.get("CidrBlock") or entry.get("Ipv6CidrBlock", "::/0")
            inside = ipaddress.ip_network(cidr).version == 4 and ipaddress.ip_network(cidr).subnet_of(vpc_cidr)  # type: ignore[arg-type]
            if acl["IsDefault"] or not (inside or cidr in allowed_outside):
                kind = "default NACL" if acl["IsDefault"] else acl["NetworkAclId"]
                problems.append(
                    f"{kind} allows {cidr} ({'egress' if entry['Egress'] else 'ingress'} #{entry['RuleNumber']})"
                )
    return Verdict(not problems, "; ".join(problems) or "NACLs allow only VPC and S3 ranges; default NACL denies", {})

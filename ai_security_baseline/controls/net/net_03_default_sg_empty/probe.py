"""NET-03 live probe: the VPC's default security group holds no rule."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.network import vpc_filter, vpc_subject


@check("NET-03", vpc_subject)
def default_sg_empty(ctx: AuditContext, vpc_id: str) -> Verdict:
    groups = ctx.client("ec2").describe_security_groups(
        Filters=[*vpc_filter(vpc_id), {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    if len(groups) != 1:
        raise LookupError(f"VPC {vpc_id} has {len(groups)} default security groups")
    group = groups[0]
    rules = len(group.get("IpPermissions", [])) + len(group.get("IpPermissionsEgress", []))
    return Verdict(rules == 0, f"default SG {group['GroupId']} has {rules} rules", {"groupId": group["GroupId"]})

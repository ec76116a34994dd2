"""ACC-03 live probe: the region's default VPC, if any, has an empty default SG, a deny-all default NACL and an
ALL-traffic flow log into the stack's group; under ``deleted`` the region has none."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.vocabulary import DEFAULT_VPC_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    central_waiver,
    check,
)
from ai_security_baseline.verify.checkers.audit.network import vpc_filter


def default_vpcs(ctx: AuditContext) -> list[str]:
    vpcs = ctx.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return sorted(str(v["VpcId"]) for v in vpcs)


def lockdown_problems(ctx: AuditContext, vpc: str) -> list[str]:
    ec2 = ctx.client("ec2")
    problems: list[str] = []
    groups = ec2.describe_security_groups(Filters=[*vpc_filter(vpc), {"Name": "group-name", "Values": ["default"]}])
    for group in groups["SecurityGroups"]:
        if group.get("IpPermissions") or group.get("IpPermissionsEgress"):
            problems.append(f"default security group {group['GroupId']} has rules")
    acls = ec2.describe_network_acls(Filters=[*vpc_filter(vpc), {"Name": "default", "Values": ["true"]}])
    allows: list[Any] = [e for a in acls["NetworkAcls"] for e in a["Entries"] if e.get("RuleAction") == "allow"]
    if allows:
        problems.append(f"default network ACL allows {len(allows)} entries")
    group_name = str(ctx.output("flowLogGroupName"))
    flows = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
    into_group = [
        f
        for f in flows
        if f.get("LogGroupName") == group_name or str(f.get("LogDestination", "")).endswith(f":log-group:{group_name}")
    ]
    if not any(f.get("TrafficType") == "ALL" for f in into_group):
        problems.append(f"no ALL-traffic flow log into {group_name}")
    return problems


@check("ACC-03", account_subject)
def default_vpc_locked(ctx: AuditContext, _region: str) -> Verdict:
    waived = central_waiver(ctx, "defaultVpc")
    if waived:
        return waived
    found = ctx.output(DEFAULT_VPC_OUTPUT)  # what the deployment found: without it the probe cannot judge
    vpcs = default_vpcs(ctx)
    if not vpcs:
        return Verdict(True, f"no default VPC in {ctx.region}")
    if found.get("mode") == "deleted":
        return Verdict(False, f"accountGuardrails.defaultVpc is deleted, but {ctx.region} has {vpcs}")
    problems = [p for vpc in vpcs for p in lockdown_problems(ctx, vpc)]
    unknown = [v for v in vpcs if v != found.get("vpcId")]
    if unknown:
        problems.append(f"default VPC {unknown} is not the one the deployment locked down ({found.get('vpcId')!r})")
    return Verdict(not problems, "; ".join(problems) or f"default VPC {vpcs[0]} locked down", {"vpcs": vpcs})

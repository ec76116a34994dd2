"""Network and endpoint controls read from EC2 (NET-01..05, EP-01, EP-02, EP-04, EP-05)."""

from __future__ import annotations

import ipaddress
from typing import Any

from components.config import ENDPOINT_POLICY_UNSUPPORTED
from verify.checkers.audit.core import FOREIGN_ACCOUNT, AuditContext, Subject, Verdict, check, decide, policy_json
from verify.iam.evaluator import Outcome

AZ_RANGE = (2, 6)
MIN_RETENTION_DAYS = 365
#: A representative, resource-level action per interface endpoint service (probe of EP-05).
ENDPOINT_ACTIONS: dict[str, str] = {
    "s3": "s3:GetObject",
    "sagemaker.api": "sagemaker:CreateTrainingJob",
    "sagemaker.runtime": "sagemaker:InvokeEndpoint",
    "sts": "sts:AssumeRole",
    "kms": "kms:Decrypt",
    "logs": "logs:PutLogEvents",
    "monitoring": "cloudwatch:PutMetricData",
    "ecr.api": "ecr:BatchGetImage",
    "ecr.dkr": "ecr:BatchGetImage",
    "secretsmanager": "secretsmanager:GetSecretValue",
    "bedrock-runtime": "bedrock:InvokeModel",
    "bedrock": "bedrock:GetFoundationModel",
    "bedrock-agent-runtime": "bedrock:InvokeAgent",
}


def vpc_subject(ctx: AuditContext) -> list[Subject]:
    vpc_id = ctx.outputs.get("vpcId")
    return [Subject(urn=str(vpc_id), value=str(vpc_id))] if vpc_id else [Subject(urn="stack", missing="vpcId")]


def _vpc_filter(vpc_id: str, name: str = "vpc-id") -> list[dict[str, Any]]:
    return [{"Name": name, "Values": [vpc_id]}]


def _vpc(ctx: AuditContext, vpc_id: str) -> dict[str, Any]:
    vpcs: dict[str, Any] = ctx.cached(("vpc", vpc_id), lambda: ctx.client("ec2").describe_vpcs(VpcIds=[vpc_id]))
    return dict(vpcs["Vpcs"][0])


@check("NET-01", vpc_subject)
def _vpc_dns(ctx: AuditContext, vpc_id: str) -> Verdict:
    ec2 = ctx.client("ec2")
    _vpc(ctx, vpc_id)
    attributes = {
        name: ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)[name[0].upper() + name[1:]]["Value"]
        for name in ("enableDnsSupport", "enableDnsHostnames")
    }
    return Verdict(all(attributes.values()), f"VPC {vpc_id} DNS {attributes}", attributes)


@check("NET-02", vpc_subject)
def _isolated(ctx: AuditContext, vpc_id: str) -> Verdict:
    ec2 = ctx.client("ec2")
    expected = set(ctx.output("privateSubnetIds"))
    subnets = ec2.describe_subnets(Filters=_vpc_filter(vpc_id))["Subnets"]
    igws = ec2.describe_internet_gateways(Filters=_vpc_filter(vpc_id, "attachment.vpc-id"))["InternetGateways"]
    nats = [
        n
        for n in ec2.describe_nat_gateways(Filters=_vpc_filter(vpc_id))["NatGateways"]
        if n["State"] not in ("deleted",)
    ]
    tables = ec2.describe_route_tables(Filters=_vpc_filter(vpc_id))["RouteTables"]
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


@check("NET-03", vpc_subject)
def _default_sg_empty(ctx: AuditContext, vpc_id: str) -> Verdict:
    groups = ctx.client("ec2").describe_security_groups(
        Filters=[*_vpc_filter(vpc_id), {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    if len(groups) != 1:
        raise LookupError(f"VPC {vpc_id} has {len(groups)} default security groups")
    group = groups[0]
    rules = len(group.get("IpPermissions", [])) + len(group.get("IpPermissionsEgress", []))
    return Verdict(rules == 0, f"default SG {group['GroupId']} has {rules} rules", {"groupId": group["GroupId"]})


def _s3_ranges(ctx: AuditContext) -> set[str]:
    ec2 = ctx.client("ec2")
    name = f"com.amazonaws.{ctx.region}.s3"
    lists = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [name]}])["PrefixLists"]
    if not lists:
        return set()
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=lists[0]["PrefixListId"])["Entries"]
    return {e["Cidr"] for e in entries}


@check("NET-04", vpc_subject)
def _nacls_internal(ctx: AuditContext, vpc_id: str) -> Verdict:
    vpc_cidr = ipaddress.ip_network(_vpc(ctx, vpc_id)["CidrBlock"])
    allowed_outside = _s3_ranges(ctx)
    problems = []
    for acl in ctx.client("ec2").describe_network_acls(Filters=_vpc_filter(vpc_id))["NetworkAcls"]:
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


@check("NET-05", vpc_subject)
def _flow_logs(ctx: AuditContext, vpc_id: str) -> Verdict:
    group_name = str(ctx.output("flowLogGroupName"))
    logs_key = str(ctx.output("logsKeyArn"))
    flows = ctx.client("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    matching = [
        f
        for f in flows
        if f.get("TrafficType") == "ALL"
        and (f.get("LogGroupName") == group_name or f.get("LogDestination", "").endswith(f":log-group:{group_name}"))
    ]
    if not matching:
        return Verdict(False, f"no ALL-traffic flow log of {vpc_id} into {group_name}", {"flowLogs": flows})
    flow = matching[0]
    groups = ctx.client("logs").describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
    group = next((g for g in groups if g["logGroupName"] == group_name), None)
    if group is None:
        return Verdict(False, f"flow log group {group_name} does not exist", {})
    problems = []
    if group.get("kmsKeyId") != logs_key:
        problems.append(f"log group key {group.get('kmsKeyId')} (expected {logs_key})")
    if int(group.get("retentionInDays") or 0) < MIN_RETENTION_DAYS:
        problems.append(f"retention {group.get('retentionInDays')} < {MIN_RETENTION_DAYS}")
    role_arn = flow.get("DeliverLogsPermissionArn", "")
    trust = policy_json(
        ctx.client("iam").get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]["AssumeRolePolicyDocument"]
    )

    def assume(account: str) -> Outcome:
        return decide(
            ctx,
            action="sts:AssumeRole",
            resource=role_arn,
            principal="vpc-flow-logs.amazonaws.com",
            context={
                "aws:SourceAccount": account,
                "aws:SourceArn": f"arn:aws:ec2:{ctx.region}:{account}:vpc-flow-log/{flow['FlowLogId']}",
            },
            resource_policy=trust,
            kind="trust",
        )

    ours, foreign = assume(ctx.account_id), assume(FOREIGN_ACCOUNT)
    if ours != "Allow" or foreign == "Allow":
        problems.append(f"delivery role trust: this account {ours}, another account {foreign}")
    return Verdict(
        not problems,
        "; ".join(problems)
        or f"flow log {flow['FlowLogId']} ALL -> {group_name} (KMS, "
        f"{group.get('retentionInDays')} days, conditioned role)",
        {"flowLogId": flow["FlowLogId"]},
    )


def _endpoints(ctx: AuditContext) -> list[Subject]:
    ids = {"s3": ctx.outputs.get("s3GatewayEndpointId")}
    interface = ctx.outputs.get("interfaceEndpointIds")
    if not ids["s3"]:
        return [Subject(urn="stack", missing="s3GatewayEndpointId")]
    if not isinstance(interface, dict) or not interface:
        return [Subject(urn="stack", missing="interfaceEndpointIds")]
    ids.update(interface)
    return [Subject(urn=str(i), value=(service, str(i))) for service, i in ids.items()]


def _interface_endpoints(ctx: AuditContext) -> list[Subject]:
    return [s for s in _endpoints(ctx) if s.missing or s.value[0] != "s3"]


def _describe_endpoint(ctx: AuditContext, endpoint_id: str) -> dict[str, Any]:
    answer = ctx.cached(
        ("vpce", endpoint_id), lambda: ctx.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    )
    return dict(answer["VpcEndpoints"][0])


def gateway_subject(ctx: AuditContext) -> list[Subject]:
    gateway = ctx.outputs.get("s3GatewayEndpointId")
    return (
        [Subject(urn=str(gateway), value=str(gateway))]
        if gateway
        else [Subject(urn="stack", missing="s3GatewayEndpointId")]
    )


@check("EP-01", gateway_subject)
def _gateway_on_every_table(ctx: AuditContext, endpoint_id: str) -> Verdict:
    endpoint = _describe_endpoint(ctx, endpoint_id)
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


@check("EP-02", _interface_endpoints)
def _interface_private_dns(ctx: AuditContext, value: tuple[str, str]) -> Verdict:
    service, endpoint_id = value
    endpoint = _describe_endpoint(ctx, endpoint_id)
    subnets = set(ctx.output("privateSubnetIds"))
    missing = sorted(subnets - set(endpoint.get("SubnetIds", [])))
    ok = endpoint["VpcEndpointType"] == "Interface" and endpoint.get("PrivateDnsEnabled") is True and not missing
    return Verdict(
        ok,
        f"{service}: private DNS {endpoint.get('PrivateDnsEnabled')}"
        + (f", missing subnets {missing}" if missing else ""),
        {"subnets": sorted(endpoint.get("SubnetIds", []))},
    )


def sg_subject(ctx: AuditContext) -> list[Subject]:
    group = ctx.outputs.get("endpointSecurityGroupId")
    return (
        [Subject(urn=str(group), value=str(group))]
        if group
        else [Subject(urn="stack", missing="endpointSecurityGroupId")]
    )


@check("EP-04", sg_subject)
def _endpoint_sg(ctx: AuditContext, group_id: str) -> Verdict:
    vpc_cidr = _vpc(ctx, str(ctx.output("vpcId")))["CidrBlock"]
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
    interface = [s.value[1] for s in _interface_endpoints(ctx) if not s.missing]
    others = [
        e for e in interface if {g["GroupId"] for g in _describe_endpoint(ctx, e).get("Groups", [])} != {group_id}
    ]
    if others:
        ok = False
    return Verdict(
        ok,
        f"ingress {ingress} (expected tcp 443 from {vpc_cidr})"
        + (f"; endpoints not on it: {others}" if others else ""),
        {"ingress": ingress},
    )


@check("EP-05", _endpoints)
def _endpoint_policy(ctx: AuditContext, value: tuple[str, str]) -> Verdict:
    """The endpoint refuses another account's principal; for S3 also this account's data going to foreign buckets.

    A service that takes no endpoint policy is waived by design (AWS applies its default), never passed.
    """
    service, endpoint_id = value
    endpoint = _describe_endpoint(ctx, endpoint_id)
    if service in ENDPOINT_POLICY_UNSUPPORTED:
        reason = ENDPOINT_POLICY_UNSUPPORTED[service]
        return Verdict(True, f"{service} endpoint: not applicable ({reason})", status="waived", waiver=reason)
    policy = policy_json(endpoint["PolicyDocument"])
    action = ENDPOINT_ACTIONS.get(service)
    if action is None:
        raise LookupError(f"no probe action known for endpoint service {service!r}")
    prefix = action.split(":")[0]

    def resource(account: str) -> str:
        return (
            f"arn:aws:s3:::bucket-of-{account}/x"
            if prefix == "s3"
            else f"arn:aws:{prefix}:{ctx.region}:{account}:probe"
        )

    def through(principal_account: str, resource_account: str) -> Outcome:
        return decide(
            ctx,
            action=action,
            resource=resource(resource_account),
            principal=ctx.probe_arn(principal_account),
            context={"aws:ResourceAccount": resource_account},
            vpce=[policy],
            resource_account=resource_account,
        )

    probes = {
        "own": through(ctx.account_id, ctx.account_id),
        "foreign principal": through(FOREIGN_ACCOUNT, FOREIGN_ACCOUNT),
    }
    if service == "s3":
        probes["foreign bucket"] = through(ctx.account_id, FOREIGN_ACCOUNT)
    ok = probes["own"] == "Allow" and all(v != "Allow" for k, v in probes.items() if k != "own")
    return Verdict(ok, f"{service} endpoint policy: {probes}", {"probe": probes})

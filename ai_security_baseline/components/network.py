"""Isolated network: a VPC with only private subnets, locked-down defaults, flow logs and private
endpoints (NET-01…NET-05, EP-01…EP-05).

Nothing here routes to the internet: no internet gateway, no NAT, no 0.0.0.0/0 route. AWS services
are reached through the S3 gateway endpoint and interface endpoints whose policies admit only this
account's (or organization's) principals.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import NAMESPACE, BaselineConfig, ConfigError, NetworkConfig, subnet_cidrs
from ai_security_baseline.components.delivery import (
    LogDelivery,
    LogGroupSettings,
    deliver_logs,
    group_arn,
    stack_log_group_name,
)
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.vocabulary import endpoint_policy_supported

#: NACL rule numbers: VPC-internal traffic first, S3 prefix-list ranges after (NET-04).
VPC_RULE_NUMBER = 100
S3_RULE_NUMBER_START = 200
#: AWS default quota of rules per NACL direction; more S3 ranges than fit is an error, not a silent cut.
NACL_RULES_PER_DIRECTION = 20
EPHEMERAL_PORTS = (1024, 65535)
HTTPS_PORT = 443


def flow_log_group_name(config: BaselineConfig) -> str:
    """Physical name of the flow-log group, known before any resource exists (breaks the key cycle)."""
    return stack_log_group_name(config.prefix, config.environment, "vpc-flow-logs")


def flow_log_delivery(name_prefix: str, account: AccountContext, group_name: str) -> LogDelivery:
    """NET-05: VPC Flow Logs (only for this account's flow logs) writes the streams of the flow-log group."""
    return LogDelivery(
        group_name=group_name,
        role_name=f"{name_prefix}-vpc-flow-logs",
        description="Delivers VPC flow logs to the baseline's encrypted log group",
        trust=documents.flow_log_trust_policy(
            partition=account.partition, region=account.region, account_id=account.account_id
        ),
        policy_name="deliver-flow-logs",
        grants=documents.flow_log_delivery_policy(group_arn(account, group_name)),
    )


def network_key_statements(config: BaselineConfig, account: AccountContext) -> dict[str, list[documents.Statement]]:
    """Key-policy statements the network needs, per data class: Logs may encrypt the flow-log group."""
    group = group_arn(account, flow_log_group_name(config))
    return {"logs": [documents.logs_key_statement("LogsEncryptVpcFlowLogs", region=account.region, group_arn=group)]}


#: Standard AZs only: Local Zones and Wavelength Zones report ``opted-in`` (AWS DescribeAvailabilityZones).
STANDARD_ZONES_FILTER = aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])


def pick_zones(
    available: Sequence[str], az_count: int, region: str, offered: Mapping[str, Sequence[str]] | None = None
) -> tuple[str, ...]:
    """The first ``az_count`` AZs in name order where every enabled interface service is offered.

    ``offered``: service -> the AZs its endpoint service is offered in. An interface endpoint needs a subnet
    in every AZ (EP-02), so only AZs offered by all services qualify. ConfigError naming the key when too few.
    """
    names = sorted(set(available))
    offered = offered or {}
    usable = [z for z in names if all(z in zones for zones in offered.values())]
    if len(usable) >= az_count:
        return tuple(usable[:az_count])
    limits = {s: sorted(set(zones) & set(names)) for s, zones in sorted(offered.items()) if set(names) - set(zones)}
    where = " where every enabled interface endpoint service is offered" if limits else ""
    why = "".join(f"; {s} is offered only in {', '.join(z) or 'none'}" for s, z in limits.items())
    raise ConfigError(
        f"invalid configuration: {NAMESPACE}:network.azCount = {az_count}: region {region} has only "
        f"{len(usable)} available AZs{where} ({', '.join(usable) or 'none'}){why} "
        f"(allowed: 2-{max(len(usable), 2)} here)"
    )


def check_aws_owned_buckets(network: NetworkConfig, region: str) -> None:
    """Refuse a region where an enabled service's AWS-owned bucket has no documented owner (no wildcard account)."""
    services = network.interface_services
    for entry in vocabulary.AWS_OWNED_BUCKETS:
        if entry.needed_by(services) and entry.accounts is not None and region not in entry.accounts:
            needing = [s for s in services if s in entry.services]
            raise ConfigError(
                f"invalid configuration: {NAMESPACE}:network.endpointServices = {json.dumps(needing)}: "
                f"the S3 gateway endpoint must reach {entry.bucket} ({entry.sid}), and AWS documents its owning "
                f"account only for regions {', '.join(sorted(entry.accounts))}, not {region} "
                f"(allowed: those services only in the listed regions)"
            )


def resolve_zones(network: NetworkConfig, region: str, opts: pulumi.InvokeOptions) -> tuple[str, ...]:
    """Check the region serves ``network`` before any resource exists, and pick its ``azCount`` AZs.

    Blocking invokes: the region's standard AZs (no Local or Wavelength Zones), and the AZs each enabled
    interface endpoint service is offered in. Also refuses AWS-owned buckets with no documented owner here.
    """
    check_aws_owned_buckets(network, region)
    zones = aws.get_availability_zones(state="available", filters=[STANDARD_ZONES_FILTER], opts=opts)
    offered = {
        service: aws.ec2.get_vpc_endpoint_service(
            service_name=service_name(region, service), service_type="Interface", opts=opts
        ).availability_zones
        for service in network.interface_services
    }
    return pick_zones(zones.names, network.az_count, region, offered)


def _child(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent)


# ---- the VPC ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IsolatedVpcArgs:
    """Inputs of IsolatedVpc.

    ``availability_zones``: already resolved zones (AiSecurityBaseline checks them before creating
    anything); empty means the component asks the region itself.
    ``flow_log_role_boundary_arn``: hook for the identity component's permissions boundary (IAM-05).
    """

    name_prefix: str
    network: NetworkConfig
    account: AccountContext
    flow_log_group_name: str
    logs_key_arn: pulumi.Input[str]
    retention_days: int
    protect: bool = False
    availability_zones: Sequence[str] = ()
    short_log_retention: bool = False
    flow_log_role_boundary_arn: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class NaclRule:
    """One NACL entry as data, so tests and checkers read the intended rule set directly."""

    name: str
    egress: bool
    rule_number: int
    protocol: str
    cidr_block: str
    from_port: int = 0
    to_port: int = 0


def private_nacl_rules(vpc_cidr: str, s3_cidrs: Sequence[str]) -> list[NaclRule]:
    """NET-04: all traffic within the VPC CIDR both ways; HTTPS out to S3 (gateway endpoint) and its return.

    NACLs cannot reference prefix lists, so the S3 gateway endpoint's public ranges are listed one by one.
    """
    ipaddress.IPv4Network(vpc_cidr)
    if len(s3_cidrs) > NACL_RULES_PER_DIRECTION - 1:
        raise ValueError(
            f"the S3 prefix list has {len(s3_cidrs)} ranges; a NACL holds {NACL_RULES_PER_DIRECTION} per direction"
        )
    rules = [
        NaclRule("vpc-in", False, VPC_RULE_NUMBER, "-1", vpc_cidr),
        NaclRule("vpc-out", True, VPC_RULE_NUMBER, "-1", vpc_cidr),
    ]
    for index, cidr in enumerate(sorted(s3_cidrs, key=ipaddress.IPv4Network)):
        number = S3_RULE_NUMBER_START + index
        rules.append(NaclRule(f"s3-https-out-{index}", True, number, "tcp", cidr, HTTPS_PORT, HTTPS_PORT))
        rules.append(NaclRule(f"s3-return-in-{index}", False, number, "tcp", cidr, *EPHEMERAL_PORTS))
    return rules


class IsolatedVpc(pulumi.ComponentResource):
    """Dedicated VPC with isolated private subnets, locked-down defaults and flow logs."""

    vpc: aws.ec2.Vpc
    subnets: list[aws.ec2.Subnet]
    route_tables: list[aws.ec2.RouteTable]
    flow_log_group: aws.cloudwatch.LogGroup
    flow_log_role: aws.iam.Role
    flow_log: aws.ec2.FlowLog

    def __init__(self, name: str, args: IsolatedVpcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:network:IsolatedVpc", name, None, opts)
        network = args.network
        zones = tuple(args.availability_zones) or resolve_zones(
            network, args.account.region, pulumi.InvokeOptions(parent=self)
        )
        if len(zones) != network.az_count:
            raise ValueError(f"IsolatedVpc: {len(zones)} zones given for azCount {network.az_count}")
        self.cidr = network.cidr
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=network.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            instance_tenancy="default",
            tags={"Name": f"{args.name_prefix}-vpc"},
            opts=_child(self),
        )
        self._subnets(name, args, zones)
        self._lock_down(name, args)
        self._flow_logs(name, args)
        self.private_subnet_ids: pulumi.Output[list[str]] = pulumi.Output.all(*[s.id for s in self.subnets])
        self.route_table_ids: pulumi.Output[list[str]] = pulumi.Output.all(*[t.id for t in self.route_tables])
        self.register_outputs(
            {
                "vpcId": self.vpc.id,
                "privateSubnetIds": self.private_subnet_ids,
                "flowLogGroupName": self.flow_log_group.name,
            }
        )

    def _subnets(self, name: str, args: IsolatedVpcArgs, zones: Sequence[str]) -> None:
        """One isolated subnet per AZ, each with its own route table holding only the local route."""
        self.subnets = []
        self.route_tables = []
        for index, (zone, cidr) in enumerate(zip(zones, subnet_cidrs(args.network), strict=True)):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{index}",
                vpc_id=self.vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                assign_ipv6_address_on_creation=False,
                tags={"Name": f"{args.name_prefix}-private-{zone}", "tier": "isolated"},
                opts=_child(self),
            )
            table = aws.ec2.RouteTable(
                f"{name}-private-{index}",
                vpc_id=self.vpc.id,
                tags={"Name": f"{args.name_prefix}-private-{zone}"},
                opts=_child(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=_child(self)
            )
            self.subnets.append(subnet)
            self.route_tables.append(table)

    def _lock_down(self, name: str, args: IsolatedVpcArgs) -> None:
        """NET-03/NET-04: default SG and default NACL emptied; subnets get a VPC-only NACL."""
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            revoke_rules_on_delete=True,
            tags={"Name": f"{args.name_prefix}-default-deny-all"},
            opts=_child(self),
        )
        self.default_network_acl = aws.ec2.DefaultNetworkAcl(
            f"{name}-default-nacl",
            default_network_acl_id=self.vpc.default_network_acl_id,
            ingress=[],
            egress=[],
            tags={"Name": f"{args.name_prefix}-default-deny-all"},
            # Subnets move to the private NACL through associations; do not fight over them here.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnetIds"]),
        )
        self.network_acl = aws.ec2.NetworkAcl(
            f"{name}-private",
            vpc_id=self.vpc.id,
            tags={"Name": f"{args.name_prefix}-private"},
            opts=_child(self),
        )
        s3_list = aws.ec2.get_prefix_list(
            name=f"com.amazonaws.{args.account.region}.s3", opts=pulumi.InvokeOptions(parent=self)
        )
        self.nacl_rules = private_nacl_rules(args.network.cidr, s3_list.cidr_blocks)
        # A rule is identified by (NACL, direction, number) and every input is replace-only: a new range in AWS's S3
        # prefix list shifts the numbers, and a create-before-delete replacement is refused as a duplicate entry.
        for rule in self.nacl_rules:
            aws.ec2.NetworkAclRule(
                f"{name}-{rule.name}",
                network_acl_id=self.network_acl.id,
                egress=rule.egress,
                rule_number=rule.rule_number,
                rule_action="allow",
                protocol=rule.protocol,
                cidr_block=rule.cidr_block,
                from_port=rule.from_port,
                to_port=rule.to_port,
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
        for index, subnet in enumerate(self.subnets):
            aws.ec2.NetworkAclAssociation(
                f"{name}-private-{index}", network_acl_id=self.network_acl.id, subnet_id=subnet.id, opts=_child(self)
            )

    def _flow_logs(self, name: str, args: IsolatedVpcArgs) -> None:
        """NET-05: ALL traffic to a KMS-encrypted, retained log group through a conditioned role."""
        delivered = deliver_logs(
            flow_log_delivery(args.name_prefix, args.account, args.flow_log_group_name),
            group_resource=f"{name}-flow-logs",
            role_resource=f"{name}-flow-logs",
            settings=LogGroupSettings(args.logs_key_arn, args.retention_days, args.protect, args.short_log_retention),
            boundary_arn=args.flow_log_role_boundary_arn,
            parent=self,
            retain_grants=False,  # the flow log stops at destroy
        )
        self.flow_log_group, self.flow_log_role, delivery_policy = delivered.group, delivered.role, delivered.policy
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=self.flow_log_role.arn,
            max_aggregation_interval=60,
            # Delivery fails until the role may write: create the flow log after its policy.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[delivery_policy]),
        )


# ---- private endpoints -----------------------------------------------------------------------


@dataclass(frozen=True)
class PrivateEndpointsArgs:
    """Inputs of PrivateEndpoints; ``services`` are interface-endpoint suffixes (``sts``, ``ecr.dkr``)."""

    name_prefix: str
    account: AccountContext
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    route_table_ids: Sequence[pulumi.Input[str]]
    services: Sequence[str] = field(default_factory=tuple)
    org_id: str | None = None


def service_name(region: str, service: str) -> str:
    """The VPC endpoint service name of an AWS service in a region."""
    return f"com.amazonaws.{region}.{service}"


def interface_policy(service: str, *, account_id: str, org_id: str | None) -> documents.PolicyDocument | None:
    """EP-05 policy of an interface endpoint; None for a service that takes no endpoint policy (AWS's default)."""
    if not endpoint_policy_supported(service):
        return None
    return documents.interface_endpoint_policy(service, account_id=account_id, org_id=org_id)


class PrivateEndpoints(pulumi.ComponentResource):
    """S3 gateway endpoint and interface endpoints, each with a restrictive policy (EP-01…EP-05)."""

    security_group: aws.ec2.SecurityGroup
    s3_gateway: aws.ec2.VpcEndpoint
    interface_endpoints: dict[str, aws.ec2.VpcEndpoint]

    def __init__(self, name: str, args: PrivateEndpointsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:network:PrivateEndpoints", name, None, opts)
        account = args.account
        self._security_group(name, args)
        s3_policy = documents.s3_gateway_endpoint_policy(
            partition=account.partition,
            region=account.region,
            account_id=account.account_id,
            org_id=args.org_id,
            services=args.services,
        )
        self.s3_gateway = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=args.vpc_id,
            service_name=service_name(account.region, "s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=list(args.route_table_ids),
            policy=json.dumps(s3_policy),
            tags={"Name": f"{args.name_prefix}-s3-gateway"},
            opts=_child(self),
        )
        self.interface_endpoints = {}
        for service in dict.fromkeys(args.services):
            policy = interface_policy(service, account_id=account.account_id, org_id=args.org_id)
            self.interface_endpoints[service] = aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=args.vpc_id,  # the VPC (with DNS support + hostnames) exists first
                service_name=service_name(account.region, service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=list(args.subnet_ids),
                security_group_ids=[self.security_group.id],
                policy=json.dumps(policy) if policy else None,
                tags={"Name": f"{args.name_prefix}-{service}"},
                opts=_child(self),
            )
        self.s3_gateway_endpoint_id: pulumi.Output[str] = self.s3_gateway.id
        self.security_group_id: pulumi.Output[str] = self.security_group.id
        self.interface_endpoint_ids: pulumi.Output[dict[str, str]] = pulumi.Output.all(
            **{service: endpoint.id for service, endpoint in self.interface_endpoints.items()}
        )
        self.register_outputs(
            {
                "securityGroupId": self.security_group_id,
                "s3GatewayEndpointId": self.s3_gateway_endpoint_id,
                "interfaceEndpointIds": self.interface_endpoint_ids,
            }
        )

    def _security_group(self, name: str, args: PrivateEndpointsArgs) -> None:
        """EP-04: HTTPS in from the VPC CIDR, nothing else, enforced on every update.

        The provider revokes AWS's default allow-all egress when it creates the group; the exclusive
        rule set below also removes any rule added later out of band (egress included).
        """
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name=f"{args.name_prefix}-endpoints",
            description="Interface endpoints: HTTPS from the VPC only",
            vpc_id=args.vpc_id,
            revoke_rules_on_delete=True,
            tags={"Name": f"{args.name_prefix}-endpoints"},
            opts=_child(self),
        )
        self.https_ingress = aws.vpc.SecurityGroupIngressRule(
            f"{name}-sg-https",
            security_group_id=self.security_group.id,
            description="HTTPS from inside the VPC",
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            cidr_ipv4=args.vpc_cidr,
            opts=_child(self),
        )
        self.exclusive_rules = aws.ec2.VpcSecurityGroupRulesExclusive(
            f"{name}-sg",
            security_group_id=self.security_group.id,
            ingress_rule_ids=[self.https_ingress.security_group_rule_id],
            egress_rule_ids=[],
            opts=_child(self),
        )

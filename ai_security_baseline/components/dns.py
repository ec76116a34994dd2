"""The isolated VPC's Route 53 Resolver: a fail-closed DNS Firewall (NET-06) and query logging (NET-07).

The VPC has no internet path, but its Resolver still answers (and recursively resolves) public names: a workload can
tunnel data out in the names it asks for. DNS Firewall answers only AWS's own domains, the VPC's internal host
names and a configured allowlist; every other name gets NXDOMAIN, and every query is logged to an encrypted group.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import BaselineConfig
from ai_security_baseline.components.delivery import LogGroupSettings, encrypted_log_group, stack_log_group_name
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import DNS_BLOCK_RESPONSE

#: DNS suffix of AWS service endpoints per partition (the endpoints' private DNS names end with it).
PARTITION_DNS_SUFFIX: dict[str, str] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
}
#: Rule priorities inside the rule group: DNS Firewall evaluates the lowest number first, and stops at the first match.
ALLOW_RULE_PRIORITY = 100
BLOCK_RULE_PRIORITY = 200
#: Where the rule group sits among the VPC's rule groups (AWS allows 100-9900; lowest first). 200 leaves room for an
#: organization's Firewall Manager groups evaluated first.
ASSOCIATION_PRIORITY = 200
#: Follow CNAME/DNAME chains of allowed names and judge every name in them (AWS's default for ALLOW rules): an
#: allowed name that redirects to an unlisted domain is blocked.
INSPECT_REDIRECTION = "INSPECT_REDIRECTION_DOMAIN"


def internal_domain(region: str) -> str:
    """The domain of the VPC's private EC2 host names (``ip-10-0-0-1.<this>``): ``ec2.internal`` in us-east-1.

    https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html#vpc-dns-hostnames
    """
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


def aws_domains(partition: str, region: str) -> tuple[str, ...]:
    """What the isolated VPC must resolve: AWS's endpoint domain (interface endpoints' private DNS names, the S3
    gateway's public names) and the VPC's own host names. DNS Firewall sees every query the Resolver gets, private
    hosted zones and internal names included (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-overview.html)."""
    suffix = PARTITION_DNS_SUFFIX.get(partition)
    if suffix is None:
        raise ValueError(f"no AWS endpoint DNS suffix known for partition {partition!r}")
    internal = internal_domain(region)
    return (suffix, f"*.{suffix}", internal, f"*.{internal}")


def allowed_domains(partition: str, region: str, allowlist: Sequence[str] = ()) -> list[str]:
    """The ALLOW list: AWS's domains then ``network.dnsAllowlist``, each once, in that order."""
    return list(dict.fromkeys([*aws_domains(partition, region), *(d.lower() for d in allowlist)]))


def query_log_group_name(config: BaselineConfig) -> str:
    """Physical name of the query-log group, known before any resource exists (the logs key policy names it)."""
    return stack_log_group_name(config.prefix, config.environment, "resolver-query-logs")


def dns_key_statements(config: BaselineConfig, account: AccountContext) -> dict[str, list[documents.Statement]]:
    """Key-policy statements the query logs need: Logs may encrypt the query-log group (and only it)."""
    group_arn = documents.log_group_arn(
        account.partition, account.region, account.account_id, query_log_group_name(config)
    )
    return {
        "logs": [
            documents.logs_key_statement("LogsEncryptResolverQueryLogs", region=account.region, group_arn=group_arn)
        ]
    }


def _child(parent: pulumi.Resource, *depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on))


@dataclass(frozen=True)
class DnsFirewallArgs:
    """Inputs of DnsFirewall; ``allowlist``: ``network.dnsAllowlist``."""

    name_prefix: str
    account: AccountContext
    vpc_id: pulumi.Input[str]
    allowlist: Sequence[str] = ()


class DnsFirewall(pulumi.ComponentResource):
    """NET-06: ALLOW AWS's domains and the allowlist, BLOCK everything else with NXDOMAIN, fail closed.

    NXDOMAIN rather than NODATA: the name "does not exist" for every record type, so a client fails at once instead of
    retrying other types, and nothing suggests the name exists. The association is mutation-protected: it cannot be
    changed or removed until that protection is switched off (an explicit, logged API call).
    """

    def __init__(self, name: str, args: DnsFirewallArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:dns:DnsFirewall", name, None, opts)
        prefix, account = args.name_prefix, args.account
        self.allow_list = aws.route53.ResolverFirewallDomainList(
            f"{name}-allow",
            name=f"{prefix}-dns-allow",
            domains=allowed_domains(account.partition, account.region, args.allowlist),
            opts=_child(self),
        )
        self.block_list = aws.route53.ResolverFirewallDomainList(
            f"{name}-block-all", name=f"{prefix}-dns-block-all", domains=["*"], opts=_child(self)
        )
        self.rule_group = aws.route53.ResolverFirewallRuleGroup(name, name=f"{prefix}-dns-egress", opts=_child(self))
        self.allow_rule = aws.route53.ResolverFirewallRule(
            f"{name}-allow",
            name="allow-aws-and-allowlist",
            action="ALLOW",
            firewall_domain_list_id=self.allow_list.id,
            firewall_rule_group_id=self.rule_group.id,
            firewall_domain_redirection_action=INSPECT_REDIRECTION,
            priority=ALLOW_RULE_PRIORITY,
            opts=_child(self),
        )
        self.block_rule = aws.route53.ResolverFirewallRule(
            f"{name}-block",
            name="block-everything-else",
            action="BLOCK",
            block_response=DNS_BLOCK_RESPONSE,
            firewall_domain_list_id=self.block_list.id,
            firewall_rule_group_id=self.rule_group.id,
            priority=BLOCK_RULE_PRIORITY,
            opts=_child(self),
        )
        # the VPC gets the group only once both rules are in it: never a block-all without its allow rule
        self.association = aws.route53.ResolverFirewallRuleGroupAssociation(
            name,
            name=f"{prefix}-dns-egress",
            firewall_rule_group_id=self.rule_group.id,
            vpc_id=args.vpc_id,
            priority=ASSOCIATION_PRIORITY,
            mutation_protection="ENABLED",
            opts=_child(self, self.allow_rule, self.block_rule),
        )
        # fail closed: when DNS Firewall cannot evaluate a query, the Resolver does not answer it
        self.config = aws.route53.ResolverFirewallConfig(
            name, resource_id=args.vpc_id, firewall_fail_open="DISABLED", opts=_child(self)
        )
        self.register_outputs({"associationId": self.association.id, "ruleGroupId": self.rule_group.id})


@dataclass(frozen=True)
class QueryLoggingArgs:
    """Inputs of QueryLogging (the group as the flow-log group: logs key, retention, the shortLogRetention tag)."""

    name_prefix: str
    account: AccountContext
    vpc_id: pulumi.Input[str]
    group_name: str
    logs_key_arn: pulumi.Input[str]
    retention_days: int
    protect: bool = False
    short_log_retention: bool = False


class QueryLogging(pulumi.ComponentResource):
    """NET-07: every query the VPC's Resolver answers (and every DNS Firewall verdict) into an encrypted group."""

    def __init__(self, name: str, args: QueryLoggingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:dns:QueryLogging", name, None, opts)
        account = args.account
        self.log_group = encrypted_log_group(
            f"{name}-group",
            group_name=args.group_name,
            settings=LogGroupSettings(args.logs_key_arn, args.retention_days, args.protect, args.short_log_retention),
            parent=self,
        )
        group_arn = documents.log_group_arn(account.partition, account.region, account.account_id, args.group_name)
        policy = documents.query_log_delivery_policy(
            group_arn, partition=account.partition, region=account.region, account_id=account.account_id
        )
        self.resource_policy = aws.cloudwatch.LogResourcePolicy(
            name,
            policy_name=f"{args.name_prefix}-resolver-query-logs",
            policy_document=json.dumps(policy),
            opts=_child(self),
        )
        # Resolver checks it may deliver when the config is created: the group's policy comes first
        self.config = aws.route53.ResolverQueryLogConfig(
            name,
            name=f"{args.name_prefix}-vpc-dns",
            destination_arn=self.log_group.arn,
            opts=_child(self, self.resource_policy),
        )
        self.association = aws.route53.ResolverQueryLogConfigAssociation(
            name, resolver_query_log_config_id=self.config.id, resource_id=args.vpc_id, opts=_child(self)
        )
        self.register_outputs({"configId": self.config.id, "logGroupName": self.log_group.name})

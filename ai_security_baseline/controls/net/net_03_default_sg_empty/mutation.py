"""NET-03 mutations: the default security group given an allow-all rule, in the graph and in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import DEFAULT_SG
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property

ALLOW_ALL = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
PERMISSION = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


def default_sg_ingress_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    filters = [{"Name": "vpc-id", "Values": [ctx.output("vpcId")]}, {"Name": "group-name", "Values": ["default"]}]
    group = ec2.describe_security_groups(Filters=filters)["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=PERMISSION)
    return lambda: ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=PERMISSION)


MUTATIONS = (
    Mutation("NET-03", "allow-all ingress", graph=set_property(DEFAULT_SG, "-default-sg", "ingress", [ALLOW_ALL])),
    Mutation("NET-03", "allow-all egress", graph=set_property(DEFAULT_SG, "-default-sg", "egress", [ALLOW_ALL])),
    Mutation(  # checkov flags an unrestricted default group only where one is declared
        "NET-03", "default security group unmanaged", graph=drop_resources(DEFAULT_SG), layers=("rule",)
    ),
    Mutation("NET-03", "allow-all ingress on the default group", live=default_sg_ingress_live),
)

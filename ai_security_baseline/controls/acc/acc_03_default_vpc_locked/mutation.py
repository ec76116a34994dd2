"""ACC-03 mutations: the default VPC's default SG open, its default NACL left to AWS, and the SG opened in the
account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import DEFAULT_NACL, DEFAULT_SG, DEFAULT_VPC_OUTPUT
from ai_security_baseline.verify.checkers.audit.network import vpc_filter
from ai_security_baseline.verify.checkers.mutation import Mutation, MutationError, drop_resources, set_property

OPEN_INGRESS = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]
PERMISSION = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]


def open_default_sg_live(ctx: Any) -> Callable[[], None]:
    vpc = str(ctx.output(DEFAULT_VPC_OUTPUT).get("vpcId") or "")
    if not vpc:
        raise MutationError("the deployment found no default VPC")
    ec2 = ctx.client("ec2")
    filters = [*vpc_filter(vpc), {"Name": "group-name", "Values": ["default"]}]
    group = ec2.describe_security_groups(Filters=filters)["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=PERMISSION)
    return lambda: ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=PERMISSION)


MUTATIONS = (
    Mutation(
        "ACC-03",
        "default VPC's default SG open to the internet",
        graph=set_property(DEFAULT_SG, "default-vpc-sg", "ingress", OPEN_INGRESS),
    ),
    Mutation(
        "ACC-03", "default VPC's default NACL not managed", graph=drop_resources(DEFAULT_NACL, "default-vpc-nacl")
    ),
    Mutation("ACC-03", "default VPC's default SG opened in the account", live=open_default_sg_live),
)

"""EP-04 mutations: the endpoint security group opened wider, an endpoint in a second group, in graph and account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ENDPOINT, SECURITY_GROUP, SG_INGRESS
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_property, set_property

OPEN_HTTPS = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
ALL_OUT = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]


def open_ingress_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    group = ctx.output("endpointSecurityGroupId")
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=OPEN_HTTPS)
    return lambda: ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=OPEN_HTTPS)


MUTATIONS = (
    Mutation(  # checkov's CKV_AWS_23 asks for descriptions, CKV_AWS_382 for no open egress: neither sees the source
        "EP-04",
        "HTTPS from anywhere",
        graph=set_property(SG_INGRESS, "endpoints-sg-https", "cidrIpv4", "0.0.0.0/0"),
        layers=("rule",),
    ),
    Mutation("EP-04", "egress to anywhere", graph=set_property(SECURITY_GROUP, "endpoints-sg", "egress", ALL_OUT)),
    Mutation(  # the rule judges what the group admits, not how it is documented
        "EP-04",
        "ingress rule without a description",
        graph=drop_property(SG_INGRESS, "endpoints-sg-https", "description"),
        layers=("checkov",),
    ),
    Mutation(  # checkov does not link endpoints to their groups
        "EP-04",
        "sts endpoint in a second group",
        graph=set_property(ENDPOINT, "endpoints-sts", "securityGroupIds", ["sg-endpoint", "sg-other"]),
        layers=("rule",),
    ),
    Mutation("EP-04", "HTTPS from anywhere on the endpoint group", live=open_ingress_live),
)

"""NET-04 mutations: a NACL entry opened to the internet, in the graph and in the deployed account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import DEFAULT_NACL, NACL_RULE
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property

RULE_NUMBER = 50


def open_nacl_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    filters = [{"Name": "vpc-id", "Values": [ctx.output("vpcId")]}, {"Name": "default", "Values": ["false"]}]
    acl = ec2.describe_network_acls(Filters=filters)["NetworkAcls"][0]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl, RuleNumber=RULE_NUMBER, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0"
    )
    return lambda: ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=RULE_NUMBER, Egress=False)


MUTATIONS = (
    Mutation(
        "NET-04",
        "VPC ingress entry opened to 0.0.0.0/0",
        graph=set_property(NACL_RULE, "-vpc-in", "cidrBlock", "0.0.0.0/0"),
    ),
    Mutation(  # checkov judges the entries present, not whether the default NACL is managed
        "NET-04", "default NACL unmanaged", graph=drop_resources(DEFAULT_NACL), layers=("rule",)
    ),
    Mutation("NET-04", "allow-all ingress entry on the private NACL", live=open_nacl_live),
)

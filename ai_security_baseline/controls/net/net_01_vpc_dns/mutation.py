"""NET-01 mutations: DNS hostnames switched off on the VPC, in the graph and in the deployed account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import VPC
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property


def dns_hostnames_off_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    vpc_id = ctx.output("vpcId")
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    return lambda: ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})


MUTATIONS = (
    Mutation("NET-01", "DNS hostnames off", graph=set_property(VPC, "-vpc", "enableDnsHostnames", False)),
    Mutation("NET-01", "DNS support off", graph=set_property(VPC, "-vpc", "enableDnsSupport", False)),
    Mutation("NET-01", "DNS hostnames turned off on the VPC", live=dns_hostnames_off_live),
)

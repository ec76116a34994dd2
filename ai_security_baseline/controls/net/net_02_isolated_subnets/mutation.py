"""NET-02 mutations: a public subnet, a default route, one zone, and an internet gateway attached after deploy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ROUTE_TABLE, SUBNET
from ai_security_baseline.verify.checkers.mutation import Mutation, chain, drop_resources, set_property


def internet_gateway_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    vpc_id = ctx.output("vpcId")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)

    def undo() -> None:
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=igw)

    return undo


MUTATIONS = (
    Mutation("NET-02", "public IP on launch", graph=set_property(SUBNET, "-private-0", "mapPublicIpOnLaunch", True)),
    Mutation(  # checkov's CKV_AWS_130 judges subnets only, not routes
        "NET-02",
        "default route to an internet gateway",
        graph=set_property(ROUTE_TABLE, "-private-0", "routes", [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]),
        layers=("rule",),
    ),
    Mutation(  # checkov does not count availability zones
        "NET-02",
        "subnets in one zone",
        graph=chain(drop_resources(SUBNET, "-private-1"), drop_resources(SUBNET, "-private-2")),
        layers=("rule",),
    ),
    Mutation("NET-02", "internet gateway attached to the VPC", live=internet_gateway_live),
)

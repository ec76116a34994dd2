"""EP-02 mutations: an interface endpoint without private DNS or missing, in the graph and in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ENDPOINT
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property


def subnet_removed_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    endpoint = ctx.output("interfaceEndpointIds")["sts"]
    subnet = ctx.output("privateSubnetIds")[0]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, RemoveSubnetIds=[subnet])
    return lambda: ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, AddSubnetIds=[subnet])


MUTATIONS = (
    Mutation(
        "EP-02",
        "sts endpoint without private DNS",
        graph=set_property(ENDPOINT, "endpoints-sts", "privateDnsEnabled", False),
    ),
    Mutation("EP-02", "no kms endpoint", graph=drop_resources(ENDPOINT, "endpoints-kms")),
    Mutation("EP-02", "sts endpoint left out of one private subnet", live=subnet_removed_live),
)

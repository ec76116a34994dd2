"""EP-01 mutations: a private subnet without the gateway's route table, and the gateway detached from one table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ROUTE_TABLE_ASSOCIATION
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources


def detached_route_table_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    endpoint = ctx.output("s3GatewayEndpointId")
    table = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["RouteTableIds"][0]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, RemoveRouteTableIds=[table])
    return lambda: ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, AddRouteTableIds=[table])


MUTATIONS = (
    Mutation(  # the endpoint's routeTableIds keep their dependencies in the graph: unlink the subnet instead
        "EP-01",
        "subnet left on the main route table",
        graph=drop_resources(ROUTE_TABLE_ASSOCIATION, "-private-0"),
    ),
    Mutation("EP-01", "S3 gateway removed from one route table", live=detached_route_table_live),
)

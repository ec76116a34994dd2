"""EP-02: the ml-core interface endpoints exist, with private DNS in every private subnet."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import (
    ML_CORE,
    Found,
    Stack,
    interface_endpoints,
    links,
    names,
    no_vpc,
    service_of,
)
from ai_security_baseline.controls.vocabulary import ENDPOINT, ENDPOINT_SUBNET, SUBNET


def _endpoint_subnets(stack: Stack, endpoint: kit.Res, subnets: Sequence[kit.Res]) -> list[kit.Res]:
    found = links(endpoint, "subnetIds", subnets)
    for assoc in stack.referrers((ENDPOINT_SUBNET,), "vpcEndpointId", (ENDPOINT,)).get(endpoint.urn, ()):
        found += links(assoc, "subnetId", subnets)
    return found


def _endpoint_outcome(stack: Stack, vpc: kit.Res, endpoint: kit.Res) -> tuple[str, str, bool, str]:
    subnets = stack.in_vpc(vpc, SUBNET)
    problems = []
    if kit.known(endpoint, "privateDnsEnabled") is not True:
        problems.append("private DNS is off")
    missing = [s for s in subnets if s not in _endpoint_subnets(stack, endpoint, subnets)]
    if missing or not subnets:
        problems.append(f"not in subnet(s) {names(missing)}")
    message = "; ".join(problems) + " (expected private DNS in every private subnet)" if problems else ""
    return endpoint.urn, "EP-02", not problems, message or f"private DNS on, in all {len(subnets)} private subnets"


def check_interface_endpoints(resources: Sequence[kit.Res]) -> Found:
    """EP-02: each VPC has every ml-core service, each interface endpoint private DNS in every subnet."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("EP-02",))
    for vpc in stack.vpcs():
        endpoints = interface_endpoints(stack, vpc)
        services = {service_of(e) for e in endpoints}
        missing = [s for s in ML_CORE if s not in services]
        detail = f"missing ml-core endpoint(s) {missing}" if missing else "every ml-core service has an endpoint"
        yield vpc.urn, "EP-02", not missing, detail
        for endpoint in endpoints:
            yield _endpoint_outcome(stack, vpc, endpoint)


RULE = kit.Rule(
    "ep-02-interface-endpoints",
    "ml-core interface endpoints with private DNS in every private subnet",
    ("EP-02",),
    stack_check=check_interface_endpoints,
)

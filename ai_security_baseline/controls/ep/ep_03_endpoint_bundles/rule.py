"""EP-03: only known endpoint services, and the opt-in bedrock bundle whole or not at all."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import (
    BEDROCK,
    KNOWN_SERVICES,
    Found,
    Stack,
    interface_endpoints,
    no_vpc,
    service_of,
)


def _bundle_outcome(vpc: kit.Res, services: set[str]) -> tuple[str, str, bool, str]:
    unknown = sorted(services - KNOWN_SERVICES)
    partial = sorted(set(BEDROCK) - services) if services & set(BEDROCK) else []
    problems = [f"unknown service(s) {unknown}"] if unknown else []
    problems += [f"bedrock bundle incomplete, missing {partial}"] if partial else []
    state = "on" if services & set(BEDROCK) else "off (opt-in)"
    return vpc.urn, "EP-03", not problems, "; ".join(problems) or f"bedrock bundle {state}, every service known"


def check_endpoint_bundles(resources: Sequence[kit.Res]) -> Found:
    """EP-03: per VPC, the interface endpoints' services are all known and bedrock is complete when on."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from no_vpc(stack, ("EP-03",))
    for vpc in stack.vpcs():
        yield _bundle_outcome(vpc, {service_of(e) for e in interface_endpoints(stack, vpc)})


RULE = kit.Rule(
    "ep-03-endpoint-bundles",
    "Interface endpoints only of known services; the bedrock bundle is opt-in and complete",
    ("EP-03",),
    stack_check=check_endpoint_bundles,
)

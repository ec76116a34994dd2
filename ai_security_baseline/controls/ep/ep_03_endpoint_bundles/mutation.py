"""EP-03 mutations: an endpoint of a service no bundle knows, and a partial bedrock bundle (graph only: no audit)."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ENDPOINT
from ai_security_baseline.verify.checkers.mutation import Mutation, MutationError, drop_resources, set_property
from ai_security_baseline.verify.engine.graph import ResourceGraph

_ADD_BEDROCK_RUNTIME = set_property(
    ENDPOINT, "endpoints-monitoring", "serviceName", "com.amazonaws.eu-west-1.bedrock-runtime"
)
_DROP_BEDROCK_AGENT = drop_resources(ENDPOINT, "endpoints-bedrock-agent")


def partial_bedrock_bundle(graph: ResourceGraph) -> ResourceGraph:
    """Leave the bedrock bundle incomplete whether the stack has it: with the bundle on, one of its endpoints goes;
    with it off, a bedrock-runtime endpoint appears alone."""
    try:
        return _DROP_BEDROCK_AGENT(graph)
    except MutationError:
        return _ADD_BEDROCK_RUNTIME(graph)


MUTATIONS = (
    Mutation(
        "EP-03",
        "endpoint of an unknown service",
        graph=set_property(ENDPOINT, "endpoints-monitoring", "serviceName", "com.amazonaws.eu-west-1.unknown-service"),
    ),
    Mutation("EP-03", "bedrock bundle without one of its endpoints", graph=partial_bedrock_bundle),
)

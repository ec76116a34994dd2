"""EP-03 mutations: an endpoint of a service no bundle knows, and a partial bedrock bundle (graph only: no audit)."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ENDPOINT
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property

MUTATIONS = (
    Mutation(
        "EP-03",
        "endpoint of an unknown service",
        graph=set_property(ENDPOINT, "endpoints-monitoring", "serviceName", "com.amazonaws.eu-west-1.unknown-service"),
    ),
    Mutation(
        "EP-03",
        "bedrock runtime without the rest of its bundle",
        graph=set_property(ENDPOINT, "endpoints-monitoring", "serviceName", "com.amazonaws.eu-west-1.bedrock-runtime"),
    ),
)

"""DET-06 mutations: no analyzer, an organization analyzer without an organization. moto has no Access Analyzer,
so no live mutation can be observed."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ACCESS_ANALYZER
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property

MUTATIONS = (
    Mutation("DET-06", "no analyzer", graph=drop_resources(ACCESS_ANALYZER)),
    Mutation(
        "DET-06",
        "organization analyzer without an organization",
        graph=set_property(ACCESS_ANALYZER, "access-analyzer", "type", "ORGANIZATION"),
    ),
)

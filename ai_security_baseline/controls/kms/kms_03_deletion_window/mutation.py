"""KMS-03 mutations: a short deletion window in the graph."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property

MUTATIONS = (
    Mutation(
        "KMS-03",
        "7-day deletion window on the models key",
        graph=set_property(KMS_KEY, "-models", "deletionWindowInDays", 7),
    ),
)

"""IAM-10 mutation: AdministratorAccess attached to the inference role."""

from __future__ import annotations

from ai_security_baseline.controls.iam.common import IAM_ROLE
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property

MUTATIONS = (
    Mutation(
        "IAM-10",
        "AdministratorAccess on inference",
        graph=set_property(
            IAM_ROLE, "identity-inference", "managedPolicyArns", ["arn:aws:iam::aws:policy/AdministratorAccess"]
        ),
    ),
)

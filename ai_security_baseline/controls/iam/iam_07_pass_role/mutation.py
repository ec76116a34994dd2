"""IAM-07 mutation: the trainer may pass any role to EC2 (checkov's CKV_AWS_286, through cloudsplaining, flags
PassRole combined with a compute service that runs under the passed role)."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ROLE_POLICY
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, changed_statement, edit_document


def any_role(statement: Document) -> Document:
    unscoped = {k: v for k, v in statement.items() if k != "Condition"}
    return {**unscoped, "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}


MUTATIONS = (
    Mutation(
        "IAM-07",
        "trainer passes any role to EC2 instances it runs",
        graph=edit_document(
            ROLE_POLICY,
            "identity-policies-model-trainer",
            "policy",
            changed_statement("PassTrainerRoleToJobsOnly", any_role),
        ),
    ),
)

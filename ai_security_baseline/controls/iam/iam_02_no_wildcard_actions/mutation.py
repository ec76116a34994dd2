"""IAM-02 mutations: an inline policy grants every action, in the graph and in the deployed account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ROLE_POLICY
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, changed_statement, edit_document

WILDCARD_POLICY = "baseline-mutant-wildcard"


def every_action(statement: Document) -> Document:
    return {**statement, "Action": "*", "Resource": "*"}


def wildcard_grant_live(ctx: Any) -> Callable[[], None]:
    iam = ctx.client("iam")
    name = str(ctx.output("roleArns")["data-processor"]).rsplit("/", 1)[-1]
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_role_policy(RoleName=name, PolicyName=WILDCARD_POLICY, PolicyDocument=json.dumps(grant))
    return lambda: iam.delete_role_policy(RoleName=name, PolicyName=WILDCARD_POLICY)


MUTATIONS = (
    Mutation(
        "IAM-02",
        "processor reads raw with every action on every resource",
        graph=edit_document(
            ROLE_POLICY, "identity-policies-data-processor", "policy", changed_statement("ReadRawObjects", every_action)
        ),
    ),
    Mutation("IAM-02", "processor granted s3:* inline", live=wildcard_grant_live),
)

"""IAM-06 mutations: the trainer creates training jobs without network isolation, in the graph and in the
deployed account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ROLE_POLICY
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, changed_statement, edit_document

SID = "CreateJobsInsideBaselineGuardrails"


def without_isolation(statement: Document) -> Document:
    condition = {
        op: {k: v for k, v in block.items() if k != "sagemaker:NetworkIsolation"}
        for op, block in statement["Condition"].items()
    }
    return {**statement, "Condition": {op: block for op, block in condition.items() if block}}


def isolation_dropped_live(ctx: Any) -> Callable[[], None]:
    iam = ctx.client("iam")
    name = str(ctx.output("roleArns")["model-trainer"]).rsplit("/", 1)[-1]
    originals = {
        p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    documents = {p: d if isinstance(d, dict) else json.loads(d) for p, d in originals.items()}
    holder = next(p for p, d in documents.items() if any(s.get("Sid") == SID for s in d["Statement"]))
    weakened = changed_statement(SID, without_isolation)(documents[holder])
    iam.put_role_policy(RoleName=name, PolicyName=holder, PolicyDocument=json.dumps(weakened))
    return lambda: iam.put_role_policy(RoleName=name, PolicyName=holder, PolicyDocument=json.dumps(documents[holder]))


MUTATIONS = (
    Mutation(
        "IAM-06",
        "training jobs without network isolation",
        graph=edit_document(
            ROLE_POLICY, "identity-policies-model-trainer", "policy", changed_statement(SID, without_isolation)
        ),
    ),
    Mutation("IAM-06", "training jobs without network isolation", live=isolation_dropped_live),
)

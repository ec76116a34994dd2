"""IAM-03 mutation: inference lists the raw bucket (an S3 grant no key guards, so only the matrix catches it)."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import BUCKET, ROLE_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Document,
    Mutation,
    MutationError,
    changed_statement,
    edit_document,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph


def inference_lists_raw(graph: ResourceGraph) -> ResourceGraph:
    """Inference's ListModels grant also names the raw bucket (its ARN read from the graph: names are suffixed)."""
    raw = [str(b.prop("arn")) for b in graph.by_type(BUCKET) if b.name.endswith("-raw")]
    if len(raw) != 1:
        raise MutationError(f"expected one raw bucket, found {len(raw)}")

    def also_raw(statement: Document) -> Document:
        return {**statement, "Resource": [*kit.as_list(statement["Resource"]), raw[0]]}

    return edit_document(
        ROLE_POLICY, "identity-policies-inference", "policy", changed_statement("ListModels", also_raw)
    )(graph)


MUTATIONS = (Mutation("IAM-03", "inference lists raw", graph=inference_lists_raw),)

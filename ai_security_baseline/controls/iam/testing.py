"""What the IAM units' tests share: the identity component's inline policies in a rendered graph, and the dev access
model with one extra grant (a policy bug the analysis must catch)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ai_security_baseline.components import documents
from ai_security_baseline.controls.vocabulary import INFERENCE
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.analysis import AccessModel, access_model

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
KEY = "aws:kms/key:Key"


def inline(graph: ResourceGraph, name: str) -> dict[str, Any]:
    """The inline policy document the identity component gives role ``name``."""
    policy: dict[str, Any] = json.loads(graph.one(ROLE_POLICY, f"identity-policies-{name}").inputs["policy"])
    return policy


def by_sid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in document["Statement"]}


def widened_inference(dev_graph: ResourceGraph, action: str, resource: str) -> AccessModel:
    """The dev access model with one extra grant on the inference role (a policy bug to be caught)."""
    model = access_model(dev_graph)
    extra = documents.finish_document([documents.allow_statement("Extra", [action], [resource])])
    inference = model.roles[INFERENCE]
    widened = dataclasses.replace(inference, identity=(*inference.identity, json.dumps(extra)))
    return dataclasses.replace(model, roles={**model.roles, INFERENCE: widened})

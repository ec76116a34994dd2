"""IAM-08: inference invokes only named endpoints and allowlisted models, in the rule and the rendered stack."""

from __future__ import annotations

import json
from typing import Any

from controls.iam.common import ROLE_POLICY
from controls.iam.iam_08_scoped_invocation import mutation, rule
from controls.kit import Res
from verify.engine.graph import ResourceGraph

POLICY_URN = "urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::inference"


def role_policy(*statements: dict[str, Any]) -> Res:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Res(urn=POLICY_URN, type=ROLE_POLICY, props={"policy": json.dumps(document)})


def outcome(resources: list[Res]) -> list[tuple[str, str]]:
    return [(o.control, o.status) for o in rule.RULE.evaluate(resources)]


def rendered(graph: ResourceGraph) -> Res:
    policy = graph.one(ROLE_POLICY, "identity-policies-inference")
    return Res(urn=policy.urn, type=ROLE_POLICY, props={"policy": policy.inputs["policy"]})


def invoke(resource: str) -> dict[str, Any]:
    return {"Sid": "Invoke", "Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"], "Resource": resource}


def test_iam_08_rule_passes_invocation_of_named_endpoints() -> None:
    named = invoke("arn:aws:sagemaker:eu-west-1:1:endpoint/aisb-dev-*")
    assert outcome([role_policy(named)]) == [("IAM-08", "pass")]


def test_iam_08_rule_fails_invocation_of_every_endpoint() -> None:
    assert outcome([role_policy(invoke("*"))]) == [("IAM-08", "fail")]


def test_iam_08_rule_passes_the_inference_policy_as_rendered_and_fails_it_on_every_endpoint(
    dev_graph: ResourceGraph,
) -> None:
    [widened] = mutation.MUTATIONS
    assert widened.graph is not None
    assert outcome([rendered(dev_graph)]) == [("IAM-08", "pass")]
    assert outcome([rendered(widened.graph(dev_graph))]) == [("IAM-08", "fail")]

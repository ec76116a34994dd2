"""IAM-08: inference invokes only named endpoints and allowlisted models, in the rule and the rendered stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.iam.iam_08_scoped_invocation import mutation, rule
from ai_security_baseline.controls.iam.testing import by_sid, inline
from ai_security_baseline.controls.kit import Res
from ai_security_baseline.controls.testing import ACCOUNT, REGION
from ai_security_baseline.controls.vocabulary import ROLE_POLICY
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack

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


def test_iam_08_inference_invokes_only_this_stacks_endpoints_and_no_bedrock_by_default() -> None:
    # the dev stack with the network and identity defaults: no bedrock bundle, no allowlist
    graph = run_stack("dev", overrides={"baseline:network": {}, "baseline:identity": {}}).graph
    statements = by_sid(inline(graph, vocabulary.INFERENCE))
    assert (
        statements["InvokeBaselineEndpoints"]["Resource"] == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/aisb-dev-*"
    )
    assert not any(a.startswith("bedrock:") for s in statements.values() for a in s["Action"])


def test_iam_08_bedrock_invoke_only_on_allowlisted_models_with_the_bundle_on() -> None:
    model = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    graph = run_stack(
        "dev",
        overrides={
            "baseline:network": {"endpointBundles": ["ml-core", "bedrock"]},
            "baseline:identity": {"bedrockModelArns": [model]},
        },
    ).graph
    [guardrail] = graph.by_type(vocabulary.GUARDRAIL_TYPE)
    [version] = graph.by_type(vocabulary.GUARDRAIL_VERSION_TYPE)
    pinned = vocabulary.guardrail_version_arn(guardrail.outputs["guardrailArn"], version.outputs["version"])
    # only through the stack's guardrail version (AI-02)
    assert by_sid(inline(graph, vocabulary.INFERENCE))["InvokeAllowlistedBedrockModels"] == {
        "Sid": "InvokeAllowlistedBedrockModels",
        "Effect": "Allow",
        "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
        "Resource": model,
        "Condition": {"StringEquals": {vocabulary.GUARDRAIL_ID_KEY: pinned}},
    }


def test_iam_08_bedrock_allowlist_without_the_bundle_is_refused_naming_the_key() -> None:
    model = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1"
    with pytest.raises(ConfigError, match=r"baseline:identity\.bedrockModelArns: set while the bedrock"):
        parse_config({"identity": {"bedrockModelArns": [model]}})


def test_iam_08_bedrock_model_arn_with_a_wildcard_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"baseline:identity\.bedrockModelArns\.0 = .*without wildcards"):
        parse_config(
            {
                "network": {"endpointBundles": ["bedrock"]},
                "identity": {"bedrockModelArns": ["arn:aws:bedrock:eu-west-1::foundation-model/*"]},
            }
        )

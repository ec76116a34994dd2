"""IAM-10: no AWS-managed FullAccess or administrator policy on a role, in the rule and the rendered stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.controls.iam.common import IAM_POLICY, IAM_ROLE
from ai_security_baseline.controls.iam.iam_10_no_managed_admin import mutation, rule
from ai_security_baseline.controls.kit import Res
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.analysis import ATTACHMENT_TYPES

ROLE_URN = "urn:pulumi:dev::p::aws:iam/role:Role::trainer"


def role(**props: Any) -> Res:
    return Res(urn=ROLE_URN, type=IAM_ROLE, props={"assumeRolePolicy": "{}", **props})


def statuses(rule_name: str, resources: list[Res]) -> dict[str, list[str]]:
    """Outcomes of ``rule_name`` (the unit's rule) by control."""
    assert rule_name == rule.RULE.name, rule_name
    result: dict[str, list[str]] = {}
    for outcome in rule.RULE.evaluate(resources):
        result.setdefault(outcome.control, []).append(outcome.status)
    return result


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/job-function/PowerUserAccess",
    ],
)
def test_iam_10_rule_fails_a_broad_aws_managed_policy(arn: str) -> None:
    attachment = Res(
        urn="urn:pulumi:dev::p::aws:iam/rolePolicyAttachment:RolePolicyAttachment::a",
        type="aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        props={"role": "trainer", "policyArn": arn},
    )
    assert statuses(rule.RULE.name, [attachment]) == {"IAM-10": ["fail"]}
    assert statuses(rule.RULE.name, [role(managedPolicyArns=[arn])]) == {"IAM-10": ["fail"]}


def test_iam_10_rule_passes_a_role_without_managed_policies() -> None:
    assert statuses(rule.RULE.name, [role()]) == {"IAM-10": ["pass"]}


def test_iam_10_no_role_of_the_rendered_stack_carries_a_managed_policy(dev_graph: ResourceGraph) -> None:
    roles = dev_graph.by_type(IAM_ROLE)
    assert roles
    assert [r.name for r in roles if r.inputs.get("managedPolicyArns")] == []


def test_iam_10_rule_fails_administrator_access_on_the_rendered_inference_role(
    dev_graph: ResourceGraph,
) -> None:
    [attached] = mutation.MUTATIONS
    assert attached.graph is not None
    inference = attached.graph(dev_graph).one(IAM_ROLE, "identity-inference")
    res = Res(urn=inference.urn, type=IAM_ROLE, props=dict(inference.inputs))
    assert statuses(rule.RULE.name, [res]) == {"IAM-10": ["fail"]}


def test_iam_10_only_aws_config_role_is_attached_to_the_recorder(dev_graph: ResourceGraph) -> None:
    # the one AWS managed policy: AWS_ConfigRole on the Config recorder (DET-05), read-only, not *FullAccess
    attached = [(r.name, r.inputs["policyArn"]) for token in ATTACHMENT_TYPES for r in dev_graph.by_type(token)]
    assert attached == [("config-recorder", "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")]
    assert [r.name for r in dev_graph.by_type(IAM_ROLE) if r.inputs.get("managedPolicyArns")] == []
    boundaries = sorted(p.name for p in dev_graph.by_type(IAM_POLICY))
    assert boundaries == ["config-recorder-boundary", "detection-malware-protection-boundary", "identity-boundary"]
    assert "arn:aws:iam::aws:policy/" not in json.dumps([r.inputs for r in dev_graph.by_type(IAM_ROLE)])

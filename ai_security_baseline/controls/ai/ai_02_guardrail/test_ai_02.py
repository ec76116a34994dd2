"""AI-02: the Bedrock guardrail, its key grants, the inference role's enforcement (proved in the evaluator), the
preview rule, the live probe and the mutations, on a stack with the bedrock bundle and one allowlisted model."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ai_security_baseline.components import bedrock_guardrail
from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls import registry
from ai_security_baseline.controls.acc.testing import verdicts
from ai_security_baseline.controls.ai.ai_02_guardrail import mutation
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import (
    BEDROCK_INVOKE_ACTIONS,
    GUARDRAIL_ID_KEY,
    GUARDRAIL_OUTPUT,
    GUARDRAIL_TYPE,
    GUARDRAIL_VERSION_TYPE,
    INFERENCE,
    KMS_KEY,
    PROMPT_ATTACK,
    ROLE_POLICY,
    guardrail_version_arn,
)
from ai_security_baseline.verify.checkers.mutation import GraphEdit, graph_layers, run_graph_mutations
from ai_security_baseline.verify.emulator.deploy import MotoMocks
from ai_security_baseline.verify.emulator.deploy_bedrock import filter_errors
from ai_security_baseline.verify.emulator.server import running_moto
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.iam.analysis import access_model, analyze
from ai_security_baseline.verify.iam.evaluator import Decision, PolicySet, Request, evaluate
from ai_security_baseline.verify.project import PROJECT_ROOT
from conftest import LiveAccount

RULE = "ai-02-guardrail"
ACCOUNT, REGION = "111122223333", "eu-west-1"
ACCT = AccountContext(ACCOUNT, REGION, "aws")
MODEL = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
#: The dev stack with Bedrock on: the bedrock endpoint bundle and one allowlisted model.
BEDROCK = {
    "baseline:network": {"endpointBundles": ["ml-core", "bedrock"]},
    "baseline:identity": {"bedrockModelArns": [MODEL]},
}
INFERENCE_POLICY = f"identity-policies-{INFERENCE}"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_stack("dev", overrides=BEDROCK).graph


@pytest.fixture(scope="module")
def live() -> Iterator[LiveAccount]:
    """The Bedrock stack deployed into a moto server of its own."""
    with running_moto(REGION) as server:
        mocks = MotoMocks(server.endpoint_url, server.region)
        run = run_stack("dev", root=PROJECT_ROOT, mocks=mocks, overrides=BEDROCK)
        mocks.finish()
        yield LiveAccount(server, dict(run.exports))


def _guardrail(graph: ResourceGraph) -> dict[str, Any]:
    [guardrail] = graph.by_type(GUARDRAIL_TYPE)
    return dict(guardrail.inputs)


def _pinned(graph: ResourceGraph) -> str:
    [guardrail] = graph.by_type(GUARDRAIL_TYPE)
    [version] = graph.by_type(GUARDRAIL_VERSION_TYPE)
    return guardrail_version_arn(guardrail.outputs["guardrailArn"], version.outputs["version"])


def _invoke(graph: ResourceGraph, guardrail: str | None, model: str = MODEL) -> Decision:
    """The inference session's InvokeModel as IAM decides it, naming ``guardrail`` (or none)."""
    who = access_model(graph).roles[INFERENCE]
    context: dict[str, Any] = {"aws:SecureTransport": True}
    if guardrail is not None:
        context[GUARDRAIL_ID_KEY] = guardrail
    request = Request(who.session_arn, who.account_id, "bedrock:InvokeModel", model, context)
    return evaluate(request, PolicySet(resource_account=ACCOUNT, identity=who.identity, boundary=who.boundary))


def _rule(graph: ResourceGraph) -> list[tuple[str, str]]:
    return verdicts(RULE, rule_view(graph), "AI-02")


def _edited(graph: ResourceGraph, edit: GraphEdit | None) -> ResourceGraph:
    assert edit is not None
    return edit(graph)


# ---- the guardrail -----------------------------------------------------------------------------------------------


def test_ai_02_guardrail_filters_every_content_category_and_prompt_attacks_on_input_only(graph: ResourceGraph) -> None:
    filters = {f["type"]: f for f in _guardrail(graph)["contentPolicyConfig"]["filtersConfigs"]}
    assert filters.pop(PROMPT_ATTACK) == {"type": PROMPT_ATTACK, "inputStrength": "HIGH", "outputStrength": "NONE"}
    assert {(f["inputStrength"], f["outputStrength"]) for f in filters.values()} == {("HIGH", "HIGH")}
    assert sorted(filters) == ["HATE", "INSULTS", "MISCONDUCT", "SEXUAL", "VIOLENCE"]


def test_ai_02_guardrail_blocks_credentials_and_anonymizes_contact_details_by_default(graph: ResourceGraph) -> None:
    pii = {e["type"]: e["action"] for e in _guardrail(graph)["sensitiveInformationPolicyConfig"]["piiEntitiesConfigs"]}
    assert (pii["AWS_SECRET_KEY"], pii["CREDIT_DEBIT_CARD_NUMBER"], pii["EMAIL"], pii["PHONE"]) == (
        "BLOCK",
        "BLOCK",
        "ANONYMIZE",
        "ANONYMIZE",
    )


def test_ai_02_guardrail_is_encrypted_with_the_models_key(graph: ResourceGraph) -> None:
    assert _guardrail(graph)["kmsKeyArn"] == graph.one(KMS_KEY, "keys-models").outputs["arn"]


def test_ai_02_guardrail_version_is_published_and_exported(graph: ResourceGraph) -> None:
    exported = run_stack("dev", overrides=BEDROCK).exports[GUARDRAIL_OUTPUT]
    assert (exported["enabled"], exported["version"], exported["versionArn"]) == (True, "1", _pinned(graph))


def test_ai_02_no_guardrail_and_a_disabled_output_without_bedrock(prod_run: Any) -> None:
    """The prod stack opens no Bedrock endpoint."""
    assert (prod_run.graph.by_type(GUARDRAIL_TYPE), prod_run.exports[GUARDRAIL_OUTPUT]) == ([], {"enabled": False})


def test_ai_02_guardrail_settings_come_from_config() -> None:
    topic = {"name": "Investment advice", "definition": "Recommendations to buy or sell securities.", "examples": ["x"]}
    settings = parse_config({"ai": {"guardrail": {"deniedTopics": [topic], "piiEntities": {"NAME": "BLOCK"}}}})
    configs = bedrock_guardrail.filter_configs(settings.ai.guardrail)
    assert configs["topic_policy_config"]["topics_configs"][0]["type"] == "DENY"
    assert configs["sensitive_information_policy_config"]["pii_entities_configs"] == [
        {"type": "NAME", "action": "BLOCK"}
    ]


def test_ai_02_unknown_pii_entity_type_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"baseline:ai\.guardrail\.piiEntities\.SSN.*'ADDRESS', 'AGE'"):
        parse_config({"ai": {"guardrail": {"piiEntities": {"SSN": "BLOCK"}}}})


def test_ai_02_denied_topic_definition_over_the_api_limit_is_refused() -> None:
    topic = {"name": "t", "definition": "d" * 201}
    with pytest.raises(ConfigError, match=r"deniedTopics\.0\.definition.*at most 200 characters"):
        parse_config({"ai": {"guardrail": {"deniedTopics": [topic]}}})


def test_ai_02_a_new_configuration_publishes_a_new_version() -> None:
    base = parse_config({}).ai.guardrail
    changed = base.model_copy(update={"content_strength": "MEDIUM"})
    assert bedrock_guardrail.configuration_digest(base) != bedrock_guardrail.configuration_digest(changed)


# ---- the key ------------------------------------------------------------------------------------------------------


def test_ai_02_key_lets_the_creator_and_the_inference_role_use_it_only_through_bedrock() -> None:
    creator, inference = "arn:aws:iam::111122223333:role/deployer", "arn:aws:iam::111122223333:role/aisb-dev-inference"
    use, grants, users = bedrock_guardrail.guardrail_key_statements(ACCT, [creator], [inference])["models"]
    via = {"kms:ViaService": f"bedrock.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    assert (use["Action"], use["Condition"]) == (
        ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
        {"StringEquals": via},
    )
    assert grants["Condition"] == {"StringEquals": via, "Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert (users["Principal"], users["Action"]) == ({"AWS": [inference]}, ["kms:Decrypt"])


# ---- enforcement, proved in the evaluator --------------------------------------------------------------------------


def test_ai_02_inference_invokes_the_allowlisted_model_naming_the_guardrail_version(graph: ResourceGraph) -> None:
    assert _invoke(graph, _pinned(graph)).outcome == "Allow"


@pytest.mark.parametrize(
    "named",
    [None, "DRAFT", "unversioned", "other", "foreign"],
    ids=["no-guardrail", "draft", "unversioned", "another-guardrail", "another-account"],
)
def test_ai_02_inference_invocation_not_naming_the_version_is_explicitly_denied(
    graph: ResourceGraph, named: str | None
) -> None:
    pinned = _pinned(graph)
    arn = pinned.rsplit(":", 1)[0]
    identifier = {
        None: None,
        "DRAFT": f"{arn}:DRAFT",
        "unversioned": arn,
        "other": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/zzzzzzzzzzzz:1",
        "foreign": f"arn:aws:bedrock:{REGION}:444455556666:guardrail/zzzzzzzzzzzz:1",
    }[named]
    decision = _invoke(graph, identifier)
    assert (decision.outcome, "identity[0]:DenyInvokeWithoutGuardrail" in decision.statements) == ("ExplicitDeny", True)


def test_ai_02_boundary_denies_an_invocation_without_a_guardrail_whatever_the_role_allows(graph: ResourceGraph) -> None:
    who = access_model(graph).roles[INFERENCE]
    request = Request(who.session_arn, ACCOUNT, "bedrock:InvokeModel", MODEL, {"aws:SecureTransport": True})
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}]}
    decision = evaluate(request, PolicySet(resource_account=ACCOUNT, identity=(allow_all,), boundary=who.boundary))
    assert (decision.outcome, decision.statements) == ("ExplicitDeny", ("boundary:DenyInvokeWithoutGuardrail",))


def test_ai_02_inference_policy_pins_both_invoke_actions(graph: ResourceGraph) -> None:
    document = json.loads(graph.one(ROLE_POLICY, INFERENCE_POLICY).inputs["policy"])
    [deny] = [s for s in document["Statement"] if s["Effect"] == "Deny" and "bedrock:InvokeModel" in s["Action"]]
    assert (deny["Action"], deny["Condition"]) == (
        list(BEDROCK_INVOKE_ACTIONS),
        {"StringNotEquals": {GUARDRAIL_ID_KEY: _pinned(graph)}},
    )


def test_ai_02_access_analysis_proves_every_guardrail_request(graph: ResourceGraph) -> None:
    outcomes = [(o.call.name, o.call.expected, o.decision) for o in analyze(graph).calls if o.call.control == "AI-02"]
    assert outcomes == [
        ("inference invokes a model naming the guardrail version", "allow", "allow"),
        *[(name, "deny", "deny") for name, _, _ in outcomes[1:]],
    ]
    assert len(outcomes) == 7  # no guardrail, DRAFT, unversioned, another, another account's, an inference profile


# ---- the preview rule -----------------------------------------------------------------------------------------------


def test_ai_02_rule_passes_the_bedrock_stack(graph: ResourceGraph) -> None:
    assert {s for s, _ in _rule(graph)} == {"pass"}


def test_ai_02_rule_waives_a_stack_without_bedrock(prod_run: Any) -> None:
    """The prod stack opens no Bedrock endpoint."""
    assert [s for s, _ in _rule(prod_run.graph)] == ["waived"]


def test_ai_02_rule_fails_a_guardrail_without_the_prompt_attack_filter(graph: ResourceGraph) -> None:
    [mutant] = [m for m in mutation.MUTATIONS if m.name == "prompt attack filter removed"]
    assert ("fail", "the prompt attack filter is not HIGH on input") in _rule(_edited(graph, mutant.graph))


def test_ai_02_rule_fails_no_published_version(graph: ResourceGraph) -> None:
    [mutant] = [m for m in mutation.MUTATIONS if m.name == "no published guardrail version"]
    assert any(
        "no version of the guardrail is published" in m for s, m in _rule(_edited(graph, mutant.graph)) if s == "fail"
    )


def test_ai_02_rule_fails_the_inference_allow_without_the_condition(graph: ResourceGraph) -> None:
    [mutant] = [m for m in mutation.MUTATIONS if m.name == "inference invokes models without the guardrail condition"]
    failed = [m for s, m in _rule(_edited(graph, mutant.graph)) if s == "fail"]
    assert failed == ["InvokeAllowlistedBedrockModels allows Bedrock invocations without the guardrail"]


def test_ai_02_rule_fails_the_inference_policy_without_the_deny(graph: ResourceGraph) -> None:
    [mutant] = [m for m in mutation.MUTATIONS if m.name == "inference policy without the Deny of other guardrails"]
    failed = [m for s, m in _rule(_edited(graph, mutant.graph)) if s == "fail"]
    assert failed == ["no Deny of Bedrock invocations that name another guardrail or none"]


def test_ai_02_rule_fails_bedrock_without_a_guardrail(graph: ResourceGraph) -> None:
    view = [r for r in rule_view(graph) if r.type not in (GUARDRAIL_TYPE, GUARDRAIL_VERSION_TYPE)]
    assert verdicts(RULE, view, "AI-02") == [("fail", "Bedrock is on but the stack builds no guardrail")]


def test_ai_02_every_graph_mutant_is_killed_by_the_rule_and_the_access_analysis(graph: ResourceGraph) -> None:
    [unit] = [u for u in registry.units() if u.id == "AI-02"]
    layers = {k: v for k, v in graph_layers().items() if k in ("rule", "access")}
    cells = run_graph_mutations(graph, [unit], layers, {})
    assert [(c.mutation, c.layer, c.result) for c in cells if c.result != "killed"] == []
    assert sorted({c.layer for c in cells}) == ["access", "rule"]


# ---- the emulated deployment and the live probe -------------------------------------------------------------------


def test_ai_02_emulator_refuses_a_prompt_attack_filter_on_output() -> None:
    inputs = {"contentPolicyConfig": {"filtersConfigs": [{"type": PROMPT_ATTACK, "outputStrength": "HIGH"}]}}
    assert filter_errors(inputs) == ["PROMPT_ATTACK outputStrength must be NONE (found HIGH)"]


@pytest.mark.moto
def test_ai_02_probe_passes_the_inference_policy_and_reports_the_guardrail_not_observable(live: LiveAccount) -> None:
    findings = sorted((f.status, f.message.split(":")[0]) for f in live.probe("AI-02"))
    assert [s for s, _ in findings] == ["error", "pass"]
    assert "not observable" in findings[0][1].lower()


@pytest.mark.moto
def test_ai_02_probe_fails_the_deny_dropped_from_the_deployed_role(live: LiveAccount) -> None:
    findings = live.probe_mutated("AI-02", mutation.deny_dropped_live)
    assert [f.message for f in findings if f.status == "fail"] == [
        "least-privilege: no Deny of Bedrock invocations that name another guardrail or none"
    ]


@pytest.mark.moto
def test_ai_02_probe_reports_a_missing_guardrail_output_as_an_error(live: LiveAccount) -> None:
    exports = {k: v for k, v in live.exports.items() if k != GUARDRAIL_OUTPUT}
    findings = dataclasses.replace(live, exports=exports).probe("AI-02")
    assert {f.status for f in findings} == {"error"}


def test_ai_02_probe_waives_a_stack_without_bedrock(live_dev: LiveAccount) -> None:
    exports = {**live_dev.exports, GUARDRAIL_OUTPUT: {"enabled": False}}
    assert {f.status for f in dataclasses.replace(live_dev, exports=exports).probe("AI-02")} == {"waived"}

"""IAM-03/IAM-04 sweep: every request enumerated on the dev stack, decided by the compiled evaluator and judged against
the specification derived from the access matrix. A stack as built has no mismatch."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from ai_security_baseline.components import identity
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.mocks import FakeAccount
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack
from ai_security_baseline.verify.iam.analysis import AccessReport, access_model, analyze, requests_json
from ai_security_baseline.verify.iam.evaluator import ContextValue, PolicyEvaluationError, PolicySet, Request, evaluate
from ai_security_baseline.verify.iam.sweep import (
    CompiledEvaluator,
    CompiledPolicySet,
    Spec,
    SweepRequest,
    SweepResult,
    SweepStack,
    build_spec,
    enumerate_requests,
    evaluation_context,
    policy_set,
    run_sweep,
    sweep_stack,
    to_request,
)
from tests.sweep_support import expected_decision
from tests.test_sweep_mutations import BUCKET_POLICY, mutate, without


@pytest.fixture(scope="module")
def stack(dev_graph: ResourceGraph) -> SweepStack:
    return sweep_stack(dev_graph)


@pytest.fixture(scope="module")
def spec(stack: SweepStack) -> Spec:
    return build_spec(stack)


@pytest.fixture(scope="module")
def result(dev_graph: ResourceGraph) -> SweepResult:
    """The dev sweep as the scan runs it."""
    swept = analyze(dev_graph, sweep=True).sweep
    assert swept is not None
    return swept


def test_iam_03_sweep_evaluates_at_least_100000_requests_on_dev(result: SweepResult) -> None:
    assert result.evaluated >= 100_000
    assert set(result.per_principal) >= {*identity.ROLES, "account-admin", "foreign-admin", "anonymous"}


def test_iam_03_iam_04_the_dev_stack_allows_exactly_what_the_matrix_specifies(result: SweepResult) -> None:
    assert [m.message for m in result.mismatches] == []


def test_iam_03_iam_04_the_prod_stack_allows_exactly_what_the_matrix_specifies(prod_run: OfflineRun) -> None:
    swept = run_sweep(sweep_stack(prod_run.graph))
    assert (swept.evaluated >= 100_000, [m.message for m in swept.mismatches]) == (True, [])


def test_iam_03_spec_allows_the_processor_reading_a_clean_raw_object_through_the_gateway(spec: Spec) -> None:
    context: dict[str, ContextValue] = {
        "aws:SecureTransport": True,
        "s3:TlsVersion": "1.2",
        "aws:SourceVpce": spec.stack.gateway_id,
        f"s3:ExistingObjectTag/{vocabulary.MALWARE_SCAN_TAG}": vocabulary.MALWARE_SCAN_CLEAN,
    }
    assert expected_decision(spec, vocabulary.PROCESSOR, "s3:GetObject", "object in raw", context) == "allow"


def test_iam_03_spec_denies_the_processor_reading_models(spec: Spec) -> None:
    context: dict[str, ContextValue] = {
        "aws:SecureTransport": True,
        "s3:TlsVersion": "1.2",
        "aws:SourceVpce": spec.stack.gateway_id,
    }
    assert expected_decision(spec, vocabulary.PROCESSOR, "s3:GetObject", "object in models", context) == "deny"


def test_s3_06_spec_denies_aws_kms_without_a_key_id(spec: Spec) -> None:
    context = {"aws:SourceVpce": spec.stack.gateway_id, "s3:TlsVersion": "1.2", vocabulary.SSE_HEADER: "aws:kms"}
    assert expected_decision(spec, vocabulary.PROCESSOR, "s3:PutObject", "object in curated", context) == "deny"


def test_s3_07_spec_denies_listing_a_data_bucket_from_the_internet(spec: Spec) -> None:
    context: dict[str, ContextValue] = {"aws:SecureTransport": True, "s3:TlsVersion": "1.2"}
    assert expected_decision(spec, vocabulary.PROCESSOR, "s3:ListBucket", "bucket raw", context) == "deny"


def test_iam_04_spec_gives_a_reader_decrypt_but_not_generate_data_key_via_s3(spec: Spec) -> None:
    via_s3 = {"kms:ViaService": f"s3.{spec.stack.region}.amazonaws.com", "kms:CallerAccount": spec.stack.account}
    assert expected_decision(spec, vocabulary.INFERENCE, "kms:Decrypt", "models key", via_s3) == "allow"
    assert expected_decision(spec, vocabulary.INFERENCE, "kms:GenerateDataKey", "models key", via_s3) == "deny"


def test_iam_07_spec_lets_the_trainer_pass_inference_only_to_a_model(spec: Spec) -> None:
    sm = f"arn:aws:sagemaker:{spec.stack.region}:{spec.stack.account}"
    to_model = {"iam:PassedToService": "sagemaker.amazonaws.com", "iam:AssociatedResourceArn": f"{sm}:model/aisb-dev-m"}
    to_job = {**to_model, "iam:AssociatedResourceArn": f"{sm}:training-job/aisb-dev-j"}
    assert expected_decision(spec, vocabulary.TRAINER, "iam:PassRole", "role inference", to_model) == "allow"
    assert expected_decision(spec, vocabulary.TRAINER, "iam:PassRole", "role inference", to_job) == "deny"


def test_kms_04_spec_lets_an_account_admin_manage_but_never_use_a_baseline_key(spec: Spec) -> None:
    assert expected_decision(spec, "account-admin", "kms:PutKeyPolicy", "data key", {}) == "allow"
    assert expected_decision(spec, "account-admin", "kms:Decrypt", "data key", {}) == "deny"


def test_iam_03_spec_denies_another_accounts_principal_everything(spec: Spec) -> None:
    assert expected_decision(spec, "foreign-admin", "s3:ListBucket", "bucket audit", {"s3:TlsVersion": "1.2"}) == "deny"


def test_iam_03_compiled_evaluator_decides_like_the_reference_on_2000_sweep_requests(stack: SweepStack) -> None:
    requests = list(enumerate_requests(stack))
    sample = random.Random(7).sample(requests, 2000)
    evaluator = CompiledEvaluator()
    differ = []
    for r in sample:
        request = to_request(r)
        policies = policy_set(stack, r)
        try:
            naive: object = evaluate(request, policies)
        except PolicyEvaluationError:
            naive = "error"
        try:
            caller = evaluator.caller(request)
            compiled = CompiledPolicySet(policies)
            fast: object = compiled.decide(request, caller, evaluation_context(request, caller))
        except PolicyEvaluationError:
            fast = "error"
        if naive != fast:
            differ.append((r.principal.name, r.action, r.target.arn, r.label, naive, fast))
    assert differ == []


def _given(policies: PolicySet) -> Callable[[], PolicySet]:
    """``policies`` as the builder ``CompiledEvaluator.compiled`` takes."""
    return lambda: policies


def test_iam_03_compiled_evaluator_decides_like_the_reference_when_one_policy_set_serves_many_requests(
    stack: SweepStack,
) -> None:
    """Every request of one principal on one object, each policy set compiled once as the sweep does: alike
    statements are decided once per value of the context keys they read, and every decision still equals the
    reference's."""
    requests = [
        r
        for r in enumerate_requests(stack, ("s3",))
        if r.principal.name == "data-processor" and r.target.name == "object in raw"
    ]
    evaluator = CompiledEvaluator()
    differ = []
    for r in requests:
        request, policies = to_request(r), policy_set(stack, r)
        caller = evaluator.caller(request)
        fast = evaluator.compiled(policies, _given(policies)).decide(
            request, caller, evaluator.context(request, caller)
        )
        if evaluate(request, policies) != fast:
            differ.append((r.action, r.label, fast))
    assert (len(requests) >= 1000, differ) == (True, [])


def test_iam_03_compiled_evaluator_fails_closed_on_an_unknown_operator() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringSoundsLike": {"aws:username": "x"}},
            }
        ],
    }
    policies = PolicySet(resource_account="111122223333", identity=[json.dumps(policy)])
    request = Request("arn:aws:iam::111122223333:user/u", "111122223333", "s3:GetObject", "arn:aws:s3:::b/k")
    compiled = CompiledPolicySet(policies)
    caller = CompiledEvaluator().caller(request)
    with pytest.raises(PolicyEvaluationError):
        compiled.decide(request, caller, evaluation_context(request, caller))


def test_iam_03_access_json_holds_the_sweep_summary_and_no_attack_on_dev(
    dev_access_json: tuple[int, dict[str, Any]],
) -> None:
    code, document = dev_access_json
    assert code == 0
    assert document["summary"]["evaluated"] >= 100_000
    assert (set(document["summary"]), document["summary"]["mismatches"]) == ({"evaluated", "mismatches", "seconds"}, 0)
    assert [r for r in document["requests"] if r["kind"] == "attack"] == []
    assert sum(document["perPrincipal"].values()) == document["summary"]["evaluated"]


@pytest.fixture(scope="module")
def weakened_graph(dev_graph: ResourceGraph) -> ResourceGraph:
    """The dev stack with the raw bucket's TLS deny removed."""
    return mutate(dev_graph, BUCKET_POLICY, "aisb-dev-raw", "policy", without("DenyInsecureTransport"))


@pytest.fixture(scope="module")
def weakened(weakened_graph: ResourceGraph) -> SweepResult:
    """The sweep of the weakened stack, over the raw bucket only: the only resource the change can affect (each
    request is decided on its own, so the slice is decided exactly as in the whole sweep)."""
    return run_sweep(sweep_stack(weakened_graph), services=("s3",), where=lambda t: t.owner == "raw")


def test_iam_03_a_weakened_policy_shows_its_mismatches_as_attack_entries(
    weakened_graph: ResourceGraph, weakened: SweepResult
) -> None:
    document = requests_json(replace(analyze(weakened_graph), sweep=weakened))
    attacks = [r for r in document["requests"] if r["kind"] == "attack"]
    assert len(attacks) == document["summary"]["mismatches"] > 0
    fields = {"kind", "control", "name", "principal", "action", "resource", "context", "expected", "decision"}
    assert fields | {"statement"} <= set(attacks[0])
    assert {(a["expected"], a["decision"]) for a in attacks} == {("deny", "allow")}


def test_iam_03_sweep_findings_fail_once_per_mismatch(weakened_graph: ResourceGraph, weakened: SweepResult) -> None:
    report = AccessReport(access_model(weakened_graph), [], [], (), sweep=weakened, stack_urn="urn")
    fails = [f for f in report.sweep_findings() if f.status == "fail"]
    assert len(fails) == len(weakened.mismatches) > 0
    assert all(f.control == "IAM-03" and "extra Allow" in f.message for f in fails)


def test_iam_03_sweep_findings_pass_per_control_when_nothing_differs(
    dev_graph: ResourceGraph, result: SweepResult
) -> None:
    report = AccessReport(access_model(dev_graph), [], [], (), sweep=result, stack_urn="urn")
    assert {(f.control, f.status) for f in report.sweep_findings()} == {("IAM-03", "pass"), ("IAM-04", "pass")}


def test_iam_03_mismatch_message_names_principal_action_resource_and_context(weakened: SweepResult) -> None:
    mismatch = weakened.mismatches[0]
    first: SweepRequest = mismatch.request
    for part in (first.principal.name, first.action, first.target.arn, first.label):
        assert part in mismatch.message


def test_iam_03_iam_04_a_govcloud_stack_is_judged_like_any_other() -> None:
    """ARNs of another partition are read in one partition: no request fails only because its ARN says aws-us-gov."""
    gov = FakeAccount(region="us-gov-west-1", partition="aws-us-gov")
    report = analyze(run_stack("dev", overrides={"aws:region": "us-gov-west-1"}, account=gov).graph, sweep=True)
    assert report.sweep is not None
    assert [o.call.name for o in report.calls if not o.as_expected] == []
    assert [m.message for m in report.sweep.mismatches] == []

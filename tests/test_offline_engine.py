"""The offline engine records what the real engine would: URNs, parents, dependencies, options."""

from __future__ import annotations

import gc
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import resource as sdk_resource

from ai_security_baseline.verify.collector import collector_paused
from ai_security_baseline.verify.engine.graph import STACK_TYPE
from ai_security_baseline.verify.engine.mocks import BaselineMocks, FakeAccount, UnsupportedMockError
from ai_security_baseline.verify.engine.offline import UnknownOutputError, run_program, run_stack

ROOT = "urn:pulumi:test::proj::"


class Outer(pulumi.ComponentResource):
    """Two nested components around a key and an alias: the smallest program with a type chain."""

    def __init__(self, name: str) -> None:
        super().__init__("test:index:Outer", name, None, None)
        inner = pulumi.ComponentResource("test:index:Inner", f"{name}-inner", None, pulumi.ResourceOptions(parent=self))
        self.key = aws.kms.Key(
            f"{name}-key", opts=pulumi.ResourceOptions(parent=inner, protect=True, retain_on_delete=True)
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name="alias/test",
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=inner),
        )
        self.marker = aws.kms.Alias(
            f"{name}-marker",
            name="alias/marker",
            target_key_id="fixed",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.alias]),
        )
        self.register_outputs({})


def small_program() -> None:
    Outer("outer")


def run_small() -> Any:
    return run_program(small_program, stack="test", project="proj", config={"aws:region": "eu-west-1"})


def test_engine_urns_carry_the_full_parent_type_chain() -> None:
    graph = run_small().graph
    assert sorted(r.urn for r in graph if r.type != STACK_TYPE) == sorted(
        [
            ROOT + "test:index:Outer::outer",
            ROOT + "test:index:Outer$test:index:Inner::outer-inner",
            ROOT + "test:index:Outer$test:index:Inner$aws:kms/key:Key::outer-key",
            ROOT + "test:index:Outer$test:index:Inner$aws:kms/alias:Alias::outer-alias",
            ROOT + "test:index:Outer$aws:kms/alias:Alias::outer-marker",
        ]
    )


def test_engine_records_parents_and_the_root_stack() -> None:
    graph = run_small().graph
    stack_urn = ROOT + "pulumi:pulumi:Stack::proj-test"
    assert graph.get(ROOT + "test:index:Outer::outer").parent == stack_urn
    assert graph.get(ROOT + "test:index:Outer$test:index:Inner$aws:kms/key:Key::outer-key").parent == (
        ROOT + "test:index:Outer$test:index:Inner::outer-inner"
    )


def test_engine_records_implicit_and_property_dependencies() -> None:
    graph = run_small().graph
    key_urn = ROOT + "test:index:Outer$test:index:Inner$aws:kms/key:Key::outer-key"
    alias = graph.get(ROOT + "test:index:Outer$test:index:Inner$aws:kms/alias:Alias::outer-alias")
    assert alias.dependencies == (key_urn,)
    assert alias.property_dependencies == {"targetKeyId": (key_urn,)}


def test_engine_records_explicit_depends_on() -> None:
    graph = run_small().graph
    marker = graph.get(ROOT + "test:index:Outer$aws:kms/alias:Alias::outer-marker")
    assert marker.dependencies == (ROOT + "test:index:Outer$test:index:Inner$aws:kms/alias:Alias::outer-alias",)
    assert marker.property_dependencies == {}


def test_engine_records_protect_and_retain_on_delete() -> None:
    graph = run_small().graph
    key = graph.get(ROOT + "test:index:Outer$test:index:Inner$aws:kms/key:Key::outer-key")
    alias = graph.get(ROOT + "test:index:Outer$test:index:Inner$aws:kms/alias:Alias::outer-alias")
    assert (key.protect, key.retain_on_delete) == (True, True)
    assert (alias.protect, alias.retain_on_delete) == (False, False)


def test_mock_outputs_flow_into_dependent_inputs() -> None:
    graph = run_small().graph
    key = graph.get(ROOT + "test:index:Outer$test:index:Inner$aws:kms/key:Key::outer-key")
    alias = graph.get(ROOT + "test:index:Outer$test:index:Inner$aws:kms/alias:Alias::outer-alias")
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"] == key.id
    assert key.outputs["arn"] == f"arn:aws:kms:eu-west-1:111122223333:key/{key.id}"


class NoArnMocks(BaselineMocks):
    """Mocks that leave ``arn`` out, as a careless mock would."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        rid, outputs = super().new_resource(args)
        outputs.pop("arn", None)
        return rid, outputs


def export_key_arn() -> None:
    pulumi.export("keyArn", aws.kms.Key("k").arn)


def test_unknown_export_fails_loudly_instead_of_passing() -> None:
    with pytest.raises(UnknownOutputError, match="stack output 'keyArn' is unknown"):
        run_program(export_key_arn, config={"aws:region": "eu-west-1"}, preview=True, mocks=NoArnMocks())


def test_apply_on_an_unknown_value_never_runs_which_is_why_tests_read_the_graph() -> None:
    ran: list[str] = []

    def program() -> None:
        aws.kms.Key("k").arn.apply(ran.append)

    run_program(program, config={"aws:region": "eu-west-1"}, preview=True, mocks=NoArnMocks())
    assert ran == []


def test_resource_type_without_mock_template_is_an_error_naming_the_type() -> None:
    def program() -> None:
        aws.sqs.Queue("t")

    with pytest.raises(UnsupportedMockError, match=r"resource type 'aws:sqs/queue:Queue' \(t\)"):
        run_program(program, config={"aws:region": "eu-west-1"})


def test_unknown_invoke_is_an_error_naming_the_token() -> None:
    def program() -> None:
        aws.ec2.get_vpc(default=True)

    with pytest.raises(Exception, match="cannot answer invoke 'aws:ec2/getVpc:getVpc'"):
        run_program(program, config={"aws:region": "eu-west-1"})


def test_invokes_answer_from_the_configured_account_and_region() -> None:
    run = run_stack("dev", overrides={"aws:region": "us-west-2"}, account=FakeAccount(account_id="444455556666"))
    key = run.graph.one("aws:kms/key:Key", "keys-data")
    assert key.outputs["arn"].startswith("arn:aws:kms:us-west-2:444455556666:key/")
    assert "arn:aws:iam::444455556666:root" in key.inputs["policy"]


def test_two_runs_with_different_config_give_different_graphs_in_one_process() -> None:
    first = run_stack("dev", overrides={"baseline:kms": {"rotationDays": 90}})
    second = run_stack("dev", overrides={"baseline:kms": {"rotationDays": 400}})
    assert first.graph.one("aws:kms/key:Key", "keys-data").inputs["rotationPeriodInDays"] == 90
    assert second.graph.one("aws:kms/key:Key", "keys-data").inputs["rotationPeriodInDays"] == 400


def test_a_run_leaves_no_config_behind() -> None:
    run_stack("dev", overrides={"baseline:kms": {"rotationDays": 90}})
    assert pulumi.runtime.config.CONFIG.get() == {}


def test_two_runs_of_the_same_stack_are_identical() -> None:
    first = run_stack("dev").graph.to_stack_export()
    second = run_stack("dev").graph.to_stack_export()
    assert first == second


def test_offline_run_skips_source_positions_only_while_the_program_runs() -> None:
    """The engine never reads source positions; the SDK's capture is switched off for the run and restored after."""
    before = (sdk_resource._get_stack_trace, sdk_resource._get_source_position)
    seen: list[object] = []
    run_program(lambda: seen.append(sdk_resource._get_stack_trace()))
    assert (sdk_resource._get_stack_trace, sdk_resource._get_source_position) == before
    assert [len(trace.frames) for trace in seen] == [0]  # type: ignore[attr-defined]


def test_a_run_pauses_the_cyclic_collector_while_the_program_runs_and_resumes_it() -> None:
    enabled: list[bool] = []
    run_program(lambda: enabled.append(gc.isenabled()))
    assert enabled == [False]
    assert gc.isenabled()


def test_a_failed_run_resumes_the_cyclic_collector() -> None:
    def program() -> None:
        raise ValueError("the program fails")

    with pytest.raises(ValueError, match="the program fails"):
        run_program(program)
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused_after_the_work() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

"""ACC-03: the region's default VPC looked up (never created) and locked down in the dev stack, the preview rule,
the ``deleted`` mode, and the live probe on moto (which, like AWS, creates a default VPC in every region)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from ai_security_baseline.components.config import ConfigError
from ai_security_baseline.controls.acc.acc_03_default_vpc_locked import mutation
from ai_security_baseline.controls.acc.testing import (
    REASON,
    central,
    central_run,
    centrally_managed_exports,
    dev_view,
    verdicts,
    with_outputs,
)
from ai_security_baseline.controls.testing import rule_view
from ai_security_baseline.controls.vocabulary import (
    CENTRALLY_MANAGED_OUTPUT,
    DEFAULT_NACL,
    DEFAULT_SG,
    DEFAULT_VPC_OUTPUT,
    FLOW_LOG,
    LOG_GROUP,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.mocks import FakeAccount
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack
from conftest import LiveAccount

RULE = "acc-03-default-vpc-locked"
DEFAULT_VPC = FakeAccount().default_vpc_id
NO_DEFAULT_VPC = FakeAccount(default_vpc=False)
DELETED = {"baseline:accountGuardrails": json.dumps({"defaultVpc": "deleted"})}


def test_acc_03_dev_stack_empties_the_default_vpcs_default_sg_and_nacl(dev_run: OfflineRun) -> None:
    group = dev_run.graph.one(DEFAULT_SG, "guardrails-default-vpc-sg")
    acl = dev_run.graph.one(DEFAULT_NACL, "guardrails-default-vpc-nacl")
    found = dev_run.exports[DEFAULT_VPC_OUTPUT]
    assert found == {"mode": "lockdown", "vpcId": DEFAULT_VPC, "networkAclId": acl.id}
    assert (group.inputs["vpcId"], group.inputs["ingress"], group.inputs["egress"]) == (DEFAULT_VPC, [], [])
    assert (acl.inputs["defaultNetworkAclId"], acl.inputs["ingress"], acl.inputs["egress"]) == (acl.id, [], [])


def test_acc_03_dev_stack_logs_all_default_vpc_traffic_into_the_flow_log_group(dev_graph: ResourceGraph) -> None:
    flow = dev_graph.one(FLOW_LOG, "guardrails-default-vpc-flow-logs")
    group = dev_graph.one(LOG_GROUP, "network-flow-logs")
    assert (flow.inputs["vpcId"], flow.inputs["trafficType"]) == (DEFAULT_VPC, "ALL")
    assert flow.inputs["logDestination"] == group.outputs["arn"]


def test_acc_03_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    [(status, _)] = verdicts(RULE, dev_view(dev_graph), "ACC-03")
    assert status == "pass"


def test_acc_03_rule_fails_an_open_default_security_group(dev_graph: ResourceGraph) -> None:
    view = dev_view(dev_graph, **{"guardrails-default-vpc-sg": {"ingress": mutation.OPEN_INGRESS}})
    [(status, message)] = verdicts(RULE, view, "ACC-03")
    assert status == "fail"
    assert message.startswith("guardrails-default-vpc-sg.ingress = ")


def test_acc_03_rule_fails_a_default_nacl_left_to_aws(dev_graph: ResourceGraph) -> None:
    view = [r for r in dev_view(dev_graph) if r.name != "guardrails-default-vpc-nacl"]
    [(status, message)] = verdicts(RULE, view, "ACC-03")
    assert status == "fail"
    assert "is not managed (AWS's default allows all traffic)" in message


def test_acc_03_rule_fails_a_default_vpc_without_flow_log(dev_graph: ResourceGraph) -> None:
    view = [r for r in dev_view(dev_graph) if r.name != "guardrails-default-vpc-flow-logs"]
    assert verdicts(RULE, view, "ACC-03") == [("fail", f"no ALL-traffic flow log of {DEFAULT_VPC}")]


def test_acc_03_rule_fails_deleted_mode_while_the_region_has_a_default_vpc(dev_graph: ResourceGraph) -> None:
    found = {"mode": "deleted", "vpcId": DEFAULT_VPC, "networkAclId": "acl-1"}
    view = with_outputs(dev_view(dev_graph), **{DEFAULT_VPC_OUTPUT: found})
    [(status, _)] = verdicts(RULE, view, "ACC-03")
    assert status == "fail"


def test_acc_03_rule_errors_without_the_default_vpc_output(dev_graph: ResourceGraph) -> None:
    view = with_outputs(dev_view(dev_graph), **{DEFAULT_VPC_OUTPUT: None})
    [(status, _)] = verdicts(RULE, view, "ACC-03")
    assert status == "error"


def test_acc_03_rule_waives_a_centrally_managed_default_vpc_with_its_reason(dev_graph: ResourceGraph) -> None:
    view = with_outputs(dev_view(dev_graph), **{CENTRALLY_MANAGED_OUTPUT: central("defaultVpc")})
    assert verdicts(RULE, view, "ACC-03") == [("waived", f"centrally managed: {REASON}")]


def test_acc_03_region_without_default_vpc_creates_none_and_passes() -> None:
    run = run_stack("dev", account=NO_DEFAULT_VPC)
    assert [r.name for r in run.graph.by_type(DEFAULT_SG)] == ["network-default-sg"]
    assert verdicts(RULE, rule_view(run.graph), "ACC-03") == [
        ("pass", "the region has no default VPC at deployment (none)")
    ]


def test_acc_03_deleted_mode_passes_a_region_without_default_vpc() -> None:
    run = run_stack("dev", overrides=DELETED, account=NO_DEFAULT_VPC)
    assert verdicts(RULE, rule_view(run.graph), "ACC-03") == [
        ("pass", "the region has no default VPC at deployment (deleted, as accountGuardrails.defaultVpc asserts)")
    ]


def test_acc_03_deleted_mode_refuses_a_region_that_still_has_its_default_vpc() -> None:
    with pytest.raises(ConfigError, match=rf"accountGuardrails.defaultVpc = deleted, but .* {DEFAULT_VPC}"):
        run_stack("dev", overrides=DELETED)


def test_acc_03_centrally_managed_default_vpc_is_not_looked_up_or_touched() -> None:
    run = central_run()
    assert [r.name for r in run.graph.by_type(DEFAULT_SG)] == ["network-default-sg"]
    assert DEFAULT_VPC_OUTPUT not in run.exports


def test_acc_03_probe_passes_the_deployed_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe("ACC-03")
    assert finding.status == "pass", finding.message


def test_acc_03_probe_fails_the_default_sg_opened(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("ACC-03", mutation.open_default_sg_live)
    assert finding.status == "fail"
    assert "has rules" in finding.message


def test_acc_03_probe_waives_a_centrally_managed_default_vpc(live_dev: LiveAccount) -> None:
    exports = centrally_managed_exports(live_dev.exports, "defaultVpc")
    [finding] = dataclasses.replace(live_dev, exports=exports).probe("ACC-03")
    assert (finding.status, finding.waiver) == ("waived", REASON)

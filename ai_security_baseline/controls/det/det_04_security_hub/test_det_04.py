"""DET-04: the rendered hub and subscriptions, the preview rule, and the live probe."""

from __future__ import annotations

from ai_security_baseline.controls.det.det_04_security_hub import mutation
from ai_security_baseline.controls.det.testing import (
    CENTRAL,
    central_outputs,
    central_run,
    dev_view,
    probe_with,
    verdicts,
    with_outputs,
)
from ai_security_baseline.controls.testing import REGION, changed, without
from ai_security_baseline.controls.vocabulary import (
    SECURITY_HUB,
    SECURITY_HUB_OUTPUT,
    SECURITY_HUB_STANDARD,
    SECURITY_HUB_STANDARDS_OUTPUT,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from conftest import LiveAccount

RULE = "det-04-security-hub"
FSBP = "detection-standard-aws-foundational-security-best-practices"
CIS = "detection-standard-cis-aws-foundations-benchmark"
NOT_OBSERVABLE = "not observable: securityhub:GetEnabledStandards is not implemented by the endpoint"


def test_det_04_hub_consolidates_control_findings_without_default_standards(dev_graph: ResourceGraph) -> None:
    [hub] = dev_graph.by_type(SECURITY_HUB)
    assert hub.inputs["enableDefaultStandards"] is False
    assert hub.inputs["controlFindingGenerator"] == "SECURITY_CONTROL"


def test_det_04_subscribes_to_fsbp_and_cis_3_0_0_in_the_region(dev_graph: ResourceGraph) -> None:
    arns = sorted(s.inputs["standardsArn"] for s in dev_graph.by_type(SECURITY_HUB_STANDARD))
    assert arns == [
        f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0",
        f"arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/3.0.0",
    ]


def test_det_04_subscriptions_wait_for_the_hub(dev_graph: ResourceGraph) -> None:
    [hub] = dev_graph.by_type(SECURITY_HUB)
    assert all(hub.urn in s.dependencies for s in dev_graph.by_type(SECURITY_HUB_STANDARD))


def test_det_04_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert [s for s, _ in verdicts(RULE, dev_view(dev_graph))] == ["pass"]


def test_det_04_rule_fails_a_stack_without_security_hub(dev_graph: ResourceGraph) -> None:
    view = without(dev_view(dev_graph), "detection-securityhub", FSBP, CIS)
    assert verdicts(RULE, view) == [("fail", "Security Hub is not enabled by the stack")]


def test_det_04_rule_fails_default_standards_enabled(dev_graph: ResourceGraph) -> None:
    [(status, message)] = verdicts(
        RULE, changed(dev_view(dev_graph), "detection-securityhub", enableDefaultStandards=True)
    )
    assert status == "fail"
    assert "default standards are enabled" in message


def test_det_04_rule_fails_control_findings_per_standard(dev_graph: ResourceGraph) -> None:
    view = changed(dev_view(dev_graph), "detection-securityhub", controlFindingGenerator="STANDARD_CONTROL")
    [(status, message)] = verdicts(RULE, view)
    assert (status, message) == (
        "fail",
        "detection-securityhub: control findings generated STANDARD_CONTROL (expected SECURITY_CONTROL)",
    )


def test_det_04_rule_fails_without_the_cis_subscription(dev_graph: ResourceGraph) -> None:
    [(status, message)] = verdicts(RULE, without(dev_view(dev_graph), CIS))
    assert (status, message) == (
        "fail",
        "detection-securityhub: no subscription to standards/cis-aws-foundations-benchmark/v/3.0.0",
    )


def test_det_04_rule_fails_an_older_cis_version(dev_graph: ResourceGraph) -> None:
    old = f"arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/1.4.0"
    [(status, _)] = verdicts(RULE, changed(dev_view(dev_graph), CIS, standardsArn=old))
    assert status == "fail"


def test_det_04_rule_waives_centrally_managed_security_hub_with_the_reason() -> None:
    [(status, message)] = verdicts(RULE, dev_view(central_run().graph))
    assert (status, message) == ("waived", f"centrally managed (securityHub): {CENTRAL['securityHub']}")


def test_det_04_rule_fails_a_hub_enabled_while_centrally_managed(dev_graph: ResourceGraph) -> None:
    [(status, message)] = verdicts(RULE, with_outputs(dev_view(dev_graph), **central_outputs("securityHub")))
    assert status == "fail"
    assert "centrallyManaged.securityHub is set, and the stack still creates detection-securityhub" in message


def test_det_04_stack_creates_no_hub_when_centrally_managed() -> None:
    run = central_run()
    assert (run.graph.by_type(SECURITY_HUB), run.graph.by_type(SECURITY_HUB_STANDARD)) == ([], [])
    assert {SECURITY_HUB_OUTPUT, SECURITY_HUB_STANDARDS_OUTPUT}.isdisjoint(run.exports)


def test_det_04_probe_reports_the_standards_not_observable_on_moto(live_dev: LiveAccount) -> None:
    assert [(f.status, f.message.rsplit(" ", 1)[0]) for f in live_dev.probe("DET-04")] == [("error", NOT_OBSERVABLE)]


def test_det_04_probe_fails_security_hub_disabled_in_the_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("DET-04", mutation.security_hub_off_live)
    assert finding.status == "fail"
    assert finding.message.startswith("Security Hub is not enabled")


def test_det_04_probe_waives_centrally_managed_security_hub_with_the_reason(live_dev: LiveAccount) -> None:
    [finding] = probe_with(live_dev.context(), "DET-04", central_outputs("securityHub"))
    assert (finding.status, finding.waiver) == ("waived", CENTRAL["securityHub"])

"""DET-01: the rendered detector, the preview rule on the dev graph and its edits, and the live probe."""

from __future__ import annotations

from ai_security_baseline.controls.det.det_01_guardduty import mutation
from ai_security_baseline.controls.det.testing import (
    CENTRAL,
    central_outputs,
    central_run,
    dev_view,
    probe_with,
    verdicts,
    with_outputs,
)
from ai_security_baseline.controls.testing import changed, without
from ai_security_baseline.controls.vocabulary import (
    CENTRALLY_MANAGED_OUTPUT,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTOR_OUTPUT,
    GUARDDUTY_FEATURE,
)
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun
from conftest import LiveAccount

RULE = "det-01-guardduty"


def test_det_01_detector_enabled_exporting_findings_every_fifteen_minutes(dev_graph: ResourceGraph) -> None:
    [detector] = dev_graph.by_type(GUARDDUTY_DETECTOR)
    assert (detector.inputs["enable"], detector.inputs["findingPublishingFrequency"]) == (True, "FIFTEEN_MINUTES")


def test_det_01_detector_enables_s3_protection(dev_graph: ResourceGraph) -> None:
    [detector] = dev_graph.by_type(GUARDDUTY_DETECTOR)
    [feature] = dev_graph.by_type(GUARDDUTY_FEATURE)
    assert (feature.inputs["name"], feature.inputs["status"]) == ("S3_DATA_EVENTS", "ENABLED")
    assert feature.property_dependencies["detectorId"] == (detector.urn,)


def test_det_01_stack_exports_the_detector_id(dev_run: OfflineRun) -> None:
    [detector] = dev_run.graph.by_type(GUARDDUTY_DETECTOR)
    assert dev_run.exports[GUARDDUTY_DETECTOR_OUTPUT] == detector.id


def test_det_01_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert [s for s, _ in verdicts(RULE, dev_view(dev_graph))] == ["pass"]


def test_det_01_rule_fails_a_stack_without_detector(dev_graph: ResourceGraph) -> None:
    view = without(dev_view(dev_graph), "detection-guardduty", "detection-guardduty-s3")
    assert verdicts(RULE, view) == [("fail", "no GuardDuty detector in the stack")]


def test_det_01_rule_fails_s3_protection_disabled(dev_graph: ResourceGraph) -> None:
    view = changed(dev_view(dev_graph), "detection-guardduty-s3", status="DISABLED")
    [(status, message)] = verdicts(RULE, view)
    assert (status, message) == ("fail", "detection-guardduty: detection-guardduty-s3: S3_DATA_EVENTS is DISABLED")


def test_det_01_rule_fails_a_detector_without_s3_protection_feature(dev_graph: ResourceGraph) -> None:
    [(status, message)] = verdicts(RULE, without(dev_view(dev_graph), "detection-guardduty-s3"))
    assert status == "fail"
    assert "no S3_DATA_EVENTS feature attached" in message


def test_det_01_rule_fails_a_suspended_detector(dev_graph: ResourceGraph) -> None:
    [(status, message)] = verdicts(RULE, changed(dev_view(dev_graph), "detection-guardduty", enable=False))
    assert (status, message) == ("fail", "detection-guardduty: the detector is suspended (enable false)")


def test_det_01_rule_fails_findings_exported_every_six_hours(dev_graph: ResourceGraph) -> None:
    view = changed(dev_view(dev_graph), "detection-guardduty", findingPublishingFrequency="SIX_HOURS")
    [(status, message)] = verdicts(RULE, view)
    assert status == "fail"
    assert "findings exported every SIX_HOURS" in message


def test_det_01_rule_waives_centrally_managed_guardduty_with_the_reason() -> None:
    [(status, message)] = verdicts(RULE, dev_view(central_run().graph))
    assert (status, message) == ("waived", f"centrally managed (guardDuty): {CENTRAL['guardDuty']}")


def test_det_01_rule_fails_a_detector_created_while_centrally_managed(dev_graph: ResourceGraph) -> None:
    view = with_outputs(dev_view(dev_graph), **central_outputs("guardDuty"))
    [(status, message)] = verdicts(RULE, view)
    assert status == "fail"
    assert "centrallyManaged.guardDuty is set, and the stack still creates detection-guardduty" in message


def test_det_01_rule_errors_on_a_malformed_centrally_managed_output(dev_graph: ResourceGraph) -> None:
    view = with_outputs(dev_view(dev_graph), **{CENTRALLY_MANAGED_OUTPUT: ["guardDuty"]})
    assert [s for s, _ in verdicts(RULE, view)] == ["error"]


def test_det_01_stack_creates_no_detector_when_centrally_managed() -> None:
    run = central_run()
    assert (run.graph.by_type(GUARDDUTY_DETECTOR), run.graph.by_type(GUARDDUTY_FEATURE)) == ([], [])
    assert GUARDDUTY_DETECTOR_OUTPUT not in run.exports


def test_det_01_probe_passes_the_deployed_stack(live_dev: LiveAccount) -> None:
    assert [f.status for f in live_dev.probe("DET-01")] == ["pass"]


def test_det_01_probe_fails_s3_protection_disabled_in_the_account(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("DET-01", mutation.s3_protection_off_live)
    assert (finding.status, finding.message) == ("fail", "S3_DATA_EVENTS is DISABLED")


def test_det_01_probe_waives_centrally_managed_guardduty_with_the_reason(live_dev: LiveAccount) -> None:
    [finding] = probe_with(live_dev.context(), "DET-01", central_outputs("guardDuty"))
    assert (finding.status, finding.waiver) == ("waived", CENTRAL["guardDuty"])

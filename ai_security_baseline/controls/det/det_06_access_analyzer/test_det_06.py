"""DET-06: the rendered analyzer, its config key, the preview rule, and the live probe."""

from __future__ import annotations

import json

import pytest

from ai_security_baseline.components.config import ConfigError, parse_config
from ai_security_baseline.controls.det.det_06_access_analyzer import mutation
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
from ai_security_baseline.controls.vocabulary import ACCESS_ANALYZER, ACCESS_ANALYZER_OUTPUT, ORG_ID_OUTPUT
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from conftest import LiveAccount

RULE = "det-06-access-analyzer"
ORG = "o-abcdefghij"
NOT_OBSERVABLE = "not observable: accessanalyzer:GetAnalyzer is not implemented by the endpoint"


def test_det_06_analyzer_of_the_account_by_default(dev_graph: ResourceGraph) -> None:
    [analyzer] = dev_graph.by_type(ACCESS_ANALYZER)
    assert (analyzer.inputs["analyzerName"], analyzer.inputs["type"]) == ("aisb-dev-access-analyzer", "ACCOUNT")


def test_det_06_config_organization_analyzer_needs_the_org_id() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"detection": json.dumps({"accessAnalyzer": "organization"})})
    assert str(raised.value) == (
        'invalid configuration: baseline:detection.accessAnalyzer = "organization": needs baseline:identity.orgId '
        "(allowed: account, or organization with identity.orgId set)"
    )


def test_det_06_config_refuses_an_unknown_analyzer_zone() -> None:
    with pytest.raises(ConfigError, match=r"baseline:detection.accessAnalyzer = \"region\".*account or organization"):
        parse_config({"detection": json.dumps({"accessAnalyzer": "region"})})


def test_det_06_organization_analyzer_by_explicit_choice() -> None:
    overrides = {
        "baseline:detection": json.dumps({"accessAnalyzer": "organization"}),
        "baseline:identity": json.dumps({"orgId": ORG}),
    }
    run = run_stack("dev", overrides=overrides)
    [analyzer] = run.graph.by_type(ACCESS_ANALYZER)
    assert analyzer.inputs["type"] == "ORGANIZATION"
    assert [s for s, _ in verdicts(RULE, dev_view(run.graph))] == ["pass"]


def test_det_06_rule_passes_the_dev_stack(dev_graph: ResourceGraph) -> None:
    assert verdicts(RULE, dev_view(dev_graph)) == [("pass", "detection-access-analyzer: ACCOUNT analyzer")]


def test_det_06_rule_fails_a_stack_without_analyzer(dev_graph: ResourceGraph) -> None:
    assert verdicts(RULE, without(dev_view(dev_graph), "detection-access-analyzer")) == [
        ("fail", "no IAM Access Analyzer in the stack")
    ]


def test_det_06_rule_fails_an_organization_analyzer_without_organization(dev_graph: ResourceGraph) -> None:
    view = changed(dev_view(dev_graph), "detection-access-analyzer", type="ORGANIZATION")
    [(status, message)] = verdicts(RULE, view)
    assert status == "fail"
    assert "an ORGANIZATION analyzer while the stack names no organization" in message


def test_det_06_rule_passes_an_organization_analyzer_of_the_named_organization(dev_graph: ResourceGraph) -> None:
    view = changed(dev_view(dev_graph), "detection-access-analyzer", type="ORGANIZATION")
    assert [s for s, _ in verdicts(RULE, with_outputs(view, **{ORG_ID_OUTPUT: ORG}))] == ["pass"]


def test_det_06_rule_waives_a_centrally_managed_analyzer_with_the_reason() -> None:
    [(status, message)] = verdicts(RULE, dev_view(central_run().graph))
    assert (status, message) == ("waived", f"centrally managed (accessAnalyzer): {CENTRAL['accessAnalyzer']}")


def test_det_06_rule_fails_an_analyzer_created_while_centrally_managed(dev_graph: ResourceGraph) -> None:
    [(status, _)] = verdicts(RULE, with_outputs(dev_view(dev_graph), **central_outputs("accessAnalyzer")))
    assert status == "fail"


def test_det_06_stack_creates_no_analyzer_when_centrally_managed() -> None:
    run = central_run()
    assert run.graph.by_type(ACCESS_ANALYZER) == []
    assert ACCESS_ANALYZER_OUTPUT not in run.exports


def test_det_06_probe_reports_the_analyzer_not_observable_on_moto(live_dev: LiveAccount) -> None:
    assert [(f.status, f.message.rsplit(" ", 1)[0]) for f in live_dev.probe("DET-06")] == [("error", NOT_OBSERVABLE)]


def test_det_06_probe_waives_a_centrally_managed_analyzer_with_the_reason(live_dev: LiveAccount) -> None:
    [finding] = probe_with(live_dev.context(), "DET-06", central_outputs("accessAnalyzer"))
    assert (finding.status, finding.waiver) == ("waived", CENTRAL["accessAnalyzer"])


def test_det_06_probe_fails_when_the_analyzer_service_role_is_deleted(live_dev: LiveAccount) -> None:
    [finding] = live_dev.probe_mutated("DET-06", mutation.service_role_deleted_live)
    assert (finding.status, finding.message) == (
        "fail",
        "AWSServiceRoleForAccessAnalyzer does not exist: analyzer aisb-dev-access-analyzer cannot read the account",
    )

"""The probe kit's reading of always-exported ``{"enabled": ...}`` outputs (AI-01, AI-02, AI-03): a piece the stack
left out is waived, a missing or malformed output is an error, never a pass or a waiver. No account is reached:
every case decides before a probe calls AWS (the endpoint is unroutable)."""

from __future__ import annotations

from typing import Any

import pytest

from ai_security_baseline.controls.vocabulary import GUARDRAIL_OUTPUT, INVOCATION_LOGGING_OUTPUT, STUDIO_OUTPUT
from ai_security_baseline.verify.checkers.audit import CHECKS
from ai_security_baseline.verify.checkers.audit.core import AuditContext, MissingOutput, built_output, run_checks

#: Each AI control's always-exported output.
SWITCHED = {"AI-01": INVOCATION_LOGGING_OUTPUT, "AI-02": GUARDRAIL_OUTPUT, "AI-03": STUDIO_OUTPUT}


def context(outputs: dict[str, Any]) -> AuditContext:
    return AuditContext(outputs=outputs, region="eu-west-1", endpoint_url="http://127.0.0.1:1")


def statuses(control: str, outputs: dict[str, Any]) -> set[tuple[str, str]]:
    findings = run_checks(context(outputs), [c for c in CHECKS if c.control == control])
    return {(f.status, f.waiver) for f in findings}


def test_built_output_returns_the_output_of_a_piece_the_stack_built() -> None:
    exported = {"enabled": True, "domainId": "d-1"}
    assert built_output(context({STUDIO_OUTPUT: exported}), STUDIO_OUTPUT) == exported


def test_built_output_is_none_for_a_piece_the_stack_left_out() -> None:
    assert built_output(context({STUDIO_OUTPUT: {"enabled": False}}), STUDIO_OUTPUT) is None


def test_built_output_of_an_absent_output_raises_missing_output() -> None:
    with pytest.raises(MissingOutput, match=STUDIO_OUTPUT):
        built_output(context({}), STUDIO_OUTPUT)


@pytest.mark.parametrize("exported", [{"domainId": "d-1"}, {"enabled": "false"}, "d-1"])
def test_built_output_refuses_an_output_without_a_boolean_enabled(exported: Any) -> None:
    with pytest.raises(ValueError, match="boolean 'enabled'"):
        built_output(context({STUDIO_OUTPUT: exported}), STUDIO_OUTPUT)


@pytest.mark.parametrize("control", sorted(SWITCHED))
def test_ai_probes_waive_a_piece_the_stack_left_out(control: str) -> None:
    [(status, waiver)] = statuses(control, {SWITCHED[control]: {"enabled": False}})
    assert (status, waiver.startswith("not applicable: ")) == ("waived", True)


@pytest.mark.parametrize("control", sorted(SWITCHED))
def test_ai_probes_report_error_when_their_output_is_missing(control: str) -> None:
    assert statuses(control, {}) == {("error", "")}


@pytest.mark.parametrize("control", sorted(SWITCHED))
def test_ai_probes_report_error_when_their_output_has_no_boolean_enabled(control: str) -> None:
    assert statuses(control, {SWITCHED[control]: {"id": "x"}}) == {("error", "")}

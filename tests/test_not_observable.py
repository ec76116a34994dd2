"""What the audited endpoint cannot show is an ``error`` naming the API, never a pass, and only on an emulator."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Check,
    NotObservable,
    Subject,
    run_checks,
)
from ai_security_baseline.verify.demo import moto_session
from ai_security_baseline.verify.emulator.server import MotoServer
from ai_security_baseline.verify.findings.finding import NOT_OBSERVABLE

HTML_PAGE = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"


class _AnswersWithHtml:
    """A client whose every call gets an HTML error page back."""

    def list_analyzers(self, **_: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "500", "Message": HTML_PAGE}}, "ListAnalyzers")


def test_audit_operation_the_emulator_lacks_is_not_observable(moto_server: MotoServer) -> None:
    ctx = AuditContext(
        outputs={}, region=moto_server.region, endpoint_url=moto_server.endpoint_url, session=moto_session(moto_server)
    )
    with pytest.raises(NotObservable, match=r"^route53resolver:ListFirewallRuleGroupAssociations is not implemented"):
        ctx.observe("route53resolver", "ListFirewallRuleGroupAssociations")


def test_audit_query_protocol_operation_the_emulator_lacks_is_not_observable(moto_server: MotoServer) -> None:
    ctx = AuditContext(
        outputs={}, region=moto_server.region, endpoint_url=moto_server.endpoint_url, session=moto_session(moto_server)
    )
    with pytest.raises(NotObservable, match=r"^ec2:GetSnapshotBlockPublicAccessState is not implemented"):
        ctx.observe("ec2", "GetSnapshotBlockPublicAccessState")


def test_audit_operation_the_emulator_implements_is_answered(moto_server: MotoServer) -> None:
    ctx = AuditContext(
        outputs={}, region=moto_server.region, endpoint_url=moto_server.endpoint_url, session=moto_session(moto_server)
    )
    assert "DetectorIds" in ctx.observe("guardduty", "ListDetectors")


def test_audit_html_error_from_aws_itself_stays_an_api_error() -> None:
    ctx = AuditContext(outputs={}, region="eu-west-1", _clients={"accessanalyzer": _AnswersWithHtml()})
    with pytest.raises(ClientError):
        ctx.observe("accessanalyzer", "ListAnalyzers")


def test_audit_not_observable_control_is_an_error_naming_the_api() -> None:
    def decide(ctx: AuditContext, _: Any) -> Any:
        raise NotObservable("accessanalyzer", "ListAnalyzers", "http://127.0.0.1:1")

    check = Check("DET-06", lambda ctx: [Subject(urn="account")], decide, "access_analyzer")
    [finding] = run_checks(AuditContext(outputs={}, region="eu-west-1"), [check])
    assert finding.status == "error"
    assert (
        finding.message
        == f"{NOT_OBSERVABLE}accessanalyzer:ListAnalyzers is not implemented by the endpoint http://127.0.0.1:1"
    )

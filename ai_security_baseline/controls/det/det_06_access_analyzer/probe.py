"""DET-06 live probe: Access Analyzer's service-linked role exists (the analyzer reads the account through it), and
the stack's analyzer is active."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ACCESS_ANALYZER_OUTPUT, ACCESS_ANALYZER_ROLE
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    central_waiver,
    check,
)


@check("DET-06", account_subject)
def access_analyzer(ctx: AuditContext, _: object) -> Verdict:
    waived = central_waiver(ctx, "accessAnalyzer")
    if waived:
        return waived
    name = str(ctx.output(ACCESS_ANALYZER_OUTPUT)).rsplit("/", 1)[-1]
    iam = ctx.client("iam")
    try:
        iam.get_role(RoleName=ACCESS_ANALYZER_ROLE)
    except iam.exceptions.NoSuchEntityException:
        return Verdict(False, f"{ACCESS_ANALYZER_ROLE} does not exist: analyzer {name} cannot read the account")
    analyzer = ctx.observe("accessanalyzer", "GetAnalyzer", analyzerName=name)["analyzer"]
    status = analyzer.get("status")
    return Verdict(
        status == "ACTIVE", f"analyzer {name} ({analyzer.get('type')}) is {status}", {"arn": analyzer["arn"]}
    )

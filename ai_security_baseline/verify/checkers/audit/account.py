"""What the account-wide probes share (ACC-01…ACC-03, DET-05): the account as the subject, the waiver of a piece the
organization manages, and the one reading of an operation the emulator does not implement."""

from __future__ import annotations

from botocore.parsers import ResponseParserError  # type: ignore[import-untyped]

from ai_security_baseline.controls import kit
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject, Verdict


def account_subject(ctx: AuditContext) -> list[Subject]:
    """The account in the audited region: an account-wide setting has no resource of its own."""
    return [Subject(urn=f"account:{ctx.region}", value=ctx.region)]


def central_waiver(ctx: AuditContext, piece: str) -> Verdict | None:
    """``waived`` with the reason when ``baseline:centrallyManaged`` names ``piece`` (the stack did not create it)."""
    reason = kit.central_reason(ctx.outputs, piece)
    if reason is None:
        return None
    return Verdict(True, reason, status="waived", waiver=reason)


#: What moto's server answers for an operation it does not implement: its NotImplementedError becomes werkzeug's
#: HTML "500 Internal Server Error" page, which botocore cannot parse (a ResponseParserError quoting the page). AWS
#: never answers an implemented API with that page, so only the emulator's gap is recognised.
_UNIMPLEMENTED_PAGE = "<title>500 Internal Server Error</title>"


def unimplemented(error: Exception) -> bool:
    """Whether ``error`` is the emulator refusing an operation it lacks (never an AWS answer to decide on)."""
    return isinstance(error, ResponseParserError) and _UNIMPLEMENTED_PAGE in str(error)


def not_observable(service: str, operation: str, error: Exception) -> Verdict:
    """An ``error`` naming the missing API: what the endpoint cannot show is never a pass."""
    return Verdict(False, f"not observable: {service}:{operation} ({type(error).__name__}: {error})", status="error")

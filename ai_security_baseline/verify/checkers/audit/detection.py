"""What the detection probes (DET-01/02/04/06) share: the account subject, the centrally-managed waiver, and calls
an endpoint may not implement.

An endpoint without an operation cannot show whether the control holds: the probe reports ``error`` naming the
operation ("not observable: ..."), never ``pass``. moto's server answers an operation of a service it emulates
but does not route with werkzeug's ``404 Not Found`` page, and a service it does not emulate at all with
werkzeug's ``500 Internal Server Error`` page; botocore turns either into a ClientError whose code is the bare
status. AWS never answers with those pages (its errors carry a JSON or XML error code), so exactly that shape is
recognised; any other API error stays a plain error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ai_security_baseline.controls import kit
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject, Verdict

#: The werkzeug error pages moto's server answers with, by HTTP status.
UNROUTED_PAGES: Mapping[int, str] = {
    404: "<title>404 Not Found</title>",
    500: "<title>500 Internal Server Error</title>",
}


class NotObservable(Exception):  # noqa: N818 - a condition the report names
    """The endpoint does not implement the operation a probe needs."""


def unrouted(exc: ClientError) -> bool:
    """Whether ``exc`` is the endpoint's "no such operation" page rather than an answer of the API."""
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    error = exc.response.get("Error", {})
    page = UNROUTED_PAGES.get(status)
    return page is not None and error.get("Code") == str(status) and page in str(error.get("Message", ""))


def _method(operation: str) -> str:
    """``GetMalwareProtectionPlan`` -> ``get_malware_protection_plan`` (boto3's method name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def observe(ctx: AuditContext, service: str, label: str, operation: str, **kwargs: Any) -> dict[str, Any]:
    """The answer of ``operation``; NotObservable when the endpoint does not implement it (``label`` names the
    service as its IAM prefix does, e.g. ``guardduty``)."""
    try:
        answer: dict[str, Any] = getattr(ctx.client(service), _method(operation))(**kwargs)
    except ClientError as exc:
        if unrouted(exc):
            raise NotObservable(f"not observable: {label}:{operation} is not available from this endpoint") from None
        raise
    return answer


def not_observable(exc: NotObservable) -> Verdict:
    return Verdict(False, str(exc), status="error")


def account_subject(ctx: AuditContext) -> list[Subject]:
    """The account and region: the subject of an account-wide service."""
    return [Subject(urn=f"account:{ctx.region}")]


def central_waiver(ctx: AuditContext, piece: str) -> Verdict | None:
    """``waived`` with the reason when the organization manages ``piece``; None when the stack does."""
    reason = kit.central_reason(ctx.outputs, piece)
    return None if reason is None else Verdict(True, reason, status="waived", waiver=reason)

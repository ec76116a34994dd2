"""Live-audit machinery: checks per (control, subject), read-only clients, policy probes.

Why this shape: a check returns a Verdict for one subject (a bucket, a key, the VPC ...). Anything that
stops it from deciding (a missing stack output, an API error, a policy the evaluator cannot decide)
becomes an ``error`` finding for that subject, so the audit can never report ``pass`` for a control it
could not read.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore import xform_name  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError  # type: ignore[import-untyped]

from ai_security_baseline.controls import kit
from ai_security_baseline.verify.findings.finding import NOT_OBSERVABLE, Finding, Status
from ai_security_baseline.verify.iam.evaluator import Outcome, PolicySet, Request, evaluate

#: An account the audited stack can never be: the "outside" principal of every probe.
FOREIGN_ACCOUNT = "999999999999"
PROBE_ROLE = "baseline-audit-probe"
#: Identity policy of the probe principals: allows everything, so only the audited policy can refuse.
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

_BOTO_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30)


class AuditSetupError(RuntimeError):
    """The audit cannot start at all: no credentials, unreachable endpoint (the CLI exits 2)."""


class NotObservable(Exception):  # noqa: N818 - a condition the report names
    """The audited endpoint does not implement an API a probe needs: an ``error`` naming the API, never a pass."""

    def __init__(self, service: str, operation: str, endpoint: str) -> None:
        super().__init__(f"{service}:{operation} is not implemented by the endpoint {endpoint}")


class MissingOutput(LookupError):  # noqa: N818 - a condition the report names
    """A stack output the check needs is absent."""

    def __init__(self, key: str) -> None:
        super().__init__(f"output {key} missing")
        self.key = key


@dataclass(frozen=True)
class Verdict:
    """What one check decided for one subject; ``status`` overrides pass/fail (e.g. waived by design)."""

    ok: bool
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    status: Status | None = None
    waiver: str = ""


@dataclass(frozen=True)
class Subject:
    """A thing a control is checked on; ``missing`` names the output that should have named it."""

    urn: str
    value: Any = None
    missing: str = ""


SubjectFn = Callable[["AuditContext"], Sequence[Subject]]
CheckFn = Callable[["AuditContext", Any], Verdict]


@dataclass(frozen=True)
class Check:
    control: str
    subjects: SubjectFn
    decide: CheckFn
    name: str


CHECKS: list[Check] = []


def check(control: str, subjects: SubjectFn) -> Callable[[CheckFn], CheckFn]:
    """Register ``decide`` as the audit of ``control`` on every subject ``subjects`` yields."""

    def register(decide: CheckFn) -> CheckFn:
        CHECKS.append(Check(control, subjects, decide, decide.__name__.lstrip("_")))
        return decide

    return register


@dataclass
class AuditContext:
    """Stack outputs and read-only clients of the audited account (one client per service)."""

    outputs: Mapping[str, Any]
    region: str
    endpoint_url: str | None = None
    session: Any = None
    _clients: dict[str, Any] = field(default_factory=dict)
    _account: str = ""
    _cache: dict[Any, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            session = self.session or boto3.session.Session()
            self._clients[service] = session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=_BOTO_CONFIG
            )
            if self.endpoint_url and service == "s3control":  # an emulator answers on one host only
                from ai_security_baseline.verify.emulator.server import single_host  # noqa: PLC0415

                single_host(self._clients[service])
        return self._clients[service]

    @property
    def account_id(self) -> str:
        if not self._account:
            self._account = str(self.client("sts").get_caller_identity()["Account"])
        return self._account

    def output(self, key: str) -> Any:
        value = self.outputs.get(key)
        if value in (None, "", [], {}):
            raise MissingOutput(key)
        return value

    def observe(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """``<service>.<operation>(**params)`` (the boto3 client name and the API's operation name). On an emulator
        endpoint, an answer that is the emulator's HTML error page raises NotObservable: moto's server answers an
        operation it does not route with werkzeug's 404 page, and one it does not implement (or a service it lacks)
        with the 500 page, which botocore returns as a ClientError or, for query and XML protocols, fails to parse.
        AWS never answers with such a page, and against AWS (no endpoint given) every API error stays what it is."""
        try:
            return dict(getattr(self.client(service), xform_name(operation))(**params))
        except (ClientError, ResponseParserError) as exc:
            if self.endpoint_url and _html_error_page(exc):
                raise NotObservable(service, operation, self.endpoint_url) from None
            raise

    def cached(self, key: Any, read: Callable[[], Any]) -> Any:
        """One read per (call, subject) across checks: several controls look at the same document."""
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def probe_arn(self, account: str | None = None) -> str:
        return f"arn:aws:iam::{account or self.account_id}:role/{PROBE_ROLE}"


#: The titles of werkzeug's error pages moto's server answers with for what it does not implement.
_EMULATOR_PAGES = ("<title>404 Not Found</title>", "<title>500 Internal Server Error</title>")


def _html_error_page(exc: ClientError | ResponseParserError) -> bool:
    text = str(exc.response.get("Error", {}).get("Message", "")) if isinstance(exc, ClientError) else str(exc)
    return any(page in text for page in _EMULATOR_PAGES)


def account_subject(ctx: AuditContext) -> list[Subject]:
    """The account in the audited region: the subject of an account-wide setting or service."""
    return [Subject(urn=f"account:{ctx.region}", value=ctx.region)]


def waived(reason: str) -> Verdict:
    """``waived``, the reason both the message and the waiver: the stack deliberately does not build the subject."""
    return Verdict(True, reason, status="waived", waiver=reason)


def central_waiver(ctx: AuditContext, piece: str) -> Verdict | None:
    """``waived`` with the reason when ``baseline:centrallyManaged`` names ``piece`` (the stack did not create it);
    None when the stack manages it."""
    reason = kit.central_reason(ctx.outputs, piece)
    return None if reason is None else waived(reason)


def built_output(ctx: AuditContext, key: str) -> dict[str, Any] | None:
    """An always-exported ``{"enabled": ...}`` output (a piece a stack may leave out): the output when the stack
    built the piece, None when it did not. Missing (MissingOutput) or without a boolean ``enabled`` (ValueError),
    the check cannot tell a stack without the piece from a broken export: an ``error``, never a pass or a waiver."""
    value = ctx.output(key)
    enabled = value.get("enabled") if isinstance(value, Mapping) else None
    if not isinstance(enabled, bool):
        raise ValueError(f"output {key} has no boolean 'enabled': {value!r}")
    return dict(value) if enabled else None


def preflight(ctx: AuditContext) -> None:
    """Reach the account once before any check: missing credentials or endpoint are setup errors."""
    try:
        ctx.account_id  # noqa: B018 - the read is the check
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise AuditSetupError(
            f"no AWS credentials for the audit ({exc}); set AWS_PROFILE or AWS_ACCESS_KEY_ID"
        ) from None
    except EndpointConnectionError as exc:
        raise AuditSetupError(f"AWS endpoint unreachable: {exc}") from None


def run_checks(ctx: AuditContext, checks: Iterable[Check] = CHECKS) -> list[Finding]:
    """Every check on every subject; errors never pass."""
    findings: list[Finding] = []
    for item in checks:
        try:
            subjects = list(item.subjects(ctx))
        except MissingOutput as exc:
            subjects = [Subject(urn="stack", missing=exc.key)]
        except Exception as exc:
            findings.append(_error(item, "stack", f"could not list what to check: {type(exc).__name__}: {exc}"))
            continue
        for subject in subjects:
            findings.append(_run_one(ctx, item, subject))
    return findings


def _run_one(ctx: AuditContext, item: Check, subject: Subject) -> Finding:
    if subject.missing:
        return _error(item, subject.urn, f"output {subject.missing} missing")
    try:
        verdict = item.decide(ctx, subject.value)
    except MissingOutput as exc:
        return _error(item, subject.urn, str(exc))
    except NotObservable as exc:
        return _error(item, subject.urn, f"{NOT_OBSERVABLE}{exc}")
    except Exception as exc:  # API errors, undecidable policies: the control could not be read
        return _error(item, subject.urn, f"could not read: {type(exc).__name__}: {exc}")
    status: Status = verdict.status or ("pass" if verdict.ok else "fail")
    return Finding(
        control=item.control,
        urn=subject.urn,
        status=status,
        source="audit",
        message=verdict.message,
        tool_id=item.name,
        evidence=dict(verdict.evidence),
        waiver=verdict.waiver,
    )


def _error(item: Check, urn: str, message: str) -> Finding:
    return Finding(control=item.control, urn=urn, status="error", source="audit", message=message, tool_id=item.name)


# ---- policy documents and probes -------------------------------------------------------------------------


def policy_json(value: Any) -> dict[str, Any]:
    """A policy as read back: a dict, a JSON string or a URL-encoded JSON string (IAM)."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise ValueError(f"policy is {type(value).__name__}, not a document")
    text = value if value.lstrip().startswith("{") else urllib.parse.unquote(value)
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError("policy is not a JSON object")
    return document


def statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = document.get("Statement", [])
    return list(raw) if isinstance(raw, list) else [raw]


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [] if value is None else [value]


def decide(
    ctx: AuditContext,
    *,
    action: str,
    resource: str,
    principal: str | None = None,
    context: Mapping[str, Any] | None = None,
    resource_policy: Mapping[str, Any] | None = None,
    kind: str = "other",
    vpce: Sequence[Mapping[str, Any]] = (),
    resource_account: str | None = None,
) -> Outcome:
    """Outcome of one request by ``principal`` (default: the all-allowed probe role of this account)."""
    principal = principal or ctx.probe_arn()
    is_iam = principal.startswith("arn:")
    # keys AWS puts in every request: a missing one would make a Bool condition silently false
    present = {"aws:PrincipalIsAWSService": not is_iam, "aws:ViaAWSService": False}
    request = Request(
        principal_arn=principal,
        principal_account=principal.split(":")[4] if is_iam else "",
        action=action,
        resource=resource,
        context={**present, **dict(context or {})},
    )
    policies = PolicySet(
        resource_account=resource_account or ctx.account_id,
        resource_kind=kind,  # type: ignore[arg-type]
        identity=[ALLOW_ALL] if is_iam else [],
        resource=resource_policy,
        vpce=list(vpce),
    )
    return evaluate(request, policies).outcome

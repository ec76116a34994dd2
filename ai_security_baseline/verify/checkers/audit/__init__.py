"""Live audit: read the deployed account back through the AWS API and emit ``Finding(source="audit")``.

Input is the stack outputs (``exports`` of an offline/moto run, or ``pulumi stack output --json``).
Only read-only calls (Get*/Describe*/List*). Policies read back are judged with ``verify.iam.evaluator.evaluate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ai_security_baseline.controls import registry
from ai_security_baseline.verify.checkers.audit import identity, kms, s3  # noqa: F401 - importing registers the checks
from ai_security_baseline.verify.checkers.audit.core import (
    CHECKS,
    AuditContext,
    AuditSetupError,
    Check,
    preflight,
    run_checks,
)
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.inputs import InputFileError, load_json

#: Cap of a ``pulumi stack output --json`` file: the baseline's outputs are a few KiB.
MAX_OUTPUTS_BYTES = 1 << 20

for _unit in registry.units():  # each unit's probe registers its checks on import
    if _unit.has("probe"):
        _unit.load("probe")

__all__ = ["CHECKS", "AuditContext", "AuditSetupError", "Check", "audited_controls", "load_outputs", "run_audit"]


def run_audit(
    outputs: Mapping[str, Any], *, region: str, endpoint_url: str | None = None, session: Any = None
) -> list[Finding]:
    """Every check against the account the clients reach; AuditSetupError when it cannot be reached at all."""
    ctx = AuditContext(outputs=outputs, region=region, endpoint_url=endpoint_url, session=session)
    preflight(ctx)
    return run_checks(ctx)


def audited_controls() -> list[str]:
    return sorted({c.control for c in CHECKS})


def load_outputs(path: Path) -> dict[str, Any]:
    """A ``pulumi stack output --json`` file (or the exports of an offline run, same shape)."""
    if not path.exists():
        raise AuditSetupError(f"{path}: outputs file not found")
    try:
        document = load_json(path, MAX_OUTPUTS_BYTES)
    except InputFileError as exc:
        raise AuditSetupError(str(exc)) from None
    if not isinstance(document, dict):
        raise AuditSetupError(f"{path}: expected a JSON object of stack outputs")
    return document

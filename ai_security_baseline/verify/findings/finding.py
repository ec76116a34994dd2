"""The one Finding shape every checker emits and every report reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "waived", "error"]
Source = Literal["rule", "checkov", "access", "audit"]
#: How a live-audit finding of a control the audited endpoint cannot show starts (an ``error``; the report lists these
#: controls apart from those verified live).
NOT_OBSERVABLE = "not observable: "
STATUSES: tuple[Status, ...] = ("pass", "fail", "waived", "error")


@dataclass(frozen=True)
class Finding:
    """One control evaluated on one resource by one checker.

    ``tool_id`` is the checker's own id when it has one (a checkov ``CKV_AWS_7``, a rule name);
    ``waiver`` carries the justification when ``status`` is ``waived``.
    """

    control: str
    urn: str
    status: Status
    source: Source
    message: str
    tool_id: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    waiver: str = ""

    @property
    def resource_name(self) -> str:
        """Logical name from the URN (the URN itself when it is not a Pulumi URN)."""
        parts = self.urn.split("::")
        return parts[3] if len(parts) >= 4 else self.urn

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "control": self.control,
            "urn": self.urn,
            "status": self.status,
            "source": self.source,
            "message": self.message,
        }
        if self.tool_id:
            data["toolId"] = self.tool_id
        if self.evidence:
            data["evidence"] = dict(self.evidence)
        if self.waiver:
            data["waiver"] = self.waiver
        return data

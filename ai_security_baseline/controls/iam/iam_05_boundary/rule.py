"""IAM-05 preview rule: every role carries a permissions boundary of this stack that denies every tampering
action the baseline's boundary denies (``TAMPERING_DENIALS``), so a boundary that merely exists is not enough."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.iam.common import IAM_POLICY, IAM_ROLE, Boundaries, undenied_tampering


def _verdict(role: kit.Res, boundaries: Boundaries) -> tuple[bool, str]:
    if not role.props.get("permissionsBoundary"):
        return False, "no permissions boundary"
    found = boundaries.of(role)
    if len(found) != 1:  # an external or ambiguous boundary: its content cannot be read here
        raise kit.Undecidable(f"{role.name}: the boundary is not one policy of this stack ({len(found)} found)")
    missing = undenied_tampering(kit.policy_document(found[0]))
    if missing:
        return False, f"boundary {found[0].name} does not deny {missing}"
    return True, f"boundary {found[0].name} denies every tampering action"


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    boundaries = Boundaries([r for r in resources if r.type == IAM_POLICY])
    for role in resources:
        if role.type == IAM_ROLE:
            ok, message = _verdict(role, boundaries)
            yield role.urn, "IAM-05", ok, message


RULE = kit.Rule(
    "iam-05-boundary",
    "Every role carries a permissions boundary that denies trail, key, bucket-policy and boundary tampering",
    ("IAM-05",),
    stack_check=check,
)

"""What the ACC rules share: the waiver of a piece the organization manages, and the retained-on-destroy check of an
account-wide setting. Standard library and ``controls.kit`` only (the CrossGuard pack loads it)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit

Found = Iterator[tuple[str, str, kit.Verdict, str]]


def waived_centrally(resources: Sequence[kit.Res], piece: str, control: str) -> Found:
    """``control`` reported waived, with the reason, when ``baseline:centrallyManaged`` names ``piece``; nothing
    otherwise (the caller then judges what the stack built)."""
    reason = kit.central_reason(kit.stack_outputs(resources), piece)
    if reason is not None:
        yield kit.stack_urn(resources), control, kit.RELAXED, f"centrally managed: {reason}"


def not_retained(res: kit.Res) -> str | None:
    """The provider's delete of an account-wide setting switches the protection off: it must be retained on delete
    (None when the view cannot tell, as in CrossGuard, where the scan of the stack decides)."""
    if res.retain_on_delete is False:
        return f"{res.name} is not retained on delete: `pulumi destroy` would switch it off for the whole account"
    return None


def of_type(resources: Sequence[kit.Res], type_token: str) -> list[kit.Res]:
    return [r for r in resources if r.type == type_token]

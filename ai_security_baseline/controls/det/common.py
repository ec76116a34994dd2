"""What the detection rules share: the account-wide piece a stack may leave to its organization, and how a
resource links to another (by property dependency first, else by id)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import CENTRAL_PIECES

Found = Iterator[tuple[str, str, kit.Verdict, str]]


def of(resources: Sequence[kit.Res], type_token: str) -> list[kit.Res]:
    return [r for r in resources if r.type == type_token]


def central_piece(resources: Sequence[kit.Res], piece: str, found: Sequence[kit.Res]) -> Found:
    """The control's verdict when the organization manages ``piece``: waived with the reason, or failed when the
    stack creates the piece anyway (AWS refuses a second detector, hub subscription or ... of one account)."""
    control = CENTRAL_PIECES[piece]
    reason = kit.central_reason(kit.stack_outputs(resources), piece)
    if reason is None:
        return
    urn = kit.stack_urn(resources)
    if found:
        names = ", ".join(r.name for r in found)
        yield urn, control, False, f"centrallyManaged.{piece} is set, and the stack still creates {names}"
    else:
        yield urn, control, kit.RELAXED, f"centrally managed ({piece}): {reason}"


def linked(
    res: kit.Res, key: str, candidates: Sequence[kit.Res], value: object, id_keys: Sequence[str]
) -> list[kit.Res]:
    """Candidates ``res.props[key]`` (whose reference is ``value``) comes from: by property dependency, else by
    id equality. Undecidable when the reference is unknown and no dependency explains it."""
    deps = set(res.property_dependencies.get(key, ()))
    by_dependency = [c for c in candidates if c.urn in deps]
    if by_dependency:
        return by_dependency
    if value == kit.UNKNOWN:
        raise kit.Undecidable(f"{res.name}: {key} is not known until apply and has no dependency to follow")
    return [c for c in candidates if any(c.props.get(k) == value for k in id_keys if value)]

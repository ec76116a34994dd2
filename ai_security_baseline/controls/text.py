"""Message helpers shared by every input check (standard library only: the CrossGuard pack imports them too)."""

from __future__ import annotations

#: The most characters of a user-supplied value an error message echoes: a 10 MB value must not flood a terminal.
MAX_SHOWN = 200


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"

"""What the GOV units share: the provider's default tags, which say a resource's owner and environment."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ai_security_baseline.controls import kit


def default_tags(provider: kit.Res) -> dict[str, str]:
    """The ``defaultTags.tags`` of an AWS provider (the engine may hand it over JSON-encoded)."""
    raw = kit.known(provider, "defaultTags")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise kit.Undecidable(f"{provider.name}: defaultTags is not valid JSON") from None
    tags = (raw or {}).get("tags") if isinstance(raw, Mapping) else None
    return dict(tags or {})

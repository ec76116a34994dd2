"""Generated README sections, so the documented config keys can never drift from the model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ai_security_baseline.components.config import NAMESPACE, BaselineConfig

BEGIN = "<!-- BEGIN config-reference (generated: make docs) -->"
END = "<!-- END config-reference -->"


def _nested_model(field: FieldInfo) -> type[BaseModel] | None:
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _default(field: FieldInfo) -> str:
    value: Any = field.default
    if value is PydanticUndefined and field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    if isinstance(value, tuple):
        value = list(value)
    return "`" + json.dumps(value) + "`" if value is not None else "unset"


def config_rows(model: type[BaseModel] = BaselineConfig, prefix: str = f"{NAMESPACE}:") -> list[str]:
    """One table row per leaf key: key, default, allowed values."""
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        nested = _nested_model(field)
        if nested is not None:
            rows += config_rows(nested, f"{key}.")
            continue
        allowed = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{key}` | {_default(field)} | {allowed} |")
    return rows


def config_reference() -> str:
    """The config table as it must appear in the README."""
    header = ["| key | default | allowed |", "|---|---|---|"]
    return "\n".join([BEGIN, *header, *config_rows(), END])


def replace_section(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + config_reference() + text[end:]


if __name__ == "__main__":
    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme.write_text(replace_section(readme.read_text()))

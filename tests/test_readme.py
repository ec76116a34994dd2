"""The README documents exactly the config keys, defaults and ranges of the config model."""

from __future__ import annotations

from pathlib import Path

from ai_security_baseline.verify.reports.docs import config_reference

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_config_table_matches_the_config_model() -> None:
    assert config_reference() in README.read_text(), "README config table is stale: run `make docs`"


def test_readme_names_the_two_commands() -> None:
    text = README.read_text()
    assert "make demo" in text
    assert "make test" in text

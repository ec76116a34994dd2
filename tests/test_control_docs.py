"""The per-control pages in docs/controls/ are exactly what the units generate (``make docs`` rewrites them)."""

from __future__ import annotations

from ai_security_baseline.verify.reports import control_docs


def test_every_control_page_is_current() -> None:
    wanted = control_docs.pages()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in control_docs.DOCS_DIR.glob("*.md")}
    stale = sorted(name for name in wanted.keys() | on_disk.keys() if wanted.get(name) != on_disk.get(name))
    assert stale == [], "run `make docs`"


def test_control_page_names_the_rule_probe_mutations_and_tests_of_its_unit() -> None:
    page = control_docs.pages()["KMS-02.md"]
    assert "rule: `kms-02-rotation`" in page
    assert "live probe: `rotation`" in page
    assert "rotation off on the data key (graph)" in page
    assert "`test_kms_02_probe_fails_the_key_whose_rotation_was_turned_off`" in page

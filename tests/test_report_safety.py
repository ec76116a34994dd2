"""Graph-derived names and messages cannot break a report: control characters, newlines and Markdown/XML syntax in
a resource name come out escaped in the terminal, Markdown and JUnit reports."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from rich.console import Console

from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.pipeline import Checked, Concluded, conclude
from ai_security_baseline.verify.reports.report import render_junit, render_markdown, render_terminal

CATALOG = load_catalog()
HOSTILE = "data\x1b[31mred\nsecond line|pipe\x00nul`tick"
BUCKET = Resource(urn=f"urn:pulumi:dev::p::aws:s3/bucket:Bucket::{HOSTILE}", type="aws:s3/bucket:Bucket", custom=True)


def hostile_scan() -> Concluded:
    """The rules on a graph whose only bucket has the hostile name: every S3 control fails on it."""
    findings = scan_rules(ResourceGraph([BUCKET], stack="dev", project="p"))
    return conclude(Checked(tuple(findings), frozenset({"rule"})), (), CATALOG, stack="dev", source="test graph")


def test_junit_with_control_characters_in_a_resource_name_is_well_formed_xml() -> None:
    concluded = hostile_scan()
    root = ET.fromstring(render_junit(concluded.findings, CATALOG, concluded.meta))
    names = [case.get("name", "") for case in root.iter("testcase")]
    assert any("\\x1b[31mred" in name and "\\x00nul" in name for name in names)


def test_markdown_failure_table_keeps_one_row_per_finding_whatever_the_name() -> None:
    concluded = hostile_scan()
    text = render_markdown(concluded.findings, CATALOG, concluded.meta)
    problems = [f for f in concluded.findings if f.status in ("fail", "error")]
    section = text.split(f"### Failures and errors ({len(problems)})\n\n", 1)[1].split("\n\n", 1)[0]
    rows = section.splitlines()
    assert len(rows) == len(problems) + 2  # header and separator
    assert all(len(re.split(r"(?<!\\)\|", row)) == 7 for row in rows)  # five cells between unescaped pipes
    assert "\x1b" not in text
    assert "\x00" not in text


def test_terminal_report_shows_control_characters_as_visible_escapes() -> None:
    concluded = hostile_scan()
    out = io.StringIO()
    Console(file=out, width=250, color_system=None).print(
        render_terminal(concluded.findings, CATALOG, concluded.meta, verbose=True)
    )
    text = out.getvalue()
    assert "\x1b" not in text
    assert "\x00" not in text
    assert "data\\x1b[31mred\\nsecond line|pipe\\x00nul`tick" in text

"""Policy rules: each has a compliant fixture that passes and violating fixtures that fail with its control id."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.policies import baseline_rules as rules
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH, apply_waivers, load_waivers

ACCOUNT = "111122223333"
KEY_URN = "urn:pulumi:dev::p::aws:kms/key:Key::data"
PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:aws::aws"
STACK_URN = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"


def key(**props: Any) -> rules.Res:
    base = {
        "enableKeyRotation": True,
        "rotationPeriodInDays": 365,
        "deletionWindowInDays": 30,
        "policy": json.dumps(documents.key_policy(partition="aws", account_id=ACCOUNT)),
        "keyId": "k-1",
    }
    return rules.Res(urn=KEY_URN, type=rules.KMS_KEY, props={**base, **props}, provider_urn=PROVIDER_URN)


def statuses(rule_name: str, resources: list[rules.Res]) -> dict[str, list[str]]:
    rule = next(r for r in rules.RULES if r.name == rule_name)
    result: dict[str, list[str]] = {}
    for outcome in rule.evaluate(resources):
        result.setdefault(outcome.control, []).append(outcome.status)
    return result


def alias(name: str, target: str) -> rules.Res:
    return rules.Res(
        urn=f"urn:pulumi:dev::p::aws:kms/alias:Alias::{name}",
        type=rules.KMS_ALIAS,
        props={"name": f"alias/aisb-dev-{name}", "targetKeyId": target},
    )


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_rule_passes_on_the_baseline_stack_but_the_shipped_waivers(stack: str) -> None:
    findings = scan_rules(run_stack(stack).graph)
    assert findings, "the scan produced no findings"
    waived = apply_waivers(findings, load_waivers(WAIVERS_PATH, load_catalog()), date.today()).findings
    assert [f for f in waived if f.status in ("fail", "error")] == []
    # prod has no Bedrock endpoint and no Studio domain: AI-01, AI-02 and AI-03 are not applicable there
    not_applicable = ["AI-01", "AI-02", "AI-03"] if stack == "prod" else []
    assert sorted((f.control, f.resource_name) for f in waived if f.status == "waived") == [
        *[(control, f"ai-security-baseline-{stack}") for control in not_applicable],
        ("S3-03", f"aisb-{stack}-access-logs"),
        ("S3-03", f"aisb-{stack}-audit"),
    ]


def test_an_implemented_control_with_nothing_to_check_is_an_error(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    only_rule = [r for r in rules.RULES if r.name == "gov-05-prod-protect"]
    stateful = ("aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:cloudtrail/trail:Trail")
    empty = type(graph)([r for r in graph if r.type not in stateful], stack="dev", project="p")
    findings = scan_rules(empty, only_rule)
    assert [(f.control, f.status) for f in findings] == [("GOV-05", "error")]

"""Policy rules: each has a compliant fixture that passes and violating fixtures that fail with its control id."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from components import documents
from policies import baseline_rules as rules
from verify.checkers.rules import scan_rules
from verify.engine.offline import run_stack
from verify.findings.catalog import load_catalog
from verify.findings.waivers import WAIVERS_PATH, apply_waivers, load_waivers

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


def provider(tags: dict[str, str]) -> rules.Res:
    return rules.Res(urn=PROVIDER_URN, type=rules.AWS_PROVIDER, props={"defaultTags": json.dumps({"tags": tags})})


MANDATORY = {"owner": "ml", "environment": "dev", "data-classification": "confidential"}


def test_gov_01_rule_passes_tags_from_the_provider() -> None:
    assert statuses("gov-mandatory-tags", [provider(MANDATORY), key()]) == {"GOV-01": ["pass"]}


def test_gov_01_rule_fails_a_resource_missing_the_owner_tag() -> None:
    tags = {k: v for k, v in MANDATORY.items() if k != "owner"}
    assert statuses("gov-mandatory-tags", [provider(tags), key()]) == {"GOV-01": ["fail"]}


def test_gov_01_rule_skips_types_that_take_no_tags() -> None:
    assert statuses("gov-mandatory-tags", [provider({}), alias("data", "k-data")]) == {}


def test_gov_05_rule_fails_an_unprotected_key_in_prod() -> None:
    prod = provider({**MANDATORY, "environment": "prod"})
    assert statuses("gov-prod-protect", [prod, key()]) == {"GOV-05": ["fail"]}
    protected = rules.Res(urn=KEY_URN, type=rules.KMS_KEY, props={}, protect=True)
    assert statuses("gov-prod-protect", [prod, protected]) == {"GOV-05": ["pass"]}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_rule_passes_on_the_baseline_stack_but_the_shipped_waivers(stack: str) -> None:
    findings = scan_rules(run_stack(stack).graph)
    assert findings, "the scan produced no findings"
    waived = apply_waivers(findings, load_waivers(WAIVERS_PATH, load_catalog()), date.today()).findings
    assert [f for f in waived if f.status in ("fail", "error")] == []
    assert sorted((f.control, f.resource_name) for f in waived if f.status == "waived") == [
        ("S3-03", f"aisb-{stack}-access-logs"),
        ("S3-03", f"aisb-{stack}-audit"),
    ]


def test_an_implemented_control_with_nothing_to_check_is_an_error() -> None:
    graph = run_stack("dev").graph
    only_rule = [r for r in rules.RULES if r.name == "gov-prod-protect"]
    stateful = ("aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:cloudtrail/trail:Trail")
    empty = type(graph)([r for r in graph if r.type not in stateful], stack="dev", project="p")
    findings = scan_rules(empty, only_rule)
    assert [(f.control, f.status) for f in findings] == [("GOV-05", "error")]

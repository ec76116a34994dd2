"""Rules for GOV-03 (retention reported) and GOV-04 (audit outputs): a compliant fixture passes, a violating one
fails with the control id. The IAM rules' tests live in their units (controls/iam/)."""

from __future__ import annotations

import json
from typing import Any

from controls.kit import STACK, Res
from policies import rules_gov
from verify.checkers.rules import scan_rules
from verify.engine.offline import run_stack

POLICY_URN = "urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::trainer"


def role_policy(*statements: dict[str, Any]) -> Res:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Res(urn=POLICY_URN, type="aws:iam/rolePolicy:RolePolicy", props={"policy": json.dumps(document)})


def outcome(rule_name: str, resources: list[Res]) -> list[tuple[str, str]]:
    rule = next(r for r in rules_gov.GOV_RULES if r.name == rule_name)
    return [(o.control, o.status) for o in rule.evaluate(resources)]


def stack_with(outputs: dict[str, Any]) -> Res:
    return Res(urn="urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type=STACK, props=outputs)


def test_gov_04_rule_passes_a_stack_exporting_every_audit_output() -> None:
    everything = dict.fromkeys(rules_gov.AUDIT_OUTPUTS, "x")
    assert outcome("gov-audit-outputs", [stack_with(everything)]) == [("GOV-04", "pass")]


def test_gov_04_rule_fails_a_stack_without_the_trail_output() -> None:
    partial = {k: "x" for k in rules_gov.AUDIT_OUTPUTS if k != "trailArn"}
    assert outcome("gov-audit-outputs", [stack_with(partial)]) == [("GOV-04", "fail")]


def test_gov_04_rule_errors_without_a_root_stack() -> None:
    assert outcome(
        "gov-audit-outputs", [role_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})]
    ) == [("GOV-04", "error")]


def test_gov_04_every_audit_output_is_exported_by_the_dev_stack() -> None:
    assert set(rules_gov.AUDIT_OUTPUTS) <= set(run_stack("dev").exports)


def test_gov_03_dev_stack_reports_the_retention_of_every_bucket() -> None:
    findings = [f for f in scan_rules(run_stack("dev").graph) if f.control == "GOV-03"]
    assert {f.status for f in findings} == {"pass"}
    raw = next(f for f in findings if f.resource_name == "aisb-dev-raw")
    assert raw.message == "retention of aisb-dev-raw: current objects 730 days; noncurrent versions 90 days"


def test_gov_03_a_bucket_without_lifecycle_fails() -> None:
    graph = run_stack("dev").graph
    lifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    stripped = type(graph)([r for r in graph if r.type != lifecycle], stack="dev", project="p")
    statuses = {f.status for f in scan_rules(stripped) if f.control == "GOV-03"}
    assert statuses == {"fail"}

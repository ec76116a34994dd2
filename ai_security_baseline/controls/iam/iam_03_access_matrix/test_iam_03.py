"""IAM-03: the evaluated access equals the declared matrix; an extra grant is an access finding."""

from __future__ import annotations

import dataclasses
import json

from ai_security_baseline.components import identity
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.iam.iam_03_access_matrix import mutation
from ai_security_baseline.controls.iam.testing import ROLE_POLICY, widened_inference
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.analysis import AccessReport, access_model, access_rows, analyze, matrix_markdown


def test_iam_03_evaluated_access_equals_the_declared_matrix(dev_access: AccessReport) -> None:
    report = dev_access
    # 5 roles (processor, trainer, inference, auditor, approver) x raw, curated, models, audit-logs; a GetObject of
    # raw or models once per scan status (DET-03)
    scans = 5 * len(vocabulary.SCANNED_BUCKETS) * (len(vocabulary.MALWARE_SCAN_DIMENSION) - 1)
    assert len(report.rows) == 5 * 4 * len(identity.MATRIX_ACTIONS) + scans
    assert report.missing_resources == ()
    assert [f for f in report.findings() if f.status != "pass"] == []
    allowed = {(r.role, r.resource, r.action) for r in report.rows if r.allowed}
    assert allowed == {
        ("data-processor", "raw", "s3:GetObject"),
        ("data-processor", "raw", "s3:ListBucket"),
        ("data-processor", "curated", "s3:PutObject"),
        ("model-trainer", "curated", "s3:GetObject"),
        ("model-trainer", "curated", "s3:ListBucket"),
        ("model-trainer", "models", "s3:PutObject"),
        ("inference", "models", "s3:GetObject"),
        ("inference", "models", "s3:ListBucket"),
        ("auditor", "audit-logs", "s3:GetObject"),
        ("auditor", "audit-logs", "s3:ListBucket"),
    }


def test_iam_03_an_extra_grant_becomes_an_iam_03_access_finding(
    dev_access: AccessReport, dev_graph: ResourceGraph
) -> None:
    raw = access_model(dev_graph).buckets["raw"].arn
    rows = access_rows(widened_inference(dev_graph, "s3:ListBucket", raw))
    assert [(r.role, r.resource, r.action) for r in rows if r.allowed != r.declared] == [
        ("inference", "raw", "s3:ListBucket")
    ]
    failed = [f for f in dataclasses.replace(dev_access, rows=rows).matrix_findings() if f.status == "fail"]
    assert [(f.control, f.source, f.urn) for f in failed] == [
        ("IAM-03", "access", access_model(dev_graph).roles[vocabulary.INFERENCE].urn)
    ]
    assert failed[0].message == "extra Allow: inference s3:ListBucket on raw should be denied"


def test_iam_03_auditor_gets_exactly_one_inline_policy_reading_the_audit_bucket(dev_graph: ResourceGraph) -> None:
    policies = [p for p in dev_graph.by_type(ROLE_POLICY) if p.inputs["role"] == "aisb-dev-auditor"]
    assert [p.name for p in policies] == ["identity-policies-auditor"]
    audit_arn = str(dev_graph.one("aws:s3/bucket:Bucket", "aisb-dev-audit").prop("arn"))
    resources = {r for s in json.loads(policies[0].inputs["policy"])["Statement"] for r in _as_list(s["Resource"])}
    assert resources & {audit_arn, f"{audit_arn}/*"}


def test_iam_03_report_matrix_lists_every_role_and_resource_cell(dev_access: AccessReport) -> None:
    table = matrix_markdown(dev_access).splitlines()
    assert len(table) == 2 + 5 * 4  # header, rule, 5 roles (the approver's row all deny) x 4 resources
    assert "| auditor | audit-logs | allow | allow | deny | deny | deny |" in table
    assert not any("expected" in line for line in table)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def test_iam_03_inference_listing_raw_fails_the_access_analysis(dev_graph: ResourceGraph) -> None:
    [mutant] = mutation.MUTATIONS
    assert mutant.graph is not None
    failed = [f for f in analyze(mutant.graph(dev_graph)).findings() if f.status == "fail"]
    assert [(f.control, f.message) for f in failed] == [
        ("IAM-03", "extra Allow: inference s3:ListBucket on raw should be denied")
    ]

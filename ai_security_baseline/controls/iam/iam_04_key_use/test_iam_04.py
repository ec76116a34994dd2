"""IAM-04: each role uses only its keys, only via S3, proven by the access analysis."""

from __future__ import annotations

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.iam.iam_04_key_use import mutation
from ai_security_baseline.controls.iam.testing import KEY, by_sid, inline, widened_inference
from ai_security_baseline.controls.testing import ACCOUNT, REGION
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.analysis import AccessReport, access_model, access_rows, analyze


def test_iam_04_an_extra_s3_grant_still_cannot_read_raw_objects_without_the_data_key(dev_graph: ResourceGraph) -> None:
    raw = access_model(dev_graph).buckets["raw"].arn
    rows = access_rows(widened_inference(dev_graph, "s3:GetObject", f"{raw}/*"))
    clean = vocabulary.MALWARE_SCAN_CLEAN
    read = next(
        r for r in rows if (r.role, r.resource, r.action, r.scan) == ("inference", "raw", "s3:GetObject", clean)
    )
    assert read.s3.outcome == "Allow"
    assert read.kms is not None
    assert read.kms.outcome == "ImplicitDeny"
    assert read.allowed is False


def test_iam_04_each_role_decrypts_only_its_keys_and_only_via_s3(dev_access: AccessReport) -> None:
    report = dev_access
    allowed = {(k.role, k.data_class, k.via_s3) for k in report.keys if k.decision.outcome == "Allow"}
    assert allowed == {
        ("data-processor", "data", True),
        ("model-trainer", "data", True),
        ("model-trainer", "models", True),
        ("inference", "models", True),
        ("auditor", "logs", True),
    }
    assert all(k.decision.outcome == "Allow" for k in report.keys if k.declared)


def test_iam_04_role_key_grants_are_conditioned_on_s3_and_this_account(dev_graph: ResourceGraph) -> None:
    trainer = by_sid(inline(dev_graph, vocabulary.TRAINER))
    keys = {k.name: k.outputs["arn"] for k in dev_graph.by_type(KEY)}
    condition = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com", "kms:CallerAccount": ACCOUNT}}
    assert trainer["UseDataKeyViaS3"] == {
        "Sid": "UseDataKeyViaS3",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": keys["keys-data"],
        "Condition": condition,
    }
    assert trainer["UseModelsKeyViaS3"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert trainer["UseModelsKeyViaS3"]["Resource"] == keys["keys-models"]


def test_iam_04_inference_using_the_models_key_outside_s3_fails_the_access_analysis(
    dev_access: AccessReport, dev_graph: ResourceGraph
) -> None:
    [mutant] = mutation.MUTATIONS
    assert mutant.graph is not None
    assert {f.status for f in dev_access.findings() if f.control == "IAM-04"} == {"pass"}
    failed = [f for f in analyze(mutant.graph(dev_graph)).findings() if f.status == "fail"]
    assert {f.control for f in failed} == {"IAM-04"}

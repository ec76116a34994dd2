"""A KMS key created without a ``policy`` gets AWS's default key policy (the account root holds ``kms:*``): every
checker that reads key policies judges it as that policy, none crashes or passes it by default."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import UNKNOWN_ACCOUNT_ROOT, default_key_policy, key_policy
from ai_security_baseline.controls.kms.kms_04_admin_user_separation import rule as kms_04
from ai_security_baseline.controls.kms.testing import statuses
from ai_security_baseline.controls.testing import ACCOUNT, REGION, graph, res, resource
from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.iam.analysis import analyze
from ai_security_baseline.verify.iam.sweep import sweep_stack

KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-0000000000d1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def default_key(**props: Any) -> kit.Res:
    """A key as a rule sees it after a create without a policy: AWS fills in the ARN, nothing else."""
    return res(KMS_KEY, "data", arn=KEY_ARN, keyId=KEY_ARN.rsplit("/", 1)[1], **props)


def without_data_key_policy(dev: ResourceGraph) -> ResourceGraph:
    """The dev stack with its data key created without a policy (inputs and outputs)."""

    def drop(r: Resource) -> Resource:
        if r.type != KMS_KEY or not r.name.endswith("-data"):
            return r
        return dataclasses.replace(
            r,
            inputs={k: v for k, v in r.inputs.items() if k != "policy"},
            outputs={k: v for k, v in r.outputs.items() if k != "policy"},
        )

    return graph([drop(r) for r in dev], stack=dev.stack, project=dev.project)


def test_default_key_policy_grants_the_key_accounts_root_kms_star() -> None:
    (statement,) = default_key_policy(KEY_ARN)["Statement"]
    assert statement == {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": ROOT},
        "Action": "kms:*",
        "Resource": "*",
    }


def test_a_key_without_policy_reads_as_the_default_policy_even_before_its_arn_is_known() -> None:
    assert key_policy(default_key()) == default_key_policy(KEY_ARN)
    unknown_arn = res(KMS_KEY, "data", arn=kit.UNKNOWN)
    assert key_policy(unknown_arn)["Statement"][0]["Principal"] == {"AWS": UNKNOWN_ACCOUNT_ROOT}


def test_kms_04_fails_a_key_without_policy_whose_arn_is_not_known_yet() -> None:
    assert statuses(kms_04.RULE, res(KMS_KEY, "data", arn=kit.UNKNOWN)) == ["fail"]


def test_kms_rules_still_error_on_a_policy_not_known_until_apply() -> None:
    assert statuses(kms_04.RULE, default_key(policy=kit.UNKNOWN)) == ["error"]


def test_access_analysis_and_sweep_evaluate_a_key_without_policy_as_the_default_policy(
    dev_graph: ResourceGraph,
) -> None:
    changed = without_data_key_policy(dev_graph)
    data_key = next(r for r in changed.by_type(KMS_KEY) if r.name.endswith("-data"))
    arn = str(data_key.prop("arn"))
    report = analyze(changed)
    assert json.loads(report.model.key_policies[arn]) == default_key_policy(arn)
    assert not [f for f in report.findings() if f.status == "error"]
    target = next(t for t in sweep_stack(changed).targets if t.arn == arn)
    assert target.policy is not None
    assert json.loads(target.policy) == default_key_policy(arn)


def test_scan_of_a_preview_with_a_key_without_policy_reports_findings_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = resource(
        KMS_KEY,
        "data",
        {"enableKeyRotation": True, "rotationPeriodInDays": 365, "deletionWindowInDays": 30},
        outputs={"arn": KEY_ARN, "keyId": KEY_ARN.rsplit("/", 1)[1]},
    )
    preview = tmp_path / "preview.json"
    preview.write_text(json.dumps(graph([key]).to_preview_json()))
    out = tmp_path / "out"
    code = main(["scan", "--no-checkov", "--preview", str(preview), "--format", "json", "--out", str(out)])
    assert code == 1
    assert "Traceback" not in capsys.readouterr().err
    findings = json.loads((out / "findings.json").read_text())["findings"]
    by_control = {f["control"]: f["status"] for f in findings if f["urn"] == key.urn}
    assert by_control["KMS-04"] == "fail"
    assert by_control["KMS-06"] == "fail"

"""The moto deploy refuses what AWS refuses: before a trail, an encrypted log group, a secret, a Studio domain or a
guardrail is created, the calls AWS makes at that moment are evaluated against the live policies
(verify/emulator/preflight.py). Each test re-introduces one real-AWS defect into the program and expects the emulated
deploy to fail with AWS's error, naming the resource and the denied call."""

from __future__ import annotations

from typing import Any

import pytest

from ai_security_baseline.components import bedrock_guardrail, documents, storage, studio
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.emulator.deploy import MotoDeployError
from ai_security_baseline.verify.emulator.preflight import (
    BEDROCK_DATA_EVENT_RESOURCE_TYPES,
    PreflightDeniedError,
    require,
)
from ai_security_baseline.verify.emulator.server import MotoServer
from ai_security_baseline.verify.iam.principals import Call, log_group_key_calls
from tests.moto_support import deploy_dev

_DOCUMENTED_TRUST = documents.trail_delivery_trust_policy


def _trust_with_source_conditions() -> documents.PolicyDocument:
    trust = _DOCUMENTED_TRUST()
    trust["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    return trust


def test_log_04_deploy_fails_when_the_delivery_role_trust_carries_source_conditions(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "trail_delivery_trust_policy", _trust_with_source_conditions)
    with pytest.raises(MotoDeployError) as failed:
        deploy_dev(moto_server)
    message = str(failed.value)
    assert "InvalidCloudWatchLogsRoleArnException" in message
    assert "'aisb-dev-trail'" in message
    assert (
        "cloudtrail.amazonaws.com sts:AssumeRole on arn:aws:iam::123456789012:role/aisb-dev-cloudtrail-logs" in message
    )


def test_kms_05_deploy_fails_when_the_logs_key_requires_a_source_account_logs_never_sends(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = documents.logs_key_statement

    def with_source_account(sid: str, *, region: str, group_arn: str) -> documents.Statement:
        statement = original(sid, region=region, group_arn=group_arn)
        statement["Condition"]["StringEquals"] = {"aws:SourceAccount": "123456789012"}
        return statement

    monkeypatch.setattr(documents, "logs_key_statement", with_source_account)
    with pytest.raises(MotoDeployError) as failed:
        deploy_dev(moto_server)
    # every log group of the stack uses the logs key: whichever create the deploy reaches first is refused
    assert failed.value.typ == "aws:cloudwatch/logGroup:LogGroup"
    assert "AccessDeniedException" in failed.value.cause
    assert "logs.eu-west-1.amazonaws.com kms:GenerateDataKey" in failed.value.cause


def test_gov_02_deploy_fails_when_the_deployer_may_not_decrypt_with_the_secret_key(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "SECRET_WRITER_KEY_ACTIONS", ("kms:GenerateDataKey",))
    with pytest.raises(MotoDeployError) as failed:
        deploy_dev(moto_server)
    message = str(failed.value)
    assert "AccessDeniedException" in message
    assert "'aisb-dev-pseudonymization-key'" in message
    assert "arn:aws:iam::123456789012:user/moto kms:Decrypt" in message


def test_ai_03_deploy_fails_when_the_data_key_does_not_let_efs_decrypt_as_the_deployer(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(studio, "HOME_EFS_KEY_ACTIONS", ("kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext"))
    with pytest.raises(MotoDeployError) as failed:
        deploy_dev(moto_server)
    message = str(failed.value)
    assert "AccessDeniedException" in message
    assert "'studio'" in message
    assert "arn:aws:iam::123456789012:user/moto kms:Decrypt" in message


def test_ai_02_deploy_fails_when_the_models_key_does_not_let_bedrock_generate_data_keys_as_the_deployer(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CreateGuardrail with kmsKeyId needs the creator's kms:GenerateDataKey via Bedrock:
    # https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html
    monkeypatch.setattr(bedrock_guardrail, "CREATOR_KEY_ACTIONS", ("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"))
    with pytest.raises(MotoDeployError) as failed:
        deploy_dev(moto_server)
    message = str(failed.value)
    assert "AccessDeniedException" in message
    assert "'aisb-dev-guardrail'" in message
    assert "arn:aws:iam::123456789012:user/moto kms:GenerateDataKey" in message


def test_ai_01_deploy_fails_when_a_bedrock_selector_names_a_type_cloudtrail_does_not_know(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CloudTrail data-event table names prompts AWS::Bedrock::PromptVersion, not AWS::Bedrock::Prompt:
    # https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
    monkeypatch.setattr(vocabulary, "BEDROCK_DATA_EVENT_TYPES", ("AWS::Bedrock::Prompt",))
    with pytest.raises(MotoDeployError) as failed:
        deploy_dev(moto_server)
    message = str(failed.value)
    assert "InvalidEventSelectorsException" in message
    assert "'AWS::Bedrock::Prompt'" in message


def test_ai_01_every_bedrock_type_the_trail_selects_is_one_cloudtrail_documents() -> None:
    assert set(vocabulary.BEDROCK_DATA_EVENT_TYPES) <= BEDROCK_DATA_EVENT_RESOURCE_TYPES


def test_preflight_reports_an_undecidable_call_as_a_refusal_not_a_pass() -> None:
    broken_policy: Any = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Nope": 1}]}'
    calls: list[Call] = log_group_key_calls(
        "KMS-05",
        account="123456789012",
        region="eu-west-1",
        group_arn="arn:aws:logs:eu-west-1:123456789012:log-group:/g",
        key_arn="arn:aws:kms:eu-west-1:123456789012:key/k",
        key_policy=broken_policy,
    )
    with pytest.raises(PreflightDeniedError, match="is error: "):
        require(calls, "AccessDeniedException")

"""KMS-06: data and model keys usable only through the services that need them, from this account."""

from __future__ import annotations

import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls.kms.kms_06_use_via_services import mutation, rule
from ai_security_baseline.controls.kms.testing import (
    TRAINER,
    key,
    keys_program,
    policy_with,
    statements_by_sid,
    statuses,
)
from ai_security_baseline.controls.testing import ACCOUNT
from ai_security_baseline.controls.vocabulary import KMS_KEY
from conftest import LiveAccount


def test_kms_06_data_key_users_only_through_s3_from_this_account() -> None:
    statement = documents.key_users_via_service_statement(
        "TrainerUsesDataKeyViaS3",
        [TRAINER],
        via_services=[documents.s3_via_service("eu-west-1")],
        account_id="111122223333",
    )
    graph = keys_program({"data": [statement]})
    rendered = statements_by_sid(graph.one(KMS_KEY, "keys-data"))["TrainerUsesDataKeyViaS3"]
    assert rendered == {
        "Sid": "TrainerUsesDataKeyViaS3",
        "Effect": "Allow",
        "Principal": {"AWS": [TRAINER]},
        "Action": list(documents.KEY_USE_ACTIONS),
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": "111122223333"}
        },
    }
    assert "TrainerUsesDataKeyViaS3" not in statements_by_sid(graph.one(KMS_KEY, "keys-models"))


def test_kms_06_statements_for_an_unknown_data_class_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown data class\(es\) \['gpu'\]"):
        keys_program({"gpu": []})


def test_kms_06_rule_fails_a_key_user_without_via_service() -> None:
    direct = {"Sid": "Direct", "Effect": "Allow", "Principal": {"AWS": TRAINER}, "Action": ["kms:Decrypt"]}
    assert statuses(rule.RULE, key(policy=policy_with(direct))) == ["fail"]


def test_kms_06_rule_passes_a_key_user_bound_to_s3_and_the_account() -> None:
    bound = documents.key_users_via_service_statement(
        "Users", [TRAINER], via_services=["s3.eu-west-1.amazonaws.com"], account_id=ACCOUNT
    )
    assert statuses(rule.RULE, key(policy=policy_with(bound))) == ["pass"]


def test_kms_06_rule_passes_the_ebs_volume_grant_via_ec2_for_aws_resources() -> None:
    ebs = [
        documents.ebs_volume_key_policy_statement(
            f"Ebs{grants}", [TRAINER], region="eu-west-1", account_id=ACCOUNT, grants=grants
        )
        for grants in (False, True)
    ]
    assert statuses(rule.RULE, key(policy=policy_with(*ebs))) == ["pass"]


def test_kms_06_rule_fails_a_user_grant_not_restricted_to_aws_resources() -> None:
    open_grant = documents.ebs_volume_key_policy_statement(
        "Grants", [TRAINER], region="eu-west-1", account_id=ACCOUNT, grants=True
    )
    del open_grant["Condition"]["Bool"]
    assert statuses(rule.RULE, key(policy=policy_with(open_grant))) == ["fail"]


def test_kms_06_rule_fails_a_key_user_via_a_service_no_key_needs() -> None:
    via_sqs = documents.key_users_via_service_statement(
        "Users", [TRAINER], via_services=["sqs.eu-west-1.amazonaws.com"], account_id=ACCOUNT
    )
    assert statuses(rule.RULE, key(policy=policy_with(via_sqs))) == ["fail"]


def test_kms_06_rule_fails_a_key_without_policy_as_the_aws_default_root_uses_it_directly() -> None:
    [outcome] = rule.RULE.evaluate([key(policy=None)])
    assert outcome.status == "fail"
    assert ":root'] use the key without kms:ViaService and kms:CallerAccount" in outcome.message


def test_kms_06_probe_passes_the_deployed_data_and_models_keys(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("KMS-06")
    assert [f.status for f in findings] == ["pass"] * 2, findings


def test_kms_06_probe_fails_a_data_key_grant_for_ebs_not_restricted_to_aws_resources(live_dev: LiveAccount) -> None:
    key = live_dev.exports["dataKeyArn"]
    findings = live_dev.probe_mutated("KMS-06", mutation.grants_for_anyone_live)
    [finding] = [f for f in findings if f.urn == key]
    assert finding.status == "fail"
    assert "grant for a person via ec2" in finding.message

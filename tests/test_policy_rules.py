"""Policy rules: each has a compliant fixture that passes and violating fixtures that fail with its control id."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from components import documents
from policies import baseline_rules as rules
from policies.rules_iam import UNCONDITIONED_TRUST_SERVICES
from verify.checkers.rules import scan_rules
from verify.engine.offline import run_stack
from verify.findings.catalog import load_catalog
from verify.findings.waivers import WAIVERS_PATH, apply_waivers, load_waivers

ACCOUNT = "111122223333"
KEY_URN = "urn:pulumi:dev::p::aws:kms/key:Key::data"
PROVIDER_URN = "urn:pulumi:dev::p::pulumi:providers:aws::aws"
STACK_URN = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
TRAINER = f"arn:aws:iam::{ACCOUNT}:role/trainer"


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


def policy_with(*extra: dict[str, Any]) -> str:
    body = documents.key_policy(partition="aws", account_id=ACCOUNT)
    return json.dumps({**body, "Statement": body["Statement"] + list(extra)})


def test_kms_03_rule_fails_a_seven_day_deletion_window() -> None:
    assert statuses("kms-key-deletion-window", [key()]) == {"KMS-03": ["pass"]}
    assert statuses("kms-key-deletion-window", [key(deletionWindowInDays=7)]) == {"KMS-03": ["fail"]}


def test_kms_04_rule_fails_kms_star_for_a_role() -> None:
    star = {"Sid": "All", "Effect": "Allow", "Principal": {"AWS": TRAINER}, "Action": "kms:*", "Resource": "*"}
    result = statuses("kms-key-policy", [key(policy=policy_with(star))])
    assert result["KMS-04"] == ["fail"]


def test_kms_04_rule_fails_the_aws_default_key_policy() -> None:
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    everything = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": root, "Action": "kms:*"}
    default = {"Version": "2012-10-17", "Statement": [{**everything, "Resource": "*"}]}
    assert statuses("kms-key-policy", [key(policy=json.dumps(default))])["KMS-04"] == ["fail"]


def test_kms_04_rule_fails_a_statement_mixing_use_and_management() -> None:
    via_s3 = {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}
    mixed = {
        "Sid": "Mixed",
        "Effect": "Allow",
        "Principal": {"AWS": TRAINER},
        "Action": ["kms:Decrypt", "kms:PutKeyPolicy"],
        "Resource": "*",
        "Condition": {"StringEquals": via_s3},
    }
    assert statuses("kms-key-policy", [key(policy=policy_with(mixed))])["KMS-04"] == ["fail"]


def test_kms_04_rule_errors_when_the_key_has_no_policy() -> None:
    assert statuses("kms-key-policy", [key(policy=None)]) == {
        "KMS-04": ["error"],
        "KMS-05": ["error"],
        "KMS-06": ["error"],
    }


def test_kms_04_rule_errors_on_a_malformed_policy() -> None:
    assert statuses("kms-key-policy", [key(policy="{not json")])["KMS-04"] == ["error"]


def test_kms_05_rule_fails_a_service_principal_without_source_conditions() -> None:
    service = {"Service": "logs.eu-west-1.amazonaws.com"}
    bare = {"Sid": "Logs", "Effect": "Allow", "Principal": service, "Action": ["kms:Encrypt"], "Resource": "*"}
    assert statuses("kms-key-policy", [key(policy=policy_with(bare))])["KMS-05"] == ["fail"]


def test_kms_05_rule_passes_cloudwatch_logs_bound_by_its_encryption_context_only() -> None:
    bound = documents.logs_key_statement(
        "Logs", region="eu-west-1", group_arn=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/x"
    )
    assert statuses("kms-key-policy", [key(policy=policy_with(bound))])["KMS-05"] == ["pass"]


def test_kms_05_rule_fails_cloudwatch_logs_conditioned_on_a_source_account_it_never_sends() -> None:
    """The shape that breaks CreateLogGroup on AWS: Logs sends the aws:logs:arn context, never aws:SourceAccount."""
    broken = documents.service_principal_key_statement(
        "Logs",
        "logs.eu-west-1.amazonaws.com",
        ["kms:Encrypt"],
        source_account=ACCOUNT,
        encryption_context={"aws:logs:arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/x"},
    )
    assert statuses("kms-key-policy", [key(policy=policy_with(broken))])["KMS-05"] == ["fail"]


def test_kms_05_rule_passes_cloudtrail_bound_by_its_source_arn() -> None:
    trail = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/t"
    bound = documents.cloudtrail_key_statements(partition="aws", account_id=ACCOUNT, trail=trail)
    assert statuses("kms-key-policy", [key(policy=policy_with(*bound))])["KMS-05"] == ["pass"]


def test_kms_05_rule_fails_a_service_principal_bound_only_by_source_account() -> None:
    loose = {
        "Sid": "Trail",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": ["kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    assert statuses("kms-key-policy", [key(policy=policy_with(loose))])["KMS-05"] == ["fail"]


def test_kms_06_rule_fails_a_key_user_without_via_service() -> None:
    direct = {"Sid": "Direct", "Effect": "Allow", "Principal": {"AWS": TRAINER}, "Action": ["kms:Decrypt"]}
    assert statuses("kms-key-policy", [key(policy=policy_with(direct))])["KMS-06"] == ["fail"]


def test_kms_06_rule_passes_a_key_user_bound_to_s3_and_the_account() -> None:
    bound = documents.key_users_via_service_statement(
        "Users", [TRAINER], via_services=["s3.eu-west-1.amazonaws.com"], account_id=ACCOUNT
    )
    assert statuses("kms-key-policy", [key(policy=policy_with(bound))])["KMS-06"] == ["pass"]


def test_kms_06_rule_passes_the_ebs_volume_grant_via_ec2_for_aws_resources() -> None:
    ebs = [
        documents.ebs_volume_key_policy_statement(
            f"Ebs{grants}", [TRAINER], region="eu-west-1", account_id=ACCOUNT, grants=grants
        )
        for grants in (False, True)
    ]
    assert statuses("kms-key-policy", [key(policy=policy_with(*ebs))])["KMS-06"] == ["pass"]


def test_kms_06_rule_fails_a_user_grant_not_restricted_to_aws_resources() -> None:
    open_grant = documents.ebs_volume_key_policy_statement(
        "Grants", [TRAINER], region="eu-west-1", account_id=ACCOUNT, grants=True
    )
    del open_grant["Condition"]["Bool"]
    assert statuses("kms-key-policy", [key(policy=policy_with(open_grant))])["KMS-06"] == ["fail"]


def test_kms_06_rule_fails_a_key_user_via_a_service_no_key_needs() -> None:
    via_sqs = documents.key_users_via_service_statement(
        "Users", [TRAINER], via_services=["sqs.eu-west-1.amazonaws.com"], account_id=ACCOUNT
    )
    assert statuses("kms-key-policy", [key(policy=policy_with(via_sqs))])["KMS-06"] == ["fail"]


def alias(name: str, target: str) -> rules.Res:
    return rules.Res(
        urn=f"urn:pulumi:dev::p::aws:kms/alias:Alias::{name}",
        type=rules.KMS_ALIAS,
        props={"name": f"alias/aisb-dev-{name}", "targetKeyId": target},
    )


def three_keys() -> list[rules.Res]:
    return [
        rules.Res(urn=f"urn:pulumi:dev::p::aws:kms/key:Key::{c}", type=rules.KMS_KEY, props={"keyId": f"k-{c}"})
        for c in rules.KEY_CLASSES
    ]


def test_kms_01_rule_passes_one_key_per_class() -> None:
    graph = three_keys() + [alias(c, f"k-{c}") for c in rules.KEY_CLASSES]
    assert statuses("kms-keys-per-class", graph) == {"KMS-01": ["pass"], "KMS-07": ["pass", "pass", "pass"]}


def test_kms_01_rule_fails_when_two_classes_share_a_key() -> None:
    graph = [*three_keys(), alias("data", "k-data"), alias("models", "k-data"), alias("logs", "k-logs")]
    result = statuses("kms-keys-per-class", graph)
    assert result["KMS-01"] == ["fail"]


def test_kms_07_rule_fails_a_key_without_alias() -> None:
    graph = [*three_keys(), alias("data", "k-data"), alias("logs", "k-logs")]
    assert statuses("kms-keys-per-class", graph)["KMS-07"] == ["pass", "fail", "pass"]


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
    only_rule = [r for r in rules.RULES if r.name == "gov-05-prod-protect"]
    stateful = ("aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:cloudtrail/trail:Trail")
    empty = type(graph)([r for r in graph if r.type not in stateful], stack="dev", project="p")
    findings = scan_rules(empty, only_rule)
    assert [(f.control, f.status) for f in findings] == [("GOV-05", "error")]


# ---- IAM -----------------------------------------------------------------------------------------------------

ROLE_URN = "urn:pulumi:dev::p::aws:iam/role:Role::trainer"
SERVICE_TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "SageMaker",
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ],
}


def role(**props: Any) -> rules.Res:
    base = {"assumeRolePolicy": json.dumps(SERVICE_TRUST), "permissionsBoundary": rules.UNKNOWN}
    return rules.Res(urn=ROLE_URN, type="aws:iam/role:Role", props={**base, **props}, provider_urn=PROVIDER_URN)


def test_iam_05_rule_accepts_a_boundary_unknown_until_apply_and_fails_a_missing_one() -> None:
    assert statuses("iam-role-boundary", [role()]) == {"IAM-05": ["pass"]}
    assert statuses("iam-role-boundary", [role(permissionsBoundary=None)]) == {"IAM-05": ["fail"]}


def test_iam_01_rule_fails_a_service_trust_without_source_account() -> None:
    bare = {**SERVICE_TRUST, "Statement": [{**SERVICE_TRUST["Statement"][0], "Condition": {}}]}
    assert statuses("iam-role-trust-conditioned", [role()]) == {"IAM-01": ["pass"]}
    assert statuses("iam-role-trust-conditioned", [role(assumeRolePolicy=json.dumps(bare))]) == {"IAM-01": ["fail"]}


def test_iam_01_rule_passes_the_cloudtrail_delivery_role_trust_without_source_conditions() -> None:
    trust = json.dumps(documents.trail_delivery_trust_policy())
    assert statuses("iam-role-trust-conditioned", [role(assumeRolePolicy=trust)]) == {"IAM-01": ["pass"]}


def test_iam_01_rule_fails_a_cloudtrail_trust_conditioned_on_source_keys_it_never_sends() -> None:
    """The shape CreateTrail refuses with InvalidCloudWatchLogsRoleArnException."""
    conditioned = {
        "Sid": "CloudTrailAssumeRole",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t"}},
    }
    trust = json.dumps({**SERVICE_TRUST, "Statement": [conditioned]})
    assert statuses("iam-role-trust-conditioned", [role(assumeRolePolicy=trust)]) == {"IAM-01": ["fail"]}


def test_iam_01_rule_keeps_the_unconditioned_trust_services_equal_to_the_builders() -> None:
    trust = documents.trail_delivery_trust_policy()["Statement"][0]
    assert UNCONDITIONED_TRUST_SERVICES == {trust["Principal"]["Service"]} == {documents.CLOUDTRAIL_SERVICE}


def test_iam_01_rule_fails_a_trust_of_everyone() -> None:
    anyone = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
    trust = json.dumps({**SERVICE_TRUST, "Statement": [anyone]})
    assert statuses("iam-role-trust-conditioned", [role(assumeRolePolicy=trust)]) == {"IAM-01": ["fail"]}


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/job-function/PowerUserAccess",
    ],
)
def test_iam_10_rule_fails_a_broad_aws_managed_policy(arn: str) -> None:
    attachment = rules.Res(
        urn="urn:pulumi:dev::p::aws:iam/rolePolicyAttachment:RolePolicyAttachment::a",
        type="aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        props={"role": "trainer", "policyArn": arn},
    )
    assert statuses("iam-no-managed-admin", [attachment]) == {"IAM-10": ["fail"]}
    assert statuses("iam-no-managed-admin", [role(managedPolicyArns=[arn])]) == {"IAM-10": ["fail"]}


def test_iam_10_rule_passes_a_role_without_managed_policies() -> None:
    assert statuses("iam-no-managed-admin", [role()]) == {"IAM-10": ["pass"]}

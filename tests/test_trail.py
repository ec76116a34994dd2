"""The audit trail on the rendered offline graph: one test per control (LOG-01…LOG-07), ordering, GOV-04/05."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import documents
from components.config import ConfigError, parse_config
from components.keys import AccountContext
from components.storage import design_waiver
from components.trail import ALARM_RULES, trail_event_selectors, trail_key_statements
from verify.engine.graph import Resource, ResourceGraph
from verify.engine.offline import OfflineRun, run_stack

ACCOUNT = "111122223333"
REGION = "eu-west-1"
ACCT = AccountContext(account_id=ACCOUNT, region=REGION, partition="aws")
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/aisb-dev-trail"
GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/cloudtrail"
ALARMS = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:aisb-dev-*"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:aisb-dev-security-alarms"

T_TRAIL = "aws:cloudtrail/trail:Trail"
T_BUCKET = "aws:s3/bucket:Bucket"
T_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
T_KEY = "aws:kms/key:Key"
T_GROUP = "aws:cloudwatch/logGroup:LogGroup"
T_ROLE = "aws:iam/role:Role"
T_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
T_TOPIC = "aws:sns/topic:Topic"
T_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
T_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
T_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
T_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
T_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
T_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
T_LOGGING = "aws:s3/bucketLogging:BucketLogging"


@pytest.fixture(scope="module")
def dev() -> OfflineRun:
    return run_stack("dev")


@pytest.fixture(scope="module")
def prod() -> OfflineRun:
    return run_stack("prod")


def _trail(graph: ResourceGraph) -> Resource:
    return graph.one(T_TRAIL, "aisb-dev-trail")


def _audit(graph: ResourceGraph, token: str) -> Resource:
    return graph.one(token, "aisb-dev-audit")


def _key_statements(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(graph.one(T_KEY, "keys-logs").inputs["policy"])["Statement"]}


def _logs_key_arn(graph: ResourceGraph) -> str:
    return str(graph.one(T_KEY, "keys-logs").outputs["arn"])


# ---- LOG-01 ------------------------------------------------------------------------------------------------------


def test_log_01_trail_is_multi_region_with_global_events_and_log_file_validation(dev: OfflineRun) -> None:
    inputs = _trail(dev.graph).inputs
    flags = ("isMultiRegionTrail", "includeGlobalServiceEvents", "enableLogFileValidation", "enableLogging")
    assert {k: inputs[k] for k in (*flags, "isOrganizationTrail", "name")} == {
        "isMultiRegionTrail": True,
        "includeGlobalServiceEvents": True,
        "enableLogFileValidation": True,
        "enableLogging": True,
        "isOrganizationTrail": False,
        "name": "aisb-dev-trail",
    }
    assert inputs["s3BucketName"] == _audit(dev.graph, T_BUCKET).outputs["bucket"]


# ---- LOG-02 ------------------------------------------------------------------------------------------------------


def test_log_02_trail_encrypted_with_the_logs_key(dev: OfflineRun) -> None:
    assert _trail(dev.graph).inputs["kmsKeyId"] == _logs_key_arn(dev.graph)


def test_log_02_logs_key_admits_cloudtrail_only_for_this_trail_and_context(dev: OfflineRun) -> None:
    """CloudTrail's documented form: aws:SourceArn = the trail (aws:SourceAccount is supported, not recommended)."""
    statements = _key_statements(dev.graph)
    assert [statements["CloudTrailEncryptLogs"], statements["CloudTrailDescribeKey"]] == [
        {
            "Sid": "CloudTrailEncryptLogs",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": TRAIL_ARN,
                    "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*",
                },
            },
        },
        {
            "Sid": "CloudTrailDescribeKey",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:SourceArn": TRAIL_ARN}},
        },
    ]


def test_log_02_key_statements_name_the_trail_arn_the_trail_gets(dev: OfflineRun) -> None:
    """The ARN is computed from config before the trail exists; it must be the one the trail ends up with."""
    pure = trail_key_statements(parse_config({}), ACCT)["logs"]
    assert pure[0]["Condition"]["ArnLike"]["aws:SourceArn"] == _trail(dev.graph).outputs["arn"] == TRAIL_ARN


# ---- LOG-03 ------------------------------------------------------------------------------------------------------


def test_log_03_archive_is_sse_kms_with_the_logs_key_versioned_private_and_acl_free(dev: OfflineRun) -> None:
    graph = dev.graph
    bucket_id = _audit(graph, T_BUCKET).id
    assert _audit(graph, T_SSE).inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": _logs_key_arn(graph)},
            "bucketKeyEnabled": False,
            "blockedEncryptionTypes": ["SSE-C"],
        }
    ]
    assert _audit(graph, T_VERSIONING).inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert _audit(graph, T_PAB).inputs == {
        "bucket": bucket_id,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    assert _audit(graph, T_OWNERSHIP).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_log_03_archive_has_no_bucket_key_so_cloudtrail_needs_no_decrypt_on_the_logs_key(dev: OfflineRun) -> None:
    """With an S3 Bucket Key on the archive, CloudTrail documents that CreateTrail needs kms:Decrypt on the key; the
    archive turns the bucket key off instead, and the exception is on record as a design waiver."""
    assert _audit(dev.graph, T_SSE).inputs["rules"][0]["bucketKeyEnabled"] is False
    assert "kms:Decrypt" not in {
        a for st in _key_statements(dev.graph).values() if "cloudtrail" in str(st["Principal"]) for a in st["Action"]
    }
    assert "kms:Decrypt" in design_waiver("S3-03", "audit").reason


def test_log_03_archive_has_object_lock_governance_365_days_by_default(dev: OfflineRun) -> None:
    assert _audit(dev.graph, T_BUCKET).inputs["objectLockEnabled"] is True
    assert _audit(dev.graph, T_LOCK).inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}


def test_log_03_archive_policy_is_exactly_the_cloudtrail_grants_no_deletion_and_the_guardrails(
    dev: OfflineRun,
) -> None:
    arn = str(_audit(dev.graph, T_BUCKET).outputs["arn"])
    key = _logs_key_arn(dev.graph)
    everything = [arn, f"{arn}/*"]
    trail_source = {"aws:SourceArn": TRAIL_ARN, "aws:SourceAccount": ACCOUNT}
    sse = "s3:x-amz-server-side-encryption"
    assert json.loads(_audit(dev.graph, T_POLICY).inputs["policy"]) == {
        "Version": "2012-10-17",
        "Id": "ai-security-baseline-bucket-policy",
        "Statement": [
            {
                "Sid": "AllowCloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn,
                "Condition": {"StringEquals": trail_source},
            },
            {
                "Sid": "AllowCloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **trail_source}},
            },
            {
                "Sid": "DenyAuditLogDeletion",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectVersion"],
                "Resource": f"{arn}/*",
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*"],
                "Resource": everything,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyOutdatedTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*"],
                "Resource": everything,
                "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
            },
            {
                "Sid": "DenyUnexpectedEncryptionHeader",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {
                    "StringNotEquals": {sse: "aws:kms", "aws:PrincipalServiceName": "cloudtrail.amazonaws.com"},
                    "Null": {sse: "false"},
                },
            },
            {
                "Sid": "DenyForeignKmsKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {
                    "StringNotEquals": {f"{sse}-aws-kms-key-id": key},
                    "Null": {f"{sse}-aws-kms-key-id": "false"},
                },
            },
            {
                "Sid": "DenyKmsWithoutKeyId",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {
                    "StringEquals": {sse: "aws:kms"},
                    "Null": {f"{sse}-aws-kms-key-id": "true"},
                },
            },
            {
                "Sid": "DenySseCUploads",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:PutObject"],
                "Resource": [f"{arn}/*"],
                "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}},
            },
            {
                "Sid": "DenyPrincipalsOutsideAccount",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:*"],
                "Resource": everything,
                "Condition": {
                    "StringNotEquals": {"aws:PrincipalAccount": ACCOUNT},
                    "Bool": {"aws:PrincipalIsAWSService": "false"},
                },
            },
        ],
    }


def test_log_03_cloudtrail_writes_with_the_bucket_key_so_the_foreign_key_deny_spares_it(dev: OfflineRun) -> None:
    """S3-06 denies a KMS key other than the bucket's: the trail's key must be that very key (same ARN)."""
    sse = _audit(dev.graph, T_SSE).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert _trail(dev.graph).inputs["kmsKeyId"] == sse["kmsMasterKeyId"]


def test_log_03_archive_access_logs_go_to_the_access_log_bucket(dev: OfflineRun) -> None:
    logging = _audit(dev.graph, T_LOGGING)
    assert (logging.inputs["targetBucket"], logging.inputs["targetPrefix"]) == (
        dev.graph.one(T_BUCKET, "aisb-dev-access-logs").outputs["bucket"],
        "audit/",
    )


def test_log_03_archive_bucket_name_comes_from_config() -> None:
    run = run_stack("dev", overrides={"baseline:storage": {"bucketNames": {"audit": "acme-audit-archive"}}})
    assert run.graph.one(T_BUCKET, "aisb-dev-audit").inputs["bucket"] == "acme-audit-archive"
    assert run.exports["auditBucketName"] == "acme-audit-archive"


# ---- LOG-04 ------------------------------------------------------------------------------------------------------


def test_log_04_trail_delivers_to_an_encrypted_retained_log_group(dev: OfflineRun) -> None:
    group = dev.graph.one(T_GROUP, "aisb-dev-cloudtrail")
    assert {k: group.inputs[k] for k in ("name", "kmsKeyId", "retentionInDays")} == {
        "name": "/aisb/dev/cloudtrail",
        "kmsKeyId": _logs_key_arn(dev.graph),
        "retentionInDays": 365,
    }
    trail = _trail(dev.graph).inputs
    assert trail["cloudWatchLogsGroupArn"] == f"{GROUP_ARN}:*"
    assert trail["cloudWatchLogsRoleArn"] == dev.graph.one(T_ROLE, "aisb-dev-cloudtrail-logs").outputs["arn"]


def test_log_04_logs_key_admits_cloudwatch_logs_only_for_the_trail_group(dev: OfflineRun) -> None:
    assert _key_statements(dev.graph)["LogsEncryptCloudTrailGroup"] == {
        "Sid": "LogsEncryptCloudTrailGroup",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
        "Action": list(documents.LOGS_KEY_ACTIONS),
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": GROUP_ARN}},
    }


def test_log_04_delivery_role_trust_has_no_source_conditions_as_cloudtrail_requires(dev: OfflineRun) -> None:
    """CloudTrail sends no aws:SourceArn/aws:SourceAccount when it assumes this role: with either, CreateTrail fails
    with InvalidCloudWatchLogsRoleArnException. PassRole on the role is what keeps other accounts out."""
    role = dev.graph.one(T_ROLE, "aisb-dev-cloudtrail-logs")
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudTrailAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def test_log_04_delivery_role_writes_only_the_trail_groups_streams(dev: OfflineRun) -> None:
    policy = dev.graph.one(T_ROLE_POLICY, "aisb-dev-cloudtrail-logs")
    assert policy.inputs["role"] == dev.graph.one(T_ROLE, "aisb-dev-cloudtrail-logs").id
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteTrailLogStreams",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{GROUP_ARN}:log-stream:*",
            }
        ],
    }


# ---- LOG-05 ------------------------------------------------------------------------------------------------------


def test_log_05_data_events_for_exactly_raw_curated_models(dev: OfflineRun) -> None:
    arns = sorted(str(dev.graph.one(T_BUCKET, f"aisb-dev-{c}").outputs["arn"]) for c in ("raw", "curated", "models"))
    assert _trail(dev.graph).inputs["advancedEventSelectors"] == [
        {"name": "Management events", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]},
        {
            "name": "S3 data events of the training data and model buckets",
            "fieldSelectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "startsWiths": [f"{a}/" for a in arns]},
            ],
        },
    ]


def test_log_05_selectors_refuse_an_empty_bucket_list() -> None:
    """No bucket would mean no data-event selector narrowing at all; refuse instead."""
    with pytest.raises(ValueError, match="at least one data bucket"):
        trail_event_selectors([])


# ---- LOG-06 ------------------------------------------------------------------------------------------------------


def test_log_06_one_metric_filter_and_alarm_per_rule_notifying_the_topic(dev: OfflineRun) -> None:
    graph = dev.graph
    topic_arn = graph.one(T_TOPIC, "aisb-dev-security-alarms").outputs["arn"]
    namespace = "AiSecurityBaseline/aisb-dev"
    assert len(graph.by_type(T_FILTER)) == len(graph.by_type(T_ALARM)) == len(ALARM_RULES) == 7
    for rule in ALARM_RULES:
        metric_filter = graph.one(T_FILTER, f"aisb-dev-{rule.key}")
        alarm = graph.one(T_ALARM, f"aisb-dev-{rule.key}")
        assert (metric_filter.inputs["logGroupName"], metric_filter.inputs["pattern"]) == (
            "/aisb/dev/cloudtrail",
            rule.pattern,
        )
        assert metric_filter.inputs["metricTransformation"] == {
            "name": rule.metric,
            "namespace": namespace,
            "value": "1",
        }
        expected = {
            "namespace": namespace,
            "metricName": rule.metric,
            "statistic": "Sum",
            "threshold": 1,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "evaluationPeriods": 1,
            "alarmActions": [topic_arn],
        }
        assert {k: alarm.inputs[k] for k in expected} == expected


def test_log_06_rules_cover_every_required_detection() -> None:
    patterns = {rule.key: rule.pattern for rule in ALARM_RULES}
    required = {
        "trail-changes": ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"),
        "kms-key-disabled-or-deleted": ("DisableKey", "ScheduleKeyDeletion"),
        "bucket-policy-changes": ("PutBucketPolicy", "DeleteBucketPolicy"),
        "vpc-endpoint-policy-changes": ("ModifyVpcEndpoint",),
        "iam-policy-changes": ("PutRolePolicy", "AttachRolePolicy", "CreatePolicyVersion"),
        "unauthorized-api-calls": ('"*UnauthorizedOperation"', '"AccessDenied*"'),
        "root-usage": ('$.userIdentity.type = "Root"',),
    }
    assert sorted(patterns) == sorted(required)
    for key, needles in required.items():
        missing = [n for n in needles if n not in patterns[key]]
        assert not missing, f"{key} misses {missing}"


def test_log_06_topic_encrypted_with_the_logs_key_and_policy_exact(dev: OfflineRun) -> None:
    topic = dev.graph.one(T_TOPIC, "aisb-dev-security-alarms")
    assert topic.inputs["kmsMasterKeyId"] == _logs_key_arn(dev.graph)
    policy = dev.graph.one(T_TOPIC_POLICY, "aisb-dev-security-alarms")
    assert policy.inputs["arn"] == TOPIC_ARN
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Id": "ai-security-baseline-alarm-topic",
        "Statement": [
            {
                "Sid": "AllowCloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": TOPIC_ARN,
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": ALARMS}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": TOPIC_ARN,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def test_log_06_logs_key_admits_cloudwatch_alarms_only_for_this_stacks_topic(dev: OfflineRun) -> None:
    """Bound by the topic's encryption context, which holds whether or not CloudWatch sends aws:SourceArn."""
    assert _key_statements(dev.graph)["CloudWatchAlarmsPublishEncrypted"] == {
        "Sid": "CloudWatchAlarmsPublishEncrypted",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": TOPIC_ARN}},
    }


def test_log_06_every_alarm_name_matches_the_key_and_topic_source_arn_pattern(dev: OfflineRun) -> None:
    assert {a.inputs["name"].startswith("aisb-dev-") for a in dev.graph.by_type(T_ALARM)} == {True}


# ---- LOG-07 ------------------------------------------------------------------------------------------------------


def test_log_07_retention_follows_config_in_group_and_archive_lock(prod: OfflineRun) -> None:
    group = prod.graph.one(T_GROUP, "aisb-prod-cloudtrail")
    lock = prod.graph.one(T_LOCK, "aisb-prod-audit")
    assert (group.inputs["retentionInDays"], lock.inputs["rule"]["defaultRetention"]["days"]) == (2557, 2557)


def test_log_07_archive_lock_below_365_days_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"baseline:logging\.archiveLock\.days = 200: below 365"):
        parse_config({"logging": {"archiveLock": {"days": 200}}})


def test_log_07_archive_lock_may_go_to_180_days_only_with_the_relaxation() -> None:
    cfg = parse_config(
        {"logging": {"retentionDays": 180, "archiveLock": {"days": 180}}, "relaxations": {"shortLogRetention": True}}
    )
    assert cfg.logging.archive_lock.days == 180
    with pytest.raises(ConfigError, match=r"baseline:logging\.archiveLock\.days = 179: below 180"):
        parse_config({"logging": {"archiveLock": {"days": 179}}, "relaxations": {"shortLogRetention": True}})


# ---- ordering (DESIGN.md real-AWS rules) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "name"),
    [
        (T_POLICY, "aisb-dev-audit"),
        (T_KEY, "keys-logs"),
        (T_GROUP, "aisb-dev-cloudtrail"),
        (T_ROLE, "aisb-dev-cloudtrail-logs"),
        (T_ROLE_POLICY, "aisb-dev-cloudtrail-logs"),
        (T_SSE, "aisb-dev-audit"),
        (T_VERSIONING, "aisb-dev-audit"),
        (T_LOCK, "aisb-dev-audit"),
    ],
)
def test_log_03_trail_is_created_after_what_cloudtrail_checks_and_the_archive_guards(
    dev: OfflineRun, token: str, name: str
) -> None:
    assert dev.graph.one(token, name).urn in _trail(dev.graph).dependencies


# ---- GOV-04 / GOV-05 ---------------------------------------------------------------------------------------------


def test_gov_04_outputs_name_the_trail_archive_group_and_topic(dev: OfflineRun) -> None:
    bucket = _audit(dev.graph, T_BUCKET)
    assert {k: dev.exports[k] for k in ("trailArn", "trailName", "auditBucketName", "auditBucketArn")} == {
        "trailArn": TRAIL_ARN,
        "trailName": "aisb-dev-trail",
        "auditBucketName": bucket.outputs["bucket"],
        "auditBucketArn": bucket.outputs["arn"],
    }
    assert (dev.exports["trailLogGroupName"], dev.exports["alarmTopicArn"]) == ("/aisb/dev/cloudtrail", TOPIC_ARN)


def test_gov_05_prod_archive_is_compliance_locked(prod: OfflineRun) -> None:
    assert prod.graph.one(T_LOCK, "aisb-prod-audit").inputs["rule"]["defaultRetention"]["mode"] == "COMPLIANCE"


@pytest.mark.parametrize(
    ("token", "name"),
    [(T_TRAIL, "aisb-prod-trail"), (T_BUCKET, "aisb-prod-audit"), (T_GROUP, "aisb-prod-cloudtrail")],
)
def test_gov_05_prod_trail_archive_and_group_are_protected_and_retained(
    prod: OfflineRun, token: str, name: str
) -> None:
    resource = prod.graph.one(token, name)
    assert (resource.protect, resource.retain_on_delete) == (True, True)


def test_gov_05_dev_trail_is_retained_but_not_protected(dev: OfflineRun) -> None:
    trail = _trail(dev.graph)
    assert (trail.protect, trail.retain_on_delete) == (False, True)

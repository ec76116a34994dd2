"""Handlers for types the dev graph does not use yet (identity, audit): a small program deployed into moto,
read back through boto3 and the live audit."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from ai_security_baseline.components import documents
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.iam.common import TAMPERING_DENIALS
from ai_security_baseline.verify.checkers.audit.core import CHECKS, AuditContext, run_checks
from ai_security_baseline.verify.demo import moto_session
from ai_security_baseline.verify.emulator.deploy import MotoMocks
from ai_security_baseline.verify.emulator.server import MotoServer
from ai_security_baseline.verify.engine.offline import OfflineRun, run_program
from ai_security_baseline.verify.findings.finding import Finding
from tests.moto_support import client


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ACCOUNT = "123456789012"
TRAIL_ARN = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/aisb-trail"
GROUP_ARN = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aisb/test/trail"
TRUST = json.dumps(documents.trail_delivery_trust_policy())
#: What CreateTrail and CreateLogGroup check in AWS (and in the moto preflight): CloudTrail and Logs on the key.
KEY_POLICY = json.dumps(
    documents.key_policy(
        partition="aws",
        account_id=ACCOUNT,
        statements=[
            *documents.cloudtrail_key_statements(partition="aws", account_id=ACCOUNT, trail=TRAIL_ARN),
            documents.logs_key_statement("Logs", region="eu-west-1", group_arn=GROUP_ARN),
        ],
    )
)
TRAIL_BUCKET_POLICY = json.dumps(
    documents.finish_document(
        documents.cloudtrail_bucket_statements("arn:aws:s3:::aisb-test-trail", account_id=ACCOUNT, trail=TRAIL_ARN)
    )
)


def audit_program() -> None:
    """A trail with CloudWatch delivery, an alarm chain, and a bounded role with managed + inline policies."""
    key = aws.kms.Key("logs", policy=KEY_POLICY, enable_key_rotation=True)
    data = aws.s3.Bucket("data", bucket="aisb-test-data")
    trail_bucket = aws.s3.Bucket("trail", bucket="aisb-test-trail", object_lock_enabled=True)
    trail_policy = aws.s3.BucketPolicy("trail", bucket=trail_bucket.id, policy=TRAIL_BUCKET_POLICY)
    group = aws.cloudwatch.LogGroup("trail", name="/aisb/test/trail", retention_in_days=400, kms_key_id=key.arn)
    boundary = aws.iam.Policy(
        "boundary",
        name="aisb-boundary",
        policy=_doc(
            {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
            *(
                {"Sid": sid, "Effect": "Deny", "Action": list(actions), "Resource": "*"}
                for sid, actions in TAMPERING_DENIALS.items()
            ),
        ),
    )
    role = aws.iam.Role("trail", name="aisb-trail", assume_role_policy=TRUST, permissions_boundary=boundary.arn)
    writer = aws.iam.Policy(
        "writer",
        name="aisb-trail-writer",
        policy=_doc({"Sid": "Write", "Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}),
    )
    aws.iam.RolePolicyAttachment("writer", role=role.name, policy_arn=writer.arn)
    inline = aws.iam.RolePolicy(
        "streams",
        role=role.name,
        name="streams",
        policy=_doc({"Sid": "Streams", "Effect": "Allow", "Action": ["logs:CreateLogStream"], "Resource": "*"}),
    )
    aws.iam.RolePoliciesExclusive(
        "only-streams", role_name=role.name, policy_names=["streams"], opts=pulumi.ResourceOptions(depends_on=[inline])
    )
    topic = aws.sns.Topic("alarms", name="aisb-alarms", kms_master_key_id=key.arn)
    aws.sns.TopicPolicy(
        "alarms",
        arn=topic.arn,
        policy=topic.arn.apply(
            lambda arn: _doc(
                {
                    "Sid": "CloudWatchPublishes",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": arn,
                }
            )
        ),
    )
    aws.cloudwatch.LogMetricFilter(
        "root-use",
        name="root-use",
        log_group_name=group.name,
        pattern='{ $.userIdentity.type = "Root" }',
        metric_transformation={"name": "RootUse", "namespace": "AISB", "value": "1"},
    )
    aws.cloudwatch.MetricAlarm(
        "root-use",
        name="root-use",
        comparison_operator="GreaterThanOrEqualToThreshold",
        evaluation_periods=1,
        metric_name="RootUse",
        namespace="AISB",
        period=300,
        statistic="Sum",
        threshold=1,
        alarm_actions=[topic.arn],
    )
    trail = aws.cloudtrail.Trail(
        "trail",
        name="aisb-trail",
        s3_bucket_name=trail_bucket.bucket,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        kms_key_id=key.arn,
        cloud_watch_logs_group_arn=group.arn.apply(lambda arn: f"{arn}:*"),
        cloud_watch_logs_role_arn=role.arn,
        opts=pulumi.ResourceOptions(depends_on=[trail_policy]),
        advanced_event_selectors=[
            {
                "name": vocabulary.MANAGEMENT_EVENTS_SELECTOR,
                "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
            },
            {
                "name": "data events",
                "field_selectors": [
                    {"field": "eventCategory", "equals": ["Data"]},
                    {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                    {"field": "resources.ARN", "starts_withs": [data.arn.apply(lambda a: f"{a}/")]},
                ],
            },
        ],
    )
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.9.0.0/16")
    group_sg = aws.ec2.SecurityGroup("sg", name="aisb-test-sg", vpc_id=vpc.id, description="test")
    aws.vpc.SecurityGroupEgressRule(
        "https-out",
        security_group_id=group_sg.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4="10.9.0.0/16",
    )
    pulumi.export("trailArn", trail.arn)
    pulumi.export("trailLogGroupName", group.name)
    pulumi.export("alarmTopicArn", topic.arn)
    pulumi.export("logsKeyArn", key.arn)
    pulumi.export("roleArns", {"trail": role.arn})
    pulumi.export("boundaryArn", boundary.arn)
    pulumi.export("securityGroupId", group_sg.id)
    for bucket_class in ("raw", "curated", "models"):
        pulumi.export(f"{bucket_class}BucketArn", data.arn)


@pytest.fixture(scope="module")
def deployed(moto_server: MotoServer) -> OfflineRun:
    moto_server.reset()
    mocks = MotoMocks(moto_server.endpoint_url, moto_server.region)
    run = run_program(audit_program, config={"aws:region": moto_server.region}, mocks=mocks)
    mocks.finish()
    return run


def audit(server: MotoServer, run: OfflineRun, *controls: str) -> dict[str, Finding]:
    ctx = AuditContext(run.exports, server.region, server.endpoint_url, session=moto_session(server))
    return {f.control: f for f in run_checks(ctx, [c for c in CHECKS if c.control in controls])}


def test_log_01_trail_is_multi_region_validated_and_logging(deployed: OfflineRun, moto_server: MotoServer) -> None:
    assert audit(moto_server, deployed, "LOG-01")["LOG-01"].status == "pass"


def test_log_02_trail_reads_back_encrypted_with_the_logs_key(deployed: OfflineRun, moto_server: MotoServer) -> None:
    assert audit(moto_server, deployed, "LOG-02")["LOG-02"].status == "pass"


def test_log_04_trail_delivers_to_the_encrypted_retained_group(deployed: OfflineRun, moto_server: MotoServer) -> None:
    assert audit(moto_server, deployed, "LOG-04")["LOG-04"].status == "pass"


def test_log_05_advanced_event_selectors_read_back(deployed: OfflineRun, moto_server: MotoServer) -> None:
    assert audit(moto_server, deployed, "LOG-05")["LOG-05"].status == "pass"


def test_log_06_metric_filter_alarm_and_encrypted_topic_read_back(
    deployed: OfflineRun, moto_server: MotoServer
) -> None:
    assert audit(moto_server, deployed, "LOG-06")["LOG-06"].status == "pass"


def test_log_07_audit_group_retention_reads_back(deployed: OfflineRun, moto_server: MotoServer) -> None:
    assert audit(moto_server, deployed, "LOG-07")["LOG-07"].status == "pass"


def test_iam_05_role_carries_its_permissions_boundary(deployed: OfflineRun, moto_server: MotoServer) -> None:
    role = client(moto_server, "iam").get_role(RoleName="aisb-trail")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == deployed.exports["boundaryArn"]
    assert audit(moto_server, deployed, "IAM-05")["IAM-05"].status == "pass"


def test_iam_managed_policy_is_attached_to_the_role(moto_server: MotoServer, deployed: OfflineRun) -> None:
    attached = client(moto_server, "iam").list_attached_role_policies(RoleName="aisb-trail")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["aisb-trail-writer"]


def test_iam_role_policies_exclusive_keeps_only_the_listed_inline_policy(
    moto_server: MotoServer, deployed: OfflineRun
) -> None:
    assert client(moto_server, "iam").list_role_policies(RoleName="aisb-trail")["PolicyNames"] == ["streams"]


def test_sns_topic_policy_reads_back(moto_server: MotoServer, deployed: OfflineRun) -> None:
    attributes = client(moto_server, "sns").get_topic_attributes(TopicArn=deployed.exports["alarmTopicArn"])[
        "Attributes"
    ]
    assert [s["Sid"] for s in json.loads(attributes["Policy"])["Statement"]] == ["CloudWatchPublishes"]


def test_security_group_egress_rule_replaces_the_default_allow_all(
    moto_server: MotoServer, deployed: OfflineRun
) -> None:
    group = client(moto_server, "ec2").describe_security_groups(GroupIds=[deployed.exports["securityGroupId"]])
    egress = group["SecurityGroups"][0]["IpPermissionsEgress"]
    assert [(p["IpProtocol"], p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in egress] == [
        ("tcp", 443, ["10.9.0.0/16"])
    ]


def test_trail_created_twice_is_refused_not_overwritten(moto_server: MotoServer, deployed: OfflineRun) -> None:
    mocks = MotoMocks(moto_server.endpoint_url, moto_server.region)
    inputs = {"name": "aisb-trail", "s3BucketName": "aisb-test-trail"}
    args = pulumi.runtime.MockResourceArgs("aws:cloudtrail/trail:Trail", "again", inputs, "", "", True)
    with pytest.raises(Exception, match="already exists"):
        mocks.new_resource(args)
    trail = client(moto_server, "cloudtrail").get_trail(Name="aisb-trail")["Trail"]
    assert trail["IsMultiRegionTrail"] is True


def test_moto_launcher_stores_and_reports_the_rotation_period(moto_server: MotoServer) -> None:
    kms = client(moto_server, "kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)
    assert kms.get_key_rotation_status(KeyId=key_id)["RotationPeriodInDays"] == 180
    kms.disable_key_rotation(KeyId=key_id)
    assert "RotationPeriodInDays" not in kms.get_key_rotation_status(KeyId=key_id)

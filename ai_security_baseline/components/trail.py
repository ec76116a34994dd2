"""The audit trail: CloudTrail, its locked archive bucket, CloudWatch Logs delivery and CIS alarms (LOG-01…LOG-07).

Physical names (trail, log group, topic, alarms) derive from the config, so the logs key policy can name them before
anything exists (``trail_key_statements``): no keys<->audit cycle. CloudTrail checks the bucket policy, the key
policy, the log group and the delivery role when the trail is created, so the trail depends on all of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.archive import ArchiveArgs, archive_guards
from ai_security_baseline.components.config import BaselineConfig
from ai_security_baseline.components.delivery import LogDelivery, deliver_logs, group_arn, stack_log_group_name
from ai_security_baseline.components.finding_routing import finding_rule_arns
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.storage import SecureBucket
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.vocabulary import (
    ALARM_TOPIC_OUTPUT,
    TRAIL_LOG_GROUP_OUTPUT,
    TRAIL_OUTPUT,
    bucket_output,
)

AUDIT_BUCKET_CLASS = "audit"
#: Alarms count matches over 5 minutes; one match is an alarm.
ALARM_PERIOD_SECONDS = 300


def trail_name(name_prefix: str) -> str:
    """Physical trail name, known up front (the key, bucket and role policies name the trail's ARN)."""
    return f"{name_prefix}-trail"


def trail_log_group_name(config: BaselineConfig) -> str:
    """Physical name of the trail's CloudWatch Logs group (LOG-04)."""
    return stack_log_group_name(config.prefix, config.environment, "cloudtrail")


def trail_delivery(name_prefix: str, account: AccountContext, group_name: str) -> LogDelivery:
    """LOG-04: CloudTrail writes the streams of the trail's group through the delivery role."""
    return LogDelivery(
        group_name=group_name,
        role_name=f"{name_prefix}-cloudtrail-logs",
        description="Delivers CloudTrail events to the baseline's encrypted log group",
        trust=documents.trail_delivery_trust_policy(),
        policy_name="deliver-cloudtrail-events",
        grants=documents.trail_delivery_policy(group_arn(account, group_name)),
    )


def alarm_topic_name(name_prefix: str) -> str:
    """Physical name of the SNS topic the security alarms notify (LOG-06)."""
    return f"{name_prefix}-security-alarms"


def metric_namespace(name_prefix: str) -> str:
    """CloudWatch namespace of the baseline's security metrics."""
    return f"AiSecurityBaseline/{name_prefix}"


@dataclass(frozen=True)
class AlarmRule:
    """One CIS-style detection: a metric filter pattern on the trail's log group and the alarm on its metric."""

    key: str
    metric: str
    description: str
    pattern: str
    #: The CIS AWS Foundations Benchmark monitoring item this detection implements; "" for the baseline's own.
    cis: str


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {n})" for n in names)


#: LOG-06 detections as data: the monitoring items 4.1-4.15 of the CIS AWS Foundations Benchmark v3.0.0 (their
#: patterns), and one of the baseline's own. The CIS ids LOG-06 claims in its control.json are exactly the ``cis``
#: values here (a test).
ALARM_RULES: tuple[AlarmRule, ...] = (
    AlarmRule(
        "trail-changes",
        "CloudTrailChanges",
        "CloudTrail stopped, deleted or reconfigured",
        "{ "
        + _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging", "PutEventSelectors")
        + " }",
        "4.5",
    ),
    AlarmRule(
        "kms-key-disabled-or-deleted",
        "KmsKeyDisabledOrScheduledForDeletion",
        "A customer-managed KMS key was disabled or scheduled for deletion",
        "{ ($.eventSource = kms.amazonaws.com) && (" + _any_event("DisableKey", "ScheduleKeyDeletion") + ") }",
        "4.7",
    ),
    AlarmRule(
        "bucket-policy-changes",
        "S3BucketPolicyChanges",
        "An S3 bucket policy, ACL, CORS, lifecycle or replication configuration changed",
        "{ ($.eventSource = s3.amazonaws.com) && ("
        + _any_event(
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        )
        + ") }",
        "4.8",
    ),
    AlarmRule(
        "vpc-endpoint-policy-changes",
        "VpcEndpointChanges",
        "A VPC endpoint (and its policy) was modified or deleted",
        "{ ($.eventSource = ec2.amazonaws.com) && (" + _any_event("ModifyVpcEndpoint", "DeleteVpcEndpoints") + ") }",
        "",  # CIS 4.14 is VPC changes (CreateVpc, peering ...); endpoint policies are this baseline's perimeter
    ),
    AlarmRule(
        "iam-policy-changes",
        "IamPolicyChanges",
        "An IAM policy was created, changed, attached or detached",
        "{ "
        + _any_event(
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        )
        + " }",
        "4.4",
    ),
    AlarmRule(
        "unauthorized-api-calls",
        "UnauthorizedApiCalls",
        "API calls were refused as unauthorized",
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '(($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket")) }',
        "4.1",
    ),
    AlarmRule(
        "console-sign-in-without-mfa",
        "ConsoleSignInWithoutMfa",
        "An IAM user signed in to the console without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        "4.2",
    ),
    AlarmRule(
        "console-authentication-failures",
        "ConsoleAuthenticationFailures",
        "A console sign-in failed authentication",
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        "4.6",
    ),
    AlarmRule(
        "config-changes",
        "ConfigChanges",
        "AWS Config recording or delivery was stopped or changed",
        "{ ($.eventSource = config.amazonaws.com) && ("
        + _any_event(
            "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"
        )
        + ") }",
        "4.9",
    ),
    AlarmRule(
        "security-group-changes",
        "SecurityGroupChanges",
        "A security group or one of its rules was created, changed or deleted",
        "{ "
        + _any_event(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        )
        + " }",
        "4.10",
    ),
    AlarmRule(
        "nacl-changes",
        "NetworkAclChanges",
        "A network ACL, one of its entries or an association changed",
        "{ "
        + _any_event(
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        )
        + " }",
        "4.11",
    ),
    AlarmRule(
        "network-gateway-changes",
        "NetworkGatewayChanges",
        "An internet or customer gateway was created, attached, detached or deleted",
        "{ "
        + _any_event(
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        )
        + " }",
        "4.12",
    ),
    AlarmRule(
        "route-table-changes",
        "RouteTableChanges",
        "A route or route table was created, replaced, disassociated or deleted",
        "{ ($.eventSource = ec2.amazonaws.com) && ("
        + _any_event(
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        )
        + ") }",
        "4.13",
    ),
    AlarmRule(
        "vpc-changes",
        "VpcChanges",
        "A VPC, its attributes or a peering connection changed",
        "{ "
        + _any_event(
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        )
        + " }",
        "4.14",
    ),
    AlarmRule(
        "organizations-changes",
        "OrganizationsChanges",
        "The AWS Organization, its accounts, units or policies changed",
        "{ ($.eventSource = organizations.amazonaws.com) && ("
        + _any_event(
            "AcceptHandshake",
            "AttachPolicy",
            "CreateAccount",
            "CreateOrganizationalUnit",
            "CreatePolicy",
            "DeclineHandshake",
            "DeleteOrganization",
            "DeleteOrganizationalUnit",
            "DeletePolicy",
            "DetachPolicy",
            "DisablePolicyType",
            "EnablePolicyType",
            "InviteAccountToOrganization",
            "LeaveOrganization",
            "MoveAccount",
            "RemoveAccountFromOrganization",
            "UpdatePolicy",
            "UpdateOrganizationalUnit",
        )
        + ") }",
        "4.15",
    ),
    AlarmRule(
        "root-usage",
        "RootAccountUsage",
        "The account root user was used",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        "4.3",
    ),
)


def _bedrock_event(*names: str) -> str:
    return "{ ($.eventSource = bedrock.amazonaws.com) && (" + _any_event(*names) + ") }"


#: AI-01 detections, on the same trail group and topic as LOG-06 when Bedrock is on: the Bedrock control-plane calls
#: that switch off its evidence or its safeguards. Event names are operations of the Bedrock API (botocore's service
#: model, a test), recorded as management events of ``bedrock.amazonaws.com``
#: (https://docs.aws.amazon.com/bedrock/latest/userguide/logging-using-cloudtrail.html).
BEDROCK_ALARM_RULES: tuple[AlarmRule, ...] = (
    AlarmRule(
        "bedrock-logging-changes",
        "BedrockInvocationLoggingChanges",
        "Bedrock model invocation logging was changed or deleted",
        _bedrock_event("PutModelInvocationLoggingConfiguration", "DeleteModelInvocationLoggingConfiguration"),
        "",
    ),
    AlarmRule(
        "bedrock-guardrail-changes",
        "BedrockGuardrailChanges",
        "A Bedrock guardrail, its versions or the account's enforced guardrail changed",
        _bedrock_event(
            "CreateGuardrail",
            "UpdateGuardrail",
            "DeleteGuardrail",
            "CreateGuardrailVersion",
            "PutEnforcedGuardrailConfiguration",
            "DeleteEnforcedGuardrailConfiguration",
        ),
        "",
    ),
    AlarmRule(
        "bedrock-model-access-changes",
        "BedrockModelAccessChanges",
        "Access to a Bedrock foundation model was granted or withdrawn",
        _bedrock_event("CreateFoundationModelAgreement", "DeleteFoundationModelAgreement", "PutUseCaseForModelAccess"),
        "",
    ),
)


def alarm_rules(bedrock: bool) -> tuple[AlarmRule, ...]:
    """The detections a stack alarms on: LOG-06's, and AI-01's when Bedrock is on."""
    return ALARM_RULES + (BEDROCK_ALARM_RULES if bedrock else ())


def trail_key_statements(config: BaselineConfig, account: AccountContext) -> dict[str, list[documents.Statement]]:
    """Logs-key statements the audit trail needs, from names known before the key exists (LOG-02, LOG-04, LOG-06).

    CloudTrail (our trail only), CloudWatch Logs (the trail's group only), CloudWatch alarms and EventBridge finding
    rules (the encrypted topic only).
    """
    p, region, acct = account.partition, account.region, account.account_id
    trail = documents.trail_arn(p, region, acct, trail_name(config.name_prefix))
    group = documents.log_group_arn(p, region, acct, trail_log_group_name(config))
    topic = documents.sns_topic_arn(p, region, acct, alarm_topic_name(config.name_prefix))
    return {
        "logs": [
            *documents.cloudtrail_key_statements(partition=p, account_id=acct, trail=trail),
            documents.logs_key_statement("LogsEncryptCloudTrailGroup", region=region, group_arn=group),
            documents.alarm_topic_key_statement(topic_arn=topic),
            documents.events_topic_key_statement(topic_arn=topic),  # DET-07: finding rules publish to it too
        ]
    }


#: PutEventSelectors refuses more than 500 values across all conditions of a trail's advanced selectors
#: (InvalidEventSelectorsException, https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html);
#: the provider sends the whole list on every change, so the limit holds for the list as built.
MAX_SELECTOR_VALUES = 500


def bedrock_selector_name(resource_type: str) -> str:
    """``Bedrock data events AgentAlias``: one selector per type (a trail selector takes one ``resources.type``)."""
    return f"Bedrock data events {resource_type.rsplit('::', 1)[-1]}"


def bedrock_event_selectors() -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict]:
    """AI-01: reads and writes of every Bedrock data-event resource type, in any resource of the account."""
    return [
        {
            "name": bedrock_selector_name(resource_type),
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": [resource_type]},
            ],
        }
        for resource_type in vocabulary.BEDROCK_DATA_EVENT_TYPES
    ]


def selector_values(selectors: Sequence[Mapping[str, Any]]) -> int:
    """The values CloudTrail counts against ``MAX_SELECTOR_VALUES``: every value of every field condition."""
    operators = ("equals", "not_equals", "starts_withs", "not_starts_withs", "ends_withs", "not_ends_withs")
    fields: list[Mapping[str, Any]] = [f for s in selectors for f in s["field_selectors"]]
    return sum(len(f.get(op) or []) for f in fields for op in operators)


def trail_event_selectors(
    data_bucket_arns: Sequence[str], *, bedrock: bool = False
) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict]:
    """LOG-05: all management events, and S3 object reads and writes in exactly the given buckets; AI-01: with
    ``bedrock``, the Bedrock data events too.

    The management selector carries the name the CloudTrail console gives it (``Management events selector``), which
    reviewers and scanners look for. No ``readOnly`` selector means both reads and writes; ``resources.ARN``
    StartsWith ``<bucket ARN>/`` scopes the data events to those buckets' objects, not every bucket in the account.
    """
    if not data_bucket_arns:
        raise ValueError("trail_event_selectors: needs at least one data bucket ARN")
    selectors = _core_selectors(data_bucket_arns) + (bedrock_event_selectors() if bedrock else [])
    if selector_values(selectors) > MAX_SELECTOR_VALUES:
        raise ValueError(f"trail_event_selectors: more than {MAX_SELECTOR_VALUES} condition values (AWS refuses)")
    return selectors


def _core_selectors(data_bucket_arns: Sequence[str]) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict]:
    return [
        {
            "name": vocabulary.MANAGEMENT_EVENTS_SELECTOR,
            "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
        },
        {
            "name": "S3 data events of the training data and model buckets",
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "starts_withs": [f"{arn}/" for arn in sorted(data_bucket_arns)]},
            ],
        },
    ]


@dataclass(frozen=True)
class TrailArgs:
    """Inputs of Trail.

    ``archive``: the locked archive and its group's keeping (shared with Bedrock's, AI-01). ``data_bucket_arns``:
    the buckets whose object reads/writes are recorded (LOG-05). ``bucket_name`` None autonames the archive bucket.
    """

    name_prefix: str
    account: AccountContext
    archive: ArchiveArgs
    log_group_name: str
    data_bucket_arns: Sequence[pulumi.Input[str]]
    bucket_name: str | None = None
    #: AI-01: Bedrock is on; the trail records its data events and alarms on changes to its controls.
    bedrock: bool = False


class Trail(pulumi.ComponentResource):
    """A multi-region, validated, KMS-encrypted trail into a locked archive and CloudWatch Logs, with alarms."""

    bucket: SecureBucket
    log_group: aws.cloudwatch.LogGroup
    delivery_role: aws.iam.Role
    delivery_policy: aws.iam.RolePolicy
    trail: aws.cloudtrail.Trail
    topic: aws.sns.Topic
    topic_policy: aws.sns.TopicPolicy
    metric_filters: dict[str, aws.cloudwatch.LogMetricFilter]
    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(self, name: str, args: TrailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:audit:AuditTrail", name, None, opts)
        account = args.account
        self.trail_arn = documents.trail_arn(
            account.partition, account.region, account.account_id, trail_name(args.name_prefix)
        )
        self.bucket = self._archive(args)
        self._delivery(args)
        selectors = pulumi.Output.all(*args.data_bucket_arns).apply(
            lambda arns: trail_event_selectors(arns, bedrock=args.bedrock)
        )
        # Real-AWS rule: CreateTrail fails unless bucket policy, key policy, group and role already allow it.
        self.trail = aws.cloudtrail.Trail(
            trail_name(args.name_prefix),
            name=trail_name(args.name_prefix),
            s3_bucket_name=self.bucket.name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            is_organization_trail=False,
            kms_key_id=args.archive.logs_key_arn,
            cloud_watch_logs_group_arn=self.log_group.arn.apply(lambda arn: f"{arn}:*"),
            cloud_watch_logs_role_arn=self.delivery_role.arn,
            advanced_event_selectors=selectors,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.archive.protect,
                retain_on_delete=True,
                # the first log files land locked and encrypted: the archive's lock and encryption come first
                depends_on=[
                    *archive_guards(self.bucket),
                    self.log_group,
                    self.delivery_role,
                    self.delivery_policy,
                    *args.archive.key_dependencies,
                ],
            ),
        )
        self._alarms(args)
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        """GOV-04: what an auditor needs to find the trail, its archive, its log group and its alarm topic."""
        return {
            TRAIL_OUTPUT: self.trail.arn,
            "trailName": self.trail.name,
            bucket_output("audit", "Name"): self.bucket.name,
            bucket_output("audit", "Arn"): self.bucket.arn,
            TRAIL_LOG_GROUP_OUTPUT: self.log_group.name,
            ALARM_TOPIC_OUTPUT: self.topic.arn,
        }

    def _archive(self, args: TrailArgs) -> SecureBucket:
        """LOG-03: the archive is a SecureBucket with Object Lock and the CloudTrail grants in its one policy."""
        account_id = args.account.account_id

        def grants(arn: str, _name: str) -> list[documents.Statement]:
            return [
                *documents.cloudtrail_bucket_statements(arn, account_id=account_id, trail=self.trail_arn),
                documents.deny_audit_log_deletion_statement(arn),
            ]

        return SecureBucket(
            f"{args.name_prefix}-{AUDIT_BUCKET_CLASS}",
            args.archive.bucket_args(
                AUDIT_BUCKET_CLASS,
                args.account,
                grants,
                bucket_name=args.bucket_name,
                encryption_header_exempt_services=(vocabulary.CLOUDTRAIL_SERVICE,),
                bucket_key=False,  # CloudTrail would need kms:Decrypt on the logs key (design waiver S3-03)
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _delivery(self, args: TrailArgs) -> None:
        """LOG-04: the encrypted, retained group and the role CloudTrail (our trail only) assumes to write it; the
        grant is retained with the trail, the group and the role (the retained trail keeps delivering after destroy)."""
        delivered = deliver_logs(
            trail_delivery(args.name_prefix, args.account, args.log_group_name),
            group_resource=f"{args.name_prefix}-cloudtrail",
            role_resource=f"{args.name_prefix}-cloudtrail-logs",
            settings=args.archive.log_settings,
            boundary_arn=args.archive.boundary_arn,
            parent=self,
        )
        self.log_group, self.delivery_role, self.delivery_policy = delivered.group, delivered.role, delivered.policy

    def _alarms(self, args: TrailArgs) -> None:
        """LOG-06: one metric filter and one alarm per rule, notifying the KMS-encrypted topic."""
        account = args.account
        alarms = documents.alarm_arn_pattern(account.partition, account.region, account.account_id, args.name_prefix)
        topic_name = alarm_topic_name(args.name_prefix)
        finding_rules = finding_rule_arns(account, args.name_prefix)  # DET-07 publishes here too
        self.topic = aws.sns.Topic(
            topic_name,
            name=topic_name,
            display_name="AI security baseline alarms",
            kms_master_key_id=args.archive.logs_key_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.topic_policy = aws.sns.TopicPolicy(
            topic_name,
            arn=self.topic.arn,
            policy=self.topic.arn.apply(
                lambda arn: json.dumps(
                    documents.alarm_topic_policy(
                        arn, account_id=account.account_id, alarms=alarms, finding_rules=finding_rules
                    )
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        namespace = metric_namespace(args.name_prefix)
        self.metric_filters = {}
        self.alarms = {}
        for rule in alarm_rules(args.bedrock):
            resource_name = f"{args.name_prefix}-{rule.key}"
            self.metric_filters[rule.key] = aws.cloudwatch.LogMetricFilter(
                resource_name,
                name=resource_name,
                log_group_name=self.log_group.name,
                pattern=rule.pattern,
                metric_transformation={"name": rule.metric, "namespace": namespace, "value": "1"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.alarms[rule.key] = aws.cloudwatch.MetricAlarm(
                resource_name,
                name=resource_name,
                alarm_description=f"{rule.description} (CIS {rule.cis})" if rule.cis else rule.description,
                namespace=namespace,
                metric_name=rule.metric,
                statistic="Sum",
                period=ALARM_PERIOD_SECONDS,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[self.topic.arn],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.metric_filters[rule.key], self.topic_policy]),
            )


__all__ = [
    "ALARM_RULES",
    "BEDROCK_ALARM_RULES",
    "AlarmRule",
    "Trail",
    "TrailArgs",
    "alarm_rules",
    "alarm_topic_name",
    "bedrock_event_selectors",
    "metric_namespace",
    "trail_event_selectors",
    "trail_key_statements",
    "trail_log_group_name",
    "trail_name",
]

"""Bedrock model invocation logging (AI-01): every prompt and completion, to a locked archive and an encrypted group.

What AWS decides (Amazon Bedrock User Guide, "Monitor model invocation using CloudWatch Logs and Amazon S3",
https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html):

- The archive: Bedrock writes as ``bedrock.amazonaws.com`` under
  ``<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/`` of a bucket in the same account and region; the
  bucket policy admits it on ``aws:SourceAccount`` and ``aws:SourceArn`` (``arn:aws:bedrock:<region>:<account>:*``).
  An SSE-KMS bucket works when the key policy lets the same principal, on the same conditions, call
  ``kms:GenerateDataKey`` (the only key action the guide names, which uploads need, with or without an S3 Bucket
  Key: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
- The group: Bedrock assumes a role (trust on the same two keys) that may ``logs:CreateLogStream`` and
  ``logs:PutLogEvents`` on the group's ``aws/bedrock/modelinvocations`` stream only. The role carries the workloads'
  permissions boundary (IAM-05), which admits exactly these grants (``service_role_allows``).
- Invocation logging is one setting per account and region: the stack owns it (a second definition overwrites it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.delivery import delivery_role, encrypted_log_group
from ai_security_baseline.components.documents import PolicyDocument, Statement
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.storage import (
    AccessLogTarget,
    Lifecycle,
    ObjectLock,
    SecureBucket,
    SecureBucketArgs,
)
from ai_security_baseline.controls.vocabulary import (
    BEDROCK_LOG_BUCKET_CLASS,
    BEDROCK_LOG_GROUP_OUTPUT,
    BEDROCK_LOG_STREAM,
    BEDROCK_LOGS_PREFIX,
    BEDROCK_SERVICE,
    bucket_output,
)


def bedrock_log_group_name(prefix: str, environment: str) -> str:
    """Physical name of the invocation log group, known before the logs key (its policy names it)."""
    return f"/{prefix}/{environment}/bedrock-invocations"


def bedrock_role_name(name_prefix: str) -> str:
    return f"{name_prefix}-bedrock-logs"


def bedrock_source_arn(account: AccountContext) -> str:
    """``aws:SourceArn`` Bedrock sends for invocation logging: any Bedrock resource of this account and region."""
    return f"arn:{account.partition}:bedrock:{account.region}:{account.account_id}:*"


def bedrock_source_condition(account: AccountContext) -> dict[str, dict[str, str]]:
    """The confused-deputy guard AWS documents for every Bedrock logging grant."""
    return {
        "StringEquals": {"aws:SourceAccount": account.account_id},
        "ArnLike": {"aws:SourceArn": bedrock_source_arn(account)},
    }


def bedrock_key_statements(account: AccountContext, group_name: str) -> dict[str, list[Statement]]:
    """Logs-key grants: Bedrock encrypts archive objects through S3, CloudWatch Logs encrypts the group."""
    group = documents.log_group_arn(account.partition, account.region, account.account_id, group_name)
    return {
        "logs": [
            documents.service_principal_key_statement(
                "BedrockEncryptInvocationLogs",
                BEDROCK_SERVICE,
                ["kms:GenerateDataKey"],
                source_account=account.account_id,
                source_arns=[bedrock_source_arn(account)],
            ),
            documents.logs_key_statement("LogsEncryptBedrockGroup", region=account.region, group_arn=group),
        ]
    }


def bedrock_bucket_statements(bucket_arn: str, account: AccountContext) -> list[Statement]:
    """Bedrock writes only under its own prefix, for this account; nobody deletes a log object."""
    return [
        {
            "Sid": "AllowBedrockInvocationLogWrite",
            "Effect": "Allow",
            "Principal": {"Service": BEDROCK_SERVICE},
            "Action": "s3:PutObject",
            "Resource": (
                f"{bucket_arn}/{BEDROCK_LOGS_PREFIX}/AWSLogs/{account.account_id}/BedrockModelInvocationLogs/*"
            ),
            "Condition": bedrock_source_condition(account),
        },
        documents.deny_audit_log_deletion_statement(bucket_arn),
    ]


def bedrock_trust_policy(account: AccountContext) -> PolicyDocument:
    """IAM-01: Bedrock may assume the delivery role only for this account's invocations."""
    return documents.source_bound_trust(
        "BedrockAssumeRole", BEDROCK_SERVICE, account.account_id, bedrock_source_arn(account)
    )


def bedrock_delivery_policy(group_arn: str) -> PolicyDocument:
    """The role writes the invocation stream of its own group, nothing else."""
    return documents.finish_document(
        [
            documents.allow_statement(
                "DeliverBedrockInvocationLogs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [f"{group_arn}:log-stream:{BEDROCK_LOG_STREAM}"],
            )
        ]
    )


@dataclass(frozen=True)
class BedrockLoggingArgs:
    """Inputs of BedrockLogging; ``key_dependencies``: what holds the logs key's policy (checked at delivery)."""

    name_prefix: str
    account: AccountContext
    logs_key_arn: pulumi.Input[str]
    log_group_name: str
    retention_days: int
    archive_lock: ObjectLock
    lifecycle: Lifecycle
    image_delivery: bool = False
    embedding_delivery: bool = False
    access_log_target: AccessLogTarget | None = None
    key_dependencies: Sequence[pulumi.Resource] = ()
    boundary_arn: pulumi.Input[str] | None = None
    org_id: str | None = None
    protect: bool = False
    allow_bucket_replacement: bool = False
    short_log_retention: bool = False


class BedrockLogging(pulumi.ComponentResource):
    """AI-01: the locked archive, the encrypted group, the delivery role and the account's logging setting."""

    bucket: SecureBucket
    log_group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    role_policy: aws.iam.RolePolicy
    configuration: aws.bedrockmodel.InvocationLoggingConfiguration

    def __init__(self, name: str, args: BedrockLoggingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:ai:BedrockLogging", name, None, opts)
        account = args.account
        self.bucket = SecureBucket(
            f"{args.name_prefix}-{BEDROCK_LOG_BUCKET_CLASS}",
            SecureBucketArgs(
                bucket_class=BEDROCK_LOG_BUCKET_CLASS,
                account=account,
                lifecycle=args.lifecycle,
                kms_key_arn=args.logs_key_arn,
                object_lock=args.archive_lock,
                access_log_target=args.access_log_target,
                org_id=args.org_id,
                extra_statements=[lambda arn, _name: bedrock_bucket_statements(arn, account)],
                protect=args.protect,
                allow_replacement=args.allow_bucket_replacement,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.log_group = encrypted_log_group(
            f"{args.name_prefix}-bedrock-invocations",
            group_name=args.log_group_name,
            kms_key_arn=args.logs_key_arn,
            retention_days=args.retention_days,
            protect=args.protect,
            parent=self,
            short_retention=args.short_log_retention,
        )
        group_arn = documents.log_group_arn(account.partition, account.region, account.account_id, args.log_group_name)
        self.role = delivery_role(
            bedrock_role_name(args.name_prefix),
            role_name=bedrock_role_name(args.name_prefix),
            description="Delivers Bedrock model invocation logs to the baseline's encrypted log group",
            trust=bedrock_trust_policy(account),
            boundary_arn=args.boundary_arn,
            protect=args.protect,
            parent=self,
        )
        self.role_policy = aws.iam.RolePolicy(
            bedrock_role_name(args.name_prefix),
            role=self.role.id,
            name="deliver-bedrock-invocation-logs",
            policy=json.dumps(bedrock_delivery_policy(group_arn)),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True),
        )
        # Bedrock checks the destinations when the setting is put: everything it writes through exists first.
        guards: list[pulumi.Resource] = [self.bucket.policy, self.bucket.encryption, self.bucket.versioning]
        if self.bucket.object_lock is not None:
            guards.append(self.bucket.object_lock)
        self.configuration = aws.bedrockmodel.InvocationLoggingConfiguration(
            f"{args.name_prefix}-invocation-logging",
            logging_config={
                "text_data_delivery_enabled": True,
                "image_data_delivery_enabled": args.image_delivery,
                "embedding_data_delivery_enabled": args.embedding_delivery,
                "s3_config": {"bucket_name": self.bucket.name, "key_prefix": BEDROCK_LOGS_PREFIX},
                "cloudwatch_config": {"log_group_name": self.log_group.name, "role_arn": self.role.arn},
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*guards, self.log_group, self.role_policy, *args.key_dependencies],
            ),
        )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        """GOV-04: where the invocation logs are kept."""
        return {
            bucket_output(BEDROCK_LOG_BUCKET_CLASS, "Name"): self.bucket.name,
            bucket_output(BEDROCK_LOG_BUCKET_CLASS, "Arn"): self.bucket.arn,
            BEDROCK_LOG_GROUP_OUTPUT: self.log_group.name,
        }


__all__ = [
    "BedrockLogging",
    "BedrockLoggingArgs",
    "bedrock_bucket_statements",
    "bedrock_delivery_policy",
    "bedrock_key_statements",
    "bedrock_log_group_name",
    "bedrock_role_name",
    "bedrock_trust_policy",
]

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

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.archive import ArchiveArgs, archive_guards
from ai_security_baseline.components.delivery import LogDelivery, deliver_logs, group_arn, stack_log_group_name
from ai_security_baseline.components.documents import PolicyDocument, Statement
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.storage import SecureBucket
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
    return stack_log_group_name(prefix, environment, "bedrock-invocations")


def bedrock_role_name(name_prefix: str) -> str:
    return f"{name_prefix}-bedrock-logs"


def bedrock_source_arn(account: AccountContext) -> str:
    """``aws:SourceArn`` Bedrock sends for invocation logging: any Bedrock resource of this account and region."""
    return f"arn:{account.partition}:bedrock:{account.region}:{account.account_id}:*"


def bedrock_source_condition(account: AccountContext) -> dict[str, dict[str, str]]:
    """The confused-deputy guard AWS documents for every Bedrock logging grant."""
    return documents.source_condition(account.account_id, bedrock_source_arn(account))


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
    return documents.log_stream_grants(
        "DeliverBedrockInvocationLogs",
        documents.LOG_STREAM_WRITE_ACTIONS,
        group_arn,
        f"log-stream:{BEDROCK_LOG_STREAM}",
    )


def bedrock_delivery(name_prefix: str, account: AccountContext, group_name: str) -> LogDelivery:
    """AI-01: Bedrock (this account's invocations only) writes the invocation stream of its group."""
    return LogDelivery(
        group_name=group_name,
        role_name=bedrock_role_name(name_prefix),
        description="Delivers Bedrock model invocation logs to the baseline's encrypted log group",
        trust=bedrock_trust_policy(account),
        policy_name="deliver-bedrock-invocation-logs",
        grants=bedrock_delivery_policy(group_arn(account, group_name)),
    )


@dataclass(frozen=True)
class BedrockLoggingArgs:
    """Inputs of BedrockLogging; ``archive``: the locked archive and its group's keeping (shared with the trail's)."""

    name_prefix: str
    account: AccountContext
    archive: ArchiveArgs
    log_group_name: str
    image_delivery: bool = False
    embedding_delivery: bool = False


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
            args.archive.bucket_args(
                BEDROCK_LOG_BUCKET_CLASS, account, lambda arn, _name: bedrock_bucket_statements(arn, account)
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        delivered = deliver_logs(
            bedrock_delivery(args.name_prefix, account, args.log_group_name),
            group_resource=f"{args.name_prefix}-bedrock-invocations",
            role_resource=bedrock_role_name(args.name_prefix),
            settings=args.archive.log_settings,
            boundary_arn=args.archive.boundary_arn,
            parent=self,
        )
        self.log_group, self.role, self.role_policy = delivered.group, delivered.role, delivered.policy
        # Bedrock checks the destinations when the setting is put: everything it writes through exists first.
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
                depends_on=[
                    *archive_guards(self.bucket),
                    self.log_group,
                    self.role_policy,
                    *args.archive.key_dependencies,
                ],
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

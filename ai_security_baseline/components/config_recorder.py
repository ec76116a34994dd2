"""AWS Config (DET-05): a recorder of the baseline's resource types, delivered encrypted, and AWS managed rules.

Not ``components/config.py`` (the stack configuration). Design, each point what AWS decides:

- The role: a stack role trusted by ``config.amazonaws.com`` on ``aws:SourceAccount`` with AWS's managed
  ``service-role/AWS_ConfigRole``, not the service-linked role ``AWSServiceRoleForConfig``: creating that one fails
  in every account where it already exists. AWS Config sends ``aws:SourceAccount`` when it assumes the role
  (AWS Config Developer Guide, "Permissions for the IAM role assigned to AWS Config").
  https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html
- The bucket: AWS Config does not deliver into a bucket with Object Lock (AWS::Config::DeliveryChannel reference,
  Note), so the snapshots and history go to a bucket of their own: a SecureBucket with the logs key, versioned,
  logged, whose objects nobody deletes. Into a bucket of its own account AWS Config writes as the recorder's role
  ("Permissions for the Amazon S3 Bucket for the AWS Config Delivery Channel"), so the role, not a service
  principal, is granted the bucket and the logs key (via S3 only).
  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-config-deliverychannel.html
  https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
- What is recorded: the resource types the baseline builds. ``includeGlobalResourceTypes`` needs ``allSupported``
  (PutConfigurationRecorder reference), so the global IAM types are listed explicitly, and only where
  ``accountGuardrails.configGlobalTypes`` is true: recorded in every regional stack they would be recorded (and
  billed) once per region.
- The role carries a permissions boundary of its own (IAM-05): the reads of the recorded services and the delivery,
  plus the tampering Denies every boundary has; the workloads' boundary stays as narrow as their grants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.archive import ArchiveArgs
from ai_security_baseline.components.delivery import bounded_service_role
from ai_security_baseline.components.documents import PolicyDocument, Statement
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.storage import SecureBucket
from ai_security_baseline.controls.vocabulary import (
    CONFIG_BUCKET_CLASS,
    CONFIG_DELIVERY_PREFIX,
    CONFIG_GLOBAL_TYPES,
    CONFIG_MANAGED_RULES,
    CONFIG_PERIODIC_RULES,
    CONFIG_RECORDED_TYPES,
    CONFIG_RECORDER_OUTPUT,
    CONFIG_SERVICE,
    bucket_output,
)

#: AWS's managed policy for a Config recorder role (read of every supported type); not a *FullAccess policy (IAM-10).
CONFIG_ROLE_POLICY = "service-role/AWS_ConfigRole"

DELIVERY_FREQUENCY = "TwentyFour_Hours"


def recorder_name(name_prefix: str) -> str:
    return f"{name_prefix}-recorder"


def config_role_name(name_prefix: str) -> str:
    return f"{name_prefix}-config-recorder"


def recorded_types(global_types: bool) -> list[str]:
    """What the recorder records: the baseline's regional types, and the global IAM types where asked."""
    return sorted((*CONFIG_RECORDED_TYPES, *(CONFIG_GLOBAL_TYPES if global_types else ())))


def config_trust_policy(account_id: str) -> PolicyDocument:
    """IAM-01: AWS Config may assume the role only for this account (it sends ``aws:SourceAccount``)."""
    return documents.finish_document(
        [
            {
                "Sid": "ConfigAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": CONFIG_SERVICE},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


def delivery_object_arn(bucket_arn: str, account_id: str) -> str:
    """Where AWS Config writes: ``<prefix>/AWSLogs/<account>/Config/`` of the delivery bucket."""
    return f"{bucket_arn}/{CONFIG_DELIVERY_PREFIX}/AWSLogs/{account_id}/Config/*"


def config_delivery_policy(bucket_arn: str, key_arn: str, *, region: str, account_id: str) -> PolicyDocument:
    """The role's own grants: check the bucket (HeadBucket, GetBucketAcl), write under its prefix, and use the logs
    key through S3 only (SSE-KMS with ``s3KmsKeyArn``)."""
    return documents.finish_document(
        [
            documents.allow_statement("CheckConfigBucket", ["s3:GetBucketAcl", "s3:ListBucket"], [bucket_arn]),
            documents.allow_statement(
                "WriteConfigSnapshots", ["s3:PutObject"], [delivery_object_arn(bucket_arn, account_id)]
            ),
            documents.allow_statement(
                "EncryptConfigSnapshots",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                [key_arn],
                documents.kms_via_s3_condition(region, account_id),
            ),
        ]
    )


#: Reads of the recorded services (what ``AWS_ConfigRole`` grants for them), as boundary caps: the boundary grants
#: nothing by itself, so a read pattern caps without granting; secrets' values and objects stay outside it.
RECORDING_READS: dict[str, tuple[str, ...]] = {
    "cloudtrail": ("cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*"),
    "cloudwatch": ("cloudwatch:Describe*", "cloudwatch:ListTagsForResource"),
    "ec2": ("ec2:Describe*",),
    "iam": ("iam:Get*", "iam:List*"),
    "kms": ("kms:Describe*", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:List*"),
    "logs": ("logs:Describe*", "logs:List*"),
    "s3": ("s3:Get*Configuration", "s3:GetAccountPublicAccessBlock", "s3:GetBucket*", "s3:ListAllMyBuckets"),
    "secretsmanager": ("secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy", "secretsmanager:List*"),
    "sns": ("sns:Get*", "sns:List*"),
}


def config_boundary_document(account: AccountContext) -> PolicyDocument:
    """IAM-05 for the recorder role: the recorded services' reads and the delivery (any bucket's Config prefix, this
    account's keys), capped; the tampering Denies of every boundary."""
    p, region, acct = account.partition, account.region, account.account_id
    reads = [documents.allow_statement(f"Read{s}", actions, ["*"]) for s, actions in RECORDING_READS.items()]
    delivery = config_delivery_policy(
        f"arn:{p}:s3:::*", f"arn:{p}:kms:{region}:{acct}:key/*", region=region, account_id=acct
    )["Statement"]
    return documents.permissions_boundary_policy(documents.boundary_cap_statements([*reads, *delivery]))


def config_key_statements(role_arn: str, account: AccountContext) -> dict[str, list[Statement]]:
    """KMS-06: the recorder role uses the logs key only through S3, from this account (its snapshot objects)."""
    return {
        "logs": [
            documents.key_users_via_service_statement(
                "ConfigRecorderEncryptsViaS3",
                [role_arn],
                via_services=[documents.s3_via_service(account.region)],
                account_id=account.account_id,
                actions=("kms:Decrypt", "kms:GenerateDataKey"),
            )
        ]
    }


class ConfigRecorderRole(pulumi.ComponentResource):
    """The recorder's role and its boundary: created with the other roles, before the logs key that names it."""

    boundary: aws.iam.Policy
    role: aws.iam.Role

    def __init__(
        self, name: str, name_prefix: str, account: AccountContext, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("baseline:detection:ConfigRecorderRole", name, None, opts)
        bounded = bounded_service_role(
            name,
            role_name=config_role_name(name_prefix),
            description="AWS Config records the baseline's resources and delivers them to its bucket",
            trust=config_trust_policy(account.account_id),
            boundary_name=f"{config_role_name(name_prefix)}-boundary",
            boundary_description="Permissions boundary of the AWS Config recorder role (reads, delivery; no tampering)",
            boundary=config_boundary_document(account),
            parent=self,
        )
        self.boundary, self.role = bounded.boundary, bounded.role
        self.attachment = aws.iam.RolePolicyAttachment(
            name,
            role=self.role.name,
            policy_arn=f"arn:{account.partition}:iam::aws:policy/{CONFIG_ROLE_POLICY}",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"roleArn": self.role.arn})


@dataclass(frozen=True)
class ConfigRecorderArgs:
    """Inputs of ConfigRecorder: the role built before the keys, and the delivery bucket's keeping (the archives':
    the logs key, lifecycle, access logs; never their Object Lock, which AWS Config does not deliver into)."""

    name_prefix: str
    account: AccountContext
    role: ConfigRecorderRole
    archive: ArchiveArgs
    global_types: bool = True


class ConfigRecorder(pulumi.ComponentResource):
    """DET-05: the delivery bucket, the recorder, its channel, recording turned on, and the managed rules."""

    bucket: SecureBucket
    recorder: aws.cfg.Recorder
    channel: aws.cfg.DeliveryChannel
    status: aws.cfg.RecorderStatus
    rules: dict[str, aws.cfg.Rule]

    def __init__(self, name: str, args: ConfigRecorderArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:detection:ConfigRecorder", name, None, opts)
        account = args.account

        def no_deletion(arn: str, _name: str) -> list[Statement]:
            return [documents.deny_audit_log_deletion_statement(arn)]

        self.bucket = SecureBucket(
            f"{args.name_prefix}-{CONFIG_BUCKET_CLASS}",
            args.archive.bucket_args(CONFIG_BUCKET_CLASS, account, no_deletion, object_lock=None),
            opts=pulumi.ResourceOptions(parent=self),
        )
        role = args.role.role
        self.delivery_policy = aws.iam.RolePolicy(
            f"{name}-delivery",
            role=role.id,
            name="deliver-configuration",
            policy=pulumi.Output.all(self.bucket.arn, args.archive.logs_key_arn).apply(
                lambda v: json.dumps(
                    config_delivery_policy(v[0], v[1], region=account.region, account_id=account.account_id)
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        types = recorded_types(args.global_types)
        self.recorder = aws.cfg.Recorder(
            name,
            name=recorder_name(args.name_prefix),
            role_arn=role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(
                all_supported=False,
                include_global_resource_types=False,
                recording_strategies=[
                    aws.cfg.RecorderRecordingGroupRecordingStrategyArgs(use_only="INCLUSION_BY_RESOURCE_TYPES")
                ],
                resource_types=types,
            ),
            recording_mode={"recording_frequency": "CONTINUOUS"},
            # the role must read before recording starts
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.role.attachment]),
        )
        # PutDeliveryChannel checks the bucket and the role's access: both exist and hold before it
        self.channel = aws.cfg.DeliveryChannel(
            name,
            name=f"{args.name_prefix}-delivery",
            s3_bucket_name=self.bucket.name,
            s3_key_prefix=CONFIG_DELIVERY_PREFIX,
            s3_kms_key_arn=args.archive.logs_key_arn,
            snapshot_delivery_properties={"delivery_frequency": DELIVERY_FREQUENCY},
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[self.recorder, self.delivery_policy, self.bucket.policy, self.bucket.encryption],
            ),
        )
        self.status = aws.cfg.RecorderStatus(
            name,
            name=self.recorder.name,
            is_enabled=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.channel]),
        )
        self.rules = {}
        # AWS managed rules over the baseline's types: Config re-evaluates continuously what the controls check at
        # deploy time. https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html
        for identifier, checks in CONFIG_MANAGED_RULES.items():
            resource_name = f"{args.name_prefix}-{identifier.lower().replace('_', '-')}"
            self.rules[identifier] = aws.cfg.Rule(
                resource_name,
                name=resource_name,
                description=checks,
                source={"owner": "AWS", "source_identifier": identifier},
                maximum_execution_frequency=DELIVERY_FREQUENCY if identifier in CONFIG_PERIODIC_RULES else None,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.recorder]),
            )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        """DET-05: the recorder the live audit reads, and its delivery bucket."""
        return {
            CONFIG_RECORDER_OUTPUT: self.recorder.name,
            bucket_output(CONFIG_BUCKET_CLASS, "Name"): self.bucket.name,
            bucket_output(CONFIG_BUCKET_CLASS, "Arn"): self.bucket.arn,
        }


__all__ = [
    "ConfigRecorder",
    "ConfigRecorderArgs",
    "ConfigRecorderRole",
    "config_boundary_document",
    "config_delivery_policy",
    "config_key_statements",
    "config_trust_policy",
    "recorded_types",
]

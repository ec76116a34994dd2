"""AI-03: a SageMaker Studio domain reachable only inside the isolated VPC, its storage under the data key, its
users' calls attributed to their profile names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import STUDIO_KEY_CLASS

#: What the CreateDomain caller needs on a customer key given as ``KmsKeyId`` (SageMaker Developer Guide, "Amazon
#: SageMaker API Permissions", CreateDomain: "Required if a KMS customer managed CMK is specified for KmsKeyId":
#: elasticfilesystem:CreateFileSystem, kms:CreateGrant, kms:Decrypt, kms:DescribeKey,
#: kms:GenerateDataKeyWithoutPlainText; https://docs.aws.amazon.com/sagemaker/latest/dg/api-permissions-reference.html),
#: the same the Amazon EFS User Guide marks required for an encrypted file system ("Amazon EFS key policies for AWS
#: KMS"; https://docs.aws.amazon.com/efs/latest/ug/EFSKMS.html). ``kms:CreateGrant`` is apart: only it takes
#: ``kms:GrantIsForAWSResource``.
HOME_EFS_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext")
HOME_EFS_GRANT_ACTIONS: tuple[str, ...] = ("kms:CreateGrant",)


def efs_via_service(region: str) -> str:
    """The kms:ViaService value for Amazon EFS in a region (AWS KMS Developer Guide, "kms:ViaService": EFS is listed;
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)."""
    return f"elasticfilesystem.{region}.amazonaws.com"


def home_efs_key_use(region: str, account_id: str, *, grants: bool) -> tuple[tuple[str, ...], dict[str, Any]]:
    """(actions, condition) of one half of the home EFS's use of the domain key: via elasticfilesystem.<region> from
    this account, and (``grants``) CreateGrant only for AWS resources (KMS-06)."""
    condition: dict[str, Any] = {
        "StringEquals": {"kms:ViaService": efs_via_service(region), "kms:CallerAccount": account_id}
    }
    if grants:
        return HOME_EFS_GRANT_ACTIONS, {**condition, "Bool": {"kms:GrantIsForAWSResource": "true"}}
    return HOME_EFS_KEY_ACTIONS, condition


def studio_key_statements(
    account: AccountContext, deployer_arns: Sequence[str]
) -> dict[str, list[documents.Statement]]:
    """AI-03/KMS-06: the domain key admits the CreateDomain caller (the deployer) through EFS only, which creates the
    home file system with the caller's permissions and takes a grant on the key for it."""
    if not deployer_arns:
        return {}
    return {
        STUDIO_KEY_CLASS: [
            documents.key_user_statement(
                sid, deployer_arns, *home_efs_key_use(account.region, account.account_id, grants=grants)
            )
            for sid, grants in (("StudioHomeEfsUsesKeyViaEfs", False), ("StudioHomeEfsGrantsViaEfs", True))
        ]
    }


@dataclass(frozen=True)
class StudioDomainArgs:
    """Inputs of StudioDomain: the isolated VPC and subnets, the workload SG, the data key, the execution role."""

    name_prefix: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    security_group_id: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    execution_role_arn: pulumi.Input[str]
    users: Sequence[str]


class StudioDomain(pulumi.ComponentResource):
    """A VpcOnly, IAM-authenticated domain: app traffic only through the VPC's endpoints (no SageMaker-managed
    internet path), home EFS and app volumes under the data key, notebook output never shared, and every user's
    session carrying the profile name as sourceIdentity (CloudTrail attributes actions to the person)."""

    def __init__(self, name: str, args: StudioDomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:ai:StudioDomain", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        groups = [args.security_group_id]
        self.domain = aws.sagemaker.Domain(
            name,
            domain_name=f"{args.name_prefix}-studio",
            auth_mode="IAM",
            vpc_id=args.vpc_id,
            subnet_ids=args.subnet_ids,
            app_network_access_type="VpcOnly",
            kms_key_id=args.kms_key_arn,
            default_user_settings=aws.sagemaker.DomainDefaultUserSettingsArgs(
                execution_role=args.execution_role_arn,
                security_groups=groups,
                sharing_settings=aws.sagemaker.DomainDefaultUserSettingsSharingSettingsArgs(
                    notebook_output_option="Disabled"
                ),
            ),
            domain_settings=aws.sagemaker.DomainDomainSettingsArgs(
                execution_role_identity_config="USER_PROFILE_NAME", security_group_ids=groups
            ),
            opts=child,
        )
        self.users = [
            aws.sagemaker.UserProfile(
                f"{name}-user-{user}",
                domain_id=self.domain.id,
                user_profile_name=user,
                user_settings=aws.sagemaker.UserProfileUserSettingsArgs(
                    execution_role=args.execution_role_arn, security_groups=groups
                ),
                opts=child,
            )
            for user in args.users
        ]
        self.register_outputs({"domainId": self.domain.id})

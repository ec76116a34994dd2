"""AI-03: a SageMaker Studio domain reachable only inside the isolated VPC, its storage under the data key, its
users' calls attributed to their profile names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


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

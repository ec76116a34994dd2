"""Account-wide guardrails of the region the stack deploys to (ACC-01…ACC-03).

These settings belong to the account, not to the stack: the provider's delete of the account's S3 Block Public
Access turns it off (DeletePublicAccessBlock), and of EBS encryption by default turns that off
(DisableEbsEncryptionByDefault). Every piece is therefore retained on delete, so ``pulumi destroy`` never weakens
the account. A piece named in ``baseline:centrallyManaged`` is not created at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import NAMESPACE, BaselineConfig, ConfigError
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import (
    ACCOUNT_PUBLIC_ACCESS_BLOCK_OUTPUT,
    DEFAULT_VPC_OUTPUT,
    EBS_KEY_CLASS,
)


@dataclass(frozen=True)
class DefaultVpc:
    """The region's default VPC as the deployment found it (ids "" when the region has none)."""

    vpc_id: str = ""
    network_acl_id: str = ""

    @property
    def exists(self) -> bool:
        return bool(self.vpc_id)


def find_default_vpc(opts: pulumi.InvokeOptions | None = None) -> DefaultVpc:
    """Look the default VPC up, never create it: ``aws.ec2.DefaultVpc`` would CREATE one in an account that deleted
    it (the provider's create calls CreateDefaultVpc when none exists), adding exactly what ACC-03 removes."""
    ids = aws.ec2.get_vpcs(filters=[{"name": "is-default", "values": ["true"]}], opts=opts).ids
    if not ids:
        return DefaultVpc()
    if len(ids) != 1:  # EC2 allows one default VPC per region
        raise ValueError(f"the region reports {len(ids)} default VPCs: {sorted(ids)}")
    acls = aws.ec2.get_network_acls(vpc_id=ids[0], filters=[{"name": "default", "values": ["true"]}], opts=opts).ids
    if len(acls) != 1:
        raise ValueError(f"default VPC {ids[0]} has {len(acls)} default network ACLs")
    return DefaultVpc(ids[0], acls[0])


def check_default_vpc_mode(config: BaselineConfig, found: DefaultVpc) -> None:
    """``deleted`` asserts the region has no default VPC: refused before any resource when it still has one."""
    if config.account_guardrails.default_vpc == "deleted" and found.exists:
        raise ConfigError(
            f"invalid configuration: {NAMESPACE}:accountGuardrails.defaultVpc = deleted, but the region still has "
            f"the default VPC {found.vpc_id} (allowed: delete it first, or lockdown)"
        )


def ebs_key_statements(account: AccountContext) -> dict[str, list[documents.Statement]]:
    """ACC-02/KMS-06: the account's principals use the default EBS key only through EC2 in this region, from this
    account, and create grants only for AWS resources (the grant EBS takes to attach the volume).

    The principal is the account (IAM policies still decide who): every principal that launches an instance or
    creates a volume uses the default key through EC2 (Amazon EBS User Guide, "Encryption by default" and
    "Requirements for Amazon EBS encryption": kms:CreateGrant, Decrypt, DescribeKey, GenerateDataKeyWithoutPlaintext,
    ReEncrypt*). https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
    """
    root = [documents.account_root_arn(account.partition, account.account_id)]
    return {
        EBS_KEY_CLASS: [
            documents.ebs_volume_key_policy_statement(
                sid, root, region=account.region, account_id=account.account_id, grants=grants
            )
            for sid, grants in (("AccountUsesKeyOnlyViaEc2", False), ("AccountCreatesGrantsOnlyViaEc2", True))
        ]
    }


@dataclass(frozen=True)
class AccountGuardrailsArgs:
    """Inputs of AccountGuardrails. ``central``: ``baseline:centrallyManaged`` ({piece: reason}); a named piece is
    not created. ``flow_log_*``: the network's flow-log group and delivery role, reused for the default VPC."""

    name_prefix: str
    ebs_key_arn: pulumi.Input[str]
    default_vpc: DefaultVpc
    flow_log_group_arn: pulumi.Input[str]
    flow_log_role_arn: pulumi.Input[str]
    flow_log_dependencies: Sequence[pulumi.Resource] = ()
    central: Mapping[str, str] | None = None
    mode: str = "lockdown"


class AccountGuardrails(pulumi.ComponentResource):
    """Account S3 Block Public Access (ACC-01), EBS encryption by default with the ``ebs`` key (ACC-02), and the
    region's default VPC locked down (ACC-03)."""

    public_access_block: aws.s3.AccountPublicAccessBlock | None = None
    ebs_encryption: aws.ebs.EncryptionByDefault | None = None
    ebs_default_key: aws.ebs.DefaultKmsKey | None = None
    default_security_group: aws.ec2.DefaultSecurityGroup | None = None
    default_network_acl: aws.ec2.DefaultNetworkAcl | None = None
    default_vpc_flow_log: aws.ec2.FlowLog | None = None

    def __init__(self, name: str, args: AccountGuardrailsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:guardrails:AccountGuardrails", name, None, opts)
        central = args.central or {}
        # retained: the provider's delete would switch the account-wide protection off
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        if "accountPublicAccessBlock" not in central:
            self.public_access_block = aws.s3.AccountPublicAccessBlock(
                f"{name}-s3-public-access-block",
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
                opts=kept,
            )
        if "ebsDefaultEncryption" not in central:
            self.ebs_default_key = aws.ebs.DefaultKmsKey(f"{name}-ebs-default-key", key_arn=args.ebs_key_arn, opts=kept)
            # volumes are encrypted from the moment this holds, so the customer-managed default key comes first
            self.ebs_encryption = aws.ebs.EncryptionByDefault(
                f"{name}-ebs-encryption",
                enabled=True,
                opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=[self.ebs_default_key])),
            )
        if "defaultVpc" not in central and args.default_vpc.exists:
            self._lock_down(name, args)
        self.register_outputs(self.outputs(args))

    def outputs(self, args: AccountGuardrailsArgs) -> dict[str, pulumi.Output[object]]:
        """ACC-01: the account whose block the stack set; ACC-03: what the deployment found (the rules and the live
        audit compare the account with it)."""
        outputs: dict[str, pulumi.Output[object]] = {}
        if self.public_access_block is not None:
            outputs[ACCOUNT_PUBLIC_ACCESS_BLOCK_OUTPUT] = self.public_access_block.account_id
        if "defaultVpc" not in (args.central or {}):
            found = {
                "mode": args.mode,
                "vpcId": args.default_vpc.vpc_id,
                "networkAclId": args.default_vpc.network_acl_id,
            }
            outputs[DEFAULT_VPC_OUTPUT] = pulumi.Output.from_input(found)
        return outputs

    def _lock_down(self, name: str, args: AccountGuardrailsArgs) -> None:
        """ACC-03: adopt the default VPC's default SG and NACL with no rules, and record its traffic.

        Both Default* resources adopt what exists and only forget it on delete; the SG revokes its rules on delete,
        which leaves it as empty as the stack made it.
        """
        vpc = args.default_vpc
        tags = {"Name": f"{args.name_prefix}-default-vpc-deny-all"}
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            f"{name}-default-vpc-sg",
            vpc_id=vpc.vpc_id,
            ingress=[],
            egress=[],
            revoke_rules_on_delete=True,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.default_network_acl = aws.ec2.DefaultNetworkAcl(
            f"{name}-default-vpc-nacl",
            default_network_acl_id=vpc.network_acl_id,
            ingress=[],
            egress=[],
            tags=tags,
            # the default subnets stay associated with it; the stack does not manage their associations
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["subnetIds"]),
        )
        self.default_vpc_flow_log = aws.ec2.FlowLog(
            f"{name}-default-vpc-flow-logs",
            vpc_id=vpc.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=args.flow_log_group_arn,
            iam_role_arn=args.flow_log_role_arn,
            max_aggregation_interval=60,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.flow_log_dependencies)),
        )


__all__ = [
    "AccountGuardrails",
    "AccountGuardrailsArgs",
    "DefaultVpc",
    "check_default_vpc_mode",
    "ebs_key_statements",
    "find_default_vpc",
]

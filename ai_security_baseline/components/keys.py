"""Customer-managed KMS keys, one per data class (KMS-01…KMS-07)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import KmsConfig
from ai_security_baseline.controls.vocabulary import DATA_CLASSES

KEY_DESCRIPTIONS: dict[str, str] = {
    "data": "Training data and features (raw, curated buckets, pseudonymization secret)",
    "models": "Model registry artifacts",
    "logs": "Audit logs: CloudTrail, CloudWatch Logs, flow logs, alarm topic, AWS Config",
    "ebs": "The account's default EBS key: volumes encrypted by default, used only through EC2",
}


@dataclass(frozen=True)
class AccountContext:
    """Where the stack deploys; plain strings resolved once from invokes."""

    account_id: str
    region: str
    partition: str


@dataclass(frozen=True)
class EncryptionKeysArgs:
    """Inputs of EncryptionKeys.

    ``statements`` adds, per data class, key-policy statements from other components (their
    users and service principals). They may be Outputs (e.g. holding role ARNs), which makes the key
    depend on those resources: roles exist before the key policy that names them.
    """

    name_prefix: str
    account: AccountContext
    settings: KmsConfig = field(default_factory=KmsConfig)
    protect: bool = False
    statements: Mapping[str, Sequence[pulumi.Input[documents.Statement]]] = field(default_factory=dict)


def render_key_policy(
    account: AccountContext, admin_arns: Sequence[str], statements: Sequence[documents.Statement]
) -> str:
    """JSON of the full key policy for one key."""
    policy = documents.key_policy(
        partition=account.partition,
        account_id=account.account_id,
        admin_arns=admin_arns,
        statements=statements,
    )
    return json.dumps(policy, sort_keys=False)


class EncryptionKeys(pulumi.ComponentResource):
    """A rotated, retained, alias-named customer-managed key per data class."""

    keys: dict[str, aws.kms.Key]
    aliases: dict[str, aws.kms.Alias]

    def __init__(self, name: str, args: EncryptionKeysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:keys:EncryptionKeys", name, None, opts)
        unknown = sorted(set(args.statements) - set(DATA_CLASSES))
        if unknown:
            raise ValueError(f"EncryptionKeys: unknown data class(es) {unknown}; allowed {DATA_CLASSES}")
        self.keys = {}
        self.aliases = {}
        for data_class in DATA_CLASSES:
            key = self._key(name, data_class, args)
            self.keys[data_class] = key
            self.aliases[data_class] = aws.kms.Alias(
                f"{name}-{data_class}",
                name=f"alias/{args.name_prefix}-{data_class}",
                target_key_id=key.key_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs(
            {f"{c}KeyArn": k.arn for c, k in self.keys.items()}
            | {f"{c}AliasName": a.name for c, a in self.aliases.items()}
        )

    def _key(self, name: str, data_class: str, args: EncryptionKeysArgs) -> aws.kms.Key:
        settings = args.settings
        admins = list(settings.admin_arns)
        extra = list(args.statements.get(data_class, ()))
        policy = pulumi.Output.all(*extra).apply(lambda resolved: render_key_policy(args.account, admins, resolved))
        return aws.kms.Key(
            f"{name}-{data_class}",
            description=f"{args.name_prefix} {data_class}: {KEY_DESCRIPTIONS[data_class]}",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=settings.rotation_days,
            deletion_window_in_days=settings.deletion_window_days,
            bypass_policy_lockout_safety_check=False,
            multi_region=False,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=True),
        )

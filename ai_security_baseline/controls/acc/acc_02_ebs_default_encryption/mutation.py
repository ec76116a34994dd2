"""ACC-02 mutations: encryption by default off, no customer-managed default key, and encryption off in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    EBS_DEFAULT_KMS_KEY,
    EBS_ENCRYPTION_BY_DEFAULT,
    EBS_KEY_CLASS,
    key_output,
)
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property


def encryption_off_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    ec2.disable_ebs_encryption_by_default()

    def undo() -> None:
        ec2.enable_ebs_encryption_by_default()

    return undo


def default_key_data_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=str(ctx.output(key_output("data"))))
    ebs_key = str(ctx.output(key_output(EBS_KEY_CLASS)))

    def undo() -> None:
        ec2.modify_ebs_default_kms_key_id(KmsKeyId=ebs_key)

    return undo


MUTATIONS = (
    Mutation(
        "ACC-02",
        "EBS encryption by default off",
        graph=set_property(EBS_ENCRYPTION_BY_DEFAULT, "ebs-encryption", "enabled", False),
    ),
    Mutation("ACC-02", "volumes default to the aws/ebs key", graph=drop_resources(EBS_DEFAULT_KMS_KEY)),
    Mutation("ACC-02", "EBS encryption by default disabled in the account", live=encryption_off_live),
    Mutation("ACC-02", "the data key made the account's default EBS key", live=default_key_data_live),
)

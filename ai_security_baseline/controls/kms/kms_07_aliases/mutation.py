"""KMS-07 mutations: a key left without its alias, in the graph and in the deployed account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_ALIAS
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources


def models_alias_deleted_live(ctx: Any) -> Callable[[], None]:
    kms = ctx.client("kms")
    name = str(ctx.output("modelsKeyAlias"))
    key = ctx.output("modelsKeyArn")
    kms.delete_alias(AliasName=name)
    return lambda: kms.create_alias(AliasName=name, TargetKeyId=key)


MUTATIONS = (
    Mutation("KMS-07", "models key without alias", graph=drop_resources(KMS_ALIAS, "-models")),
    Mutation("KMS-07", "models alias deleted", live=models_alias_deleted_live),
)

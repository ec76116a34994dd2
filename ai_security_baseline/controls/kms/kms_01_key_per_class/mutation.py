"""KMS-01 mutations: two classes share one key in the graph; a class key disabled in the deployed account."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_ALIAS, KMS_KEY
from ai_security_baseline.verify.checkers.mutation import Mutation, MutationError, edit_resources
from ai_security_baseline.verify.engine.graph import ResourceGraph


def models_alias_on_the_data_key(graph: ResourceGraph) -> ResourceGraph:
    """The models alias retargeted to the data key: models data would be encrypted under the data key."""
    data = [k for k in graph.by_type(KMS_KEY) if k.name.endswith("-data")]
    if len(data) != 1:
        raise MutationError("no single data key in the graph")
    key = data[0]
    return edit_resources(
        KMS_ALIAS,
        "-models",
        lambda alias: dataclasses.replace(
            alias,
            inputs={**alias.inputs, "targetKeyId": key.id},
            property_dependencies={**alias.property_dependencies, "targetKeyId": (key.urn,)},
        ),
    )(graph)


def models_key_disabled_live(ctx: Any) -> Callable[[], None]:
    kms = ctx.client("kms")
    key = kms.describe_key(KeyId=ctx.output("modelsKeyArn"))["KeyMetadata"]["KeyId"]  # moto disables by id only
    kms.disable_key(KeyId=key)
    return lambda: kms.enable_key(KeyId=key)


MUTATIONS = (
    Mutation("KMS-01", "models alias targets the data key", graph=models_alias_on_the_data_key),
    Mutation("KMS-01", "models key disabled", live=models_key_disabled_live),
)

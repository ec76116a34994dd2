"""AI-01 mutations: text delivery off, the archive not locked, and logging switched off in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import BEDROCK_LOGGING_TYPE, BUCKET_OBJECT_LOCK
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources


def logging_deleted_live(ctx: Any) -> Callable[[], None]:
    bedrock = ctx.client("bedrock")
    config = bedrock.get_model_invocation_logging_configuration()["loggingConfig"]
    bedrock.delete_model_invocation_logging_configuration()
    return lambda: bedrock.put_model_invocation_logging_configuration(loggingConfig=config)


MUTATIONS = (
    Mutation("AI-01", "invocation logging removed", graph=drop_resources(BEDROCK_LOGGING_TYPE, "invocation-logging")),
    Mutation(
        "AI-01", "invocation archive without Object Lock", graph=drop_resources(BUCKET_OBJECT_LOCK, "bedrock-logs")
    ),
    Mutation("AI-01", "invocation logging deleted in the account", live=logging_deleted_live),
)

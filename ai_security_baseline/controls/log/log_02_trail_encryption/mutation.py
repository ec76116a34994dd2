"""LOG-02 mutations: the trail without its KMS key, the logs key admitting any trail, and a live key swap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_KEY, TRAIL
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    drop_reference,
    edit_document,
    without_condition,
)


def other_key_live(ctx: Any) -> Callable[[], None]:
    """The trail re-pointed at the data key: encrypted still, but not with the logs key LOG-02 requires."""
    cloudtrail = ctx.client("cloudtrail")
    trail = str(ctx.output("trailArn"))
    cloudtrail.update_trail(Name=trail, KmsKeyId=str(ctx.output("dataKeyArn")))
    return lambda: cloudtrail.update_trail(Name=trail, KmsKeyId=str(ctx.output("logsKeyArn")))


MUTATIONS = (
    Mutation(  # the access analysis judges the key policy's grant, not whether the trail names a key
        "LOG-02",
        "trail without a KMS key",
        graph=drop_reference(TRAIL, "-trail", "kmsKeyId"),
        layers=("rule", "checkov"),
    ),
    Mutation(  # the rule and checkov read the trail, not the logs key policy
        "LOG-02",
        "logs key lets any trail encrypt",
        graph=edit_document(KMS_KEY, "-logs", "policy", changed_statement("CloudTrailEncryptLogs", without_condition)),
        layers=("access",),
    ),
    Mutation("LOG-02", "trail re-pointed at the data key", live=other_key_live),
)

"""DET-05 mutations: a managed rule dropped, delivery without the logs key, and recording stopped in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import CONFIG_DELIVERY_CHANNEL, CONFIG_RECORDER_OUTPUT, CONFIG_RULE
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_reference, drop_resources


def recording_stopped_live(ctx: Any) -> Callable[[], None]:
    config, name = ctx.client("config"), str(ctx.output(CONFIG_RECORDER_OUTPUT))
    config.stop_configuration_recorder(ConfigurationRecorderName=name)
    return lambda: config.start_configuration_recorder(ConfigurationRecorderName=name)


MUTATIONS = (
    Mutation("DET-05", "CloudTrail managed rule dropped", graph=drop_resources(CONFIG_RULE, "cloud-trail-enabled")),
    Mutation(
        "DET-05",
        "snapshots delivered without the logs key",
        graph=drop_reference(CONFIG_DELIVERY_CHANNEL, "config-recorder", "s3KmsKeyArn"),
    ),
    Mutation("DET-05", "configuration recorder stopped", live=recording_stopped_live),
)

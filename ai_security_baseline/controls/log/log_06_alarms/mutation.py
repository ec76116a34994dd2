"""LOG-06 mutations: an alarm removed or the topic unencrypted, the topic open to any alarm; live, the topic
loses its key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ALARM, TOPIC, TOPIC_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    drop_property,
    drop_resources,
    edit_document,
    without_condition,
)


def topic_unencrypted_live(ctx: Any) -> Callable[[], None]:
    sns = ctx.client("sns")
    topic = str(ctx.output("alarmTopicArn"))
    key = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue="")
    return lambda: sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=key)


MUTATIONS = (
    Mutation(  # the access analysis proves the topic and key grants, not which alarms exist
        "LOG-06",
        "no alarm on trail changes",
        graph=drop_resources(ALARM, "-trail-changes"),
        layers=("rule",),
    ),
    Mutation(  # the access analysis proves who may publish, not the topic's encryption at rest
        "LOG-06",
        "alarm topic unencrypted",
        graph=drop_property(TOPIC, "-security-alarms", "kmsMasterKeyId"),
        layers=("rule",),
    ),
    Mutation(  # the rule judges the detections and encryption, not the topic policy
        "LOG-06",
        "any alarm may publish to the topic",
        graph=edit_document(
            TOPIC_POLICY,
            "-security-alarms",
            "policy",
            changed_statement("AllowCloudWatchAlarmsPublish", without_condition),
        ),
        layers=("access",),
    ),
    Mutation("LOG-06", "deployed alarm topic loses its KMS key", live=topic_unencrypted_live),
)

"""DET-07 mutations: a finding rule disabled or its severity floor raised, its target removed, the topic policy or
the key policy no longer admitting EventBridge; live, a rule disabled and a target removed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    EVENT_RULE,
    EVENT_TARGET,
    FINDING_RULES_OUTPUT,
    KMS_KEY,
    TOPIC_POLICY,
)
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    drop_resources,
    edit_document,
    set_property,
    without_statement,
)

GUARDDUTY_RULE = "-guardduty-findings"
CRITICAL_ONLY = json.dumps(
    {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 9]}]},
    }
)


def _rule_name(ctx: Any, source: str) -> str:
    return str(ctx.output(FINDING_RULES_OUTPUT)[source]).rsplit("/", 1)[-1]


def rule_disabled_live(ctx: Any) -> Callable[[], None]:
    events = ctx.client("events")
    name = _rule_name(ctx, "guardduty")
    events.disable_rule(Name=name)
    return lambda: events.enable_rule(Name=name)


def target_removed_live(ctx: Any) -> Callable[[], None]:
    events = ctx.client("events")
    name = _rule_name(ctx, "securityhub")
    targets = events.list_targets_by_rule(Rule=name)["Targets"]
    events.remove_targets(Rule=name, Ids=[t["Id"] for t in targets])
    return lambda: events.put_targets(Rule=name, Targets=targets)


MUTATIONS = (
    Mutation(  # the analysis evaluates publishing only for rules that target the topic: a rule routing nowhere is the
        "DET-07", "finding rules without targets", graph=drop_resources(EVENT_TARGET), layers=("rule",)
    ),  # rule's to catch, as is a rule switched off or filtering on severity
    Mutation(
        "DET-07",
        "GuardDuty rule disabled",
        graph=set_property(EVENT_RULE, GUARDDUTY_RULE, "state", "DISABLED"),
        layers=("rule",),
    ),
    Mutation(
        "DET-07",
        "GuardDuty rule keeps critical findings only",
        graph=set_property(EVENT_RULE, GUARDDUTY_RULE, "eventPattern", CRITICAL_ONLY),
        layers=("rule",),
    ),
    Mutation(
        "DET-07",
        "topic policy without the EventBridge statement",
        graph=edit_document(TOPIC_POLICY, "", "policy", without_statement("AllowEventBridgeFindingsPublish")),
    ),
    Mutation(  # the preview rule reads the route, the analysis the key's grants
        "DET-07",
        "logs key without the EventBridge statement",
        graph=edit_document(KMS_KEY, "keys-logs", "policy", without_statement("EventBridgePublishEncrypted")),
        layers=("access",),
    ),
    Mutation("DET-07", "GuardDuty rule disabled live", live=rule_disabled_live),
    Mutation("DET-07", "Security Hub rule's target removed live", live=target_removed_live),
)

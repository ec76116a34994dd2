"""Names and readers the LOG units' tests share: the dev stack's ARNs, resource types and the trail's resources."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls import registry
from ai_security_baseline.controls import vocabulary as v
from ai_security_baseline.controls.kit import Res
from ai_security_baseline.verify.checkers.audit.log import log_group
from ai_security_baseline.verify.checkers.mutation import LiveEdit
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph

ACCOUNT = "111122223333"
REGION = "eu-west-1"
ACCT = AccountContext(account_id=ACCOUNT, region=REGION, partition="aws")
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/aisb-dev-trail"
GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/cloudtrail"
ALARMS = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:aisb-dev-*"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:aisb-dev-security-alarms"

T_TRAIL = v.TRAIL
T_BUCKET = v.BUCKET
T_POLICY = v.BUCKET_POLICY
T_KEY = v.KMS_KEY
T_GROUP = v.LOG_GROUP
T_ROLE = v.ROLE
T_ROLE_POLICY = v.ROLE_POLICY
T_TOPIC = v.TOPIC
T_TOPIC_POLICY = v.TOPIC_POLICY
T_FILTER = v.METRIC_FILTER
T_ALARM = v.ALARM
T_LOCK = v.BUCKET_OBJECT_LOCK
T_SSE = v.BUCKET_SSE
T_VERSIONING = v.BUCKET_VERSIONING
T_PAB = v.BUCKET_PUBLIC_ACCESS_BLOCK
T_OWNERSHIP = v.BUCKET_OWNERSHIP
T_LOGGING = v.BUCKET_LOGGING

Graph = list[Res]


def trail_of(graph: ResourceGraph) -> Resource:
    return graph.one(T_TRAIL, "aisb-dev-trail")


def audit_of(graph: ResourceGraph, token: str) -> Resource:
    """The audit archive's resource of ``token`` (bucket, policy, lock ...)."""
    return graph.one(token, "aisb-dev-audit")


def key_statements(graph: ResourceGraph) -> dict[str, dict[str, Any]]:
    """The logs key policy's statements by Sid."""
    return {s["Sid"]: s for s in json.loads(graph.one(T_KEY, "keys-logs").inputs["policy"])["Statement"]}


def logs_key_arn(graph: ResourceGraph) -> str:
    return str(graph.one(T_KEY, "keys-logs").outputs["arn"])


def results(graph: Graph, control: str) -> list[str]:
    """Statuses the control's own rule reports for it."""
    rule = registry.unit(control).load("rule").RULE
    return [o.status for o in rule.evaluate(graph) if o.control == control]


def edited(graph: Graph, token: str, change: Callable[[dict[str, Any]], dict[str, Any]], name: str = "") -> Graph:
    """The graph with ``change`` applied to the props of every resource of ``token`` (and ``name``, when given)."""
    return [
        dataclasses.replace(r, props=change(dict(r.props))) if r.type == token and (not name or r.name == name) else r
        for r in graph
    ]


def relaxed_to(group_output: str, days: int) -> LiveEdit:
    """The deployed log group the stack output ``group_output`` names, kept ``days`` and tagged with the
    shortLogRetention relaxation; the returned undo restores both."""

    def edit(ctx: Any) -> Callable[[], None]:
        logs = ctx.client("logs")
        name = str(ctx.output(group_output))
        group = log_group(logs, name)
        assert group is not None, f"no log group {name} in the account"
        arn = group["arn"].removesuffix(":*")
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)
        logs.tag_resource(resourceArn=arn, tags={v.RELAXATION_TAG: v.SHORT_LOG_RETENTION})

        def undo() -> None:
            logs.untag_resource(resourceArn=arn, tagKeys=[v.RELAXATION_TAG])
            logs.put_retention_policy(logGroupName=name, retentionInDays=group["retentionInDays"])

        return undo

    return edit

"""Names and readers the LOG units' tests share: the dev stack's ARNs, resource types and the trail's resources."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from components.keys import AccountContext
from controls import registry
from controls.kit import Res
from verify.engine.graph import Resource, ResourceGraph

ACCOUNT = "111122223333"
REGION = "eu-west-1"
ACCT = AccountContext(account_id=ACCOUNT, region=REGION, partition="aws")
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/aisb-dev-trail"
GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/cloudtrail"
ALARMS = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:aisb-dev-*"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:aisb-dev-security-alarms"

T_TRAIL = "aws:cloudtrail/trail:Trail"
T_BUCKET = "aws:s3/bucket:Bucket"
T_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
T_KEY = "aws:kms/key:Key"
T_GROUP = "aws:cloudwatch/logGroup:LogGroup"
T_ROLE = "aws:iam/role:Role"
T_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
T_TOPIC = "aws:sns/topic:Topic"
T_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
T_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
T_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
T_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
T_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
T_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
T_LOGGING = "aws:s3/bucketLogging:BucketLogging"

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

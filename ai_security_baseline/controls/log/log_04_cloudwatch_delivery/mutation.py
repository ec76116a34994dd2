"""LOG-04 mutations: the trail stops delivering to CloudWatch Logs, its group loses the key, or the delivery role
trusts another service; live, the trail's delivery is switched off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import LOG_GROUP, ROLE, TRAIL
from ai_security_baseline.verify.checkers.mutation import (
    Document,
    Mutation,
    changed_statement,
    drop_property,
    drop_reference,
    edit_document,
)


def _also_flow_logs(statement: Document) -> Document:
    return {**statement, "Principal": {"Service": ["cloudtrail.amazonaws.com", "vpc-flow-logs.amazonaws.com"]}}


def delivery_off_live(ctx: Any) -> Callable[[], None]:
    cloudtrail = ctx.client("cloudtrail")
    trail = str(ctx.output("trailArn"))
    described = cloudtrail.describe_trails(trailNameList=[trail])["trailList"][0]
    group, role = described["CloudWatchLogsLogGroupArn"], described["CloudWatchLogsRoleArn"]
    cloudtrail.update_trail(Name=trail, CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="")
    return lambda: cloudtrail.update_trail(Name=trail, CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=role)


MUTATIONS = (
    Mutation(  # the access analysis judges the delivery role, which stays in place
        "LOG-04",
        "trail without CloudWatch Logs delivery",
        graph=drop_reference(TRAIL, "-trail", "cloudWatchLogsGroupArn"),
        layers=("rule", "checkov"),
    ),
    Mutation(  # CKV2_AWS_10 checks only that the trail delivers to CloudWatch Logs
        "LOG-04",
        "trail log group without its KMS key",
        graph=drop_property(LOG_GROUP, "-cloudtrail", "kmsKeyId"),
        layers=("rule",),
    ),
    Mutation(  # the rule and checkov do not read the role's trust policy
        "LOG-04",
        "delivery role also trusts VPC Flow Logs",
        graph=edit_document(
            ROLE, "-cloudtrail-logs", "assumeRolePolicy", changed_statement("CloudTrailAssumeRole", _also_flow_logs)
        ),
        layers=("access",),
    ),
    Mutation("LOG-04", "deployed trail stops delivering to CloudWatch Logs", live=delivery_off_live),
)

"""DET-07: EventBridge routes high-severity GuardDuty and Security Hub findings to the encrypted alarm topic.

The rules exist whether or not the stack enables those services itself (``baseline:centrallyManaged``): with a
delegated administrator a member account still holds its own findings, and finding events are published on the bus
of the account holding the finding (the administrator receives its members' too); where none arrive, the rules cost
nothing (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html,
https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-integration-types.html).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import (
    FINDING_MIN_SEVERITY,
    FINDING_SEVERITY_LABELS,
    FINDING_SOURCES,
    FINDING_WORKFLOW_STATUS,
)


def finding_rule_name(name_prefix: str, source: str) -> str:
    """Physical name of the rule routing one source's findings (the topic policy names its ARN up front)."""
    return f"{name_prefix}-{source}-findings"


def finding_rule_arns(account: AccountContext, name_prefix: str) -> list[str]:
    """The ARNs of every finding rule, for the topic policy's aws:SourceArn."""
    return [
        documents.event_rule_arn(
            account.partition, account.region, account.account_id, finding_rule_name(name_prefix, s)
        )
        for s in FINDING_SOURCES
    ]


def finding_pattern(source: str) -> dict[str, Any]:
    """The event pattern of one source's high-severity findings.

    GuardDuty: ``detail.severity`` >= 7 (high and critical). Security Hub: imported findings labelled HIGH or
    CRITICAL whose workflow is still NEW (not yet triaged), as AWS's own example rules filter them.
    """
    event_source, detail_type = FINDING_SOURCES[source]
    pattern: dict[str, Any] = {"source": [event_source], "detail-type": [detail_type]}
    if source == "guardduty":
        pattern["detail"] = {"severity": [{"numeric": [">=", FINDING_MIN_SEVERITY]}]}
    else:
        pattern["detail"] = {
            "findings": {
                "Severity": {"Label": list(FINDING_SEVERITY_LABELS)},
                "Workflow": {"Status": [FINDING_WORKFLOW_STATUS]},
            }
        }
    return pattern


@dataclass(frozen=True)
class FindingRoutingArgs:
    """Inputs of FindingRouting: the alarm topic and what must exist before a target may publish to it."""

    name_prefix: str
    topic_arn: pulumi.Input[str]
    topic_dependencies: Sequence[pulumi.Resource] = ()


class FindingRouting(pulumi.ComponentResource):
    """One enabled rule per finding source on the default bus, each targeting the alarm topic."""

    def __init__(self, name: str, args: FindingRoutingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:detection:FindingRouting", name, None, opts)
        self.rules: dict[str, aws.cloudwatch.EventRule] = {}
        self.targets: dict[str, aws.cloudwatch.EventTarget] = {}
        for source in FINDING_SOURCES:
            rule_name = finding_rule_name(args.name_prefix, source)
            self.rules[source] = aws.cloudwatch.EventRule(
                rule_name,
                name=rule_name,
                description=f"High-severity {source} findings to the security alarm topic (DET-07)",
                event_pattern=json.dumps(finding_pattern(source)),
                state="ENABLED",
                opts=pulumi.ResourceOptions(parent=self),
            )
            # the topic policy admits the rule first: a target that cannot publish drops findings silently
            self.targets[source] = aws.cloudwatch.EventTarget(
                rule_name,
                rule=self.rules[source].name,
                target_id="security-alarm-topic",
                arn=args.topic_arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.topic_dependencies)),
            )
        self.rule_arns: pulumi.Output[dict[str, str]] = pulumi.Output.all(
            **{source: rule.arn for source, rule in self.rules.items()}
        )
        self.register_outputs({"ruleArns": self.rule_arns})

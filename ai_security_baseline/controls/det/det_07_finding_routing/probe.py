"""DET-07 live probe: each finding rule the stack exports is enabled, keeps every high-severity finding, targets the
alarm topic, and the topic and key policies let EventBridge publish for it (and not for another account's rule)."""

from __future__ import annotations

import json

from ai_security_baseline.controls.det.det_07_finding_routing.rule import pattern_problem
from ai_security_baseline.controls.vocabulary import ALARM_TOPIC_OUTPUT, FINDING_RULES_OUTPUT, FINDING_SOURCES
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject, Verdict, check, policy_json
from ai_security_baseline.verify.iam.principals import decide, finding_publish_calls


def finding_rule_subjects(ctx: AuditContext) -> list[Subject]:
    """One subject per finding source, from the ``findingRuleArns`` output."""
    arns = ctx.outputs.get(FINDING_RULES_OUTPUT)
    if not isinstance(arns, dict) or set(arns) != set(FINDING_SOURCES):
        return [Subject(urn="stack", missing=FINDING_RULES_OUTPUT)]
    return [Subject(urn=str(arn), value=(source, str(arn))) for source, arn in arns.items()]


@check("DET-07", finding_rule_subjects)
def finding_routing(ctx: AuditContext, subject: tuple[str, str]) -> Verdict:
    source, rule_arn = subject
    name = rule_arn.rsplit("/", 1)[-1]
    topic = str(ctx.output(ALARM_TOPIC_OUTPUT))
    events = ctx.client("events")
    rule = events.describe_rule(Name=name)
    problems = [f"state {rule.get('State')}"] if rule.get("State") != "ENABLED" else []
    pattern = pattern_problem(source, json.loads(rule.get("EventPattern") or "{}"))
    problems += [pattern] if pattern else []
    targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=name)["Targets"]]
    if topic not in targets:
        problems.append(f"targets {targets} miss the alarm topic")
    attributes = ctx.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    key = attributes.get("KmsMasterKeyId")
    if not key:
        return Verdict(False, "; ".join([*problems, "the alarm topic is not KMS-encrypted"]), {})
    calls = finding_publish_calls(
        account=ctx.account_id,
        rule_arn=rule_arn,
        topic_arn=topic,
        topic_policy=policy_json(attributes.get("Policy", "{}")),
        key_arn=str(key),
        key_policy=policy_json(ctx.client("kms").get_key_policy(KeyId=key, PolicyName="default")["Policy"]),
    )
    problems += [f"{o.call.name}: {o.decision}" for o in map(decide, calls) if not o.as_expected]
    return Verdict(
        not problems, "; ".join(problems) or f"rule {name} routes high-severity {source} findings to {topic}", {}
    )

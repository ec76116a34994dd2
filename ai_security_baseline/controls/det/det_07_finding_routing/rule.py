"""DET-07: an enabled EventBridge rule per finding source (GuardDuty severity >= 7; Security Hub HIGH/CRITICAL, NEW)
targets the KMS-encrypted alarm topic, whose policy admits EventBridge for that rule and this account only."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import (
    EVENT_RULE,
    EVENT_TARGET,
    EVENTS_SERVICE,
    FINDING_MIN_SEVERITY,
    FINDING_SEVERITY_LABELS,
    FINDING_SOURCES,
    FINDING_WORKFLOW_STATUS,
    TOPIC,
    TOPIC_POLICY,
)

Found = Iterator[tuple[str, str, kit.Verdict, str]]


def _severity_floor(filters: Any) -> float | None:
    """The lowest severity a GuardDuty ``detail.severity`` filter lets through (None: the filter is not a plain
    lower bound, so it may drop high findings)."""
    if filters is None:
        return 0.0
    items = kit.as_list(filters)
    if len(items) != 1 or not isinstance(items[0], Mapping) or list(items[0]) != ["numeric"]:
        return None
    numeric = list(items[0]["numeric"])
    if len(numeric) != 2 or numeric[0] not in (">=", ">") or not isinstance(numeric[1], int | float):
        return None
    return float(numeric[1]) + (0.0 if numeric[0] == ">=" else 1e-9)


def pattern_problem(source: str, pattern: Mapping[str, Any]) -> str | None:
    """Why ``pattern`` does not match every high-severity finding of ``source`` (None: it does)."""
    event_source, detail_type = FINDING_SOURCES[source]
    if kit.as_list(pattern.get("source")) != [event_source] or detail_type not in kit.as_list(
        pattern.get("detail-type")
    ):
        return f"pattern does not select {event_source} {detail_type!r} events"
    detail = pattern.get("detail") or {}
    if source == "guardduty":
        floor = _severity_floor(detail.get("severity"))
        ok = floor is not None and floor <= FINDING_MIN_SEVERITY
        return (
            None
            if ok
            else f"severity filter {json.dumps(detail.get('severity'))} drops findings >= {FINDING_MIN_SEVERITY}"
        )
    findings = detail.get("findings") or {}
    labels = (findings.get("Severity") or {}).get("Label")
    missing = sorted(set(FINDING_SEVERITY_LABELS) - set(kit.as_list(labels))) if labels is not None else []
    if missing:
        return f"severity labels {kit.as_list(labels)} miss {missing}"
    status = (findings.get("Workflow") or {}).get("Status")
    if status is not None and FINDING_WORKFLOW_STATUS not in kit.as_list(status):
        return f"workflow filter {kit.as_list(status)} drops {FINDING_WORKFLOW_STATUS} findings"
    return None


def publish_admitted(policy: Mapping[str, Any], rule_name: str) -> bool:
    """Whether the topic policy lets EventBridge publish for the rule named ``rule_name`` (aws:SourceArn names it)
    and binds it to an account (aws:SourceAccount)."""
    for st in kit.statements(policy):
        actions = kit.as_list(st.get("Action"))
        if st.get("Effect") != "Allow" or EVENTS_SERVICE not in kit.principals(st, "Service"):
            continue
        if not {"sns:Publish", "sns:*"} & set(actions) or "aws:sourceaccount" not in kit.condition_keys(st):
            continue
        arns = [
            str(v)
            for block in (st.get("Condition") or {}).values()
            for k, v in block.items()
            if k.lower() == "aws:sourcearn"
            for v in kit.as_list(v)
        ]
        if any(a.endswith(f":rule/{rule_name}") for a in arns):
            return True
    return False


def _pattern(rule: kit.Res) -> dict[str, Any]:
    raw = kit.known(rule, "eventPattern")
    if not raw:
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise kit.Undecidable(f"{rule.name}: eventPattern is not JSON ({exc.msg})") from None
    return dict(value) if isinstance(value, Mapping) else {}


def _linked(source: kit.Res, key: str, candidates: Sequence[kit.Res], *ids: str) -> list[kit.Res]:
    deps = set(source.property_dependencies.get(key, ()))
    value = source.props.get(key)
    return [
        c
        for c in candidates
        if c.urn in deps or (value not in (None, kit.UNKNOWN) and any(c.props.get(i) == value for i in ids))
    ]


def _route_problem(resources: Sequence[kit.Res], rule: kit.Res) -> str | None:
    """Why the rule's matches do not reach an encrypted topic that admits it (None: one target does)."""
    topics = [r for r in resources if r.type == TOPIC]
    policies = [r for r in resources if r.type == TOPIC_POLICY]
    targets = [t for t in resources if t.type == EVENT_TARGET and rule in _linked(t, "rule", [rule], "name", "id")]
    why = "no target"
    for target in targets:
        for topic in _linked(target, "arn", topics, "arn"):
            if not kit.known(topic, "kmsMasterKeyId"):
                why = f"topic {topic.name} is not KMS-encrypted"
                continue
            name = str(kit.known(rule, "name") or "")
            documents = [kit.policy_document(p) for p in _linked_policies(policies, topic)]
            if any(publish_admitted(d, name) for d in documents):
                return None
            why = f"the policy of topic {topic.name} does not admit {EVENTS_SERVICE} for rule {name} with its source"
    return why if targets else "no target on an SNS topic of the stack"


def _linked_policies(policies: Sequence[kit.Res], topic: kit.Res) -> list[kit.Res]:
    return [p for p in policies if topic in _linked(p, "arn", [topic], "arn", "id")]


def check_finding_routing(resources: Sequence[kit.Res]) -> Found:
    """DET-07: per finding source, an enabled rule whose pattern keeps every high finding, routed to the topic."""
    rules = [r for r in resources if r.type == EVENT_RULE]
    for source in FINDING_SOURCES:
        event_source = FINDING_SOURCES[source][0]
        candidates = [r for r in rules if event_source in kit.as_list(_pattern(r).get("source"))]
        problems: list[str] = []
        for rule in candidates:
            state = kit.known(rule, "state") or ("ENABLED" if kit.known(rule, "isEnabled") is not False else "DISABLED")
            problem = (
                (f"state {state}" if state != "ENABLED" else None)
                or pattern_problem(source, _pattern(rule))
                or _route_problem(resources, rule)
            )
            if problem is None:
                yield (
                    rule.urn,
                    "DET-07",
                    True,
                    f"{rule.name}: high-severity {source} findings to the encrypted alarm topic",
                )
                break
            problems.append(f"{rule.name}: {problem}")
        else:
            message = "; ".join(problems) or f"no EventBridge rule routes {event_source} findings"
            yield (candidates[0].urn if candidates else kit.stack_urn(resources)), "DET-07", False, message


RULE = kit.Rule(
    "det-07-finding-routing",
    "High-severity GuardDuty and Security Hub findings reach the encrypted alarm topic through EventBridge",
    ("DET-07",),
    stack_check=check_finding_routing,
)

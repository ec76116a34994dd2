"""AI-01 preview rule: the stack's Bedrock invocation logging delivers text to a locked, KMS-encrypted bucket of the
stack and to a KMS-encrypted log group of the stack through a role of the stack; the trail records every Bedrock
data-event type; changes to the logging, guardrails and model access raise alarms on the encrypted topic."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import alarmed_patterns, raises_alarm
from ai_security_baseline.controls.s3.common import Stack, is_unknown
from ai_security_baseline.controls.vocabulary import (
    BEDROCK_DATA_EVENT_TYPES,
    BEDROCK_LOG_GROUP_OUTPUT,
    BEDROCK_LOGGING_TYPE,
    BUCKET_OBJECT_LOCK,
    ENDPOINT,
    ENDPOINT_BUNDLES,
    LOG_GROUP,
    ROLE,
    TRAIL,
)

Found = Iterator[tuple[str, str, kit.Verdict, str]]
#: An advanced event selector as (name, field -> its Equals values, [None] for a field matched another way).
Selector = tuple[str, Mapping[str, Sequence[Any]]]

EVENTS = Path(__file__).parent / "events"
#: Each change AI-01 alarms on, with a recorded CloudTrail event an alarmed metric filter on the trail must match.
DETECTIONS: dict[str, str] = {
    "Bedrock invocation logging deleted": "bedrock-delete-model-invocation-logging-configuration",
    "Bedrock invocation logging changed": "bedrock-put-model-invocation-logging-configuration",
    "Bedrock guardrail changed": "bedrock-update-guardrail",
    "Bedrock model access granted": "bedrock-create-foundation-model-agreement",
}
#: The fields a Bedrock selector may carry: any other (readOnly, eventName, resources.ARN) drops some events.
_WHOLE_TYPE_FIELDS = frozenset({"eventCategory", "resources.type"})


@cache
def recorded_event(name: str) -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def unrecorded_bedrock_types(selectors: Iterable[Selector]) -> list[str]:
    """The Bedrock data-event types no selector records whole (every event of the type, reads and writes)."""
    whole = [
        fields
        for _, fields in selectors
        if list(fields.get("eventCategory") or []) == ["Data"] and set(fields) <= _WHOLE_TYPE_FIELDS
    ]
    return [t for t in BEDROCK_DATA_EVENT_TYPES if not any(t in (f.get("resources.type") or []) for f in whole)]


def _trail_problems(resources: Sequence[kit.Res]) -> list[str]:
    trails = _of_type(resources, TRAIL)
    if not trails:
        return ["the stack has no trail to record Bedrock data events"]
    selectors: list[Selector] = [
        (
            str(s.get("name") or ""),
            {str(f.get("field")): list(f.get("equals") or [None]) for f in s.get("fieldSelectors") or []},
        )
        for s in kit.known(trails[0], "advancedEventSelectors") or []
    ]
    missing = unrecorded_bedrock_types(selectors)
    return [f"the trail does not record the Bedrock data events of {missing}"] if missing else []


def _alarm_problems(resources: Sequence[kit.Res]) -> list[str]:
    patterns = alarmed_patterns(resources)
    missing = [d for d, event in DETECTIONS.items() if not raises_alarm(patterns, recorded_event(event))]
    return [f"no alarmed metric filter matches {missing}"] if missing else []


def _linked(setting: kit.Res, value: Any, candidates: Sequence[kit.Res], id_keys: Sequence[str]) -> list[kit.Res]:
    """Candidates the setting names: by value when known, by property dependency while it is not."""
    if isinstance(value, str) and value and not is_unknown(value):
        return [c for c in candidates if value in [c.props.get(k) for k in id_keys]]
    if is_unknown(value):
        deps = set(setting.property_dependencies.get("loggingConfig", ()))
        found = [c for c in candidates if c.urn in deps]
        if not found:
            raise kit.Undecidable(f"{setting.name}: a destination is not known until apply and has no dependency")
        return found
    return []


def _archive_problems(stack: Stack, setting: kit.Res, s3: Mapping[str, Any]) -> list[str]:
    buckets = _linked(setting, s3.get("bucketName"), stack.buckets, ("bucket", "id"))
    if not buckets:
        return ["invocation logs are not delivered to a bucket of the stack"]
    bucket = buckets[0]
    problems = []
    lock, _ = stack.single(bucket, BUCKET_OBJECT_LOCK)
    if lock is None or kit.known(lock, "objectLockEnabled") != "Enabled":
        problems.append(f"the invocation archive {bucket.name} has no Object Lock")
    if stack.encryption_key(bucket) is None:
        problems.append(f"the invocation archive {bucket.name} is not SSE-KMS with a key of the stack")
    return problems


def _group_problems(resources: Sequence[kit.Res], setting: kit.Res, cloudwatch: Mapping[str, Any]) -> list[str]:
    groups = _linked(setting, cloudwatch.get("logGroupName"), _of_type(resources, LOG_GROUP), ("name",))
    if not groups:
        return ["invocation logs are not delivered to a log group of the stack"]
    problems = []
    if not kit.known(groups[0], "kmsKeyId"):
        problems.append(f"the invocation log group {groups[0].name} is not KMS-encrypted")
    if not _linked(setting, cloudwatch.get("roleArn"), _of_type(resources, ROLE), ("arn",)):
        problems.append("invocation logs are delivered through a role that is not the stack's")
    return problems


def _of_type(resources: Sequence[kit.Res], type_token: str) -> list[kit.Res]:
    return [r for r in resources if r.type == type_token]


def bedrock_reachable(resources: Sequence[kit.Res]) -> bool:
    """The stack opens Bedrock to its VPC (an endpoint of the bedrock bundle)."""
    services = {f".{s}" for s in ENDPOINT_BUNDLES["bedrock"]}
    names = [str(e.props.get("serviceName") or "") for e in _of_type(resources, ENDPOINT)]
    return any(n.endswith(s) for n in names for s in services)


def check(resources: Sequence[kit.Res]) -> Found:
    urn = kit.stack_urn(resources)
    settings = _of_type(resources, BEDROCK_LOGGING_TYPE)
    if not settings:
        if bedrock_reachable(resources):
            yield urn, "AI-01", False, "Bedrock is reachable from the VPC but model invocations are not logged"
        elif BEDROCK_LOG_GROUP_OUTPUT in kit.stack_outputs(resources):
            yield urn, "AI-01", False, "the stack exports invocation log destinations but sets no invocation logging"
        else:
            yield urn, "AI-01", "not-applicable", "not applicable: no Bedrock endpoint and no invocation logging"
        return
    if len(settings) > 1:
        yield urn, "AI-01", False, f"{len(settings)} invocation logging settings (AWS keeps one per region)"
        return
    setting = settings[0]
    config = setting.props.get("loggingConfig") or {}
    if not isinstance(config, Mapping):
        raise kit.Undecidable(f"{setting.name}: loggingConfig is not known until apply")
    problems = []
    if config.get("textDataDeliveryEnabled") is not True:
        problems.append("text data delivery is off (prompts and completions are not logged)")
    problems += _archive_problems(Stack(resources), setting, config.get("s3Config") or {})
    problems += _group_problems(resources, setting, config.get("cloudwatchConfig") or {})
    problems += _trail_problems(resources) + _alarm_problems(resources)
    message = "; ".join(problems) or (
        "text invocations logged to the locked, encrypted archive and encrypted group; Bedrock data events in the "
        "trail; changes to logging, guardrails and model access alarmed"
    )
    yield setting.urn, "AI-01", not problems, message


RULE = kit.Rule(
    "ai-01-invocation-logging",
    "Bedrock model invocations are logged, text included, to a locked archive and an encrypted log group",
    ("AI-01",),
    stack_check=check,
)

"""DET-05 preview rule: one AWS Config recorder of the baseline's types, delivering to a bucket of the stack with the
logs key, recording turned on after its channel exists, and every AWS managed rule of the baseline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.acc.common import Found, of_type, waived_centrally
from ai_security_baseline.controls.vocabulary import (
    BUCKET,
    CONFIG_DELIVERY_CHANNEL,
    CONFIG_MANAGED_RULES,
    CONFIG_RECORDED_TYPES,
    CONFIG_RECORDER,
    CONFIG_RECORDER_STATUS,
    CONFIG_RULE,
    KMS_ALIAS,
    KMS_KEY,
    ROLE,
)


def _linked(res: kit.Res, key: str, candidates: Iterable[kit.Res], id_keys: Sequence[str]) -> list[kit.Res]:
    """Candidates ``res.props[key]`` names: by property dependency or an equal id; Undecidable when unknown."""
    deps = set(res.property_dependencies.get(key, ()))
    value = res.props.get(key)
    found = [c for c in candidates if c.urn in deps or (value and value in [c.props.get(k) for k in id_keys])]
    if not found and not deps and value == kit.UNKNOWN:
        raise kit.Undecidable(f"{res.name}: {key} is not known until apply and has no dependency to follow")
    return found


def _logs_keys(resources: Sequence[kit.Res]) -> list[kit.Res]:
    keys = of_type(resources, KMS_KEY)
    aliases = [a for a in of_type(resources, KMS_ALIAS) if str(kit.known(a, "name") or "").endswith("-logs")]
    return [k for a in aliases for k in _linked(a, "targetKeyId", keys, ("keyId", "id", "arn"))]


def _recorder_problems(resources: Sequence[kit.Res], recorder: kit.Res) -> list[str]:
    group: Any = kit.known(recorder, "recordingGroup") or {}
    problems = []
    if group.get("allSupported") is not True:
        missing = sorted(set(CONFIG_RECORDED_TYPES) - set(kit.as_list(group.get("resourceTypes"))))
        if missing:
            problems.append(f"{recorder.name} does not record {missing}")
    if not _linked(recorder, "roleArn", of_type(resources, ROLE), ("arn",)):
        problems.append(f"{recorder.name} records as a role that is not the stack's")
    return problems


def _channel_problems(resources: Sequence[kit.Res], channels: list[kit.Res]) -> list[str]:
    if len(channels) != 1:
        return [f"{len(channels)} delivery channels (AWS allows one per region; expected the stack's one)"]
    channel = channels[0]
    problems = []
    if not _linked(channel, "s3BucketName", of_type(resources, BUCKET), ("bucket", "id")):
        problems.append(f"{channel.name} delivers to a bucket that is not the stack's")
    if not channel.props.get("s3KmsKeyArn"):
        problems.append(f"{channel.name} delivers without s3KmsKeyArn (objects not encrypted with the logs key)")
    elif not set(k.urn for k in _linked(channel, "s3KmsKeyArn", of_type(resources, KMS_KEY), ("arn",))) & {
        k.urn for k in _logs_keys(resources)
    }:
        problems.append(f"{channel.name} encrypts with a key that is not the stack's logs key")
    return problems


def _status_problems(resources: Sequence[kit.Res], channels: list[kit.Res]) -> list[str]:
    statuses = of_type(resources, CONFIG_RECORDER_STATUS)
    if not any(kit.known(s, "isEnabled") is True for s in statuses):
        return ["recording is not turned on (no recorder status with isEnabled true)"]
    waits = all(c.urn in s.dependencies for s in statuses for c in channels)
    return (
        [] if waits else ["the recorder starts before its delivery channel exists (StartConfigurationRecorder fails)"]
    )


def _rule_problems(resources: Sequence[kit.Res]) -> list[str]:
    present = set()
    for rule in of_type(resources, CONFIG_RULE):
        source: Any = kit.known(rule, "source") or {}
        if source.get("owner") == "AWS":
            present.add(str(source.get("sourceIdentifier")))
    missing = sorted(set(CONFIG_MANAGED_RULES) - present)
    return [f"AWS managed rules missing: {missing}"] if missing else []


def check(resources: Sequence[kit.Res]) -> Found:
    waived = list(waived_centrally(resources, "config", "DET-05"))
    if waived:
        yield from waived
        return
    urn = kit.stack_urn(resources)
    recorders = of_type(resources, CONFIG_RECORDER)
    if len(recorders) != 1:
        yield urn, "DET-05", False, f"{len(recorders)} configuration recorders (expected the stack's one)"
        return
    channels = of_type(resources, CONFIG_DELIVERY_CHANNEL)
    problems = _recorder_problems(resources, recorders[0]) + _channel_problems(resources, channels)
    problems += _status_problems(resources, channels) + _rule_problems(resources)
    message = "; ".join(problems) or (
        f"recording the baseline's types into the stack's bucket with the logs key, {len(CONFIG_MANAGED_RULES)} AWS "
        "managed rules"
    )
    yield urn, "DET-05", not problems, message


RULE = kit.Rule(
    "det-05-config-recorder",
    "AWS Config records the baseline's types into an encrypted bucket of the stack and runs the managed rules",
    ("DET-05",),
    stack_check=check,
)

"""ACC-02 preview rule: EBS encryption by default is on, with the stack's ``ebs`` key as the default key, both
retained on destroy."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.acc.common import Found, not_retained, of_type, waived_centrally
from ai_security_baseline.controls.kms.common import KeyRefs
from ai_security_baseline.controls.vocabulary import (
    EBS_DEFAULT_KMS_KEY,
    EBS_ENCRYPTION_BY_DEFAULT,
    EBS_KEY_CLASS,
    KMS_ALIAS,
    KMS_KEY,
)


def ebs_keys(resources: Sequence[kit.Res]) -> dict[str, kit.Res]:
    """The stack's keys an alias ``alias/<prefix>-ebs`` targets, by ARN and URN."""
    targets = KeyRefs(of_type(resources, KMS_KEY))
    found: dict[str, kit.Res] = {}
    for alias in of_type(resources, KMS_ALIAS):
        if str(kit.known(alias, "name") or "").endswith(f"-{EBS_KEY_CLASS}"):
            for key in targets(alias):
                found[key.urn] = key
                if isinstance(key.props.get("arn"), str):
                    found[str(key.props["arn"])] = key
    return found


def _default_key_problems(default: kit.Res, keys: dict[str, kit.Res]) -> list[str]:
    linked = [u for u in default.property_dependencies.get("keyArn", ()) if u in keys]
    value = default.props.get("keyArn")
    if not linked and not (isinstance(value, str) and value in keys):
        if value == kit.UNKNOWN:
            raise kit.Undecidable(f"{default.name}: keyArn is not known until apply and has no dependency to follow")
        return [f"{default.name} names {value!r}, not the stack's {EBS_KEY_CLASS} key"]
    return [p for p in (not_retained(default),) if p]


def check(resources: Sequence[kit.Res]) -> Found:
    waived = list(waived_centrally(resources, "ebsDefaultEncryption", "ACC-02"))
    if waived:
        yield from waived
        return
    urn = kit.stack_urn(resources)
    enabled = of_type(resources, EBS_ENCRYPTION_BY_DEFAULT)
    defaults = of_type(resources, EBS_DEFAULT_KMS_KEY)
    problems = [] if enabled else ["EBS encryption by default is not set by the stack"]
    for setting in enabled:
        if kit.known(setting, "enabled") is False:
            problems.append(f"{setting.name} turns EBS encryption by default off")
        problems += [p for p in (not_retained(setting),) if p]
    if not defaults:
        problems.append(
            f"no default EBS key: volumes would use the AWS managed aws/ebs key, not the {EBS_KEY_CLASS} key"
        )
    keys = ebs_keys(resources) if defaults else {}
    for default in defaults:
        problems += _default_key_problems(default, keys)
    message = "; ".join(problems) or f"EBS encryption by default on with the {EBS_KEY_CLASS} key, retained on destroy"
    yield urn, "ACC-02", not problems, message


RULE = kit.Rule(
    "acc-02-ebs-default-encryption",
    "EBS encryption by default is on with the stack's ebs key, retained on destroy",
    ("ACC-02",),
    stack_check=check,
)

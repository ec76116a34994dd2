"""AI-03 preview rule: every Studio domain is VpcOnly in the stack's isolated VPC and subnets, uses only the
workload security group, encrypts its storage with the data key, authenticates with IAM and attributes sessions
to the user profile name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import (
    SAGEMAKER_DOMAIN,
    SAGEMAKER_USER_PROFILE,
    STUDIO_KEY_CLASS,
    key_output,
)

Found = Iterator[tuple[str, str, kit.Verdict, str]]


def _output(outputs: Mapping[str, Any], name: str) -> Any:
    value = outputs.get(name)
    if value is None or kit.UNKNOWN in str(value):
        raise kit.Undecidable(f"output {name} is not known")
    return value


def domain_problems(res: kit.Res, outputs: Mapping[str, Any]) -> list[str]:
    """What lets the domain's apps leave the isolated network, escape the data key or act unattributed."""
    problems = []
    access = kit.known(res, "appNetworkAccessType") or "PublicInternetOnly"  # AWS's default
    if access != "VpcOnly":
        problems.append(f"appNetworkAccessType is {access} (SageMaker-managed internet path)")
    if kit.known(res, "vpcId") != _output(outputs, "vpcId"):
        problems.append(f"vpcId {kit.known(res, 'vpcId')} is not the isolated VPC")
    outside = sorted(set(kit.known(res, "subnetIds") or []) - set(_output(outputs, "privateSubnetIds")))
    if outside:
        problems.append(f"subnets {outside} are outside the isolated subnets")
    workload = _output(outputs, "workloadSecurityGroupId")
    settings = kit.known(res, "domainSettings") or {}
    users = kit.known(res, "defaultUserSettings") or {}
    groups = [*(settings.get("securityGroupIds") or []), *(users.get("securityGroups") or [])]
    if not groups or set(groups) != {workload}:
        problems.append(f"security groups {sorted(set(groups))} are not only the workload group {workload}")
    key = kit.known(res, "kmsKeyId")
    if key != _output(outputs, key_output(STUDIO_KEY_CLASS, "Arn")):
        problems.append(f"kmsKeyId {key!r} is not the {STUDIO_KEY_CLASS} key (no customer managed key)")
    if kit.known(res, "authMode") != "IAM":
        problems.append(f"authMode is {kit.known(res, 'authMode')} (IAM expected: access through the stack's roles)")
    if settings.get("executionRoleIdentityConfig") != "USER_PROFILE_NAME":
        problems.append("executionRoleIdentityConfig is not USER_PROFILE_NAME (no sourceIdentity per user)")
    sharing = users.get("sharingSettings") or {}
    if sharing.get("notebookOutputOption") == "Allowed":
        problems.append("notebook output is shared (sharingSettings.notebookOutputOption Allowed)")
    return problems


def profile_problems(res: kit.Res, outputs: Mapping[str, Any]) -> list[str]:
    """A user profile's own security groups replace the domain's for that user's apps."""
    groups = set((kit.known(res, "userSettings") or {}).get("securityGroups") or [])
    workload = _output(outputs, "workloadSecurityGroupId")
    return [f"{res.name}: security groups {sorted(groups)} are not only {workload}"] if groups - {workload} else []


def check(resources: Sequence[kit.Res]) -> Found:
    domains = [r for r in resources if r.type == SAGEMAKER_DOMAIN]
    if not domains:
        yield kit.stack_urn(resources), "AI-03", "not-applicable", "the stack has no Studio domain (ai.studio off)"
        return
    outputs = kit.stack_outputs(resources)
    for res in domains:
        problems = domain_problems(res, outputs)
        problems += [p for u in resources if u.type == SAGEMAKER_USER_PROFILE for p in profile_problems(u, outputs)]
        message = "; ".join(problems) or "VpcOnly in the isolated subnets, workload SG, data key, sourceIdentity"
        yield res.urn, "AI-03", not problems, message


RULE = kit.Rule(
    "ai-03-studio-vpc-only",
    "The SageMaker Studio domain is VPC-only, isolated, encrypted with the data key and attributes users",
    ("AI-03",),
    stack_check=check,
)

"""AI-03 live probe: the deployed Studio domain, as DescribeDomain answers, is VpcOnly in the stack's isolated
subnets, behind the workload security group, under the data key, IAM-authenticated, with per-user
sourceIdentity."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.vocabulary import STUDIO_KEY_CLASS, STUDIO_OUTPUT, key_output
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    built_output,
    check,
    waived,
)


def described_problems(domain: dict[str, Any], ctx: AuditContext) -> list[str]:
    """The live counterpart of the rule's checks, on DescribeDomain's answer."""
    problems = []
    if domain.get("AppNetworkAccessType") != "VpcOnly":
        problems.append(f"AppNetworkAccessType is {domain.get('AppNetworkAccessType')}")
    outside = sorted(set(domain.get("SubnetIds") or []) - set(ctx.output("privateSubnetIds")))
    if domain.get("VpcId") != ctx.output("vpcId") or outside:
        problems.append(f"domain network {domain.get('VpcId')} {outside} is outside the isolated subnets")
    workload = ctx.output("workloadSecurityGroupId")
    settings = domain.get("DomainSettings") or {}
    groups = {
        *(settings.get("SecurityGroupIds") or []),
        *(domain.get("DefaultUserSettings") or {}).get("SecurityGroups", []),
    }
    if groups != {workload}:
        problems.append(f"security groups {sorted(groups)} are not only {workload}")
    if domain.get("KmsKeyId") != ctx.output(key_output(STUDIO_KEY_CLASS, "Arn")):
        problems.append(f"KmsKeyId {domain.get('KmsKeyId')!r} is not the {STUDIO_KEY_CLASS} key")
    if domain.get("AuthMode") != "IAM":
        problems.append(f"AuthMode is {domain.get('AuthMode')}")
    if settings.get("ExecutionRoleIdentityConfig") != "USER_PROFILE_NAME":
        problems.append("ExecutionRoleIdentityConfig is not USER_PROFILE_NAME")
    return problems


@check("AI-03", account_subject)
def studio_vpc_only(ctx: AuditContext, _region: str) -> Verdict:
    studio = built_output(ctx, STUDIO_OUTPUT)
    if studio is None:
        return waived("not applicable: the stack has no Studio domain (ai.studio off)")
    domain_id = str(studio.get("domainId") or "")
    domain = ctx.observe("sagemaker", "DescribeDomain", DomainId=domain_id)
    problems = described_problems(domain, ctx)
    return Verdict(
        not problems, "; ".join(problems) or f"domain {domain_id} is VpcOnly and isolated", {"id": domain_id}
    )

"""KMS-05 live probe: each service-principal grant of a deployed key policy refuses the service acting for another
account (confused deputy)."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Verdict,
    as_list,
    check,
    decide,
    statements,
)
from ai_security_baseline.verify.checkers.audit.kms import key_arn, key_policy, key_subjects


@check("KMS-05", key_subjects)
def service_principals_conditioned(ctx: AuditContext, data_class: str) -> Verdict:
    document = key_policy(ctx, data_class)
    arn = key_arn(ctx, data_class)
    open_grants = []
    for statement in statements(document):
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow" or not isinstance(principal, dict):
            continue
        for service in as_list(principal.get("Service")):
            action = next((a for a in as_list(statement.get("Action")) if "*" not in a), "kms:Decrypt")
            foreign = {
                "aws:SourceAccount": FOREIGN_ACCOUNT,
                "aws:SourceArn": f"arn:aws:{service.split('.')[0]}:{ctx.region}:{FOREIGN_ACCOUNT}:probe",
            }
            outcome = decide(
                ctx,
                action=action,
                resource=arn,
                principal=service,
                context=foreign,
                resource_policy=document,
                kind="kms",
            )
            if outcome == "Allow":
                open_grants.append(f"{statement.get('Sid', '?')}:{service}")
    return Verdict(
        not open_grants,
        f"{data_class} key: "
        + (
            f"service grants usable for another account: {open_grants}" if open_grants else "service grants conditioned"
        ),
        {"unconditioned": open_grants},
    )

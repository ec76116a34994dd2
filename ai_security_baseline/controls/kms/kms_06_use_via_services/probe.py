"""KMS-06 live probe: named users of the data and models keys decrypt only via the services that need the key,
create grants only for AWS resources, and no principal of another account may decrypt at all."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Subject,
    Verdict,
    as_list,
    check,
    decide,
    statements,
)
from ai_security_baseline.verify.checkers.audit.kms import key_arn, key_policy, key_subjects

#: A service through which no baseline key is used (KMS-06 allows S3, EBS via ec2 and Secrets Manager).
UNNEEDED_VIA_SERVICE = "sqs"


def data_key_subjects(ctx: AuditContext) -> list[Subject]:
    return [
        s for s in key_subjects(ctx) if s.value in ("data", "models") or s.missing in ("dataKeyArn", "modelsKeyArn")
    ]


@check("KMS-06", data_key_subjects)
def only_via_needed_services_same_account(ctx: AuditContext, data_class: str) -> Verdict:
    document = key_policy(ctx, data_class)
    arn = key_arn(ctx, data_class)
    users = sorted(
        {
            p
            for s in statements(document)
            if s.get("Effect") == "Allow" and isinstance(s.get("Principal"), dict)
            for p in as_list(s["Principal"].get("AWS"))
            if isinstance(p, str) and (":role/" in p or ":user/" in p)
        }
    )
    probes = {
        f"{FOREIGN_ACCOUNT} (direct)": decide(
            ctx,
            action="kms:Decrypt",
            resource=arn,
            principal=ctx.probe_arn(FOREIGN_ACCOUNT),
            resource_policy=document,
            kind="kms",
        )
    }
    for user in users:
        unneeded = {
            "kms:ViaService": f"{UNNEEDED_VIA_SERVICE}.{ctx.region}.amazonaws.com",
            "kms:CallerAccount": ctx.account_id,
        }
        probes[f"{user} via {UNNEEDED_VIA_SERVICE}"] = decide(
            ctx,
            action="kms:Decrypt",
            resource=arn,
            principal=user,
            context=unneeded,
            resource_policy=document,
            kind="kms",
        )
        probes[f"{user} grant for a person via ec2"] = decide(
            ctx,
            action="kms:CreateGrant",
            resource=arn,
            principal=user,
            context={
                "kms:ViaService": f"ec2.{ctx.region}.amazonaws.com",
                "kms:CallerAccount": ctx.account_id,
                "kms:GrantIsForAWSResource": False,
            },
            resource_policy=document,
            kind="kms",
        )
        probes[f"{user} direct"] = decide(
            ctx, action="kms:Decrypt", resource=arn, principal=user, resource_policy=document, kind="kms"
        )
    allowed = [k for k, v in probes.items() if v == "Allow"]
    return Verdict(
        not allowed,
        f"{data_class} key: "
        + (f"allowed for {allowed}" if allowed else "use only via the services that need it, from this account"),
        {"probe": probes},
    )

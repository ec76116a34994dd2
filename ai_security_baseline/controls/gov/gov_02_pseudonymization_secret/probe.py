"""GOV-02 live probe: the secret uses the data key, and its read-back policy refuses other roles and accounts."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import PROCESSOR, ROLE_ARNS_OUTPUT, SECRET_OUTPUT, key_output
from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Subject,
    Verdict,
    as_list,
    check,
    decide,
    policy_json,
)


def secret_subject(ctx: AuditContext) -> list[Subject]:
    arn = ctx.outputs.get(SECRET_OUTPUT)
    return [Subject(urn=str(arn), value=str(arn))] if arn else [Subject(urn="stack", missing=SECRET_OUTPUT)]


@check("GOV-02", secret_subject)
def secret(ctx: AuditContext, arn: str) -> Verdict:
    secrets = ctx.client("secretsmanager")
    key = str(ctx.output(key_output("data")))
    described = secrets.describe_secret(SecretId=arn)
    policy = policy_json(secrets.get_resource_policy(SecretId=arn)["ResourcePolicy"])
    readers = [p for p in as_list((ctx.outputs.get(ROLE_ARNS_OUTPUT) or {}).get(PROCESSOR)) if isinstance(p, str)]
    probes = {
        "other role of this account": decide(
            ctx, action="secretsmanager:GetSecretValue", resource=arn, resource_policy=policy
        ),
        "another account": decide(
            ctx,
            action="secretsmanager:GetSecretValue",
            resource=arn,
            principal=ctx.probe_arn(FOREIGN_ACCOUNT),
            resource_policy=policy,
        ),
    }
    ok = described.get("KmsKeyId") == key and all(v != "Allow" for v in probes.values())
    return Verdict(
        ok,
        f"secret key {described.get('KmsKeyId')} (expected {key}); GetSecretValue {probes}"
        + ("" if readers else "; data-processor not in the outputs: its read was not probed"),
        {"probe": probes},
    )

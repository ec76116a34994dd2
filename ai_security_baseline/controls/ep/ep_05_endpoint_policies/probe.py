"""EP-05 live probe: each endpoint policy admits this account and refuses another's principals and buckets."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import ENDPOINT_POLICY_UNSUPPORTED
from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Verdict,
    check,
    decide,
    policy_json,
)
from ai_security_baseline.verify.checkers.audit.network import describe_endpoint, endpoint_subjects
from ai_security_baseline.verify.iam.evaluator import Outcome

#: A representative, resource-level action per interface endpoint service that takes a policy (probe of EP-05):
#: every such known service has one, so no bundle or extra service an endpoint config accepts leaves the probe
#: without an action.
ENDPOINT_ACTIONS: dict[str, str] = {
    "s3": "s3:GetObject",
    "sagemaker.api": "sagemaker:CreateTrainingJob",
    "sagemaker.runtime": "sagemaker:InvokeEndpoint",
    "sts": "sts:AssumeRole",
    "kms": "kms:Decrypt",
    "logs": "logs:PutLogEvents",
    "monitoring": "cloudwatch:PutMetricData",
    "ecr.api": "ecr:BatchGetImage",
    "ecr.dkr": "ecr:BatchGetImage",
    "secretsmanager": "secretsmanager:GetSecretValue",
    "bedrock-runtime": "bedrock:InvokeModel",
    "bedrock": "bedrock:GetFoundationModel",
    "bedrock-agent-runtime": "bedrock:InvokeAgent",
    "bedrock-agent": "bedrock:GetAgent",
    "sagemaker.featurestore-runtime": "sagemaker:GetRecord",
    "ssm": "ssm:GetParameter",
    "glue": "glue:GetTable",
    "athena": "athena:StartQueryExecution",
    "events": "events:PutEvents",
    "sns": "sns:Publish",
    "sqs": "sqs:SendMessage",
    "ecs": "ecs:RunTask",
    "elasticfilesystem": "elasticfilesystem:DescribeMountTargets",
    "codeartifact.api": "codeartifact:GetAuthorizationToken",
    "codeartifact.repositories": "codeartifact:ReadFromRepository",
}


@check("EP-05", endpoint_subjects)
def endpoint_policy(ctx: AuditContext, value: tuple[str, str]) -> Verdict:
    """The endpoint refuses another account's principal; for S3 also this account's data going to foreign buckets.

    A service that takes no endpoint policy is waived by design (AWS applies its default), never passed.
    """
    service, endpoint_id = value
    endpoint = describe_endpoint(ctx, endpoint_id)
    if service in ENDPOINT_POLICY_UNSUPPORTED:
        reason = ENDPOINT_POLICY_UNSUPPORTED[service]
        return Verdict(True, f"{service} endpoint: not applicable ({reason})", status="waived", waiver=reason)
    policy = policy_json(endpoint["PolicyDocument"])
    action = ENDPOINT_ACTIONS.get(service)
    if action is None:
        raise LookupError(f"no probe action known for endpoint service {service!r}")
    prefix = action.split(":")[0]

    def resource(account: str) -> str:
        return (
            f"arn:aws:s3:::bucket-of-{account}/x"
            if prefix == "s3"
            else f"arn:aws:{prefix}:{ctx.region}:{account}:probe"
        )

    def through(principal_account: str, resource_account: str) -> Outcome:
        return decide(
            ctx,
            action=action,
            resource=resource(resource_account),
            principal=ctx.probe_arn(principal_account),
            context={"aws:ResourceAccount": resource_account},
            vpce=[policy],
            resource_account=resource_account,
        )

    probes = {
        "own": through(ctx.account_id, ctx.account_id),
        "foreign principal": through(FOREIGN_ACCOUNT, FOREIGN_ACCOUNT),
    }
    if service == "s3":
        probes["foreign bucket"] = through(ctx.account_id, FOREIGN_ACCOUNT)
    ok = probes["own"] == "Allow" and all(v != "Allow" for k, v in probes.items() if k != "own")
    return Verdict(ok, f"{service} endpoint policy: {probes}", {"probe": probes})

"""S3-11 live probe: every log source logs into access-logs, whose policy admits delivery for it and not for others."""

from __future__ import annotations

from ai_security_baseline.controls.s3.common import LOG_DELIVERY
from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Verdict,
    check,
    decide,
    policy_json,
)
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, log_sources, read
from ai_security_baseline.verify.iam.evaluator import Outcome


@check("S3-11", log_sources)
def access_logging(ctx: AuditContext, bucket: Bucket) -> Verdict:
    target = str(ctx.output("accessLogsBucketName"))
    enabled = read(ctx, "get_bucket_logging", bucket).get("LoggingEnabled") or {}
    if enabled.get("TargetBucket") != target:
        return Verdict(False, f"access logs go to {enabled.get('TargetBucket')} (expected {target})", enabled)
    logs_policy = policy_json(ctx.client("s3").get_bucket_policy(Bucket=target)["Policy"])

    def delivery(source_arn: str, account: str) -> Outcome:
        return decide(
            ctx,
            action="s3:PutObject",
            resource=f"arn:aws:s3:::{target}/{enabled.get('TargetPrefix', '')}probe",
            principal=LOG_DELIVERY,
            context={
                "aws:SourceArn": source_arn,
                "aws:SourceAccount": account,
                "aws:SecureTransport": True,
                "s3:TlsVersion": "1.3",
                "s3:x-amz-server-side-encryption": "AES256",
                "aws:PrincipalIsAWSService": True,
            },
            resource_policy=logs_policy,
            kind="s3",
        )

    ours = delivery(bucket.arn, ctx.account_id)
    confused = delivery("arn:aws:s3:::someone-elses-bucket", FOREIGN_ACCOUNT)
    ok = ours == "Allow" and confused != "Allow"
    return Verdict(
        ok,
        f"logs to {target}; delivery for this bucket {ours}, for a foreign bucket {confused}",
        {"logging": enabled, "delivery": ours, "foreignDelivery": confused},
    )

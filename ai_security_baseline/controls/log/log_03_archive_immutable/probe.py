"""LOG-03 live probe: the trail's bucket is SSE-KMS, versioned, object-locked, admits only this account's
CloudTrail delivery and denies deletes, judged by evaluating the bucket policy it reads back."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Verdict,
    check,
    decide,
    policy_json,
)
from ai_security_baseline.verify.checkers.audit.log import trail, trail_subject
from ai_security_baseline.verify.iam.evaluator import Outcome


@check("LOG-03", trail_subject)
def archive(ctx: AuditContext, arn: str) -> Verdict:
    bucket = trail(ctx, arn)["S3BucketName"]
    s3 = ctx.client("s3")
    sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"].get("ObjectLockEnabled")
    policy = policy_json(s3.get_bucket_policy(Bucket=bucket)["Policy"])

    def deliver(account: str) -> Outcome:
        return decide(
            ctx,
            action="s3:PutObject",
            resource=f"arn:aws:s3:::{bucket}/AWSLogs/{account}/x",
            principal="cloudtrail.amazonaws.com",
            context={
                "aws:SourceAccount": account,
                "aws:SourceArn": arn.replace(ctx.account_id, account),
                "s3:x-amz-acl": "bucket-owner-full-control",
                "aws:SecureTransport": True,
            },
            resource_policy=policy,
            kind="s3",
        )

    delete = decide(
        ctx,
        action="s3:DeleteObject",
        resource=f"arn:aws:s3:::{bucket}/AWSLogs/x",
        context={"aws:SecureTransport": True},
        resource_policy=policy,
        kind="s3",
    )
    checks = {
        "SSE-KMS": sse.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") == "aws:kms",
        "versioning": versioning == "Enabled",
        "object lock": lock == "Enabled",
        "CloudTrail delivery": deliver(ctx.account_id) == "Allow",
        "foreign delivery refused": deliver(FOREIGN_ACCOUNT) != "Allow",
        "deletes denied": delete == "ExplicitDeny",
    }
    bad = [k for k, v in checks.items() if not v]
    return Verdict(not bad, f"audit bucket {bucket}: " + (f"failing {bad}" if bad else "as required"), checks)

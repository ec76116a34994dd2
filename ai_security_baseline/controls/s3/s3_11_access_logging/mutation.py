"""S3-11 mutations: a data bucket stops logging, the log-delivery grant loses its source conditions, and in the
account a bucket's logging is switched off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.s3.common import LOGGING
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    drop_resources,
    edit_document,
    without_condition,
)


def logging_off_live(ctx: Any) -> Callable[[], None]:
    s3 = ctx.client("s3")
    bucket = str(ctx.output("rawBucketName"))
    original = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    return lambda: s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": original})


MUTATIONS = (
    # the access analysis judges the log target's grant, not which buckets have a BucketLogging
    Mutation(
        "S3-11", "raw bucket access logging removed", graph=drop_resources(LOGGING, "-raw"), layers=("rule", "checkov")
    ),
    # checkov's CKV_AWS_18 checks only that logging is configured, not the target's grant
    Mutation(
        "S3-11",
        "log delivery admitted without source conditions",
        graph=edit_document(
            BUCKET_POLICY, "-access-logs", "policy", changed_statement("AllowS3ServerAccessLogs", without_condition)
        ),
        layers=("rule", "access"),
    ),
    Mutation("S3-11", "access logging switched off on the deployed raw bucket", live=logging_off_live),
)

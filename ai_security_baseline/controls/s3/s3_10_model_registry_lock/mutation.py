"""S3-10 mutations: the model registry loses its default retention, in the graph and in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.s3.common import OBJECT_LOCK
from ai_security_baseline.controls.vocabulary import BUCKET
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property


def retention_cleared_live(ctx: Any) -> Callable[[], None]:
    s3 = ctx.client("s3")
    bucket = str(ctx.output("modelsBucketName"))
    original = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    return lambda: s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=original)


MUTATIONS = (
    Mutation("S3-10", "models object lock configuration removed", graph=drop_resources(OBJECT_LOCK, "-models")),
    Mutation(
        "S3-10",
        "models bucket created without object lock",
        graph=set_property(BUCKET, "-models", "objectLockEnabled", False),
    ),
    Mutation("S3-10", "default retention cleared on the deployed models bucket", live=retention_cleared_live),
)

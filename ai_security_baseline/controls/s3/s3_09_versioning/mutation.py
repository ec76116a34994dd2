"""S3-09 mutations: versioning suspended, in the graph and in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.s3.common import VERSIONING
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property


def versioning_suspended_live(ctx: Any) -> Callable[[], None]:
    s3 = ctx.client("s3")
    bucket = str(ctx.output("curatedBucketName"))
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    return lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


MUTATIONS = (
    Mutation(
        "S3-09",
        "raw bucket versioning suspended",
        graph=set_property(VERSIONING, "-raw", "versioningConfiguration", {"status": "Suspended"}),
    ),
    Mutation("S3-09", "versioning suspended on the deployed curated bucket", live=versioning_suspended_live),
)

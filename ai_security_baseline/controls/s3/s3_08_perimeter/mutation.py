"""S3-08 mutations: the account perimeter Deny removed from a bucket policy, in the graph and in the account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import Mutation, edit_document, without_statement

SID = "DenyPrincipalsOutsideAccount"


def perimeter_removed_live(ctx: Any) -> Callable[[], None]:
    s3 = ctx.client("s3")
    bucket = str(ctx.output("rawBucketName"))
    original = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(without_statement(SID)(json.loads(original))))
    return lambda: s3.put_bucket_policy(Bucket=bucket, Policy=original)


MUTATIONS = (
    Mutation(
        "S3-08",
        "raw bucket policy without the account perimeter",
        graph=edit_document(BUCKET_POLICY, "-raw", "policy", without_statement(SID)),
    ),
    Mutation("S3-08", "perimeter Deny deleted from the deployed raw bucket policy", live=perimeter_removed_live),
)

"""S3-01 mutations: a public access block flag switched off or the block removed, in the graph and in the account."""

from __future__ import annotations

from ai_security_baseline.controls.s3.common import PUBLIC_ACCESS_BLOCK
from ai_security_baseline.controls.s3.live import bucket_setting_edit
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")

restrict_off_live = bucket_setting_edit(
    "curatedBucketName",
    "get_public_access_block",
    "put_public_access_block",
    "PublicAccessBlockConfiguration",
    {**dict.fromkeys(FLAGS, True), "RestrictPublicBuckets": False},
)

MUTATIONS = (
    Mutation(
        "S3-01",
        "restrictPublicBuckets off on raw",
        graph=set_property(PUBLIC_ACCESS_BLOCK, "-raw", "restrictPublicBuckets", False),
    ),
    Mutation(
        "S3-01",
        "blockPublicPolicy off on the access-log target",
        graph=set_property(PUBLIC_ACCESS_BLOCK, "-access-logs", "blockPublicPolicy", False),
    ),
    Mutation("S3-01", "public access block of curated removed", graph=drop_resources(PUBLIC_ACCESS_BLOCK, "-curated")),
    Mutation("S3-01", "restrictPublicBuckets off on the deployed curated bucket", live=restrict_off_live),
)

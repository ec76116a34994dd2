"""S3-02 mutations: object ownership that lets ACLs grant access again, in the graph and in the account."""

from __future__ import annotations

from ai_security_baseline.controls.s3.common import OWNERSHIP
from ai_security_baseline.controls.s3.live import bucket_setting_edit
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property

object_writer_live = bucket_setting_edit(
    "modelsBucketName",
    "get_bucket_ownership_controls",
    "put_bucket_ownership_controls",
    "OwnershipControls",
    {"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
)

MUTATIONS = (
    Mutation(
        "S3-02",
        "ObjectWriter ownership on raw",
        graph=set_property(OWNERSHIP, "-raw", "rule", {"objectOwnership": "ObjectWriter"}),
    ),
    Mutation("S3-02", "ObjectWriter ownership on models", live=object_writer_live),
)

"""S3-03 mutations: a data bucket falling back to SSE-S3 or losing its S3 Bucket Key, in the graph and account."""

from __future__ import annotations

import dataclasses

from ai_security_baseline.controls.s3.common import ENCRYPTION
from ai_security_baseline.controls.s3.live import bucket_setting_edit
from ai_security_baseline.verify.checkers.mutation import Mutation, edit_resources, set_property
from ai_security_baseline.verify.engine.graph import Resource

sse_s3_live = bucket_setting_edit(
    "rawBucketName",
    "get_bucket_encryption",
    "put_bucket_encryption",
    "ServerSideEncryptionConfiguration",
    {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
)


def _bucket_key_off(resource: Resource) -> Resource:
    """Inputs and outputs alike: the checkers read the outputs where the engine has them."""
    rules = [{**rule, "bucketKeyEnabled": False} for rule in resource.prop("rules")]
    outputs = {**resource.outputs, "rules": rules} if "rules" in resource.outputs else resource.outputs
    return dataclasses.replace(resource, inputs={**resource.inputs, "rules": rules}, outputs=outputs)


MUTATIONS = (
    Mutation(
        "S3-03",
        "SSE-S3 on raw",
        graph=set_property(
            ENCRYPTION, "-raw", "rules", [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
        ),
    ),
    Mutation(  # checkov's CKV_AWS_145 asks for SSE-KMS, not for an S3 Bucket Key
        "S3-03",
        "S3 Bucket Key off on curated",
        graph=edit_resources(ENCRYPTION, "-curated", _bucket_key_off),
        layers=("rule",),
    ),
    Mutation("S3-03", "SSE-S3 on the deployed raw bucket", live=sse_s3_live),
)

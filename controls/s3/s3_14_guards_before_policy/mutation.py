"""S3-14 mutation: a bucket policy that no longer waits for its public access block."""

from __future__ import annotations

import dataclasses

from controls.s3.common import BUCKET_POLICY, PUBLIC_ACCESS_BLOCK
from verify.checkers.mutation import Mutation, edit_resources
from verify.engine.graph import Resource


def _without_block_dependency(policy: Resource) -> Resource:
    kept = tuple(d for d in policy.dependencies if f"::{PUBLIC_ACCESS_BLOCK}::" not in d)
    return dataclasses.replace(policy, dependencies=kept)


MUTATIONS = (
    Mutation(
        "S3-14",
        "raw bucket policy applied without waiting for the public access block",
        graph=edit_resources(BUCKET_POLICY, "-raw", _without_block_dependency),
    ),
)

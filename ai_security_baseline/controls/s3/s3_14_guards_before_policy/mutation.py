"""S3-14 mutation: a bucket policy that no longer waits for its public access block."""

from __future__ import annotations

import dataclasses

from ai_security_baseline.controls.s3.common import PUBLIC_ACCESS_BLOCK
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import Mutation, edit_resources
from ai_security_baseline.verify.engine.graph import Resource


def _without_block_dependency(policy: Resource) -> Resource:
    kept = tuple(d for d in policy.dependencies if d.split("::")[2].split("$")[-1] != PUBLIC_ACCESS_BLOCK)
    return dataclasses.replace(policy, dependencies=kept)


MUTATIONS = (
    Mutation(
        "S3-14",
        "raw bucket policy applied without waiting for the public access block",
        graph=edit_resources(BUCKET_POLICY, "-raw", _without_block_dependency),
    ),
)

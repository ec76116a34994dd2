"""S3-12 mutations: a bucket without lifecycle, multipart uploads kept a month, noncurrent versions kept forever on
the model registry; in the account the models lifecycle loses its noncurrent expiry."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ai_security_baseline.controls.s3.common import LIFECYCLE
from ai_security_baseline.verify.checkers.mutation import GraphEdit, Mutation, drop_resources, edit_resources
from ai_security_baseline.verify.engine.graph import Resource


def _rules_edited(suffix: str, edit: Callable[[dict[str, Any]], dict[str, Any]]) -> GraphEdit:
    def change(resource: Resource) -> Resource:
        def edited(props: Mapping[str, Any]) -> dict[str, Any]:
            return (
                {**props, "rules": [edit(dict(r)) for r in props.get("rules") or []]}
                if "rules" in props
                else dict(props)
            )

        return dataclasses.replace(resource, inputs=edited(resource.inputs), outputs=edited(resource.outputs))

    return edit_resources(LIFECYCLE, suffix, change)


def _abort_after_30_days(rule: dict[str, Any]) -> dict[str, Any]:
    if "abortIncompleteMultipartUpload" in rule:
        rule["abortIncompleteMultipartUpload"] = {"daysAfterInitiation": 30}
    return rule


def _without_noncurrent_expiry(rule: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rule.items() if k != "noncurrentVersionExpiration"}


def noncurrent_kept_live(ctx: Any) -> Callable[[], None]:
    s3 = ctx.client("s3")
    bucket = str(ctx.output("modelsBucketName"))
    original = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    kept = [{k: v for k, v in r.items() if k != "NoncurrentVersionExpiration"} for r in original]
    kept = [r for r in kept if set(r) - {"ID", "Filter", "Prefix", "Status"}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": kept})
    return lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": original})


MUTATIONS = (
    Mutation("S3-12", "raw bucket without lifecycle", graph=drop_resources(LIFECYCLE, "-raw")),
    # checkov's CKV_AWS_300 checks that an abort rule exists, not its days
    Mutation(
        "S3-12",
        "incomplete uploads kept 30 days on curated",
        graph=_rules_edited("-curated", _abort_after_30_days),
        layers=("rule",),
    ),
    # checkov's CKV2_AWS_61 and CKV_AWS_300 do not require noncurrent-version expiry
    Mutation(
        "S3-12",
        "noncurrent model versions kept forever",
        graph=_rules_edited("-models", _without_noncurrent_expiry),
        layers=("rule",),
    ),
    Mutation("S3-12", "noncurrent expiry removed from the deployed models lifecycle", live=noncurrent_kept_live),
)

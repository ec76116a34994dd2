"""Live mutations the S3 units share: one change to a deployed bucket, returning the call that restores it exactly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.verify.checkers.mutation import Document, LiveEdit, MutationError


def bucket_policy_edit(output: str, edit: Callable[[Document], Document]) -> LiveEdit:
    """Rewrite the policy of the bucket named by stack output ``output``; the undo puts the original text back."""

    def apply(ctx: Any) -> Callable[[], None]:
        s3 = ctx.client("s3")
        bucket = str(ctx.output(output))
        original = s3.get_bucket_policy(Bucket=bucket)["Policy"]
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(edit(json.loads(original))))
        return lambda: s3.put_bucket_policy(Bucket=bucket, Policy=original)

    return apply


def bucket_setting_edit(output: str, get: str, put: str, field: str, value: Any) -> LiveEdit:
    """Replace one bucket configuration (``get``/``put`` call names, ``field`` both read and write) by ``value``."""

    def apply(ctx: Any) -> Callable[[], None]:
        s3 = ctx.client("s3")
        bucket = str(ctx.output(output))
        original = getattr(s3, get)(Bucket=bucket).get(field)
        if original is None:
            raise MutationError(f"{bucket}: {get} returned no {field}")
        getattr(s3, put)(Bucket=bucket, **{field: value})
        return lambda: getattr(s3, put)(Bucket=bucket, **{field: original})

    return apply

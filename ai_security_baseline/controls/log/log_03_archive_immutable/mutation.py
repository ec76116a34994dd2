"""LOG-03 mutations: the archive loses its deletion deny, its Object Lock, or the source conditions on
CloudTrail's write grant, in the graph; live, its policy stops denying deletes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.log.common import OBJECT_LOCK
from ai_security_baseline.controls.vocabulary import BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    drop_resources,
    edit_document,
    without_condition,
    without_statement,
)

DENY_DELETION = "DenyAuditLogDeletion"


def deletes_allowed_live(ctx: Any) -> Callable[[], None]:
    s3 = ctx.client("s3")
    bucket = str(ctx.output("auditBucketName"))
    original = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    document = json.loads(original)
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != DENY_DELETION]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
    return lambda: s3.put_bucket_policy(Bucket=bucket, Policy=original)


MUTATIONS = (
    Mutation(  # the access analysis proves CloudTrail's delivery, not who may delete
        "LOG-03",
        "archive policy without the deletion deny",
        graph=edit_document(BUCKET_POLICY, "-audit", "policy", without_statement(DENY_DELETION)),
        layers=("rule",),
    ),
    Mutation(
        "LOG-03",
        "archive without Object Lock",
        graph=drop_resources(OBJECT_LOCK, "-audit"),
        layers=("rule",),  # Object Lock is not a permission: the access analysis cannot see it
    ),
    Mutation(  # the rule judges immutability; the access analysis proves who may write
        "LOG-03",
        "CloudTrail may write for any trail",
        graph=edit_document(
            BUCKET_POLICY, "-audit", "policy", changed_statement("AllowCloudTrailWrite", without_condition)
        ),
        layers=("access",),
    ),
    Mutation("LOG-03", "deployed archive policy stops denying deletes", live=deletes_allowed_live),
)

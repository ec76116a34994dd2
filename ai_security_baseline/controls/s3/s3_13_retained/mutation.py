"""S3-13 mutations: a bucket force-destroyable, a bucket not retained, a guard not retained; and a bucket policy the
deployer could no longer rewrite (the access analysis' view of S3-13)."""

from __future__ import annotations

import dataclasses

from ai_security_baseline.controls.s3.common import VERSIONING
from ai_security_baseline.controls.vocabulary import BUCKET, BUCKET_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    edit_document,
    edit_resources,
    set_property,
    without_condition,
)

MUTATIONS = (
    # the access analysis judges who may call what, not what a destroy deletes
    Mutation(
        "S3-13",
        "raw bucket force-destroyable",
        graph=set_property(BUCKET, "-raw", "forceDestroy", True),
        layers=("rule",),
    ),
    Mutation(
        "S3-13",
        "models bucket not retained on delete",
        graph=edit_resources(BUCKET, "-models", lambda r: dataclasses.replace(r, retain_on_delete=False)),
        layers=("rule",),
    ),
    Mutation(
        "S3-13",
        "curated versioning not retained with its bucket",
        graph=edit_resources(VERSIONING, "-curated", lambda r: dataclasses.replace(r, retain_on_delete=False)),
        layers=("rule",),
    ),
    # the rule reads destroy safety, not policy statements: a Deny of everything locks the deployer out
    Mutation(
        "S3-13",
        "raw bucket policy denies every principal everything",
        graph=edit_document(
            BUCKET_POLICY, "-raw", "policy", changed_statement("DenyPrincipalsOutsideAccount", without_condition)
        ),
        layers=("access",),
    ),
)

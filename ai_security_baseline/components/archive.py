"""The locked log archive: what the audit trail's archive (LOG-03/LOG-04) and Bedrock's invocation archive (AI-01)
share, so both are kept alike: the logs key, Object Lock, lifecycle, server access logs, the organization, the
delivery role's boundary, protection, and their log group's retention. AWS Config's delivery bucket (DET-05) is kept
the same way but without Object Lock, which AWS Config does not deliver into."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi

from ai_security_baseline.components.delivery import LogGroupSettings
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.storage import (
    AccessLogTarget,
    BucketStatements,
    Lifecycle,
    ObjectLock,
    SecureBucket,
    SecureBucketArgs,
)


@dataclass(frozen=True)
class ArchiveArgs:
    """Inputs every locked archive takes. ``key_dependencies``: what holds the logs key's policy (the delivering
    service checks it when delivery is set up); ``boundary_arn``: the workloads' boundary its delivery role carries
    (IAM-05); ``allow_bucket_replacement``: see SecureBucketArgs."""

    logs_key_arn: pulumi.Input[str]
    retention_days: int
    archive_lock: ObjectLock
    lifecycle: Lifecycle
    access_log_target: AccessLogTarget | None = None
    key_dependencies: Sequence[pulumi.Resource] = ()
    org_id: str | None = None
    boundary_arn: pulumi.Input[str] | None = None
    protect: bool = False
    allow_bucket_replacement: bool = False
    short_log_retention: bool = False

    @property
    def log_settings(self) -> LogGroupSettings:
        """How the archive's log group is kept: the same key, retention and protection."""
        return LogGroupSettings(self.logs_key_arn, self.retention_days, self.protect, self.short_log_retention)

    def bucket_args(
        self, bucket_class: str, account: AccountContext, grants: BucketStatements, **overrides: Any
    ) -> SecureBucketArgs:
        """The archive bucket: locked, under the logs key, logged, with the delivering service's ``grants``;
        ``overrides``: what one archive sets apart (SecureBucketArgs fields)."""
        common = SecureBucketArgs(
            bucket_class=bucket_class,
            account=account,
            lifecycle=self.lifecycle,
            kms_key_arn=self.logs_key_arn,
            object_lock=self.archive_lock,
            access_log_target=self.access_log_target,
            org_id=self.org_id,
            extra_statements=[grants],
            protect=self.protect,
            allow_replacement=self.allow_bucket_replacement,
        )
        return replace(common, **overrides)


def archive_guards(bucket: SecureBucket) -> list[pulumi.Resource]:
    """What delivery must wait for: the archive's policy (the service checks it when delivery is set up), its
    encryption, versioning and Object Lock default retention, so no log file is ever written before they hold."""
    guards: list[pulumi.Resource] = [bucket.policy, bucket.encryption, bucket.versioning]
    if bucket.object_lock is not None:
        guards.append(bucket.object_lock)
    return guards

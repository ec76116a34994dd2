"""Shared shapes of log delivery: a KMS-encrypted, retained log group and the service role that writes to it.

VPC flow logs (NET-05) and CloudTrail's CloudWatch delivery (LOG-04) use the same two resources with the same
hardening; one definition keeps them equal.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components.documents import PolicyDocument
from ai_security_baseline.controls.vocabulary import RELAXATION_TAG, SHORT_LOG_RETENTION


def encrypted_log_group(
    resource_name: str,
    *,
    group_name: str,
    kms_key_arn: pulumi.Input[str],
    retention_days: int,
    protect: bool,
    parent: pulumi.Resource,
    short_retention: bool = False,
) -> aws.cloudwatch.LogGroup:
    """A log group encrypted with the ``logs`` key, retained on delete (and by CloudWatch: ``skip_destroy``).

    ``short_retention``: ``relaxations.shortLogRetention`` is on; the group carries it on record (a tag), so the
    checkers report its retention below 365 days as waived with the relaxation's reason, never below 180.
    """
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=group_name,
        kms_key_id=kms_key_arn,
        retention_in_days=retention_days,
        log_group_class="STANDARD",
        skip_destroy=True,
        tags={RELAXATION_TAG: SHORT_LOG_RETENTION} if short_retention else None,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=True),
    )


def delivery_role(
    resource_name: str,
    *,
    role_name: str,
    description: str,
    trust: PolicyDocument,
    boundary_arn: pulumi.Input[str] | None,
    protect: bool,
    parent: pulumi.Resource,
) -> aws.iam.Role:
    """The role a service assumes to deliver logs: conditioned trust, the permissions boundary, one-hour sessions.

    Retained on delete, like the group it writes to: after ``pulumi destroy`` the retained trail keeps delivering
    to its retained group through it. Both delivery roles share this definition; a role without its inline policy
    (the flow-log role's is not retained) can deliver nothing.
    """
    return aws.iam.Role(
        resource_name,
        name=role_name,
        description=description,
        assume_role_policy=json.dumps(trust),
        permissions_boundary=boundary_arn,
        max_session_duration=3600,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect, retain_on_delete=True),
    )

"""Shared shapes of log delivery and service roles: one definition keeps every instance equally hardened.

- A log group: KMS-encrypted with the ``logs`` key, retained, its retention relaxation on record (VPC flow logs,
  NET-05; CloudTrail to CloudWatch Logs, LOG-04; Bedrock invocation logs, AI-01; Resolver query logs, NET-07).
- A log delivery: such a group, the role a service assumes to write it (conditioned trust, the workloads'
  permissions boundary) and that role's one grant on the group's streams (``LogDelivery``, ``deliver_logs``).
- A service role with a boundary of its own (AWS Config's recorder, DET-05; GuardDuty Malware Protection, DET-02):
  its grants differ from the workloads', so the workloads' boundary stays as narrow as theirs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents
from ai_security_baseline.components.documents import PolicyDocument
from ai_security_baseline.components.identity import MAX_SESSION_SECONDS
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import RELAXATION_TAG, SHORT_LOG_RETENTION


def stack_log_group_name(prefix: str, environment: str, purpose: str) -> str:
    """``/<prefix>/<environment>/<purpose>``: every baseline log group's name, unique per stack and known before the
    logs key (whose policy names the groups)."""
    return f"/{prefix}/{environment}/{purpose}"


@dataclass(frozen=True)
class LogGroupSettings:
    """How every baseline log group is kept: the logs key, the retention, whether ``relaxations.shortLogRetention``
    is on (carried on record), and whether the stack protects what holds evidence."""

    kms_key_arn: pulumi.Input[str]
    retention_days: int
    protect: bool = False
    short_retention: bool = False


def encrypted_log_group(
    resource_name: str, *, group_name: str, settings: LogGroupSettings, parent: pulumi.Resource
) -> aws.cloudwatch.LogGroup:
    """A log group encrypted with the ``logs`` key, retained on delete (and by CloudWatch: ``skip_destroy``).

    ``settings.short_retention``: the group carries the relaxation on record (a tag), so the checkers report its
    retention below 365 days as waived with the relaxation's reason, never below 180.
    """
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=group_name,
        kms_key_id=settings.kms_key_arn,
        retention_in_days=settings.retention_days,
        log_group_class="STANDARD",
        skip_destroy=True,
        tags={RELAXATION_TAG: SHORT_LOG_RETENTION} if settings.short_retention else None,
        opts=pulumi.ResourceOptions(parent=parent, protect=settings.protect, retain_on_delete=True),
    )


def service_role(
    resource_name: str,
    *,
    role_name: str,
    description: str,
    trust: PolicyDocument,
    boundary_arn: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
) -> aws.iam.Role:
    """The role a service assumes: conditioned trust, a permissions boundary (IAM-05), one-hour sessions."""
    return aws.iam.Role(
        resource_name,
        name=role_name,
        description=description,
        assume_role_policy=json.dumps(trust),
        permissions_boundary=boundary_arn,
        max_session_duration=MAX_SESSION_SECONDS,
        opts=opts,
    )


@dataclass(frozen=True)
class BoundedRole:
    """A service role and the permissions boundary made for it."""

    boundary: aws.iam.Policy
    role: aws.iam.Role


def bounded_service_role(
    resource_name: str,
    *,
    role_name: str,
    description: str,
    trust: PolicyDocument,
    boundary_name: str,
    boundary_description: str,
    boundary: PolicyDocument,
    parent: pulumi.Resource,
) -> BoundedRole:
    """A service role carrying a boundary of its own (IAM-05): for a service whose grants the workloads' boundary
    must not admit. The boundary's resource is named after the role's (``<role resource>-boundary``)."""
    policy = aws.iam.Policy(
        f"{resource_name}-boundary",
        name=boundary_name,
        description=boundary_description,
        policy=json.dumps(boundary),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    role = service_role(
        resource_name,
        role_name=role_name,
        description=description,
        trust=trust,
        boundary_arn=policy.arn,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return BoundedRole(policy, role)


@dataclass(frozen=True)
class LogDelivery:
    """One service's delivery into one CloudWatch Logs group, as names and documents known before anything exists:
    the role it assumes, whom that role trusts and its one grant. Components build it (``deliver_logs``); the
    boundary's cap and the policy quotas read the same value."""

    group_name: str
    role_name: str
    description: str
    trust: PolicyDocument
    policy_name: str
    grants: PolicyDocument


def group_arn(account: AccountContext, group_name: str) -> str:
    """The group's ARN from its name: known at preview, before the group exists."""
    return documents.log_group_arn(account.partition, account.region, account.account_id, group_name)


@dataclass(frozen=True)
class DeliveredLogs:
    """What ``deliver_logs`` built."""

    group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    policy: aws.iam.RolePolicy


def deliver_logs(
    delivery: LogDelivery,
    *,
    group_resource: str,
    role_resource: str,
    settings: LogGroupSettings,
    boundary_arn: pulumi.Input[str] | None,
    parent: pulumi.Resource,
    retain_grants: bool = True,
) -> DeliveredLogs:
    """The encrypted, retained group, the delivery role (the workloads' boundary) and its grant on the streams.

    The role is retained like the group: after ``pulumi destroy`` a retained trail keeps delivering to its retained
    group through it. ``retain_grants``: the grant is kept (and protected) with them; a delivery that stops at
    destroy (the flow log) keeps a role that can deliver nothing.
    """
    group = encrypted_log_group(group_resource, group_name=delivery.group_name, settings=settings, parent=parent)
    role = service_role(
        role_resource,
        role_name=delivery.role_name,
        description=delivery.description,
        trust=delivery.trust,
        boundary_arn=boundary_arn,
        opts=pulumi.ResourceOptions(parent=parent, protect=settings.protect, retain_on_delete=True),
    )
    kept = pulumi.ResourceOptions(parent=parent, protect=settings.protect, retain_on_delete=True)
    policy = aws.iam.RolePolicy(
        role_resource,
        role=role.id,
        name=delivery.policy_name,
        policy=json.dumps(delivery.grants),
        opts=kept if retain_grants else pulumi.ResourceOptions(parent=parent),
    )
    return DeliveredLogs(group, role, policy)

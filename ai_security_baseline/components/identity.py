"""Least-privilege identity: five workload roles, their policies generated from the access matrix, and one
permissions boundary (IAM-01…IAM-10, KMS-06, GOV-02).

Ordering (no cycle): ``WorkloadRoles`` (boundary + roles with trust only) is created first, so key policies can name
the role ARNs as key users (``key_statements``); ``RolePolicies`` (the inline policies) comes last, when the keys,
buckets, subnets and the secret exist and their ARNs can be named exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import bedrock_guardrail, documents, storage
from ai_security_baseline.components.config import BucketNamesConfig, IdentityConfig
from ai_security_baseline.components.documents import PolicyDocument, Statement
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.vocabulary import (
    ACCESS_MATRIX,
    APPROVE_PACKAGE,
    APPROVER,
    APPROVER_READS,
    AUDIT_LOGS,
    AUDITOR,
    EXECUTION_ROLES,
    INFERENCE,
    LEVEL_ACTIONS,
    LEVEL_KEY_ACTIONS,
    LIST_PACKAGES,
    MATRIX_ACTIONS,
    MODEL_APPROVAL_KEY,
    MODEL_PENDING,
    PROCESSOR,
    REGISTER_PACKAGE,
    RESOURCE_KEY_CLASS,
    RESOURCES,
    ROLES,
    SAGEMAKER_LOG_GROUP_PREFIX,
    TRAINER,
    VOLUME_KEY_CLASS,
    VOLUME_KEY_USERS,
    declared_access,
    key_level,
    key_users,
    output_prefix,
    sagemaker_log_groups,
)

ROLE_DESCRIPTIONS: dict[str, str] = {
    PROCESSOR: "Reads raw training data, writes curated features; reads the pseudonymization secret",
    TRAINER: "Reads curated features, writes models; runs SageMaker jobs inside the baseline VPC only",
    INFERENCE: "Reads models; invokes the baseline's SageMaker endpoints and allowlisted Bedrock models",
    AUDITOR: "Reads audit logs only",
    APPROVER: "Approves or rejects model versions in the stack's model package groups; nothing else",
}

MAX_SESSION_SECONDS = 3600


def role_name(name_prefix: str, role: str) -> str:
    """Physical role name: ``<name_prefix>-<role>``, known up front (key policies and PassRole name it)."""
    return f"{name_prefix}-{role}"


def role_arn(account: AccountContext, name_prefix: str, role: str) -> str:
    return f"arn:{account.partition}:iam::{account.account_id}:role/{role_name(name_prefix, role)}"


@dataclass(frozen=True)
class AccessTargets:
    """Plain strings the role policies name: exact ARNs (role policies) or name patterns (the boundary)."""

    account: AccountContext
    name_prefix: str
    bucket_arns: Mapping[str, str]  # resource -> bucket ARN; a missing resource (audit-logs) is not granted
    key_arns: Mapping[str, str]  # data class -> key ARN
    subnet_ids: Sequence[str] = ()
    security_group_ids: Sequence[str] = ()
    secret_arn: str | None = None
    bedrock_model_arns: Sequence[str] = ()
    image_account_ids: Sequence[str] = ()
    #: AI-02: the guardrail every Bedrock invocation must name at ``guardrail_version`` (patterns in the boundary).
    guardrail_arn: str = ""
    guardrail_version: str = ""
    #: SageMaker log groups the execution roles write; empty: exactly this stack's (the boundary caps a pattern).
    sagemaker_log_groups: Sequence[str] = ()


def _camel(resource: str) -> str:
    return "".join(part.capitalize() for part in resource.split("-"))


def matrix_statements(role: str, t: AccessTargets) -> list[Statement]:
    """The S3 and KMS grants of ``role``, generated from ACCESS_MATRIX (IAM-03, IAM-04)."""
    statements: list[Statement] = []
    key_actions: dict[str, set[str]] = {}
    for resource, levels in ACCESS_MATRIX[role].items():
        bucket = t.bucket_arns.get(resource)
        if bucket is None:
            continue
        for level in levels:
            actions = LEVEL_ACTIONS[level]
            objects = [a for a in actions if a not in vocabulary.S3_LIST_ACTIONS]
            listing = [a for a in actions if a in vocabulary.S3_LIST_ACTIONS]
            statements.append(
                documents.allow_statement(f"{level.capitalize()}{_camel(resource)}Objects", objects, [f"{bucket}/*"])
            )
            if listing:
                statements.append(documents.allow_statement(f"List{_camel(resource)}", listing, [bucket]))
            key_actions.setdefault(RESOURCE_KEY_CLASS[resource], set()).update(LEVEL_KEY_ACTIONS[level])
    condition = documents.kms_via_s3_condition(t.account.region, t.account.account_id)
    for data_class, kms_actions in sorted(key_actions.items()):
        statements.append(
            documents.allow_statement(
                f"Use{_camel(data_class)}KeyViaS3", sorted(kms_actions), [t.key_arns[data_class]], condition
            )
        )
    return statements


def _arn(t: AccessTargets, service: str, resource: str, *, account: str | None = None) -> str:
    """A regional ARN of this account (or of ``account``, e.g. ``*`` for AWS-owned ECR repositories)."""
    owner = t.account.account_id if account is None else account
    return f"arn:{t.account.partition}:{service}:{t.account.region}:{owner}:{resource}"


def execution_runtime_statements(t: AccessTargets) -> list[Statement]:
    """What SageMaker needs from an execution role in VPC mode: its own log groups, images from this account (and the
    configured image accounts), network interfaces in the baseline's subnets and workload security group only."""
    groups = list(t.sagemaker_log_groups) or sagemaker_log_groups(t.name_prefix)
    network = [_arn(t, "ec2", f"subnet/{s}") for s in t.subnet_ids]
    network += [_arn(t, "ec2", f"security-group/{g}") for g in t.security_group_ids]
    return [
        documents.allow_statement(
            "WriteSageMakerLogs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            [_arn(t, "logs", f"log-group:{g}{suffix}") for g in groups for suffix in ("", ":*")],
        ),
        documents.allow_statement(
            "PullContainerImages",
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            [
                _arn(t, "ecr", "repository/*", account=a)
                for a in dict.fromkeys([t.account.account_id, *t.image_account_ids])
            ],
        ),
        documents.allow_statement("GetEcrAuthorizationToken", ["ecr:GetAuthorizationToken"], ["*"]),
        documents.allow_statement(
            "DescribeVpcResources",
            [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            ["*"],
        ),
        documents.allow_statement(
            "ManageJobNetworkInterfaces",
            [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            [_arn(t, "ec2", "network-interface/*"), *network],
        ),
    ]


def trainer_statements(t: AccessTargets) -> list[Statement]:
    """IAM-06/IAM-07: SageMaker jobs and models only under the guardrails; PassRole only of itself for its jobs and of
    inference for its models (never the processor: a job run as the processor would read raw data).

    Jobs take the volume key, or none on instance types with local storage, which refuse one.
    """
    prefix = t.name_prefix
    vpc = {"subnet_ids": t.subnet_ids, "security_group_ids": t.security_group_ids}
    jobs = ["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"]
    job_arns = [_arn(t, "sagemaker", f"training-job/{prefix}-*"), _arn(t, "sagemaker", f"processing-job/{prefix}-*")]
    return [
        documents.sagemaker_job_guardrail_statement(
            "CreateJobsInsideBaselineGuardrails",
            jobs,
            job_arns,
            volume_key_arn=t.key_arns[VOLUME_KEY_CLASS],
            output_key_arn=t.key_arns["models"],
            **vpc,
        ),
        documents.sagemaker_local_storage_job_statement(
            "CreateLocalStorageJobsInsideBaselineGuardrails", jobs, job_arns, output_key_arn=t.key_arns["models"], **vpc
        ),
        documents.sagemaker_model_guardrail_statement(
            "CreateModelsInsideBaselineGuardrails", [_arn(t, "sagemaker", f"model/{prefix}-*")], **vpc
        ),
        documents.pass_role_statement(
            "PassTrainerRoleToJobsOnly", [role_arn(t.account, prefix, TRAINER)], associated_arns=job_arns
        ),
        documents.allow_statement(
            "RegisterModelVersionsPendingApproval",
            [REGISTER_PACKAGE],
            model_package_arns(t),
            {"StringEquals": {MODEL_APPROVAL_KEY: MODEL_PENDING}},
        ),
        documents.deny_model_approval_statement(),
        documents.deny_unpending_registration_statement(),
        documents.pass_role_statement(
            "PassInferenceRoleToModelsOnly",
            [role_arn(t.account, prefix, INFERENCE)],
            associated_arns=[_arn(t, "sagemaker", f"model/{prefix}-*")],
        ),
    ]


def model_package_arns(t: AccessTargets) -> list[str]:
    """AI-04: the versions of this stack's model package groups, ``model-package/<group>/<version>`` (the groups are
    ``<name_prefix>-<family>``): the one resource type CreateModelPackage, UpdateModelPackage, DescribeModelPackage
    and ListModelPackages name (Service Authorization Reference, SageMaker)."""
    return [_arn(t, "sagemaker", f"model-package/{t.name_prefix}-*/*")]


def approver_statements(t: AccessTargets) -> list[Statement]:
    """AI-04: set the approval status of this stack's model versions and read what decides it; nothing else (no
    model, endpoint, job or data access: approving never deploys)."""
    describe_version, describe_group = APPROVER_READS
    groups = [_arn(t, "sagemaker", f"model-package-group/{t.name_prefix}-*")]
    return [
        documents.allow_statement(
            "ApproveOrRejectModelVersions", [APPROVE_PACKAGE, describe_version, LIST_PACKAGES], model_package_arns(t)
        ),
        documents.allow_statement("DescribeModelPackageGroups", [describe_group], groups),
    ]


def inference_statements(t: AccessTargets) -> list[Statement]:
    """IAM-08: invoke only this stack's endpoints (by name prefix) and, when on, allowlisted Bedrock models."""
    statements = [
        documents.allow_statement(
            "InvokeBaselineEndpoints",
            ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"],
            [_arn(t, "sagemaker", f"endpoint/{t.name_prefix}-*")],
        )
    ]
    if t.bedrock_model_arns:  # AI-02: only through the stack's guardrail version
        statements += bedrock_guardrail.enforcement_statements(
            t.bedrock_model_arns, t.guardrail_arn, t.guardrail_version
        )
    return statements


def role_policy_statements(role: str, t: AccessTargets) -> list[Statement]:
    """Every grant of ``role``: the matrix, the role's own duties, the SageMaker runtime for execution roles."""
    statements = matrix_statements(role, t)
    if role == PROCESSOR and t.secret_arn:
        statements.append(
            documents.allow_statement("ReadPseudonymizationSecret", ["secretsmanager:GetSecretValue"], [t.secret_arn])
        )
    if role == TRAINER:
        statements += trainer_statements(t)
    if role == INFERENCE:
        statements += inference_statements(t)
    if role == APPROVER:
        statements += approver_statements(t)
    if role in VOLUME_KEY_USERS:
        statements += documents.ebs_volume_key_statements(
            t.key_arns[VOLUME_KEY_CLASS], region=t.account.region, account_id=t.account.account_id
        )
    if role in EXECUTION_ROLES:
        statements += execution_runtime_statements(t)
    return statements


def role_policy_document(role: str, t: AccessTargets) -> PolicyDocument | None:
    """The inline policy of ``role``; None when it has nothing to grant yet (the auditor before the audit bucket)."""
    statements = role_policy_statements(role, t)
    return documents.finish_document(statements) if statements else None


def boundary_targets(
    account: AccountContext,
    name_prefix: str,
    *,
    bucket_names: BucketNamesConfig,
    bedrock_model_arns: Sequence[str] = (),
    image_account_ids: Sequence[str] = (),
) -> AccessTargets:
    """Name patterns of everything the roles may reach, known before any resource exists (the boundary's cap).

    Buckets: the configured name, else Pulumi's autoname ``<name_prefix>-<class>-<suffix>``. Keys: this account's
    keys in the region (the key policies decide which key). An audit bucket named otherwise is outside the cap:
    the auditor then fails closed and the access analysis reports the missing Allow. Bedrock: the model patterns
    of the allowlist (``bedrock_model_patterns``), so the boundary does not grow by one ARN per model.
    """
    configured = {"raw": bucket_names.raw, "curated": bucket_names.curated, "models": bucket_names.models}
    configured[AUDIT_LOGS] = bucket_names.audit
    autonamed = {resource: f"{name_prefix}-{resource.split('-')[0]}-*" for resource in configured}
    buckets = {
        resource: f"arn:{account.partition}:s3:::{name or autonamed[resource]}" for resource, name in configured.items()
    }
    keys = f"arn:{account.partition}:kms:{account.region}:{account.account_id}:key/*"
    return AccessTargets(
        account=account,
        name_prefix=name_prefix,
        bucket_arns=buckets,
        key_arns={c: keys for c in ("data", "models", "logs")},
        subnet_ids=("subnet-*",),
        security_group_ids=("sg-*",),
        secret_arn=documents.secret_arn_pattern(
            account.partition, account.region, account.account_id, storage.pseudonymization_secret_name(name_prefix)
        ),
        bedrock_model_arns=bedrock_model_patterns(bedrock_model_arns),
        image_account_ids=tuple(image_account_ids),
        sagemaker_log_groups=(f"{SAGEMAKER_LOG_GROUP_PREFIX}/*",),
        guardrail_arn=f"arn:{account.partition}:bedrock:{account.region}:{account.account_id}:guardrail/*",
        guardrail_version="*",
    )


def bedrock_model_patterns(model_arns: Sequence[str]) -> tuple[str, ...]:
    """IAM-05/IAM-08: the boundary's Bedrock cap, one pattern per partition, region, account and resource type of
    the allowlist (``arn:aws:bedrock:eu-west-1::foundation-model/*``); the inference role's inline policy names the
    exact models. Usually one or two patterns, however many models are allowlisted (IAM's 6,144-character quota)."""
    return tuple(sorted({arn.split("/", 1)[0] + "/*" for arn in model_arns}))


def boundary_document(targets: AccessTargets, extra_allows: Sequence[Statement] = ()) -> PolicyDocument:
    """IAM-05: the boundary is generated from the same role policies, over name patterns, plus ``extra_allows``
    (the flow-log delivery role's grants), and denies tampering explicitly."""
    grants = [s for role in ROLES for s in role_policy_statements(role, targets)]
    capped = documents.boundary_cap_statements([*grants, *extra_allows])
    denies = [bedrock_guardrail.boundary_guardrail_deny(targets.account)] if targets.bedrock_model_arns else []
    return documents.permissions_boundary_policy(
        [*(_only_baseline_keys(s, targets.name_prefix) for s in capped), *denies]
    )


def service_boundary_document(allows: Sequence[Statement], name_prefix: str) -> PolicyDocument:
    """IAM-05 for a service role with a boundary of its own: the cap of exactly its grants (keys bound to the
    baseline's by alias), with the same tampering denials as the workload boundary."""
    capped = documents.boundary_cap_statements(allows)
    return documents.permissions_boundary_policy([_only_baseline_keys(s, name_prefix) for s in capped])


def _only_baseline_keys(statement: Statement, name_prefix: str) -> Statement:
    """The boundary's KMS cap names no key (the keys do not exist yet when the boundary does): it is bound to the
    baseline's keys by their aliases (``alias/<prefix>-<class>``), so no role can use another key of the account."""
    actions = statement["Action"]
    if not all(str(a).startswith("kms:") for a in ([actions] if isinstance(actions, str) else actions)):
        return statement
    return {**statement, "Condition": {"ForAnyValue:StringLike": {"kms:ResourceAliases": f"alias/{name_prefix}-*"}}}


def trust_document(
    role: str, account: AccountContext, settings: IdentityConfig, *, source_identity: bool = False
) -> PolicyDocument:
    """IAM-01: SageMaker (with SourceAccount/SourceArn) for execution roles, configured principals otherwise.
    ``source_identity``: the role is a Studio domain's execution role, whose sessions carry the user profile name."""
    partition, region, account_id = account.partition, account.region, account.account_id
    if role == AUDITOR:
        if settings.auditor_principal_arns:
            return documents.principals_trust_policy(settings.auditor_principal_arns)
        return documents.account_trust_policy(partition=partition, account_id=account_id)
    if role == INFERENCE and settings.inference_principal_arns:
        return documents.principals_trust_policy(settings.inference_principal_arns)
    if role == APPROVER:
        if settings.approver_principal_arns:
            return documents.principals_trust_policy(settings.approver_principal_arns)
        return documents.nobody_trust_policy(partition=partition, account_id=account_id)
    return documents.sagemaker_trust_policy(
        partition=partition, region=region, account_id=account_id, source_identity=source_identity
    )


# ---- components ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkloadRolesArgs:
    """Inputs of WorkloadRoles: plain values only, so the roles can exist before every other resource.

    ``extra_boundary_allows``: grants of other roles that carry the boundary (the flow-log delivery role).
    """

    name_prefix: str
    account: AccountContext
    settings: IdentityConfig = field(default_factory=IdentityConfig)
    bucket_names: BucketNamesConfig = field(default_factory=BucketNamesConfig)
    extra_boundary_allows: Sequence[Statement] = ()
    source_identity_roles: frozenset[str] = frozenset()  # Studio execution roles (``trust_document``)


class WorkloadRoles(pulumi.ComponentResource):
    """The permissions boundary and the five roles (trust only; inline policies come from RolePolicies)."""

    boundary: aws.iam.Policy
    roles: dict[str, aws.iam.Role]

    def __init__(self, name: str, args: WorkloadRolesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:identity:WorkloadRoles", name, None, opts)
        self.args = args
        targets = boundary_targets(
            args.account,
            args.name_prefix,
            bucket_names=args.bucket_names,
            bedrock_model_arns=args.settings.bedrock_model_arns,
            image_account_ids=args.settings.image_account_ids,
        )
        self.boundary = aws.iam.Policy(
            f"{name}-boundary",
            name=f"{args.name_prefix}-workload-boundary",
            description="Permissions boundary of every baseline role: caps to the baseline, denies tampering",
            policy=json.dumps(boundary_document(targets, args.extra_boundary_allows)),
            # retained: the retained delivery roles keep carrying it after destroy (IAM-05)
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
        self.roles = {
            role: aws.iam.Role(
                f"{name}-{role}",
                name=role_name(args.name_prefix, role),
                description=ROLE_DESCRIPTIONS[role],
                assume_role_policy=json.dumps(
                    trust_document(
                        role, args.account, args.settings, source_identity=role in args.source_identity_roles
                    )
                ),
                permissions_boundary=self.boundary.arn,
                max_session_duration=MAX_SESSION_SECONDS,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for role in ROLES
        }
        # ARNs from the roles' names: known at preview (the name is an input; the engine's ``arn`` is not), so key
        # and secret policies naming them stay checkable by preview-time rules, and still wait for the roles.
        self.arns: dict[str, pulumi.Output[str]] = {
            role: resource.name.apply(lambda n: f"arn:{args.account.partition}:iam::{args.account.account_id}:role/{n}")
            for role, resource in self.roles.items()
        }
        self.boundary_arn: pulumi.Output[str] = self.boundary.arn
        self.register_outputs(self.outputs() | {"permissionsBoundaryArn": self.boundary_arn})

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        """GOV-04: each role's ARN (``dataProcessorRoleArn`` ...)."""
        result: dict[str, pulumi.Output[str]] = {}
        for role, resource in self.roles.items():
            result[f"{output_prefix(role)}RoleArn"] = resource.arn
        return result

    def key_statements(self, resources: Sequence[str]) -> dict[str, list[pulumi.Output[Statement]]]:
        """KMS-06/GOV-02: ``role_key_statements``, each an Output that waits for the roles.

        AWS requires a principal named in a key policy to exist; the statements themselves are known at preview
        (the role ARNs follow from their names).
        """
        account, prefix = self.args.account, self.args.name_prefix
        statements = role_key_statements(account, prefix, resources)
        roles_exist = pulumi.Output.all(*self.arns.values())
        return {
            data_class: [_after(roles_exist, statement) for statement in listed]
            for data_class, listed in statements.items()
        }


def _after(ready: pulumi.Output[list[str]], statement: Statement) -> pulumi.Output[Statement]:
    """``statement``, as an Output that resolves once ``ready`` has."""
    return ready.apply(lambda _: statement)


def role_key_statements(
    account: AccountContext, name_prefix: str, resources: Sequence[str]
) -> dict[str, list[Statement]]:
    """Per data class, the key-policy statements of the roles: the key users (via S3), the processor's secret grant,
    and the job roles' EBS volume grants on the volume key (via ec2). One definition for the program and the quota
    check."""
    result: dict[str, list[Statement]] = {}
    for data_class in ("data", "models", "logs"):
        by_level: dict[str, list[str]] = {}
        for user in key_users(data_class, resources):
            by_level.setdefault(key_level(user, data_class, resources), []).append(user)
        for level in ("read", "write"):
            if by_level.get(level):
                result.setdefault(data_class, []).append(
                    documents.key_users_via_service_statement(
                        f"Roles{level.capitalize()}{_camel(data_class)}KeyViaS3",
                        [role_arn(account, name_prefix, u) for u in by_level[level]],
                        via_services=[documents.s3_via_service(account.region)],
                        account_id=account.account_id,
                        actions=LEVEL_KEY_ACTIONS[level],
                    )
                )
    processor = role_arn(account, name_prefix, PROCESSOR)
    result.setdefault("data", []).append(storage.data_processor_secret_key_statement(account, name_prefix, processor))
    volume_users = [role_arn(account, name_prefix, u) for u in VOLUME_KEY_USERS]
    volume_class = _camel(VOLUME_KEY_CLASS)
    for grants, sid in (
        (False, f"RolesUse{volume_class}KeyForEbs"),
        (True, f"RolesCreate{volume_class}KeyGrantsForEbs"),
    ):
        result.setdefault(VOLUME_KEY_CLASS, []).append(
            documents.ebs_volume_key_policy_statement(
                sid, volume_users, region=account.region, account_id=account.account_id, grants=grants
            )
        )
    return result


@dataclass(frozen=True)
class RolePoliciesArgs:
    """Inputs of RolePolicies: the exact ARNs and ids the inline policies name (they exist by now)."""

    name_prefix: str
    account: AccountContext
    roles: Mapping[str, aws.iam.Role]
    bucket_arns: Mapping[str, pulumi.Input[str]]
    key_arns: Mapping[str, pulumi.Input[str]]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_ids: Sequence[pulumi.Input[str]]
    secret_arn: pulumi.Input[str]
    bedrock_model_arns: Sequence[str] = ()
    image_account_ids: Sequence[str] = ()
    guardrail_arn: pulumi.Input[str] = ""
    guardrail_version: pulumi.Input[str] = ""


class RolePolicies(pulumi.ComponentResource):
    """One inline least-privilege policy per role, generated from the matrix (separate resources: no cycle)."""

    policies: dict[str, aws.iam.RolePolicy]

    def __init__(self, name: str, args: RolePoliciesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:identity:RolePolicies", name, None, opts)
        buckets = dict(args.bucket_arns)

        def targets(values: dict[str, Any]) -> AccessTargets:
            return AccessTargets(
                account=args.account,
                name_prefix=args.name_prefix,
                bucket_arns=values["buckets"],
                key_arns=values["keys"],
                subnet_ids=tuple(values["subnets"]),
                security_group_ids=tuple(values["groups"]),
                secret_arn=values["secret"],
                bedrock_model_arns=tuple(args.bedrock_model_arns),
                image_account_ids=tuple(args.image_account_ids),
                guardrail_arn=values["guardrail"],
                guardrail_version=values["version"],
            )

        # Every ARN and id combined once, then each role's document is a pure function of the resolved targets.
        resolved = pulumi.Output.all(
            buckets=pulumi.Output.all(**buckets),
            keys=pulumi.Output.all(**dict(args.key_arns)),
            subnets=args.subnet_ids,
            groups=pulumi.Output.all(*args.security_group_ids),
            secret=args.secret_arn,
            guardrail=args.guardrail_arn,
            version=args.guardrail_version,
        ).apply(targets)
        self.policies = {}
        for role in ROLES:
            if not _grants_anything(role, buckets):
                continue

            def render(t: AccessTargets, role: str = role) -> str:
                return json.dumps(role_policy_document(role, t))

            self.policies[role] = aws.iam.RolePolicy(
                f"{name}-{role}",
                role=args.roles[role].id,
                name="least-privilege",
                policy=resolved.apply(render),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({f"{role}Policy": p.policy for role, p in self.policies.items()})


@dataclass(frozen=True)
class WorkloadSecurityGroupArgs:
    """Inputs of WorkloadSecurityGroup: the VPC, its CIDR and the S3 gateway endpoint's prefix list."""

    name_prefix: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    s3_prefix_list_id: pulumi.Input[str]


class WorkloadSecurityGroup(pulumi.ComponentResource):
    """The security group IAM-06 confines SageMaker jobs and models to: HTTPS to the interface endpoints (VPC CIDR)
    and to S3 (gateway prefix list), all traffic among its own members (distributed training), nothing else.

    The endpoint security group would lock jobs out: it has no egress at all (EP-04).
    """

    security_group: aws.ec2.SecurityGroup

    def __init__(self, name: str, args: WorkloadSecurityGroupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:identity:WorkloadSecurityGroup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.security_group = aws.ec2.SecurityGroup(
            name,
            name=f"{args.name_prefix}-sagemaker-workloads",
            description="SageMaker jobs and models: HTTPS to VPC endpoints and S3, traffic among members",
            vpc_id=args.vpc_id,
            revoke_rules_on_delete=True,
            tags={"Name": f"{args.name_prefix}-sagemaker-workloads"},
            opts=child,
        )
        sg_id = self.security_group.id
        egress = [
            _https_egress(
                f"{name}-https-endpoints", sg_id, "HTTPS to the interface endpoints", child, cidr_ipv4=args.vpc_cidr
            ),
            _https_egress(
                f"{name}-https-s3",
                sg_id,
                "HTTPS to S3 via the gateway endpoint",
                child,
                prefix_list_id=args.s3_prefix_list_id,
            ),
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-members-out",
                security_group_id=sg_id,
                description="To other members (distributed jobs)",
                ip_protocol="-1",
                referenced_security_group_id=sg_id,
                opts=child,
            ),
        ]
        ingress = aws.vpc.SecurityGroupIngressRule(
            f"{name}-members-in",
            security_group_id=sg_id,
            description="From other members (distributed jobs)",
            ip_protocol="-1",
            referenced_security_group_id=sg_id,
            opts=child,
        )
        aws.ec2.VpcSecurityGroupRulesExclusive(
            name,
            security_group_id=sg_id,
            ingress_rule_ids=[ingress.security_group_rule_id],
            egress_rule_ids=[rule.security_group_rule_id for rule in egress],
            opts=child,
        )
        self.security_group_id: pulumi.Output[str] = sg_id
        self.register_outputs({"securityGroupId": sg_id})


def _https_egress(
    name: str,
    sg_id: pulumi.Input[str],
    description: str,
    opts: pulumi.ResourceOptions,
    *,
    cidr_ipv4: str | None = None,
    prefix_list_id: pulumi.Input[str] | None = None,
) -> aws.vpc.SecurityGroupEgressRule:
    return aws.vpc.SecurityGroupEgressRule(
        name,
        security_group_id=sg_id,
        description=description,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        cidr_ipv4=cidr_ipv4,
        prefix_list_id=prefix_list_id,
        opts=opts,
    )


def _grants_anything(role: str, resources: Iterable[str]) -> bool:
    wired = set(resources)
    return role in (*EXECUTION_ROLES, APPROVER) or any(r in wired for r in ACCESS_MATRIX[role])


__all__ = [
    "ACCESS_MATRIX",
    "MATRIX_ACTIONS",
    "RESOURCES",
    "ROLES",
    "AccessTargets",
    "RolePolicies",
    "RolePoliciesArgs",
    "WorkloadRoles",
    "WorkloadRolesArgs",
    "WorkloadSecurityGroup",
    "WorkloadSecurityGroupArgs",
    "boundary_document",
    "boundary_targets",
    "declared_access",
    "key_users",
    "role_policy_document",
    "role_policy_statements",
    "trust_document",
]

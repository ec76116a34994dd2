"""AiSecurityBaseline: wires the components together; holds no resource logic of its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import (
    bedrock_guardrail,
    bedrock_logging,
    config_recorder,
    detection,
    dns,
    documents,
    guardrails,
    identity,
    lifecycle,
    network,
    quotas,
    studio,
    trail,
)
from ai_security_baseline.components.archive import ArchiveArgs
from ai_security_baseline.components.config import NAMESPACE, BaselineConfig, ConfigError
from ai_security_baseline.components.delivery import LogDelivery
from ai_security_baseline.components.documents import PolicyDocument, Statement
from ai_security_baseline.components.finding_routing import FindingRouting, FindingRoutingArgs, finding_rule_arns
from ai_security_baseline.components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from ai_security_baseline.components.registry import ModelRegistry, ModelRegistryArgs
from ai_security_baseline.components.storage import (
    AccessLogTarget,
    Lifecycle,
    ObjectLock,
    Storage,
    StorageArgs,
    malware_scanner_arn,
    pseudonymization_secret_name,
    storage_key_statements,
)
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.vocabulary import (
    ACCESS_LOGS,
    AUDIT_LOGS,
    BUCKET_KEY_CLASS,
    CENTRALLY_MANAGED_OUTPUT,
    DATA_BUCKETS,
    DATA_CLASSES,
    DEPLOYER_OUTPUT,
    EXTRA_BUCKET_TEMPLATE,
    ORG_ID_OUTPUT,
    ROLE_ARNS_OUTPUT,
    TRUSTED_PRINCIPALS_OUTPUT,
    extra_bucket_classes,
    key_output,
)


class AiSecurityBaseline(pulumi.ComponentResource):
    """The whole baseline for one stack: identity, keys, network, endpoints, storage and the audit trail."""

    def __init__(
        self,
        name: str,
        config: BaselineConfig,
        account: AccountContext,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # The AWS-owned buckets the endpoints must reach exist in this region (the quota check renders them).
        network.check_aws_owned_buckets(config.network, account.region)
        # A policy over its AWS size quota would fail half-way through `pulumi up`: refused before any resource.
        check_policy_quotas(config, account)
        # What baseline:adopt asks for is imported, not created; bad ids fail here, before anything exists.
        adoption = lifecycle.plan_adoption(config, account)
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(transformations=[adoption.transformation]))
        super().__init__("baseline:index:AiSecurityBaseline", name, None, opts)
        for warning in lifecycle.relaxation_warnings(config):
            pulumi.log.warn(warning, resource=self)
        self.config = config
        self.account = account
        # The region must offer azCount AZs: checked before any resource is created.
        zones = network.resolve_zones(config.network, account.region, pulumi.InvokeOptions(parent=self))
        # Identity first (trust only): key policies name the role ARNs; inline policies come after the keys.
        self.roles = identity.WorkloadRoles(
            "identity",
            identity.WorkloadRolesArgs(
                name_prefix=config.name_prefix,
                account=account,
                settings=config.identity,
                bucket_names=config.storage.bucket_names,
                extra_boundary_allows=service_role_allows(config, account),
                source_identity_roles=source_identity_roles(config),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # DET-01/02/04/06: before the keys, whose policies name the malware protection role
        self.detection = detection.DetectionServices(
            "detection",
            detection.DetectionServicesArgs(
                name_prefix=config.name_prefix,
                account=account,
                bucket_names=config.storage.bucket_names,
                settings=config.detection,
                centrally_managed=config.centrally_managed,
                protect=config.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # DET-05: the recorder's role exists before the logs key whose policy names it
        self.config_role = (
            None
            if "config" in config.centrally_managed
            else config_recorder.ConfigRecorderRole(
                "config-recorder", config.name_prefix, account, opts=pulumi.ResourceOptions(parent=self)
            )
        )
        self.keys = EncryptionKeys(
            "keys",
            EncryptionKeysArgs(
                name_prefix=config.name_prefix,
                account=account,
                settings=config.kms,
                protect=config.protect,
                statements=merge_key_statements(
                    *service_key_statements(config, account),
                    self.roles.key_statements(WIRED_RESOURCES),
                    self.detection.key_statements(),
                    self._config_key_statements(account),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.network = network.IsolatedVpc(
            "network",
            network.IsolatedVpcArgs(
                name_prefix=config.name_prefix,
                network=config.network,
                account=account,
                flow_log_group_name=network.flow_log_group_name(config),
                logs_key_arn=self.keys.keys["logs"].arn,
                retention_days=config.logging.retention_days,
                protect=config.protect,
                availability_zones=zones,
                flow_log_role_boundary_arn=self.roles.boundary_arn,  # IAM-05: every role carries the boundary
                short_log_retention=config.relaxations.short_log_retention,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoints = network.PrivateEndpoints(
            "endpoints",
            network.PrivateEndpointsArgs(
                name_prefix=config.name_prefix,
                account=account,
                vpc_id=self.network.vpc.id,
                vpc_cidr=config.network.cidr,
                subnet_ids=[s.id for s in self.network.subnets],
                route_table_ids=[t.id for t in self.network.route_tables],
                services=config.network.interface_services,
                org_id=config.identity.org_id,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dns_firewall, self.query_logging = self._dns(config, account)  # NET-06, NET-07
        # The audit archive logs into access-logs, whose policy names its sources: resolved once the archive exists.
        audit_bucket_arn: pulumi.Output[str]
        resolve_audit_bucket_arn: Callable[[pulumi.Output[str]], None]
        audit_bucket_arn, resolve_audit_bucket_arn = pulumi.deferred_output()
        config_bucket_arn: pulumi.Output[str]
        resolve_config_bucket_arn: Callable[[pulumi.Output[str]], None]
        config_bucket_arn, resolve_config_bucket_arn = pulumi.deferred_output()
        bedrock_bucket_arn, resolve_bedrock_bucket_arn = _deferred_arn()
        self.storage = Storage(
            "storage",
            StorageArgs(
                name_prefix=config.name_prefix,
                account=account,
                settings=config.storage,
                identity=config.identity,
                key_arns={c: k.arn for c, k in self.keys.keys.items()},
                vpc_endpoint_ids=[self.endpoints.s3_gateway_endpoint_id],  # S3-07: data only through the VPC
                data_processor_arn=self.roles.arns[vocabulary.PROCESSOR],  # GOV-02: the secret's only reader
                protect=config.protect,
                extra_log_source_arns=[audit_bucket_arn, config_bucket_arn, bedrock_bucket_arn],
                # GOV-02: the secret's value only through this VPC's Secrets Manager endpoint, when there is one
                secret_endpoint_ids=[
                    e.id for s, e in self.endpoints.interface_endpoints.items() if s == SECRETS_MANAGER_ENDPOINT
                ],
                allow_bucket_replacement=config.relaxations.bucket_replacement,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        try:
            self.trail = self._trail(config, account)
        finally:  # resolve even on error, so the access-log policy never waits forever
            built = getattr(self, "trail", None)
            resolve_audit_bucket_arn(built.bucket.arn if built else pulumi.Output.from_input(""))
        self.finding_routing = FindingRouting(  # DET-07: high-severity findings to the alarm topic
            "findings",
            FindingRoutingArgs(config.name_prefix, self.trail.topic.arn, [self.trail.topic_policy]),
            opts=pulumi.ResourceOptions(parent=self),
        )
        try:
            self.config_recorder = self._config_recorder(config, account)
        finally:  # resolve even on error or when the organization records, so the access-log policy never waits
            recorder = getattr(self, "config_recorder", None)
            resolve_config_bucket_arn(recorder.bucket.arn if recorder else pulumi.Output.from_input(""))
        self.bedrock_logging = self._bedrock_logging(config, account, resolve_bedrock_bucket_arn)
        self.guardrail = self._guardrail(config) if config.bedrock else None  # AI-02
        self.s3_gateway_endpoint_id = self.endpoints.s3_gateway_endpoint_id
        self.private_subnet_ids = self.network.private_subnet_ids
        self.endpoint_security_group_id = self.endpoints.security_group_id
        self.workload_security_group = identity.WorkloadSecurityGroup(
            "workloads-sg",
            identity.WorkloadSecurityGroupArgs(
                name_prefix=config.name_prefix,
                vpc_id=self.network.vpc.id,
                vpc_cidr=config.network.cidr,
                s3_prefix_list_id=self.endpoints.s3_gateway.prefix_list_id,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.role_policies = identity.RolePolicies(
            "identity-policies",
            identity.RolePoliciesArgs(
                name_prefix=config.name_prefix,
                account=account,
                roles=self.roles.roles,
                bucket_arns={
                    **{r: self.storage.buckets[r].arn for r in DATA_BUCKETS},
                    AUDIT_LOGS: self.trail.bucket.arn,
                },
                key_arns={c: k.arn for c, k in self.keys.keys.items()},
                subnet_ids=self.network.private_subnet_ids,
                security_group_ids=[self.workload_security_group.security_group_id],  # IAM-06: jobs' only SG
                secret_arn=self.storage.secret.arn,
                bedrock_model_arns=config.identity.bedrock_model_arns,
                image_account_ids=config.identity.image_account_ids,
                **self._guardrail_targets(),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.detection.scan_buckets(
            bucket_names={c: b.name for c, b in self.storage.buckets.items()},
            bucket_arns={c: b.arn for c, b in self.storage.buckets.items()},
            key_arns={c: k.arn for c, k in self.keys.keys.items()},
        )
        self.guardrails = self._guardrails(config, account)
        self.studio = self._studio(config) if config.ai.studio else None  # AI-03
        self.registry = ModelRegistry(  # AI-04
            "registry",
            ModelRegistryArgs(config.name_prefix, config.ai.model_families),
            pulumi.ResourceOptions(parent=self),
        )
        adoption.require_all_adopted()
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[Any]]:
        """Stack outputs an auditor needs (GOV-04), keyed as exported."""
        result: dict[str, pulumi.Output[Any]] = {}
        for data_class, key in self.keys.keys.items():
            result[key_output(data_class, "Arn")] = key.arn
            result[key_output(data_class, "Alias")] = self.keys.aliases[data_class].name
        result |= {
            "vpcId": self.network.vpc.id,
            "privateSubnetIds": self.network.private_subnet_ids,
            "endpointSecurityGroupId": self.endpoints.security_group_id,
            "s3GatewayEndpointId": self.endpoints.s3_gateway_endpoint_id,
            "interfaceEndpointIds": self.endpoints.interface_endpoint_ids,
            "flowLogGroupName": self.network.flow_log_group.name,
        }
        result.update(self.storage.outputs())
        result.update(self.trail.outputs())
        result |= {
            vocabulary.DNS_FIREWALL_ASSOCIATION_OUTPUT: self.dns_firewall.association.id,
            vocabulary.QUERY_LOG_CONFIG_OUTPUT: self.query_logging.config.id,
            vocabulary.QUERY_LOG_GROUP_OUTPUT: self.query_logging.log_group.name,
            vocabulary.FINDING_RULES_OUTPUT: self.finding_routing.rule_arns,
        }
        result.update(self.roles.outputs())
        # one map for the live audit (IAM-01/02/05): every workload role, keyed by its role name in the matrix
        result[ROLE_ARNS_OUTPUT] = pulumi.Output.all(**{role: r.arn for role, r in self.roles.roles.items()})
        result["permissionsBoundaryArn"] = self.roles.boundary_arn
        result["workloadSecurityGroupId"] = self.workload_security_group.security_group_id
        if self.config.identity.deployer_arn:  # who may write the secret and is exempt from the VPC-only rule
            result[DEPLOYER_OUTPUT] = pulumi.Output.from_input(self.config.identity.deployer_arn)
        result |= {k: pulumi.Output.from_input(v) for k, v in identity_outputs(self.config).items()}
        result.update(self.detection.outputs())
        if self.config_recorder is not None:
            result.update(self.config_recorder.outputs())
        result.update(self.guardrails.outputs(self.guardrails_args))
        if self.bedrock_logging is not None:
            result.update(self.bedrock_logging.outputs())
        result[vocabulary.INVOCATION_LOGGING_OUTPUT] = pulumi.Output.from_input(
            {"enabled": self.bedrock_logging is not None}
        )
        result[vocabulary.GUARDRAIL_OUTPUT] = (
            self.guardrail.output() if self.guardrail else pulumi.Output.from_input({"enabled": False})
        )
        result[vocabulary.STUDIO_OUTPUT] = (
            pulumi.Output.all(enabled=True, domainId=self.studio.domain.id)
            if self.studio is not None
            else pulumi.Output.from_input({"enabled": False})
        )
        result.update(self.registry.outputs())
        return result

    def _studio(self, config: BaselineConfig) -> studio.StudioDomain:
        """AI-03: the Studio domain in the isolated subnets, behind the workload SG, under the data key."""
        return studio.StudioDomain(
            "studio",
            studio.StudioDomainArgs(
                name_prefix=config.name_prefix,
                vpc_id=self.network.vpc.id,
                subnet_ids=self.network.private_subnet_ids,
                security_group_id=self.workload_security_group.security_group_id,
                kms_key_arn=self.keys.keys[vocabulary.STUDIO_KEY_CLASS].arn,
                execution_role_arn=self.roles.arns[vocabulary.STUDIO_EXECUTION_ROLE],
                users=config.ai.studio_users,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _dns(self, config: BaselineConfig, account: AccountContext) -> tuple[dns.DnsFirewall, dns.QueryLogging]:
        """NET-06/NET-07: the VPC's Resolver answers only allowed names, and logs every query to an encrypted group."""
        parent = pulumi.ResourceOptions(parent=self)
        vpc_id = self.network.vpc.id
        firewall = dns.DnsFirewall(
            "dns-firewall",
            dns.DnsFirewallArgs(config.name_prefix, account, vpc_id, config.network.dns_allowlist),
            opts=parent,
        )
        logging = dns.QueryLogging(
            "dns-query-logs",
            dns.QueryLoggingArgs(
                name_prefix=config.name_prefix,
                account=account,
                vpc_id=vpc_id,
                group_name=dns.query_log_group_name(config),
                logs_key_arn=self.keys.keys["logs"].arn,
                retention_days=config.logging.retention_days,
                protect=config.protect,
                short_log_retention=config.relaxations.short_log_retention,
            ),
            opts=parent,
        )
        return firewall, logging

    def _config_key_statements(self, account: AccountContext) -> dict[str, list[pulumi.Output[Statement]]]:
        """DET-05: the logs-key grant of the recorder role (an Output of its ARN: the key waits for the role)."""
        if self.config_role is None:
            return {}
        grant = self.config_role.role.arn.apply(
            lambda arn: config_recorder.config_key_statements(arn, account)["logs"][0]
        )
        return {"logs": [grant]}

    def _config_recorder(
        self, config: BaselineConfig, account: AccountContext
    ) -> config_recorder.ConfigRecorder | None:
        """DET-05 after the trail (its bucket logs into access-logs like the archive); none when centrally managed."""
        if self.config_role is None:
            return None
        return config_recorder.ConfigRecorder(
            "config-recorder",
            config_recorder.ConfigRecorderArgs(
                name_prefix=config.name_prefix,
                account=account,
                role=self.config_role,
                archive=self._archive_args(config, "config/"),
                global_types=config.account_guardrails.config_global_types,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _guardrail(self, config: BaselineConfig) -> bedrock_guardrail.BedrockGuardrail:
        """AI-02: encrypted with the models key, after the key policy that admits its creator and users."""
        key = self.keys.keys[vocabulary.GUARDRAIL_KEY_CLASS]
        return bedrock_guardrail.BedrockGuardrail(
            "bedrock-guardrail",
            bedrock_guardrail.BedrockGuardrailArgs(
                config.name_prefix, config.ai.guardrail, key.arn, key_dependencies=[key], protect=config.protect
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _guardrail_targets(self) -> dict[str, pulumi.Output[str]]:
        """The guardrail version the inference role's Bedrock grants pin (AI-02); none without Bedrock."""
        if self.guardrail is None:
            return {}
        return {
            "guardrail_arn": self.guardrail.guardrail.guardrail_arn,
            "guardrail_version": self.guardrail.version.version,
        }

    def _bedrock_logging(
        self,
        config: BaselineConfig,
        account: AccountContext,
        resolve_bucket_arn: Callable[[pulumi.Output[str]], None],
    ) -> bedrock_logging.BedrockLogging | None:
        """AI-01 after storage; resolves the archive's ARN for the access-log policy even on error or when off."""
        built = None
        try:
            built = self._build_bedrock_logging(config, account)
        finally:  # the access-log policy never waits
            resolve_bucket_arn(built.bucket.arn if built else pulumi.Output.from_input(""))
        return built

    def _build_bedrock_logging(
        self, config: BaselineConfig, account: AccountContext
    ) -> bedrock_logging.BedrockLogging | None:
        """AI-01: its archive logs into access-logs like the trail's; none when invocation logging is off."""
        if not config.invocation_logging:
            return None
        return bedrock_logging.BedrockLogging(
            "bedrock-logging",
            bedrock_logging.BedrockLoggingArgs(
                name_prefix=config.name_prefix,
                account=account,
                archive=self._archive_args(config, "bedrock/"),
                log_group_name=bedrock_logging.bedrock_log_group_name(config.prefix, config.environment),
                image_delivery=config.ai.image_delivery,
                embedding_delivery=config.ai.embedding_delivery,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _archive_args(self, config: BaselineConfig, access_log_prefix: str) -> ArchiveArgs:
        """A log archive's keeping (the trail's, Bedrock's, AWS Config's): the logs key, the configured lock and
        retention, server access logs under ``access_log_prefix`` of access-logs, the boundary its delivery role
        carries (IAM-05)."""
        access_logs = self.storage.buckets[ACCESS_LOGS]
        lock = config.logging.archive_lock
        logs_key = self.keys.keys["logs"]
        return ArchiveArgs(
            logs_key_arn=logs_key.arn,
            retention_days=config.logging.retention_days,
            archive_lock=ObjectLock(lock.mode, lock.days),
            lifecycle=Lifecycle(lock.days, config.storage.abort_multipart_days),
            access_log_target=AccessLogTarget(
                bucket=access_logs.name, prefix=access_log_prefix, depends_on=[access_logs.policy]
            ),
            key_dependencies=[logs_key],
            org_id=config.identity.org_id,
            boundary_arn=self.roles.boundary_arn,
            protect=config.protect,
            allow_bucket_replacement=config.relaxations.bucket_replacement,
            short_log_retention=config.relaxations.short_log_retention,
        )

    def _guardrails(self, config: BaselineConfig, account: AccountContext) -> guardrails.AccountGuardrails:
        """ACC-01…ACC-03: the default VPC is looked up (never created) and locked down with the stack's flow logs."""
        found = (
            guardrails.DefaultVpc()
            if "defaultVpc" in config.centrally_managed
            else guardrails.find_default_vpc(pulumi.InvokeOptions(parent=self))
        )
        guardrails.check_default_vpc_mode(config, found)
        self.guardrails_args = guardrails.AccountGuardrailsArgs(
            name_prefix=config.name_prefix,
            ebs_key_arn=self.keys.keys[vocabulary.EBS_KEY_CLASS].arn,
            default_vpc=found,
            flow_log_group_arn=self.network.flow_log_group.arn,
            flow_log_role_arn=self.network.flow_log_role.arn,
            flow_log_dependencies=[self.network.flow_log],
            central=config.centrally_managed,
            mode=config.account_guardrails.default_vpc,
        )
        return guardrails.AccountGuardrails(
            "guardrails", self.guardrails_args, opts=pulumi.ResourceOptions(parent=self)
        )

    def _trail(self, config: BaselineConfig, account: AccountContext) -> trail.Trail:
        """LOG-01…LOG-07: the trail after storage (it records the data buckets, logs into access-logs)."""
        return trail.Trail(
            "audit",
            trail.TrailArgs(
                name_prefix=config.name_prefix,
                account=account,
                archive=self._archive_args(config, "audit/"),
                log_group_name=trail.trail_log_group_name(config),
                data_bucket_arns=self.storage.data_bucket_arns,
                bucket_name=config.storage.bucket_names.audit,
                bedrock=config.invocation_logging,  # AI-01: Bedrock data events and alarms, with its logging
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def _deferred_arn() -> tuple[pulumi.Output[str], Callable[[pulumi.Output[str]], None]]:
    """An ARN known only later (a bucket built after the access-log policy that names it)."""
    return pulumi.deferred_output()


def identity_outputs(config: BaselineConfig) -> dict[str, Any]:
    """The configured organization, trusted principals and centrally managed pieces, as outputs: an auditor sees who
    may act and what the organization manages, and the offline checks read them (none: nothing exported)."""
    settings = config.identity
    trusted = {
        vocabulary.AUDITOR: list(settings.auditor_principal_arns),
        vocabulary.INFERENCE: list(settings.inference_principal_arns),
        vocabulary.APPROVER: list(settings.approver_principal_arns),
    }
    outputs: dict[str, Any] = {ORG_ID_OUTPUT: settings.org_id} if settings.org_id else {}
    if any(trusted.values()):
        outputs[TRUSTED_PRINCIPALS_OUTPUT] = {role: arns for role, arns in trusted.items() if arns}
    if settings.bedrock_model_arns:  # the allowlist, so the access sweep specifies it (IAM-08, AI-02)
        outputs[vocabulary.BEDROCK_MODELS_OUTPUT] = list(settings.bedrock_model_arns)
    if config.centrally_managed:  # the rules and the live audit report these pieces' controls waived, with the reason
        outputs[CENTRALLY_MANAGED_OUTPUT] = dict(config.centrally_managed)
    return outputs


SECRETS_MANAGER_ENDPOINT = "secretsmanager"
#: A key-policy statement, plain or an Output (of the role ARNs it names).
_S = TypeVar("_S", Statement, pulumi.Input[Statement])
#: Matrix resources wired to buckets: the three data buckets and the audit archive.
WIRED_RESOURCES: tuple[str, ...] = (*DATA_BUCKETS, AUDIT_LOGS)


def log_deliveries(config: BaselineConfig, account: AccountContext) -> list[LogDelivery]:
    """The stack's log deliveries, from the config: flow logs, CloudTrail, and Bedrock's with invocation logging."""
    prefix = config.name_prefix
    deliveries = [
        network.flow_log_delivery(prefix, account, network.flow_log_group_name(config)),
        trail.trail_delivery(prefix, account, trail.trail_log_group_name(config)),
    ]
    if config.invocation_logging:  # AI-01
        group = bedrock_logging.bedrock_log_group_name(config.prefix, config.environment)
        deliveries.append(bedrock_logging.bedrock_delivery(prefix, account, group))
    return deliveries


def service_role_allows(config: BaselineConfig, account: AccountContext) -> list[Statement]:
    """The delivery roles' grants, for the boundary's cap: those roles carry the boundary too, so it must admit
    exactly what they are granted."""
    return [s for d in log_deliveries(config, account) for s in d.grants["Statement"]]


def service_key_statements(config: BaselineConfig, account: AccountContext) -> list[dict[str, list[Statement]]]:
    """Key-policy statements of the network, storage and audit components, from names known before the keys."""
    return [
        network.network_key_statements(config, account),
        dns.dns_key_statements(config, account),
        storage_key_statements(
            name_prefix=config.name_prefix,
            account=account,
            secret_writer_arns=[a for a in (config.identity.deployer_arn,) if a],
        ),
        trail.trail_key_statements(config, account),
        {} if "ebsDefaultEncryption" in config.centrally_managed else guardrails.ebs_key_statements(account),
        bedrock_key_statements(config, account),
        studio.studio_key_statements(account, [a for a in (config.identity.deployer_arn,) if a])
        if config.ai.studio
        else {},  # AI-03: the home EFS under the data key
        guardrail_key_statements(config, account),
    ]


def source_identity_roles(config: BaselineConfig) -> frozenset[str]:
    """AI-03: the Studio domain attributes sessions to the user profile, so its execution role's trust lets
    SageMaker set the source identity."""
    return frozenset({vocabulary.STUDIO_EXECUTION_ROLE}) if config.ai.studio else frozenset()


def guardrail_key_statements(config: BaselineConfig, account: AccountContext) -> dict[str, list[Statement]]:
    """AI-02: the deployer creates the guardrail, the inference role uses it; only when Bedrock is on."""
    if not config.bedrock:
        return {}
    creators = [a for a in (config.identity.deployer_arn,) if a]
    users = [identity.role_arn(account, config.name_prefix, vocabulary.INFERENCE)]
    return bedrock_guardrail.guardrail_key_statements(account, creators, users)


def bedrock_key_statements(config: BaselineConfig, account: AccountContext) -> dict[str, list[Statement]]:
    """AI-01: the logs-key grants of invocation logging, only when it is on."""
    if not config.invocation_logging:
        return {}
    group = bedrock_logging.bedrock_log_group_name(config.prefix, config.environment)
    return bedrock_logging.bedrock_key_statements(account, group)


def merge_key_statements(*parts: Mapping[str, Sequence[_S]]) -> dict[str, list[_S]]:
    """Combine each component's key-policy statements per data class (order kept); statements may be Outputs."""
    merged: dict[str, list[_S]] = {}
    for part in parts:
        for data_class, statements in part.items():
            merged.setdefault(data_class, []).extend(statements)
    return merged


def make_provider(config: BaselineConfig, region: str, profile: str | None) -> aws.Provider:
    """Explicit provider carrying the mandatory tags as default tags (GOV-01)."""
    return aws.Provider(
        "aws",
        region=region,
        profile=profile,
        default_tags={"tags": config.mandatory_tags()},
    )


# ---- policy size quotas ------------------------------------------------------------------------------------------
# AWS refuses a policy over its size quota at apply time; mocks and moto never do. Every policy the stack creates is
# rendered here from the config with the same builders the components use, ids AWS assigns at creation standing in
# at their full length, and measured before any resource exists.

#: Stand-ins, as long as AWS makes them: Pulumi's autoname suffix, EC2 ids (17 hex digits), KMS key ids (UUIDs).
AUTONAME_SUFFIX = "-0000000"
KEY_ID = "00000000-0000-0000-0000-000000000000"


def _ec2_id(prefix: str, index: int = 0) -> str:
    return f"{prefix}-{index:017x}"


@dataclass(frozen=True)
class RenderedPolicy:
    """One policy the stack creates (a role's inline policies together), and the config keys its size grows with."""

    kind: quotas.PolicyKind
    subject: str
    documents: tuple[PolicyDocument, ...]
    drivers: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return sum(quotas.policy_size(self.kind, document) for document in self.documents)

    @property
    def limit(self) -> int:
        return quotas.QUOTAS[self.kind].limit


@dataclass(frozen=True)
class _Counted:
    """A config key whose entries each add to a policy: how many there are, and the config with only ``n``."""

    noun: str
    count: Callable[[BaselineConfig], int]
    keep: Callable[[BaselineConfig, int], BaselineConfig]


def _keep_entries(section: str, field_name: str) -> Callable[[BaselineConfig, int], BaselineConfig]:
    def keep(config: BaselineConfig, n: int) -> BaselineConfig:
        part = getattr(config, section)
        trimmed = part.model_copy(update={field_name: getattr(part, field_name)[:n]})
        return config.model_copy(update={section: trimmed})

    return keep


def _keep_extra_buckets(config: BaselineConfig, n: int) -> BaselineConfig:
    return config.model_copy(update={"storage": config.storage.model_copy(update={"extra_data_buckets": n})})


#: The keys whose every entry adds to a policy, by the name users write.
COUNTED_KEYS: dict[str, _Counted] = {
    "identity.bedrockModelArns": _Counted(
        "entries", lambda c: len(c.identity.bedrock_model_arns), _keep_entries("identity", "bedrock_model_arns")
    ),
    "identity.auditorPrincipalArns": _Counted(
        "entries", lambda c: len(c.identity.auditor_principal_arns), _keep_entries("identity", "auditor_principal_arns")
    ),
    "identity.inferencePrincipalArns": _Counted(
        "entries",
        lambda c: len(c.identity.inference_principal_arns),
        _keep_entries("identity", "inference_principal_arns"),
    ),
    "identity.approverPrincipalArns": _Counted(
        "entries",
        lambda c: len(c.identity.approver_principal_arns),
        _keep_entries("identity", "approver_principal_arns"),
    ),
    "identity.imageAccountIds": _Counted(
        "entries", lambda c: len(c.identity.image_account_ids), _keep_entries("identity", "image_account_ids")
    ),
    "kms.adminArns": _Counted("entries", lambda c: len(c.kms.admin_arns), _keep_entries("kms", "admin_arns")),
    "storage.extraDataBuckets": _Counted("buckets", lambda c: c.storage.extra_data_buckets, _keep_extra_buckets),
}

#: Stand-in of the guardrail id Bedrock assigns (12 of a-z, 0-9).
GUARDRAIL_ID = "abcdefgh1234"
#: Keys every physical name (and so every ARN) grows with.
_NAME_KEYS: tuple[str, ...] = ("prefix", "environment")


def rendered_policies(config: BaselineConfig, account: AccountContext) -> list[RenderedPolicy]:
    """Every policy document the stack creates, as the components render it (the stand-ins for AWS-assigned ids)."""
    p, region, acct, prefix = account.partition, account.region, account.account_id, config.name_prefix
    names = config.storage.bucket_names
    settings = config.identity
    bucket_names = {"raw": names.raw, "curated": names.curated, "models": names.models, ACCESS_LOGS: names.access_logs}
    bucket_names[trail.AUDIT_BUCKET_CLASS] = names.audit
    data_classes = (*DATA_BUCKETS, *extra_bucket_classes(config.storage.extra_data_buckets))
    bucket_arns = {
        c: f"arn:{p}:s3:::{bucket_names.get(c) or f'{prefix}-{c}{AUTONAME_SUFFIX}'}"
        for c in (*data_classes, ACCESS_LOGS, trail.AUDIT_BUCKET_CLASS)
    }
    key_arns = {c: f"arn:{p}:kms:{region}:{acct}:key/{KEY_ID}" for c in DATA_CLASSES}
    role_arns = {role: identity.role_arn(account, prefix, role) for role in identity.ROLES}
    secret_arn = documents.secret_arn_pattern(p, region, acct, pseudonymization_secret_name(prefix))
    trail_arn = documents.trail_arn(p, region, acct, trail.trail_name(prefix))
    targets = identity.AccessTargets(
        account=account,
        name_prefix=prefix,
        bucket_arns={**{c: bucket_arns[c] for c in DATA_BUCKETS}, AUDIT_LOGS: bucket_arns[trail.AUDIT_BUCKET_CLASS]},
        key_arns=key_arns,
        subnet_ids=tuple(_ec2_id("subnet", i) for i in range(config.network.az_count)),
        security_group_ids=(_ec2_id("sg"),),
        secret_arn=secret_arn,
        bedrock_model_arns=settings.bedrock_model_arns,
        image_account_ids=settings.image_account_ids,
        guardrail_arn=f"arn:{p}:bedrock:{region}:{acct}:guardrail/{GUARDRAIL_ID}",
        guardrail_version="1",
    )
    boundary_targets = identity.boundary_targets(
        account,
        prefix,
        bucket_names=names,
        bedrock_model_arns=settings.bedrock_model_arns,
        image_account_ids=settings.image_account_ids,
    )
    images = ("identity.imageAccountIds",)
    role_drivers = {r: images for r in vocabulary.EXECUTION_ROLES} | {
        vocabulary.INFERENCE: ("identity.bedrockModelArns", *images)
    }
    trust_drivers = {
        vocabulary.AUDITOR: ("identity.auditorPrincipalArns",),
        vocabulary.INFERENCE: ("identity.inferencePrincipalArns",),
        vocabulary.APPROVER: ("identity.approverPrincipalArns",),
    }
    policies = [
        RenderedPolicy(
            quotas.PolicyKind.MANAGED_POLICY,
            f"the permissions boundary {prefix}-workload-boundary",
            (identity.boundary_document(boundary_targets, service_role_allows(config, account)),),
            ("identity.bedrockModelArns", "identity.imageAccountIds", *_NAME_KEYS, "storage.bucketNames"),
        )
    ]
    policies.append(
        RenderedPolicy(
            quotas.PolicyKind.MANAGED_POLICY,
            f"the permissions boundary {detection.malware_boundary_name(prefix)}",
            (detection.malware_boundary_document(account, prefix, names),),
            (*_NAME_KEYS, "storage.bucketNames"),
        )
    )
    for role in identity.ROLES:
        name = identity.role_name(prefix, role)
        policies.append(
            RenderedPolicy(
                quotas.PolicyKind.ROLE_TRUST_POLICY,
                f"the trust policy of role {name}",
                (
                    identity.trust_document(
                        role, account, settings, source_identity=role in source_identity_roles(config)
                    ),
                ),
                trust_drivers.get(role, ()),
            )
        )
        inline = identity.role_policy_document(role, targets)
        if inline is not None:
            policies.append(
                RenderedPolicy(
                    quotas.PolicyKind.ROLE_INLINE_POLICIES,
                    f"the inline policies of role {name}",
                    (inline,),
                    (*role_drivers.get(role, ()), *_NAME_KEYS, "storage.bucketNames"),
                )
            )
    delivery = {d.role_name: (d.trust, d.grants) for d in log_deliveries(config, account)}
    delivery[detection.malware_role_name(prefix)] = (
        detection.malware_trust_policy(account),
        detection.malware_role_policy(account, {c: bucket_arns[c] for c in vocabulary.SCANNED_BUCKETS}, key_arns),
    )
    for name, (trust, grants) in delivery.items():
        policies.append(
            RenderedPolicy(
                quotas.PolicyKind.ROLE_TRUST_POLICY, f"the trust policy of role {name}", (trust,), _NAME_KEYS
            )
        )
        policies.append(
            RenderedPolicy(
                quotas.PolicyKind.ROLE_INLINE_POLICIES, f"the inline policies of role {name}", (grants,), _NAME_KEYS
            )
        )
    statements = merge_key_statements(
        *service_key_statements(config, account),
        identity.role_key_statements(account, config.name_prefix, WIRED_RESOURCES),
        detection.malware_key_statements(account, config.name_prefix),
        _config_recorder_key_statements(config, account),
    )
    for data_class in DATA_CLASSES:
        policies.append(
            RenderedPolicy(
                quotas.PolicyKind.KEY_POLICY,
                f"the key policy of the {data_class} key",
                (
                    documents.key_policy(
                        partition=p,
                        account_id=acct,
                        admin_arns=config.kms.admin_arns,
                        statements=statements.get(data_class, []),
                    ),
                ),
                ("kms.adminArns", "identity.deployerArn", *_NAME_KEYS),
            )
        )
    config_bucket = _config_bucket_arn(config, account)
    bedrock_bucket = f"arn:{p}:s3:::{prefix}-{vocabulary.BEDROCK_LOG_BUCKET_CLASS}{AUTONAME_SUFFIX}"
    log_sources = [
        *([config_bucket] if config_bucket else []),
        *([bedrock_bucket] if config.invocation_logging else []),
    ]
    policies += _bucket_policies(config, account, bucket_arns, key_arns, trail_arn, extra_log_sources=log_sources)
    policies += _bedrock_logging_policies(config, account, bedrock_bucket, key_arns["logs"])
    policies += _config_recorder_policies(config, account, key_arns["logs"])
    policies += _endpoint_policies(config, account)
    policies.append(
        RenderedPolicy(
            quotas.PolicyKind.SECRET_POLICY,
            f"the policy of secret {pseudonymization_secret_name(prefix)}",
            (
                documents.secret_read_policy(
                    [role_arns[vocabulary.PROCESSOR]],
                    vpc_endpoint_ids=[_ec2_id("vpce")]
                    if SECRETS_MANAGER_ENDPOINT in config.network.interface_services
                    else [],
                ),
            ),
            _NAME_KEYS,
        )
    )
    topic = trail.alarm_topic_name(prefix)
    policies.append(
        RenderedPolicy(
            quotas.PolicyKind.TOPIC_POLICY,
            f"the policy of topic {topic}",
            (
                documents.alarm_topic_policy(
                    f"arn:{p}:sns:{region}:{acct}:{topic}",
                    account_id=acct,
                    alarms=documents.alarm_arn_pattern(p, region, acct, prefix),
                    finding_rules=finding_rule_arns(account, prefix),
                ),
            ),
            _NAME_KEYS,
        )
    )
    return policies


def _bucket_policies(
    config: BaselineConfig,
    account: AccountContext,
    bucket_arns: Mapping[str, str],
    key_arns: Mapping[str, str],
    trail_arn: str,
    *,
    extra_log_sources: Sequence[str] = (),
) -> list[RenderedPolicy]:
    """The one policy of every bucket: data buckets (VPC-only), access-logs (every source bucket), the archive."""
    acct, org_id, prefix = account.account_id, config.identity.org_id, config.name_prefix
    exempt = [a for a in (config.identity.deployer_arn, config.identity.break_glass_arn) if a]
    data_drivers = ("identity.deployerArn", "identity.breakGlassArn", "identity.orgId", "storage.bucketNames")
    result = []
    for bucket_class, arn in bucket_arns.items():
        if bucket_class == ACCESS_LOGS:
            sources = [*(a for c, a in bucket_arns.items() if c != ACCESS_LOGS), *extra_log_sources]
            extra = [documents.allow_server_access_logs_statement(arn, sources, acct)]
            document = documents.bucket_policy(
                arn, account_id=acct, kms_key_arn=None, org_id=org_id, extra_statements=extra
            )
            drivers: tuple[str, ...] = ("storage.extraDataBuckets", *_NAME_KEYS, "storage.bucketNames")
        elif bucket_class == trail.AUDIT_BUCKET_CLASS:
            grants = [
                *documents.cloudtrail_bucket_statements(arn, account_id=acct, trail=trail_arn),
                documents.deny_audit_log_deletion_statement(arn),
            ]
            document = documents.bucket_policy(
                arn,
                account_id=acct,
                kms_key_arn=key_arns["logs"],
                org_id=org_id,
                extra_statements=grants,
                encryption_header_exempt_services=(vocabulary.CLOUDTRAIL_SERVICE,),
            )
            drivers = (*_NAME_KEYS, "storage.bucketNames", "identity.orgId")
        else:
            template = bucket_class if bucket_class in DATA_BUCKETS else EXTRA_BUCKET_TEMPLATE
            key_class = BUCKET_KEY_CLASS[template] or "data"
            scanner = [malware_scanner_arn(account, prefix)] if bucket_class in vocabulary.SCANNED_BUCKETS else []
            document = documents.bucket_policy(
                arn,
                account_id=acct,
                kms_key_arn=key_arns[key_class],
                vpc_endpoint_ids=[_ec2_id("vpce")],
                exempt_principal_arns=[*exempt, *scanner],
                org_id=org_id,
                extra_statements=[s for a in scanner for s in documents.malware_scan_statements(arn, a)],
            )
            drivers = data_drivers
        result.append(
            RenderedPolicy(
                quotas.PolicyKind.BUCKET_POLICY, f"the bucket policy of {prefix}-{bucket_class}", (document,), drivers
            )
        )
    return result


def _bedrock_logging_policies(
    config: BaselineConfig, account: AccountContext, bucket: str, logs_key_arn: str
) -> list[RenderedPolicy]:
    """AI-01: the invocation archive's policy (none when logging is off; its role is one of ``log_deliveries``)."""
    if not config.invocation_logging:
        return []
    bucket_policy = documents.bucket_policy(
        bucket,
        account_id=account.account_id,
        kms_key_arn=logs_key_arn,
        org_id=config.identity.org_id,
        extra_statements=bedrock_logging.bedrock_bucket_statements(bucket, account),
    )
    return [
        RenderedPolicy(
            quotas.PolicyKind.BUCKET_POLICY,
            f"the bucket policy of {config.name_prefix}-{vocabulary.BEDROCK_LOG_BUCKET_CLASS}",
            (bucket_policy,),
            (*_NAME_KEYS, "identity.orgId"),
        )
    ]


def _config_recorder_key_statements(config: BaselineConfig, account: AccountContext) -> dict[str, list[Statement]]:
    if "config" in config.centrally_managed:
        return {}
    role_arn = (
        f"arn:{account.partition}:iam::{account.account_id}:role/{config_recorder.config_role_name(config.name_prefix)}"
    )
    return config_recorder.config_key_statements(role_arn, account)


def _config_bucket_arn(config: BaselineConfig, account: AccountContext) -> str | None:
    """DET-05's delivery bucket (autonamed), None when the organization records."""
    if "config" in config.centrally_managed:
        return None
    return f"arn:{account.partition}:s3:::{config.name_prefix}-{vocabulary.CONFIG_BUCKET_CLASS}{AUTONAME_SUFFIX}"


def _config_recorder_policies(
    config: BaselineConfig, account: AccountContext, logs_key_arn: str
) -> list[RenderedPolicy]:
    """DET-05: the recorder role's trust, grants and boundary, and its delivery bucket's policy."""
    if "config" in config.centrally_managed:
        return []
    prefix, acct = config.name_prefix, account.account_id
    name = config_recorder.config_role_name(prefix)
    bucket = _config_bucket_arn(config, account) or ""
    grants = config_recorder.config_delivery_policy(bucket, logs_key_arn, region=account.region, account_id=acct)
    bucket_policy = documents.bucket_policy(
        bucket,
        account_id=acct,
        kms_key_arn=logs_key_arn,
        org_id=config.identity.org_id,
        extra_statements=[documents.deny_audit_log_deletion_statement(bucket)],
    )
    kinds = quotas.PolicyKind
    return [
        RenderedPolicy(
            kinds.ROLE_TRUST_POLICY, f"the trust policy of role {name}", (config_recorder.config_trust_policy(acct),)
        ),
        RenderedPolicy(kinds.ROLE_INLINE_POLICIES, f"the inline policies of role {name}", (grants,), _NAME_KEYS),
        RenderedPolicy(
            kinds.MANAGED_POLICY,
            f"the permissions boundary {name}-boundary",
            (config_recorder.config_boundary_document(account),),
        ),
        RenderedPolicy(
            kinds.BUCKET_POLICY,
            f"the bucket policy of {prefix}-{vocabulary.CONFIG_BUCKET_CLASS}",
            (bucket_policy,),
            _NAME_KEYS,
        ),
    ]


def _endpoint_policies(config: BaselineConfig, account: AccountContext) -> list[RenderedPolicy]:
    """The S3 gateway endpoint's policy and one per interface endpoint service."""
    org_id = config.identity.org_id
    services = config.network.interface_services
    s3 = documents.s3_gateway_endpoint_policy(
        partition=account.partition,
        region=account.region,
        account_id=account.account_id,
        org_id=org_id,
        services=services,
    )
    interface = {s: network.interface_policy(s, account_id=account.account_id, org_id=org_id) for s in services}
    documents_by_service = {"s3": s3} | {s: doc for s, doc in interface.items() if doc is not None}
    return [
        RenderedPolicy(
            quotas.PolicyKind.VPC_ENDPOINT_POLICY, f"the policy of VPC endpoint {service}", (doc,), ("identity.orgId",)
        )
        for service, doc in documents_by_service.items()
    ]


def _largest_fit(config: BaselineConfig, account: AccountContext, policy: RenderedPolicy, key: str) -> int | None:
    """How many entries of ``key`` leave ``policy`` and every other policy that grows with ``key`` within their
    quotas, the rest of the config unchanged (None: not even none). Sizes only grow with entries, so a bisection
    finds it."""

    def fits(n: int) -> bool:
        trimmed = rendered_policies(COUNTED_KEYS[key].keep(config, n), account)
        grows = [r for r in trimmed if (r.kind, r.subject) == (policy.kind, policy.subject) or key in r.drivers]
        return all(r.size <= r.limit for r in grows)

    low, high = 0, COUNTED_KEYS[key].count(config) - 1
    if not fits(low):
        return None
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def _quota_error(config: BaselineConfig, account: AccountContext, policy: RenderedPolicy) -> str:
    """One line naming the key that drives the size and what is allowed."""
    quota = quotas.QUOTAS[policy.kind]
    measured = f"{policy.subject} {policy.size:,} of {quota.limit:,} {quota.unit}"
    for key in policy.drivers:
        counted = COUNTED_KEYS.get(key)
        if counted is None or not counted.count(config):
            continue
        fit = _largest_fit(config, account, policy, key)
        if fit is not None:
            return (
                f"{NAMESPACE}:{key}: {counted.count(config)} {counted.noun} make {measured} "
                f"(allowed: at most {fit} {counted.noun} with this configuration; {quota.url})"
            )
    keys = ", ".join(f"{NAMESPACE}:{k}" for k in policy.drivers if k not in COUNTED_KEYS) or NAMESPACE
    return f"{keys}: the configured values make {measured} (allowed: shorter values; {quota.url})"


def policy_quota_errors(config: BaselineConfig, account: AccountContext) -> list[str]:
    """One message per policy the stack would create over its AWS size quota."""
    return [_quota_error(config, account, p) for p in rendered_policies(config, account) if p.size > p.limit]


def check_policy_quotas(config: BaselineConfig, account: AccountContext) -> None:
    """ConfigError naming the driving key when any policy would exceed its quota (AWS would refuse it mid-update)."""
    errors = policy_quota_errors(config, account)
    if errors:
        raise ConfigError("invalid configuration: " + "; ".join(errors))

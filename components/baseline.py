"""AiSecurityBaseline: wires the components together; holds no resource logic of its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import audit, documents, identity, lifecycle, network
from components.config import BaselineConfig
from components.documents import Statement
from components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from components.storage import (
    ACCESS_LOGS,
    DATA_BUCKETS,
    AccessLogTarget,
    Lifecycle,
    ObjectLock,
    Storage,
    StorageArgs,
    storage_key_statements,
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
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.keys = EncryptionKeys(
            "keys",
            EncryptionKeysArgs(
                name_prefix=config.name_prefix,
                account=account,
                settings=config.kms,
                protect=config.protect,
                statements=merge_key_statements(
                    network.network_key_statements(config, account),
                    storage_key_statements(
                        name_prefix=config.name_prefix,
                        account=account,
                        secret_writer_arns=[a for a in (config.identity.deployer_arn,) if a],
                    ),
                    audit.audit_key_statements(config, account),
                    self.roles.key_statements(WIRED_RESOURCES),
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
        # The audit archive logs into access-logs, whose policy names its sources: resolved once the archive exists.
        audit_bucket_arn: pulumi.Output[str]
        resolve_audit_bucket_arn: Callable[[pulumi.Output[str]], None]
        audit_bucket_arn, resolve_audit_bucket_arn = pulumi.deferred_output()
        self.storage = Storage(
            "storage",
            StorageArgs(
                name_prefix=config.name_prefix,
                account=account,
                settings=config.storage,
                identity=config.identity,
                key_arns={c: k.arn for c, k in self.keys.keys.items()},
                vpc_endpoint_ids=[self.endpoints.s3_gateway_endpoint_id],  # S3-07: data only through the VPC
                data_processor_arn=self.roles.arns[identity.PROCESSOR],  # GOV-02: the secret's only reader
                protect=config.protect,
                extra_log_source_arns=[audit_bucket_arn],
                allow_bucket_replacement=config.relaxations.bucket_replacement,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        try:
            self.audit = self._audit(config, account)
        finally:  # resolve even on error, so the access-log policy never waits forever
            built = getattr(self, "audit", None)
            resolve_audit_bucket_arn(built.bucket.arn if built else pulumi.Output.from_input(""))
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
                    AUDIT_LOGS: self.audit.bucket.arn,
                },
                key_arns={c: k.arn for c, k in self.keys.keys.items()},
                subnet_ids=self.network.private_subnet_ids,
                security_group_ids=[self.workload_security_group.security_group_id],  # IAM-06: jobs' only SG
                secret_arn=self.storage.secret.arn,
                bedrock_model_arns=config.identity.bedrock_model_arns,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        adoption.require_all_adopted()
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[Any]]:
        """Stack outputs an auditor needs (GOV-04), keyed as exported."""
        result: dict[str, pulumi.Output[Any]] = {}
        for data_class, key in self.keys.keys.items():
            result[f"{data_class}KeyArn"] = key.arn
            result[f"{data_class}KeyAlias"] = self.keys.aliases[data_class].name
        result |= {
            "vpcId": self.network.vpc.id,
            "privateSubnetIds": self.network.private_subnet_ids,
            "endpointSecurityGroupId": self.endpoints.security_group_id,
            "s3GatewayEndpointId": self.endpoints.s3_gateway_endpoint_id,
            "interfaceEndpointIds": self.endpoints.interface_endpoint_ids,
            "flowLogGroupName": self.network.flow_log_group.name,
        }
        result.update(self.storage.outputs())
        result.update(self.audit.outputs())
        result.update(self.roles.outputs())
        # one map for the live audit (IAM-01/02/05): every workload role, keyed by its role name in the matrix
        result["roleArns"] = pulumi.Output.all(**{role: r.arn for role, r in self.roles.roles.items()})
        result["permissionsBoundaryArn"] = self.roles.boundary_arn
        result["workloadSecurityGroupId"] = self.workload_security_group.security_group_id
        return result

    def _audit(self, config: BaselineConfig, account: AccountContext) -> audit.AuditTrail:
        """LOG-01…LOG-07: the trail after storage (it records the data buckets, logs into access-logs)."""
        access_logs = self.storage.buckets[ACCESS_LOGS]
        lock = config.logging.archive_lock
        logs_key = self.keys.keys["logs"]
        return audit.AuditTrail(
            "audit",
            audit.AuditTrailArgs(
                name_prefix=config.name_prefix,
                account=account,
                logs_key_arn=logs_key.arn,
                log_group_name=audit.trail_log_group_name(config),
                retention_days=config.logging.retention_days,
                archive_lock=ObjectLock(lock.mode, lock.days),
                lifecycle=Lifecycle(lock.days, config.storage.abort_multipart_days),
                data_bucket_arns=self.storage.data_bucket_arns,
                access_log_target=AccessLogTarget(
                    bucket=access_logs.name, prefix="audit/", depends_on=[access_logs.policy]
                ),
                key_dependencies=[logs_key],
                bucket_name=config.storage.bucket_names.audit,
                org_id=config.identity.org_id,
                delivery_role_boundary_arn=self.roles.boundary_arn,  # IAM-05: every role carries the boundary
                protect=config.protect,
                allow_bucket_replacement=config.relaxations.bucket_replacement,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


AUDIT_LOGS = "audit-logs"
#: Matrix resources wired to buckets: the three data buckets and the audit archive.
WIRED_RESOURCES: tuple[str, ...] = (*DATA_BUCKETS, AUDIT_LOGS)


def service_role_allows(config: BaselineConfig, account: AccountContext) -> list[Statement]:
    """The service delivery roles' grants (flow logs, CloudTrail to CloudWatch Logs), for the boundary's cap:
    those roles carry the boundary too, so it must admit exactly what they are granted."""

    def group(name: str) -> str:
        return documents.log_group_arn(account.partition, account.region, account.account_id, name)

    flow_logs = documents.flow_log_delivery_policy(group(network.flow_log_group_name(config)))["Statement"]
    trail_logs = documents.trail_delivery_policy(group(audit.trail_log_group_name(config)))["Statement"]
    statements: list[Statement] = [*flow_logs, *trail_logs]
    return statements


def merge_key_statements(
    *parts: Mapping[str, Sequence[pulumi.Input[Statement]]],
) -> dict[str, list[pulumi.Input[Statement]]]:
    """Combine each component's key-policy statements per data class (order kept); statements may be Outputs."""
    merged: dict[str, list[pulumi.Input[Statement]]] = {}
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

"""AiSecurityBaseline: wires the components together; holds no resource logic of its own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import audit, network
from components.config import BaselineConfig
from components.documents import Statement
from components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from components.storage import (
    ACCESS_LOGS,
    AccessLogTarget,
    Lifecycle,
    ObjectLock,
    Storage,
    StorageArgs,
    storage_key_statements,
)


class AiSecurityBaseline(pulumi.ComponentResource):
    """The whole baseline for one stack: keys, network, endpoints, storage (identity and audit as they land)."""

    def __init__(
        self,
        name: str,
        config: BaselineConfig,
        account: AccountContext,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("baseline:index:AiSecurityBaseline", name, None, opts)
        self.config = config
        self.account = account
        # The region must offer azCount AZs: checked before any resource is created.
        zones = network.resolve_zones(config.network, account.region, pulumi.InvokeOptions(parent=self))
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
                flow_log_role_boundary_arn=None,  # identity issue: the permissions boundary (IAM-05)
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
                protect=config.protect,
                extra_log_source_arns=[audit_bucket_arn],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        try:
            self.audit = self._audit(config, account)
        finally:  # resolve even on error, so the access-log policy never waits forever
            built = getattr(self, "audit", None)
            resolve_audit_bucket_arn(built.bucket.arn if built else pulumi.Output.from_input(""))
        # For identity (the auditor reads the audit archive, IAM-03).
        self.audit_bucket_arn = self.audit.bucket.arn
        # For identity (SageMaker subnets/SGs, IAM-06).
        self.s3_gateway_endpoint_id = self.endpoints.s3_gateway_endpoint_id
        self.private_subnet_ids = self.network.private_subnet_ids
        self.endpoint_security_group_id = self.endpoints.security_group_id
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
                delivery_role_boundary_arn=None,  # identity issue: the permissions boundary (IAM-05)
                protect=config.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def merge_key_statements(*parts: Mapping[str, Sequence[Statement]]) -> dict[str, list[Statement]]:
    """Combine each component's key-policy statements per data class (order kept)."""
    merged: dict[str, list[Statement]] = {}
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

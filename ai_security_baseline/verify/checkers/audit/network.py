"""What the network and endpoint probes share: the VPC and endpoint subjects and their cached reads."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Subject


def vpc_subject(ctx: AuditContext) -> list[Subject]:
    vpc_id = ctx.outputs.get("vpcId")
    return [Subject(urn=str(vpc_id), value=str(vpc_id))] if vpc_id else [Subject(urn="stack", missing="vpcId")]


def vpc_filter(vpc_id: str, name: str = "vpc-id") -> list[dict[str, Any]]:
    return [{"Name": name, "Values": [vpc_id]}]


def vpc(ctx: AuditContext, vpc_id: str) -> dict[str, Any]:
    vpcs: dict[str, Any] = ctx.cached(("vpc", vpc_id), lambda: ctx.client("ec2").describe_vpcs(VpcIds=[vpc_id]))
    return dict(vpcs["Vpcs"][0])


def endpoint_subjects(ctx: AuditContext) -> list[Subject]:
    ids = {"s3": ctx.outputs.get("s3GatewayEndpointId")}
    interface = ctx.outputs.get("interfaceEndpointIds")
    if not ids["s3"]:
        return [Subject(urn="stack", missing="s3GatewayEndpointId")]
    if not isinstance(interface, dict) or not interface:
        return [Subject(urn="stack", missing="interfaceEndpointIds")]
    ids.update(interface)
    return [Subject(urn=str(i), value=(service, str(i))) for service, i in ids.items()]


def interface_endpoint_subjects(ctx: AuditContext) -> list[Subject]:
    return [s for s in endpoint_subjects(ctx) if s.missing or s.value[0] != "s3"]


def describe_endpoint(ctx: AuditContext, endpoint_id: str) -> dict[str, Any]:
    answer = ctx.cached(
        ("vpce", endpoint_id), lambda: ctx.client("ec2").describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    )
    return dict(answer["VpcEndpoints"][0])

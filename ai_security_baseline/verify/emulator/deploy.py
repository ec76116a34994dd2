"""Pulumi mocks that deploy every resource into a moto emulated account.

Why: the fake templates in verify/engine/mocks.py prove the graph; this proves the graph *deploys*, with real
ids and ARNs flowing into dependent resources, so the live audit (verify/checkers/audit) can read the account
back exactly as it would read AWS. moto stores state but evaluates no policy conditions and accepts
garbage policies (docs/moto.md), so every policy is validated here before it is sent.

Fail closed: a custom type without a handler, an invalid policy or a moto error stops the deploy
with a ``MotoDeployError`` naming the resource; ``MotoMocks.failures`` keeps the same record.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from botocore.config import Config  # type: ignore[import-untyped]

from ai_security_baseline.verify.emulator import preflight
from ai_security_baseline.verify.emulator.server import boto_session_kwargs, isolated_session
from ai_security_baseline.verify.engine.mocks import session_context
from ai_security_baseline.verify.engine.offline import integral
from ai_security_baseline.verify.iam.principals import (
    Call,
    TrailFacts,
    log_group_key_calls,
    secret_creation_calls,
    trail_creation_calls,
)

Outputs = tuple[str, dict[str, Any]]
Handler = Callable[["MotoMocks", str, dict[str, Any]], Outputs]
Progress = Callable[[str, str], None]

#: Type token -> handler. Filled by ``@handles``; a custom type missing here is an error (fail closed).
HANDLERS: dict[str, Handler] = {}

_BOTO_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30)


class MotoDeployError(RuntimeError):
    """A resource could not be created in the emulated account; names the type, the resource and why."""

    def __init__(self, typ: str, name: str, cause: str) -> None:
        super().__init__(f"{typ} {name!r}: {cause}")
        self.typ = typ
        self.name = name
        self.cause = cause


class PolicyDocumentError(ValueError):
    """A policy document that AWS would reject (moto would store it and crash later)."""


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for typ in types:
            HANDLERS[typ] = handler
        return handler

    return register


# ---- policy validation -----------------------------------------------------------------------------

_EFFECTS = frozenset({"Allow", "Deny"})
_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)


def check_policy_json(text: Any, where: str, *, resource_based: bool = False, trust: bool = False) -> str:
    """The document text if it is a well-formed IAM policy; PolicyDocumentError naming ``where`` otherwise.

    Structural only (the grammar AWS rejects at put time): JSON object, Version 2012-10-17, a non-empty
    Statement whose entries have a valid Effect, exactly one of Action/NotAction, a Resource (except in
    trust policies) and, for resource-based policies, a Principal.
    """
    if not isinstance(text, str):
        raise PolicyDocumentError(f"{where}: policy must be a JSON string, got {type(text).__name__}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyDocumentError(f"{where}: policy is not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise PolicyDocumentError(f"{where}: policy must be a JSON object")
    if document.get("Version") != "2012-10-17":
        raise PolicyDocumentError(f"{where}: policy Version must be '2012-10-17', got {document.get('Version')!r}")
    raw = document.get("Statement")
    statements = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    if not statements:
        raise PolicyDocumentError(f"{where}: policy has no Statement")
    for index, statement in enumerate(statements):
        label = f"{where}: statement {statement.get('Sid', index) if isinstance(statement, dict) else index}"
        if not isinstance(statement, dict):
            raise PolicyDocumentError(f"{label} is not an object")
        unknown = sorted(set(statement) - _STATEMENT_KEYS)
        if unknown:
            raise PolicyDocumentError(f"{label} has unknown element {unknown[0]!r}")
        if statement.get("Effect") not in _EFFECTS:
            raise PolicyDocumentError(f"{label} Effect must be Allow or Deny, got {statement.get('Effect')!r}")
        if ("Action" in statement) == ("NotAction" in statement):
            raise PolicyDocumentError(f"{label} needs exactly one of Action / NotAction")
        has_resource = "Resource" in statement or "NotResource" in statement
        if trust and has_resource:
            raise PolicyDocumentError(f"{label}: a trust policy has no Resource")
        if not trust and not has_resource:
            raise PolicyDocumentError(f"{label} has no Resource / NotResource")
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        if (resource_based or trust) and not has_principal:
            raise PolicyDocumentError(f"{label} has no Principal (required in a resource-based policy)")
        if not (resource_based or trust) and has_principal:
            raise PolicyDocumentError(f"{label}: an identity policy has no Principal")
        condition = statement.get("Condition", {})
        if not isinstance(condition, dict) or not all(isinstance(v, dict) for v in condition.values()):
            raise PolicyDocumentError(f"{label} Condition must map operators to objects")
    return text


# ---- helpers -----------------------------------------------------------------------------------------


def _digest(*parts: str, length: int = 7) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def autoname(name: str, typ: str, *, lower: bool = False) -> str:
    """Pulumi-style autoname ``<logical>-<7 hex>`` (deterministic: the same graph gives the same names)."""
    value = f"{name}-{_digest(typ, name)}"
    return value.lower() if lower else value


def pascal(value: Any, renames: Mapping[str, str] | None = None) -> Any:
    """camelCase wire form -> the PascalCase request shape boto3 wants (``id`` -> ``ID`` etc. via renames)."""
    renames = renames or {}
    if isinstance(value, dict):
        return {renames.get(k, k[:1].upper() + k[1:]): pascal(v, renames) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal(v, renames) for v in value]
    return value


def _required(typ: str, name: str, inputs: Mapping[str, Any], *keys: str) -> list[Any]:
    missing = [k for k in keys if inputs.get(k) in (None, "")]
    if missing:
        raise PolicyDocumentError(f"{typ} {name!r} has no {', '.join(repr(k) for k in missing)} input")
    return [inputs[k] for k in keys]


def _drop_none(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@dataclass
class MotoMocks(pulumi.runtime.Mocks):
    """Creates each registered resource in moto through boto3 and returns moto's ids and ARNs.

    ``on_progress(type, name)`` is called for every component as it registers (the demo's progress lines).
    Handlers run one at a time (a lock): boto3 clients are shared, and deferred state (bucket logging
    waiting for its target's policy, a moto-only prerequisite) must not race.
    """

    endpoint_url: str
    region: str
    on_progress: Progress | None = None
    failures: list[MotoDeployError] = field(default_factory=list)
    created: list[tuple[str, str, str]] = field(default_factory=list)  # (type, logical name, id)
    emulated: list[tuple[str, str, str]] = field(default_factory=list)  # (type, name, ARN): no such API in moto
    default_tags: dict[str, str] = field(default_factory=dict)
    pending_logging: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _session: Any = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _account: str = ""

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._session = self._session or isolated_session(self.region)  # never the user's ~/.aws
                self._clients[service] = self._session.client(
                    service, config=_BOTO_CONFIG, **boto_session_kwargs(self.endpoint_url, self.region)
                )
            return self._clients[service]

    @property
    def account_id(self) -> str:
        if not self._account:
            self._account = str(self.client("sts").get_caller_identity()["Account"])
        return self._account

    @property
    def partition(self) -> str:
        return "aws"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        return f"arn:{self.partition}:{service}:{self.region if regional else ''}:{self.account_id}:{resource}"

    def tags(self, inputs: Mapping[str, Any]) -> dict[str, str]:
        """Provider default tags overlaid with the resource's own (what AWS ends up storing)."""
        return {**self.default_tags, **dict(inputs.get("tags") or {})}

    # -- pulumi.runtime.Mocks ------------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs: dict[str, Any] = integral(dict(args.inputs))
        if args.typ.startswith("pulumi:providers:"):
            tags = inputs.get("defaultTags")
            tags = json.loads(tags) if isinstance(tags, str) else tags or {}
            self.default_tags = dict(tags.get("tags") or {})
            return _digest(args.typ, args.name, length=32), inputs
        if args.custom is False:
            if self.on_progress:
                self.on_progress(args.typ, args.name)
            return "", inputs
        if self.failures:  # stop creating once something failed: the first failure is the report
            raise MotoDeployError(args.typ, args.name, f"skipped: {self.failures[0]} failed first")
        handler = HANDLERS.get(args.typ)
        if handler is None:
            raise self._fail(
                args.typ, args.name, "no moto handler for this resource type (add one to verify/emulator/deploy.py)"
            )
        with self._lock:
            try:
                rid, outputs = handler(self, args.name, inputs)
            except MotoDeployError as exc:
                raise self._fail(args.typ, args.name, exc.cause) from None
            except Exception as exc:  # moto/botocore errors, invalid policies: all stop the deploy
                raise self._fail(args.typ, args.name, f"{type(exc).__name__}: {exc}") from None
            self.created.append((args.typ, args.name, rid))
        return rid, outputs

    def _fail(self, typ: str, name: str, cause: str) -> MotoDeployError:
        error = MotoDeployError(typ, name, cause)
        with self._lock:
            self.failures.append(error)
        return error

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        answer = _INVOKES.get(args.token)
        if answer is None:
            raise self._fail("invoke", args.token, "no moto answer for this invoke")
        with self._lock:
            try:
                return answer(self, dict(args.args))
            except Exception as exc:
                raise self._fail("invoke", args.token, f"{type(exc).__name__}: {exc}") from None

    def finish(self) -> None:
        """After the program ran: state deferred for a moto prerequisite that never came is an error."""
        for target, waiting in self.pending_logging.items():
            for name, _ in waiting:
                raise self._fail(
                    "aws:s3/bucketLogging:BucketLogging",
                    name,
                    f"target bucket {target} never got a policy admitting logging.s3 (moto requires one)",
                )


# ---- invokes -------------------------------------------------------------------------------------------


def _caller_identity(m: MotoMocks, _: Mapping[str, Any]) -> dict[str, Any]:
    identity = m.client("sts").get_caller_identity()
    return {
        "accountId": identity["Account"],
        "arn": iam_user_arn(identity["Arn"]),
        "userId": identity["UserId"],
        "id": m.account_id,
    }


def iam_user_arn(arn: str) -> str:
    """moto answers GetCallerIdentity for its default user as ``arn:aws:sts::<account>:user/moto``; AWS names an IAM
    user ``arn:aws:iam::<account>:user/<name>``, which is what key policies accept as a principal."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("user/"):
        return ":".join([parts[0], parts[1], "iam", "", parts[4], parts[5]])
    return arn


def _region(m: MotoMocks, _: Mapping[str, Any]) -> dict[str, Any]:
    regions = m.client("ec2").describe_regions(RegionNames=[m.region])["Regions"]
    endpoint = regions[0].get("Endpoint", f"ec2.{m.region}.amazonaws.com")
    return {"region": m.region, "name": m.region, "id": m.region, "endpoint": endpoint, "description": m.region}


def _partition(m: MotoMocks, _: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "partition": m.partition,
        "dnsSuffix": "amazonaws.com",
        "id": m.partition,
        "reverseDnsPrefix": "com.amazonaws",
    }


#: Zone filters moto's DescribeAvailabilityZones implements; ``opt-in-status`` is answered from the zone type.
_MOTO_ZONE_FILTERS = ("zone-id", "zone-type", "zone-name", "region-name", "state")


def _opt_in_status(zone: Mapping[str, Any]) -> str:
    """AWS: an Availability Zone is always ``opt-in-not-required``; moto omits the field, so derive only that."""
    if zone.get("OptInStatus"):
        return str(zone["OptInStatus"])
    if zone.get("ZoneType") == "availability-zone":
        return "opt-in-not-required"
    raise MotoDeployError("invoke", "getAvailabilityZones", f"moto gives no opt-in status for {zone.get('ZoneName')}")


def _zones(m: MotoMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    unsupported = sorted(k for k in ("allAvailabilityZones", "excludeNames", "excludeZoneIds") if args.get(k))
    if unsupported:
        raise MotoDeployError("invoke", "getAvailabilityZones", f"moto answer not implemented for {unsupported}")
    request = [{"Name": "state", "Values": [args["state"]]}] if args.get("state") else []
    opt_in: list[str] | None = None
    for selector in args.get("filters") or []:
        name, values = str(selector.get("name")), list(selector.get("values") or [])
        if name == "opt-in-status":
            opt_in = values
        elif name in _MOTO_ZONE_FILTERS:
            request.append({"Name": name, "Values": values})
        else:
            raise MotoDeployError("invoke", "getAvailabilityZones", f"moto cannot filter zones by {name!r}")
    zones = m.client("ec2").describe_availability_zones(Filters=request)["AvailabilityZones"]
    listed = sorted(
        (z for z in zones if opt_in is None or _opt_in_status(z) in opt_in), key=lambda z: str(z["ZoneName"])
    )
    return {
        "names": [z["ZoneName"] for z in listed],
        "zoneIds": [z["ZoneId"] for z in listed],
        "groupNames": [z.get("GroupName", m.region) for z in listed],
        "id": m.region,
    }


def _endpoint_service(m: MotoMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    """One service by ``serviceName`` (and ``serviceType``) from moto's DescribeVpcEndpointServices."""
    name, kind = str(args.get("serviceName") or ""), str(args.get("serviceType") or "")
    extra = sorted(k for k in ("filters", "service", "serviceRegions", "tags") if args.get(k))
    if not name or extra:
        raise MotoDeployError("invoke", "getVpcEndpointService", f"moto answer needs serviceName only, got {extra}")
    details = m.client("ec2").describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"]
    found = [d for d in details if not kind or kind in {t["ServiceType"] for t in d.get("ServiceType", [])}]
    if len(found) != 1 or "AvailabilityZones" not in found[0]:
        raise MotoDeployError("invoke", "getVpcEndpointService", f"moto has {len(found)} {kind} services {name!r}")
    detail = found[0]
    return {
        "id": name,
        "serviceName": name,
        "serviceId": detail.get("ServiceId", ""),
        "serviceType": kind or detail["ServiceType"][0]["ServiceType"],
        "owner": detail.get("Owner", ""),
        "availabilityZones": list(detail["AvailabilityZones"]),
        "acceptanceRequired": bool(detail.get("AcceptanceRequired")),
        "managesVpcEndpoints": bool(detail.get("ManagesVpcEndpoints")),
        "vpcEndpointPolicySupported": bool(detail.get("VpcEndpointPolicySupported")),
        "baseEndpointDnsNames": list(detail.get("BaseEndpointDnsNames", [])),
        "privateDnsName": detail.get("PrivateDnsName", ""),
        "privateDnsNames": [d["PrivateDnsName"] for d in detail.get("PrivateDnsNames", [])],
        "supportedIpAddressTypes": list(detail.get("SupportedIpAddressTypes", [])),
        "region": m.region,
        "serviceRegion": m.region,
        "tags": {},
    }


def _prefix_list(m: MotoMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    ec2 = m.client("ec2")
    name = str(args.get("name", ""))
    lists = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [name]}])["PrefixLists"]
    if len(lists) != 1:
        raise MotoDeployError("invoke", "getPrefixList", f"moto knows no prefix list {name!r}")
    pl_id = lists[0]["PrefixListId"]
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=pl_id)["Entries"]
    return {
        "id": pl_id,
        "prefixListId": pl_id,
        "name": name,
        "cidrBlocks": [e["Cidr"] for e in entries],
        "filters": [],
        "region": m.region,
    }


def _session_context(m: MotoMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    def role_path(name: str) -> str:
        return str(m.client("iam").get_role(RoleName=name)["Role"]["Path"])

    return session_context(str(args["arn"]), role_path)


_INVOKES: dict[str, Callable[[MotoMocks, Mapping[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _zones,
    "aws:ec2/getPrefixList:getPrefixList": _prefix_list,
    "aws:iam/getSessionContext:getSessionContext": _session_context,
    "aws:ec2/getVpcEndpointService:getVpcEndpointService": _endpoint_service,
}


# ---- EC2 / VPC -----------------------------------------------------------------------------------------


def _tag_ec2(m: MotoMocks, resource_id: str, inputs: Mapping[str, Any]) -> None:
    tags = m.tags(inputs)
    if tags:
        m.client("ec2").create_tags(Resources=[resource_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


def _ec2_outputs(m: MotoMocks, inputs: Mapping[str, Any], rid: str, arn_kind: str | None) -> dict[str, Any]:
    outputs: dict[str, Any] = {**inputs, "id": rid, "tagsAll": m.tags(inputs)}
    if arn_kind:
        outputs["arn"] = m.arn("ec2", f"{arn_kind}/{rid}")
        outputs["ownerId"] = m.account_id
    return outputs


def _first(items: Sequence[Any], what: str) -> Any:
    if len(items) != 1:
        raise MotoDeployError("ec2", what, f"expected exactly one {what}, moto has {len(items)}")
    return items[0]


@handles("aws:ec2/vpc:Vpc")
def _vpc(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (cidr,) = _required("aws:ec2/vpc:Vpc", name, inputs, "cidrBlock")
    ec2 = m.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=cidr, InstanceTenancy=inputs.get("instanceTenancy", "default"))["Vpc"]["VpcId"]
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        if attribute in inputs:
            key = attribute[0].upper() + attribute[1:]
            ec2.modify_vpc_attribute(VpcId=vpc_id, **{key: {"Value": bool(inputs[attribute])}})
    _tag_ec2(m, vpc_id, inputs)
    vpc_filter = [{"Name": "vpc-id", "Values": [vpc_id]}]
    sg = _first(
        ec2.describe_security_groups(Filters=[*vpc_filter, {"Name": "group-name", "Values": ["default"]}])[
            "SecurityGroups"
        ],
        "default security group",
    )
    acl = _first(
        ec2.describe_network_acls(Filters=[*vpc_filter, {"Name": "default", "Values": ["true"]}])["NetworkAcls"],
        "default network ACL",
    )
    main = _first(
        ec2.describe_route_tables(Filters=[*vpc_filter, {"Name": "association.main", "Values": ["true"]}])[
            "RouteTables"
        ],
        "main route table",
    )
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    return vpc_id, {
        **_ec2_outputs(m, inputs, vpc_id, "vpc"),
        "defaultSecurityGroupId": sg["GroupId"],
        "defaultNetworkAclId": acl["NetworkAclId"],
        "defaultRouteTableId": main["RouteTableId"],
        "mainRouteTableId": main["RouteTableId"],
        "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
    }


@handles("aws:ec2/subnet:Subnet")
def _subnet(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    vpc_id, cidr = _required("aws:ec2/subnet:Subnet", name, inputs, "vpcId", "cidrBlock")
    ec2 = m.client("ec2")
    subnet = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock=cidr, **_drop_none(AvailabilityZone=inputs.get("availabilityZone"))
    )["Subnet"]
    subnet_id = subnet["SubnetId"]
    ec2.modify_subnet_attribute(
        SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": bool(inputs.get("mapPublicIpOnLaunch", False))}
    )
    _tag_ec2(m, subnet_id, inputs)
    return subnet_id, {
        **_ec2_outputs(m, inputs, subnet_id, "subnet"),
        "availabilityZone": subnet["AvailabilityZone"],
        "availabilityZoneId": subnet.get("AvailabilityZoneId", ""),
    }


@handles("aws:ec2/routeTable:RouteTable")
def _route_table(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (vpc_id,) = _required("aws:ec2/routeTable:RouteTable", name, inputs, "vpcId")
    ec2 = m.client("ec2")
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    for route in inputs.get("routes") or []:
        target = {k: v for k, v in pascal(route).items() if v}
        ec2.create_route(RouteTableId=table_id, **target)
    _tag_ec2(m, table_id, inputs)
    return table_id, _ec2_outputs(m, inputs, table_id, "route-table")


@handles("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _route_table_association(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    table_id, subnet_id = _required(
        "aws:ec2/routeTableAssociation:RouteTableAssociation", name, inputs, "routeTableId", "subnetId"
    )
    assoc = m.client("ec2").associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)["AssociationId"]
    return assoc, {**inputs, "id": assoc}


def _acl_entry(m: MotoMocks, acl_id: str, rule: Mapping[str, Any], egress: bool) -> None:
    """One NACL entry; the provider's wire keys (``ruleNo``/``action`` inline, ``ruleNumber`` standalone)."""
    number = rule.get("ruleNumber", rule.get("ruleNo"))
    action = rule.get("ruleAction", rule.get("action"))
    if number is None or action not in ("allow", "deny"):
        raise MotoDeployError("aws:ec2/networkAclRule:NetworkAclRule", acl_id, f"invalid rule {dict(rule)}")
    cidr = {"CidrBlock": rule["cidrBlock"]} if rule.get("cidrBlock") else {"Ipv6CidrBlock": rule["ipv6CidrBlock"]}
    m.client("ec2").create_network_acl_entry(
        NetworkAclId=acl_id,
        RuleNumber=int(number),
        Protocol=str(rule["protocol"]),
        RuleAction=action,
        Egress=egress,
        PortRange={"From": int(rule.get("fromPort", 0)), "To": int(rule.get("toPort", 0))},
        **cidr,
    )


def _associate_acl(m: MotoMocks, acl_id: str, subnet_id: str) -> str:
    """Move ``subnet_id`` to ``acl_id`` (AWS has no create-association: replace the current one)."""
    ec2 = m.client("ec2")
    current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    for acl in current["NetworkAcls"]:
        for assoc in acl["Associations"]:
            if assoc["SubnetId"] == subnet_id:
                new: str = ec2.replace_network_acl_association(
                    AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl_id
                )["NewAssociationId"]
                return new
    raise MotoDeployError("aws:ec2/networkAclAssociation:NetworkAclAssociation", subnet_id, "subnet has no NACL")


def _inline_acl(m: MotoMocks, acl_id: str, inputs: Mapping[str, Any]) -> None:
    for rule in inputs.get("ingress") or []:
        _acl_entry(m, acl_id, rule, egress=False)
    for rule in inputs.get("egress") or []:
        _acl_entry(m, acl_id, rule, egress=True)
    for subnet_id in inputs.get("subnetIds") or []:
        _associate_acl(m, acl_id, subnet_id)


@handles("aws:ec2/networkAcl:NetworkAcl")
def _network_acl(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (vpc_id,) = _required("aws:ec2/networkAcl:NetworkAcl", name, inputs, "vpcId")
    acl_id = m.client("ec2").create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    _inline_acl(m, acl_id, inputs)
    _tag_ec2(m, acl_id, inputs)
    return acl_id, _ec2_outputs(m, inputs, acl_id, "network-acl")


@handles("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl")
def _default_network_acl(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Adopt the VPC's default NACL: drop every entry but the immutable 32767 deny, then apply the inputs."""
    (acl_id,) = _required("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", name, inputs, "defaultNetworkAclId")
    ec2 = m.client("ec2")
    acl = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]
    for entry in acl["Entries"]:
        if entry["RuleNumber"] != 32767:
            ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=entry["RuleNumber"], Egress=entry["Egress"])
    _inline_acl(m, acl_id, inputs)
    _tag_ec2(m, acl_id, inputs)
    return acl_id, {**_ec2_outputs(m, inputs, acl_id, "network-acl"), "vpcId": acl["VpcId"]}


@handles("aws:ec2/networkAclRule:NetworkAclRule")
def _network_acl_rule(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (acl_id,) = _required("aws:ec2/networkAclRule:NetworkAclRule", name, inputs, "networkAclId")
    egress = bool(inputs.get("egress", False))
    _acl_entry(m, acl_id, inputs, egress=egress)
    rid = f"nacl-{_digest(acl_id, str(inputs.get('ruleNumber')), str(egress), length=10)}"
    return rid, {**inputs, "id": rid}


@handles("aws:ec2/networkAclAssociation:NetworkAclAssociation")
def _network_acl_association(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    acl_id, subnet_id = _required(
        "aws:ec2/networkAclAssociation:NetworkAclAssociation", name, inputs, "networkAclId", "subnetId"
    )
    assoc = _associate_acl(m, acl_id, subnet_id)
    return assoc, {**inputs, "id": assoc}


def _permission(rule: Mapping[str, Any]) -> dict[str, Any]:
    """An inline SG rule (camelCase wire form) as an EC2 IpPermission."""
    permission: dict[str, Any] = {"IpProtocol": str(rule.get("protocol", rule.get("ipProtocol", "-1")))}
    if permission["IpProtocol"] != "-1":
        permission |= {"FromPort": int(rule.get("fromPort", 0)), "ToPort": int(rule.get("toPort", 0))}
    permission["IpRanges"] = [{"CidrIp": c} for c in rule.get("cidrBlocks") or []]
    permission["Ipv6Ranges"] = [{"CidrIpv6": c} for c in rule.get("ipv6CidrBlocks") or []]
    permission["PrefixListIds"] = [{"PrefixListId": p} for p in rule.get("prefixListIds") or []]
    permission["UserIdGroupPairs"] = [{"GroupId": g} for g in rule.get("securityGroups") or []]
    return permission


def _replace_sg_rules(m: MotoMocks, group_id: str, inputs: Mapping[str, Any]) -> None:
    """Revoke what AWS put there (the default SG's rules, a new SG's allow-all egress), then apply the inputs."""
    ec2 = m.client("ec2")
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    if group.get("IpPermissions"):
        ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=group["IpPermissions"])
    if group.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=group["IpPermissionsEgress"])
    ingress = [_permission(r) for r in inputs.get("ingress") or []]
    egress = [_permission(r) for r in inputs.get("egress") or []]
    if ingress:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=ingress)
    if egress:
        ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=egress)


@handles("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def _default_security_group(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (vpc_id,) = _required("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", name, inputs, "vpcId")
    ec2 = m.client("ec2")
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    group_id = _first(ec2.describe_security_groups(Filters=filters)["SecurityGroups"], "default SG")["GroupId"]
    _replace_sg_rules(m, group_id, inputs)
    _tag_ec2(m, group_id, inputs)
    return group_id, {**_ec2_outputs(m, inputs, group_id, "security-group"), "name": "default"}


@handles("aws:ec2/securityGroup:SecurityGroup")
def _security_group(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    group_name = inputs.get("name") or autoname(name, "sg")
    group_id = m.client("ec2").create_security_group(
        GroupName=group_name,
        Description=inputs.get("description", "Managed by Pulumi"),
        **_drop_none(VpcId=inputs.get("vpcId")),
    )["GroupId"]
    _replace_sg_rules(m, group_id, inputs)
    _tag_ec2(m, group_id, inputs)
    return group_id, {**_ec2_outputs(m, inputs, group_id, "security-group"), "name": group_name}


def _sg_rule(m: MotoMocks, name: str, inputs: dict[str, Any], egress: bool) -> Outputs:
    typ = f"aws:vpc/securityGroup{'Egress' if egress else 'Ingress'}Rule"
    (group_id,) = _required(typ, name, inputs, "securityGroupId")
    permission = _permission({**inputs, "protocol": inputs.get("ipProtocol", "-1")})
    description = _drop_none(Description=inputs.get("description"))
    for key, wire, field_name in (
        ("IpRanges", "cidrIpv4", "CidrIp"),
        ("Ipv6Ranges", "cidrIpv6", "CidrIpv6"),
        ("PrefixListIds", "prefixListId", "PrefixListId"),
        ("UserIdGroupPairs", "referencedSecurityGroupId", "GroupId"),
    ):
        permission[key] = [{field_name: inputs[wire], **description}] if inputs.get(wire) else []
    if sum(bool(permission[k]) for k in ("IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs")) != 1:
        raise MotoDeployError(typ, name, "exactly one of cidrIpv4/cidrIpv6/prefixListId/referencedSecurityGroupId")
    ec2 = m.client("ec2")
    call = ec2.authorize_security_group_egress if egress else ec2.authorize_security_group_ingress
    rules = call(GroupId=group_id, IpPermissions=[permission]).get("SecurityGroupRules") or []
    rule_id = str(_first(rules, "security group rule")["SecurityGroupRuleId"])
    return rule_id, {
        **inputs,
        "id": rule_id,
        "securityGroupRuleId": rule_id,
        "arn": m.arn("ec2", f"security-group-rule/{rule_id}"),
    }


@handles("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def _sg_ingress_rule(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    return _sg_rule(m, name, inputs, egress=False)


@handles("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def _sg_egress_rule(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    return _sg_rule(m, name, inputs, egress=True)


@handles("aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive")
def _sg_rules_exclusive(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated (no AWS API): revoke every rule of the group not listed in ingressRuleIds/egressRuleIds."""
    (group_id,) = _required(
        "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive", name, inputs, "securityGroupId"
    )
    ec2 = m.client("ec2")
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    keep = {False: set(inputs.get("ingressRuleIds") or []), True: set(inputs.get("egressRuleIds") or [])}
    known = {r["SecurityGroupRuleId"] for r in rules["SecurityGroupRules"]}
    missing = (keep[False] | keep[True]) - known
    if missing:
        raise MotoDeployError("", name, f"listed rules do not exist in {group_id}: {sorted(missing)}")
    for egress in (False, True):
        extra = [
            r["SecurityGroupRuleId"]
            for r in rules["SecurityGroupRules"]
            if r["IsEgress"] is egress and r["SecurityGroupRuleId"] not in keep[egress]
        ]
        if extra:
            revoke = ec2.revoke_security_group_egress if egress else ec2.revoke_security_group_ingress
            revoke(GroupId=group_id, SecurityGroupRuleIds=extra)
    return group_id, {**inputs, "id": group_id}


@handles("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    vpc_id, service = _required("aws:ec2/vpcEndpoint:VpcEndpoint", name, inputs, "vpcId", "serviceName")
    kind = inputs.get("vpcEndpointType", "Gateway")
    request: dict[str, Any] = {"VpcId": vpc_id, "ServiceName": service, "VpcEndpointType": kind}
    if inputs.get("policy"):
        request["PolicyDocument"] = check_policy_json(inputs["policy"], f"endpoint {name}", resource_based=True)
    if kind == "Gateway":
        request["RouteTableIds"] = list(inputs.get("routeTableIds") or [])
    else:
        request["SubnetIds"] = list(inputs.get("subnetIds") or [])
        request["SecurityGroupIds"] = list(inputs.get("securityGroupIds") or [])
        request["PrivateDnsEnabled"] = bool(inputs.get("privateDnsEnabled", False))
    tags = m.tags(inputs)
    if tags:
        request["TagSpecifications"] = [
            {"ResourceType": "vpc-endpoint", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    endpoint = m.client("ec2").create_vpc_endpoint(**request)["VpcEndpoint"]
    rid = endpoint["VpcEndpointId"]
    outputs = {
        **_ec2_outputs(m, inputs, rid, "vpc-endpoint"),
        "state": endpoint.get("State", "available"),
        "networkInterfaceIds": endpoint.get("NetworkInterfaceIds", []),
        "dnsEntries": [
            {"dnsName": d.get("DnsName", ""), "hostedZoneId": d.get("HostedZoneId", "")}
            for d in endpoint.get("DnsEntries", [])
        ],
    }
    if kind == "Gateway":
        lists = m.client("ec2").describe_managed_prefix_lists(
            Filters=[{"Name": "prefix-list-name", "Values": [service]}]
        )["PrefixLists"]
        outputs["prefixListId"] = lists[0]["PrefixListId"] if lists else ""
    return rid, outputs


@handles("aws:ec2/flowLog:FlowLog")
def _flow_log(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    targets = [(k, inputs[k]) for k in ("vpcId", "subnetId", "eniId", "transitGatewayId") if inputs.get(k)]
    if len(targets) != 1:
        raise MotoDeployError("", name, "exactly one of vpcId/subnetId/eniId/transitGatewayId")
    kind = {"vpcId": "VPC", "subnetId": "Subnet", "eniId": "NetworkInterface", "transitGatewayId": "TransitGateway"}
    (key, resource_id), destination_type = targets[0], inputs.get("logDestinationType", "cloud-watch-logs")
    request = _drop_none(
        ResourceIds=[resource_id],
        ResourceType=kind[key],
        TrafficType=inputs.get("trafficType"),
        LogDestinationType=destination_type,
        LogDestination=inputs.get("logDestination"),
        DeliverLogsPermissionArn=inputs.get("iamRoleArn"),
        MaxAggregationInterval=inputs.get("maxAggregationInterval"),
        LogFormat=inputs.get("logFormat"),
    )
    answer = m.client("ec2").create_flow_logs(**request)
    if answer.get("Unsuccessful"):
        raise MotoDeployError("", name, f"create_flow_logs refused: {answer['Unsuccessful']}")
    rid = str(_first(answer["FlowLogIds"], "flow log"))
    return rid, _ec2_outputs(m, inputs, rid, "vpc-flow-log")


# ---- KMS -----------------------------------------------------------------------------------------------


@handles("aws:kms/key:Key")
def _kms_key(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    kms = m.client("kms")
    request = _drop_none(
        Description=inputs.get("description"),
        KeyUsage=inputs.get("keyUsage"),
        KeySpec=inputs.get("customerMasterKeySpec"),
        MultiRegion=inputs.get("multiRegion"),
        BypassPolicyLockoutSafetyCheck=inputs.get("bypassPolicyLockoutSafetyCheck"),
    )
    if inputs.get("policy"):
        request["Policy"] = check_policy_json(inputs["policy"], f"key {name}", resource_based=True)
    tags = m.tags(inputs)
    if tags:
        request["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
    metadata = kms.create_key(**request)["KeyMetadata"]
    key_id = metadata["KeyId"]
    if inputs.get("enableKeyRotation"):
        # plain moto forgets the period; verify/emulator/launch.py makes the server keep and report it
        kms.enable_key_rotation(KeyId=key_id, **_drop_none(RotationPeriodInDays=inputs.get("rotationPeriodInDays")))
    return key_id, {**inputs, "id": key_id, "keyId": key_id, "arn": metadata["Arn"], "tagsAll": tags}


@handles("aws:kms/alias:Alias")
def _kms_alias(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (target,) = _required("aws:kms/alias:Alias", name, inputs, "targetKeyId")
    alias = inputs.get("name") or f"alias/{autoname(name, 'alias')}"
    kms = m.client("kms")
    kms.create_alias(AliasName=alias, TargetKeyId=target)
    key_arn = kms.describe_key(KeyId=target)["KeyMetadata"]["Arn"]
    return alias, {**inputs, "id": alias, "name": alias, "arn": m.arn("kms", alias), "targetKeyArn": key_arn}


# ---- S3 ------------------------------------------------------------------------------------------------


def _bucket_name(typ: str, name: str, inputs: Mapping[str, Any]) -> str:
    (bucket,) = _required(typ, name, inputs, "bucket")
    return str(bucket)


@handles("aws:s3/bucket:Bucket")
def _s3_bucket(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    bucket = inputs.get("bucket") or autoname(name, "aws:s3/bucket:Bucket", lower=True)
    s3 = m.client("s3")
    request: dict[str, Any] = {"Bucket": bucket}
    if m.region != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": m.region}
    if inputs.get("objectLockEnabled"):
        request["ObjectLockEnabledForBucket"] = True
    s3.create_bucket(**request)
    tags = m.tags(inputs)
    if tags:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
    return bucket, {
        **inputs,
        "id": bucket,
        "bucket": bucket,
        "arn": f"arn:{m.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{m.region}.amazonaws.com",
        "region": m.region,
        "forceDestroy": inputs.get("forceDestroy", False),
        "objectLockEnabled": inputs.get("objectLockEnabled", False),
        "tagsAll": tags,
    }


def _bucket_side(
    call: Callable[[MotoMocks, str, dict[str, Any]], None], typ: str
) -> Callable[[MotoMocks, str, dict[str, Any]], Outputs]:
    """A bucket side resource: one put call on the bucket; id = bucket name, as the provider does."""

    def handler(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
        bucket = _bucket_name(typ, name, inputs)
        call(m, bucket, inputs)
        return bucket, {**inputs, "id": bucket, "bucket": bucket}

    HANDLERS[typ] = handler
    return handler


def _put_pab(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    m.client("s3").put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=pascal({f: bool(inputs.get(f, False)) for f in flags})
    )


def _put_ownership(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    rule = inputs.get("rule") or {}
    m.client("s3").put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": rule["objectOwnership"]}]}
    )


def _put_sse(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    rules = []
    for rule in inputs.get("rules") or []:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        converted: dict[str, Any] = {
            "ApplyServerSideEncryptionByDefault": _drop_none(
                SSEAlgorithm=default.get("sseAlgorithm"), KMSMasterKeyID=default.get("kmsMasterKeyId")
            )
        }
        if "bucketKeyEnabled" in rule:
            converted["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
        if rule.get("blockedEncryptionTypes"):
            converted["BlockedEncryptionTypes"] = {"EncryptionType": list(rule["blockedEncryptionTypes"])}
        rules.append(converted)
    if not rules:
        raise MotoDeployError("", bucket, "server-side encryption configuration without rules")
    m.client("s3").put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})


def _put_versioning(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    config = inputs.get("versioningConfiguration") or {}
    if config.get("status") not in ("Enabled", "Suspended", "Disabled"):
        raise MotoDeployError("", bucket, f"versioning status {config.get('status')!r}")
    if config["status"] == "Disabled":
        return  # the provider's "never enabled": nothing to put
    m.client("s3").put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration=pascal({"status": config["status"], **_mfa(config)})
    )


def _mfa(config: Mapping[str, Any]) -> dict[str, Any]:
    return {"mFADelete": config["mfaDelete"]} if config.get("mfaDelete") else {}


def _put_logging(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    """moto (unlike AWS) refuses logging until the *target* policy admits logging.s3: defer until it does."""
    target = inputs.get("targetBucket")
    if not target:
        raise MotoDeployError("", bucket, "bucket logging without targetBucket")
    status: dict[str, Any] = {"TargetBucket": target, "TargetPrefix": inputs.get("targetPrefix", "")}
    if inputs.get("targetObjectKeyFormat"):
        key_format = pascal(inputs["targetObjectKeyFormat"])
        if "SimplePrefix" in key_format:
            key_format["SimplePrefix"] = {}
        status["TargetObjectKeyFormat"] = key_format
    if not _try_logging(m, bucket, status):
        m.pending_logging.setdefault(str(target), []).append((bucket, status))


def _try_logging(m: MotoMocks, bucket: str, status: dict[str, Any]) -> bool:
    s3 = m.client("s3")
    try:
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": status})
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidTargetBucketForLogging" and "permissions" in str(exc):
            return False
        raise
    return True


def _put_lifecycle(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    rules = []
    for rule in inputs.get("rules") or []:
        converted = pascal(rule, {"id": "ID"})
        if converted.get("Filter") == {}:
            converted["Filter"] = {"Prefix": ""}
        rules.append(converted)
    m.client("s3").put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


def _put_object_lock(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    config: dict[str, Any] = {"ObjectLockEnabled": inputs.get("objectLockEnabled", "Enabled")}
    if inputs.get("rule"):
        config["Rule"] = pascal(inputs["rule"])
    m.client("s3").put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=config)


def _put_bucket_policy(m: MotoMocks, bucket: str, inputs: dict[str, Any]) -> None:
    policy = check_policy_json(inputs.get("policy"), f"bucket policy of {bucket}", resource_based=True)
    m.client("s3").put_bucket_policy(Bucket=bucket, Policy=policy)
    waiting = m.pending_logging.pop(bucket, [])
    for source, status in waiting:
        if not _try_logging(m, source, status):
            raise MotoDeployError("", source, f"logging target {bucket}'s policy does not admit logging.s3")


for _call, _type in (
    (_put_pab, "BucketPublicAccessBlock"),
    (_put_ownership, "BucketOwnershipControls"),
    (_put_sse, "BucketServerSideEncryptionConfiguration"),
    (_put_versioning, "BucketVersioning"),
    (_put_logging, "BucketLogging"),
    (_put_lifecycle, "BucketLifecycleConfiguration"),
    (_put_object_lock, "BucketObjectLockConfiguration"),
    (_put_bucket_policy, "BucketPolicy"),
):
    _bucket_side(_call, f"aws:s3/{_type[0].lower()}{_type[1:]}:{_type}")


# ---- IAM -----------------------------------------------------------------------------------------------


def _iam_tags(m: MotoMocks, inputs: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in m.tags(inputs).items()]


@handles("aws:iam/role:Role")
def _iam_role(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    role_name = inputs.get("name") or autoname(name, "role")
    trust = check_policy_json(inputs.get("assumeRolePolicy"), f"trust policy of role {role_name}", trust=True)
    iam = m.client("iam")
    role = iam.create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument=trust,
        Path=inputs.get("path", "/"),
        Tags=_iam_tags(m, inputs),
        **_drop_none(
            Description=inputs.get("description"),
            MaxSessionDuration=inputs.get("maxSessionDuration"),
            PermissionsBoundary=inputs.get("permissionsBoundary") or None,
        ),
    )["Role"]
    for inline in inputs.get("inlinePolicies") or []:
        document = check_policy_json(inline.get("policy"), f"inline policy of role {role_name}")
        iam.put_role_policy(RoleName=role_name, PolicyName=inline["name"], PolicyDocument=document)
    for arn in inputs.get("managedPolicyArns") or []:
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    return role_name, {
        **inputs,
        "id": role_name,
        "name": role_name,
        "arn": role["Arn"],
        "uniqueId": role["RoleId"],
        "createDate": role["CreateDate"].isoformat(),
        "tagsAll": m.tags(inputs),
    }


@handles("aws:iam/rolePolicy:RolePolicy")
def _iam_role_policy(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (role,) = _required("aws:iam/rolePolicy:RolePolicy", name, inputs, "role")
    policy_name = inputs.get("name") or autoname(name, "role-policy")
    document = check_policy_json(inputs.get("policy"), f"policy {policy_name} of role {role}")
    m.client("iam").put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=document)
    rid = f"{role}:{policy_name}"
    return rid, {**inputs, "id": rid, "name": policy_name}


@handles("aws:iam/policy:Policy")
def _iam_policy(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    policy_name = inputs.get("name") or autoname(name, "policy")
    document = check_policy_json(inputs.get("policy"), f"managed policy {policy_name}")
    policy = m.client("iam").create_policy(
        PolicyName=policy_name,
        PolicyDocument=document,
        Path=inputs.get("path", "/"),
        Tags=_iam_tags(m, inputs),
        **_drop_none(Description=inputs.get("description")),
    )["Policy"]
    return policy["Arn"], {
        **inputs,
        "id": policy["Arn"],
        "arn": policy["Arn"],
        "name": policy_name,
        "policyId": policy["PolicyId"],
        "attachmentCount": 0,
        "tagsAll": m.tags(inputs),
    }


@handles("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _iam_attachment(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    role, arn = _required("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, inputs, "role", "policyArn")
    m.client("iam").attach_role_policy(RoleName=role, PolicyArn=arn)
    rid = f"{role}/{arn}"
    return rid, {**inputs, "id": rid}


@handles("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive")
def _iam_role_policies_exclusive(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated: delete every inline policy of the role not listed in ``policyNames``."""
    (role,) = _required("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", name, inputs, "roleName")
    iam = m.client("iam")
    keep = set(inputs.get("policyNames") or [])
    for policy in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        if policy not in keep:
            iam.delete_role_policy(RoleName=role, PolicyName=policy)
    return role, {**inputs, "id": role}


@handles("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive")
def _iam_attachments_exclusive(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated: detach every managed policy of the role not listed in ``policyArns``."""
    (role,) = _required(
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", name, inputs, "roleName"
    )
    iam = m.client("iam")
    keep = set(inputs.get("policyArns") or [])
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        if attached["PolicyArn"] not in keep:
            iam.detach_role_policy(RoleName=role, PolicyArn=attached["PolicyArn"])
    return role, {**inputs, "id": role}


# ---- CloudWatch Logs, alarms, SNS ----------------------------------------------------------------------


@handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    group = inputs.get("name") or autoname(name, "log-group")
    if inputs.get("kmsKeyId"):  # AWS checks the key policy at CreateLogGroup: moto does not
        _preflight(
            name,
            preflight.LOG_GROUP_KMS_ERROR,
            log_group_key_calls(
                "KMS-05",
                account=m.account_id,
                region=m.region,
                group_arn=m.arn("logs", f"log-group:{group}"),
                key_arn=str(inputs["kmsKeyId"]),
                key_policy=_key_policy(m, str(inputs["kmsKeyId"])),
            ),
        )
    logs = m.client("logs")
    logs.create_log_group(
        logGroupName=group,
        **_drop_none(
            kmsKeyId=inputs.get("kmsKeyId"), logGroupClass=inputs.get("logGroupClass"), tags=m.tags(inputs) or None
        ),
    )
    if inputs.get("retentionInDays"):
        logs.put_retention_policy(logGroupName=group, retentionInDays=int(inputs["retentionInDays"]))
    return group, {**inputs, "id": group, "name": group, "arn": m.arn("logs", f"log-group:{group}")}


@handles("aws:cloudwatch/logMetricFilter:LogMetricFilter")
def _metric_filter(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    group, pattern, transformation = _required(
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        name,
        inputs,
        "logGroupName",
        "pattern",
        "metricTransformation",
    )
    filter_name = inputs.get("name") or autoname(name, "metric-filter")
    metric = _drop_none(
        metricName=transformation.get("name"),
        metricNamespace=transformation.get("namespace"),
        metricValue=transformation.get("value"),
        defaultValue=float(transformation["defaultValue"]) if transformation.get("defaultValue") else None,
        unit=transformation.get("unit"),
    )
    m.client("logs").put_metric_filter(
        logGroupName=group, filterName=filter_name, filterPattern=pattern, metricTransformations=[metric]
    )
    return filter_name, {**inputs, "id": filter_name, "name": filter_name}


_ALARM_FIELDS = (
    "comparisonOperator",
    "evaluationPeriods",
    "metricName",
    "namespace",
    "period",
    "statistic",
    "threshold",
    "alarmDescription",
    "actionsEnabled",
    "alarmActions",
    "okActions",
    "insufficientDataActions",
    "treatMissingData",
    "datapointsToAlarm",
    "unit",
)


@handles("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    alarm = inputs.get("name") or autoname(name, "alarm")
    request = pascal({k: inputs[k] for k in _ALARM_FIELDS if k in inputs}, {"okActions": "OKActions"})
    if inputs.get("dimensions"):
        request["Dimensions"] = [{"Name": k, "Value": v} for k, v in inputs["dimensions"].items()]
    cloudwatch = m.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName=alarm, Tags=_iam_tags(m, inputs), **request)
    arn = cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["AlarmArn"]
    return alarm, {**inputs, "id": alarm, "name": alarm, "arn": arn}


@handles("aws:sns/topic:Topic")
def _sns_topic(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    topic = inputs.get("name") or autoname(name, "topic")
    attributes = _drop_none(KmsMasterKeyId=inputs.get("kmsMasterKeyId"), DisplayName=inputs.get("displayName"))
    if inputs.get("policy"):
        attributes["Policy"] = check_policy_json(inputs["policy"], f"topic {topic}", resource_based=True)
    arn = m.client("sns").create_topic(Name=topic, Attributes=attributes, Tags=_iam_tags(m, inputs))["TopicArn"]
    return arn, {**inputs, "id": arn, "arn": arn, "name": topic, "owner": m.account_id}


@handles("aws:sns/topicPolicy:TopicPolicy")
def _sns_topic_policy(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (arn,) = _required("aws:sns/topicPolicy:TopicPolicy", name, inputs, "arn")
    policy = check_policy_json(inputs.get("policy"), f"policy of topic {arn}", resource_based=True)
    m.client("sns").set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)
    return str(arn), {**inputs, "id": arn, "owner": m.account_id}


# ---- CloudTrail ----------------------------------------------------------------------------------------

#: Provider wire key -> CloudTrail field of an advanced field selector (the provider pluralises the list keys).
_SELECTOR_FIELDS = {
    "field": "Field",
    "equals": "Equals",
    "notEquals": "NotEquals",
    "startsWiths": "StartsWith",
    "notStartsWiths": "NotStartsWith",
    "endsWiths": "EndsWith",
    "notEndsWiths": "NotEndsWith",
}


@handles("aws:cloudtrail/trail:Trail")
def _trail(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (bucket,) = _required("aws:cloudtrail/trail:Trail", name, inputs, "s3BucketName")
    trail_name = inputs.get("name") or autoname(name, "trail")
    cloudtrail = m.client("cloudtrail")
    if cloudtrail.describe_trails(trailNameList=[trail_name])["trailList"]:
        # moto silently overwrites a trail on a duplicate create_trail; AWS refuses: so do we
        raise MotoDeployError("", name, f"trail {trail_name!r} already exists")
    _preflight(name, preflight.CREATE_TRAIL_ERRORS, trail_creation_calls(_trail_facts(m, trail_name, bucket, inputs)))
    trail = cloudtrail.create_trail(
        Name=trail_name,
        S3BucketName=bucket,
        TagsList=_iam_tags(m, inputs),
        **_drop_none(
            S3KeyPrefix=inputs.get("s3KeyPrefix"),
            IncludeGlobalServiceEvents=inputs.get("includeGlobalServiceEvents", True),
            IsMultiRegionTrail=inputs.get("isMultiRegionTrail"),
            EnableLogFileValidation=inputs.get("enableLogFileValidation"),
            CloudWatchLogsLogGroupArn=inputs.get("cloudWatchLogsGroupArn"),
            CloudWatchLogsRoleArn=inputs.get("cloudWatchLogsRoleArn"),
            KmsKeyId=inputs.get("kmsKeyId"),
            IsOrganizationTrail=inputs.get("isOrganizationTrail"),
            SnsTopicName=inputs.get("snsTopicName"),
        ),
    )
    advanced = [
        {
            **_drop_none(Name=s.get("name")),
            "FieldSelectors": [{v: f[k] for k, v in _SELECTOR_FIELDS.items() if f.get(k)} for f in s["fieldSelectors"]],
        }
        for s in inputs.get("advancedEventSelectors") or []
    ]
    classic = [pascal(s) for s in inputs.get("eventSelectors") or []]
    if advanced and classic:
        raise MotoDeployError("", name, "advancedEventSelectors and eventSelectors are exclusive (AWS refuses both)")
    if errors := preflight.event_selector_errors(advanced):
        raise MotoDeployError("aws:cloudtrail/trail:Trail", trail_name, "; ".join(errors))
    if advanced:
        cloudtrail.put_event_selectors(TrailName=trail_name, AdvancedEventSelectors=advanced)
    elif classic:
        cloudtrail.put_event_selectors(TrailName=trail_name, EventSelectors=classic)
    if inputs.get("enableLogging", True):
        cloudtrail.start_logging(Name=trail_name)
    arn = trail["TrailARN"]
    return arn, {**inputs, "id": arn, "arn": arn, "name": trail_name, "homeRegion": m.region}


def _trail_facts(m: MotoMocks, trail_name: str, bucket: str, inputs: Mapping[str, Any]) -> TrailFacts:
    """What CreateTrail checks, read back from the emulated account."""
    role_arn = str(inputs.get("cloudWatchLogsRoleArn") or "")
    key = str(inputs.get("kmsKeyId") or "")
    if not role_arn or not key:
        raise MotoDeployError("aws:cloudtrail/trail:Trail", trail_name, "the preflight needs the delivery role and key")
    role = m.client("iam").get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]
    trust = role["AssumeRolePolicyDocument"]
    try:
        policy = m.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    except m.client("s3").exceptions.from_code("NoSuchBucketPolicy"):
        raise MotoDeployError(
            "", trail_name, f"InsufficientS3BucketPolicyException: bucket {bucket} has no policy admitting CloudTrail"
        ) from None
    trail = m.arn("cloudtrail", f"trail/{trail_name}")
    return TrailFacts(
        m.account_id,
        trail,
        f"arn:{m.partition}:s3:::{bucket}",
        policy,
        key,
        _key_policy(m, key),
        role_arn,
        trust if isinstance(trust, str) else json.dumps(trust),
    )


# ---- Secrets Manager -----------------------------------------------------------------------------------


@handles("aws:secretsmanager/secret:Secret")
def _secret(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    secret_name = inputs.get("name") or autoname(name, "secret")
    if inputs.get("kmsKeyId"):  # Secrets Manager calls KMS as the caller at CreateSecret: moto does not
        caller = iam_user_arn(m.client("sts").get_caller_identity()["Arn"])
        key = str(inputs["kmsKeyId"])
        _preflight(
            name,
            preflight.SECRET_KMS_ERROR,
            secret_creation_calls(
                account=m.account_id,
                region=m.region,
                deployer_arn=caller,
                other_principal=caller,
                secret_arn=m.arn("secretsmanager", f"secret:{secret_name}-AbCdEf"),
                key_arn=key,
                key_policy=_key_policy(m, key),
            ),
        )
    secrets = m.client("secretsmanager")
    arn = secrets.create_secret(
        Name=secret_name,
        Tags=_iam_tags(m, inputs),
        **_drop_none(Description=inputs.get("description"), KmsKeyId=inputs.get("kmsKeyId")),
    )["ARN"]
    if inputs.get("policy"):
        policy = check_policy_json(inputs["policy"], f"secret {secret_name}", resource_based=True)
        secrets.put_resource_policy(SecretId=arn, ResourcePolicy=policy)
    return arn, {**inputs, "id": arn, "arn": arn, "name": secret_name}


@handles("aws:secretsmanager/secretPolicy:SecretPolicy")
def _secret_policy(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (arn,) = _required("aws:secretsmanager/secretPolicy:SecretPolicy", name, inputs, "secretArn")
    policy = check_policy_json(inputs.get("policy"), f"policy of secret {arn}", resource_based=True)
    m.client("secretsmanager").put_resource_policy(
        SecretId=arn, ResourcePolicy=policy, BlockPublicPolicy=bool(inputs.get("blockPublicPolicy", False))
    )
    return str(arn), {**inputs, "id": arn}


def _key_policy(m: MotoMocks, key: str) -> str:
    return str(m.client("kms").get_key_policy(KeyId=key, PolicyName="default")["Policy"])


def _deployer_key_preflight(
    m: MotoMocks, name: str, errors: dict[str, str] | str, calls: Callable[..., Sequence[Call]], key: str
) -> None:
    """Refuse a create whose service uses ``key`` *as the deployer* (Bedrock's guardrail, EFS for Studio's home)
    when the key policy would: ``calls`` builds those calls from the account, region, deployer, key and policy."""
    deployer = iam_user_arn(m.client("sts").get_caller_identity()["Arn"])
    _preflight(
        name,
        errors,
        calls(
            account=m.account_id, region=m.region, deployer_arn=deployer, key_arn=key, key_policy=_key_policy(m, key)
        ),
    )


def _preflight(name: str, errors: dict[str, str] | str, calls: Sequence[Call]) -> None:
    """Refuse the create as AWS would (see verify/emulator/preflight.py).

    The error names the resource and the denied call.
    """
    try:
        preflight.require(calls, errors)
    except preflight.PreflightDeniedError as denied:
        raise MotoDeployError("", name, str(denied)) from None


def handled_types() -> list[str]:
    """Every custom type the moto engine can deploy, sorted."""
    return sorted(HANDLERS)


# handlers in their own modules register themselves on import (after everything they use is defined)
from ai_security_baseline.verify.emulator import (  # noqa: E402, F401
    deploy_ai_logging,
    deploy_ai_registry,
    deploy_ai_studio,
    deploy_bedrock,
    deploy_detection,
    deploy_dns,
    deploy_guardrails,
)

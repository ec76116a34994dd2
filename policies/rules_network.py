"""Network rules (NET-01…NET-05, EP-01…EP-05): an isolated VPC whose only exits are policed endpoints.

Stack rules link resources through property dependencies first and fall back to ids/ARNs found in
the properties (real ``pulumi preview --json`` files carry ids). A link that cannot be established
is a ``fail``; a reference that is unknown until apply and not covered by a dependency is
Undecidable. Nothing passes on a missing link.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from controls import kit
from controls.kms.common import KMS_ALIAS, KMS_KEY

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_EXCLUSIVE = "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive"
NACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
IAM_ROLE = "aws:iam/role:Role"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_POLICY = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
ENDPOINT_ROUTE_TABLE = "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation"
ENDPOINT_SUBNET = "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation"
ENDPOINT_SG = "aws:ec2/vpcEndpointSecurityGroupAssociation:VpcEndpointSecurityGroupAssociation"

#: Resources that open a path to or from the internet (NET-02): none may exist.
INTERNET_PATH_TYPES = (
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
)
DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")
#: Route targets that reach the internet (gateway ids of these kinds, NAT, egress-only gateway).
INTERNET_TARGETS = ("natGatewayId", "egressOnlyGatewayId")
AZ_RANGE = (2, 6)
FLOW_LOG_SERVICE = "vpc-flow-logs.amazonaws.com"
MIN_RETENTION_DAYS = 365
HTTPS = 443
EPHEMERAL = (1024, 65535)

#: Endpoint bundles and single services (mirrors components/config.py; a test keeps them equal).
ML_CORE = (
    "sagemaker.api",
    "sagemaker.runtime",
    "sts",
    "kms",
    "logs",
    "monitoring",
    "ecr.api",
    "ecr.dkr",
    "secretsmanager",
)
BEDROCK = ("bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime")
EXTRA_SERVICES = (
    "sagemaker.featurestore-runtime",
    "ssm",
    "ssmmessages",
    "ec2messages",
    "glue",
    "athena",
    "events",
    "sns",
    "sqs",
    "ecs",
    "elasticfilesystem",
    "codeartifact.api",
    "codeartifact.repositories",
)
KNOWN_SERVICES = frozenset(ML_CORE + BEDROCK + EXTRA_SERVICES)
#: Services whose interface endpoints take no endpoint policy -> why; EP-05 is not applicable to them
#: (mirrors components/config.ENDPOINT_POLICY_UNSUPPORTED; a test keeps them equal).
POLICY_UNSUPPORTED: Mapping[str, str] = {
    "ssmmessages": "AWS documents no VPC endpoint policy for the Systems Manager message gateway (ssmmessages); "
    "Systems Manager documents endpoint policies for its ssm endpoint only",
    "ec2messages": "AWS documents no VPC endpoint policy for the Systems Manager message delivery service "
    "(ec2messages); Systems Manager documents endpoint policies for its ssm endpoint only",
}
#: AWS-owned buckets the S3 gateway may reach outside this account, with the actions allowed, in the form their
#: services document: no principal condition, the request is presigned by the service
#: (mirrors components/documents.AWS_OWNED_BUCKETS; a test keeps them equal).
AWS_OWNED_BUCKETS: Mapping[str, frozenset[str]] = {
    "prod-{region}-starport-layer-bucket": frozenset({"s3:getobject"}),
    "assets-{account}-{region}": frozenset({"s3:getobject"}),
}
#: Owning account per region of the buckets named with ``{account}``; no entry for a region: not allowlisted there
#: (mirrors components/documents.CODEARTIFACT_ASSET_ACCOUNTS; a test keeps them equal).
AWS_OWNED_BUCKET_ACCOUNTS: Mapping[str, Mapping[str, str]] = {
    "assets-{account}-{region}": {
        "us-east-1": "193858265520",
        "us-east-2": "250872398865",
        "us-west-2": "787052242323",
        "eu-west-1": "438097961670",
        "eu-west-2": "247805302724",
        "eu-west-3": "762466490029",
        "eu-north-1": "611884512288",
        "eu-south-1": "484130244270",
        "eu-central-1": "769407342218",
        "ap-northeast-1": "660291247815",
        "ap-southeast-1": "421485864821",
        "ap-southeast-2": "860415559748",
        "ap-south-1": "681137435769",
    },
}
ACCOUNT_ID = re.compile(r"^\d{12}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
PRINCIPAL_KEYS = ("aws:principalaccount", "aws:principalorgid")

Found = Iterator[tuple[str, str, kit.Verdict, str]]


# ---- linking ---------------------------------------------------------------------------------


class Stack:
    """The resource list indexed by type, with the one linking primitive every rule uses."""

    def __init__(self, resources: Sequence[kit.Res]) -> None:
        self.resources = resources
        self.urn = kit.stack_urn(resources)
        # indexed once: rescanning every resource per query made rules over many resources quadratic
        self._by_type: dict[str, list[tuple[int, kit.Res]]] = {}
        for position, res in enumerate(resources):
            self._by_type.setdefault(res.type, []).append((position, res))

    def of(self, *types: str) -> list[kit.Res]:
        """Resources of any of ``types``, in stack order."""
        found = sorted(item for t in dict.fromkeys(types) for item in self._by_type.get(t, ()))
        return [res for _, res in found]

    def vpcs(self) -> list[kit.Res]:
        return self.of(VPC)

    def in_vpc(self, vpc: kit.Res, *types: str) -> list[kit.Res]:
        """Resources of ``types`` whose ``vpcId`` refers to this VPC."""
        return [r for r in self.of(*types) if vpc in links(r, "vpcId", [vpc])]


def _ids(res: kit.Res, keys: Iterable[str]) -> set[str]:
    """Known, non-empty identifier values of a resource (the unknown placeholder never matches)."""
    values = (res.props.get(k) for k in keys)
    return {v for v in values if isinstance(v, str) and v and v != kit.UNKNOWN}


def links(res: kit.Res, key: str, candidates: Sequence[kit.Res], id_keys: Iterable[str] = ("id",)) -> list[kit.Res]:
    """Candidates that ``res.props[key]`` refers to: by property dependency, plus by id/ARN equality.

    Undecidable when the value holds an unknown and the property has no dependency at all that
    would explain it (never a guessed link); an unknown coming from other resources links to none.
    """
    deps = set(res.property_dependencies.get(key, ()))
    found = [c for c in candidates if c.urn in deps]
    raw = res.props.get(key)
    values = [str(v).removesuffix(":*") for v in kit.as_list(raw) if isinstance(v, str | int)]
    keys = tuple(id_keys)
    found += [c for c in candidates if c not in found and _ids(c, keys) & set(values)]
    if not found and not deps and kit.UNKNOWN in values:
        raise kit.Undecidable(f"{res.name}: {key} is not known until apply and has no dependency to follow")
    return found


def _names(resources: Iterable[kit.Res]) -> str:
    return ", ".join(sorted(r.name for r in resources)) or "none"


def _no_vpc(stack: Stack, controls: Iterable[str]) -> Found:
    for control in controls:
        yield stack.urn, control, False, f"no {VPC} in the stack; expected the baseline's dedicated VPC"


def _vpc_cidr(vpc: kit.Res) -> ipaddress.IPv4Network:
    cidr = kit.known(vpc, "cidrBlock")
    if not isinstance(cidr, str):
        raise kit.Undecidable(f"{vpc.name}: cidrBlock is not set (IPAM-allocated CIDRs are not supported)")
    return ipaddress.IPv4Network(cidr, strict=False)


# ---- NET-01: the VPC -------------------------------------------------------------------------


def check_vpc_dns(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """NET-01: private endpoint DNS needs both VPC DNS attributes, set explicitly."""
    support = kit.known(res, "enableDnsSupport")
    hostnames = kit.known(res, "enableDnsHostnames")
    yield (
        "NET-01",
        support is True and hostnames is True,
        f"enableDnsSupport={support}, enableDnsHostnames={hostnames} (expected both true)",
    )


# ---- NET-02: no internet path, isolated subnets ----------------------------------------------


def _route_problems(res: kit.Res, entries: Iterable[Mapping[str, Any]], cidr_keys: Sequence[str]) -> list[str]:
    problems = []
    for entry in entries:
        destinations = [str(entry[k]) for k in cidr_keys if entry.get(k)]
        gateway = str(entry.get("gatewayId") or "")
        targets = [k for k in INTERNET_TARGETS if entry.get(k)]
        if set(destinations) & set(DEFAULT_ROUTES):
            problems.append(f"{res.name} routes {destinations} (a default route)")
        if gateway.startswith("igw-") or targets:
            problems.append(f"{res.name} routes to an internet target ({gateway or targets[0]})")
    return problems


def check_no_internet_path(resources: Sequence[kit.Res]) -> Found:
    """NET-02: no internet/NAT/egress-only gateway and no route to 0.0.0.0/0 or ::/0 anywhere."""
    stack = Stack(resources)
    bad = stack.of(*INTERNET_PATH_TYPES)
    for res in bad:
        yield res.urn, "NET-02", False, f"{res.type.split(':')[-1]} {res.name} opens an internet path; expected none"
    problems: list[str] = []
    for route in stack.of(ROUTE):
        entry = {k: kit.known(route, k) for k in ("destinationCidrBlock", "destinationIpv6CidrBlock", "gatewayId")}
        entry.update({k: kit.known(route, k) for k in INTERNET_TARGETS})
        problems += _route_problems(route, [entry], ("destinationCidrBlock", "destinationIpv6CidrBlock"))
    for table in stack.of(ROUTE_TABLE, DEFAULT_ROUTE_TABLE):
        entries = [e for e in kit.as_list(kit.known(table, "routes")) if isinstance(e, Mapping)]
        problems += _route_problems(table, entries, ("cidrBlock", "ipv6CidrBlock"))
    expected = "expected no internet gateway, NAT, egress-only gateway or default route"
    if problems:
        yield stack.urn, "NET-02", False, f"{'; '.join(problems)}; {expected}"
    elif not bad:
        yield stack.urn, "NET-02", True, "no internet gateway, NAT, egress-only gateway or default route"


def _subnet_problems(subnet: kit.Res) -> list[str]:
    problems = []
    for key in ("mapPublicIpOnLaunch", "assignIpv6AddressOnCreation", "mapCustomerOwnedIpOnLaunch"):
        if kit.known(subnet, key) is True:
            problems.append(f"{subnet.name} has {key}=true")
    return problems


def check_isolated_subnets(resources: Sequence[kit.Res]) -> Found:
    """NET-02: each VPC has only private subnets (no public IP on launch) over 2-6 distinct AZs."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from _no_vpc(stack, ("NET-02",))
    for vpc in stack.vpcs():
        subnets = stack.in_vpc(vpc, SUBNET)
        problems = [p for s in subnets for p in _subnet_problems(s)]
        zones = set()
        for subnet in subnets:
            zone = kit.known(subnet, "availabilityZone") or kit.known(subnet, "availabilityZoneId")
            if not zone:
                problems.append(f"{subnet.name} has no availability zone (AWS would pick one)")
            zones.add(str(zone))
        low, high = AZ_RANGE
        if not low <= len(zones) <= high:
            problems.append(f"{len(subnets)} subnet(s) over {len(zones)} AZ(s) (expected {low}-{high} AZs)")
        message = "; ".join(problems) or f"{len(subnets)} private subnets over {len(zones)} AZs, no public IPs"
        yield vpc.urn, "NET-02", not problems, message


# ---- NET-03: default security group ----------------------------------------------------------


def _rules_on(stack: Stack, groups: Sequence[kit.Res], vpc: kit.Res | None = None) -> list[kit.Res]:
    """Standalone SG rules whose ``securityGroupId`` is one of ``groups`` (or the VPC's default SG id)."""
    found = []
    for rule in stack.of(SG_INGRESS, SG_EGRESS, SG_RULE):
        on_default = vpc is not None and bool(links(rule, "securityGroupId", [vpc], ("defaultSecurityGroupId",)))
        if on_default or links(rule, "securityGroupId", groups, ("id",)):
            found.append(rule)
    return found


def check_default_security_group(resources: Sequence[kit.Res]) -> Found:
    """NET-03: each VPC's default SG is managed with explicitly empty ingress and egress, and no rule targets it."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from _no_vpc(stack, ("NET-03",))
    for vpc in stack.vpcs():
        defaults = stack.in_vpc(vpc, DEFAULT_SG)
        if not defaults:
            yield vpc.urn, "NET-03", False, "default security group not managed (AWS's default allows traffic)"
            continue
        problems = []
        for group in defaults:
            for key in ("ingress", "egress"):
                value = kit.known(group, key)
                if value != []:
                    problems.append(f"{group.name}.{key} = {value!r}")
        attached = _rules_on(stack, defaults, vpc)
        if attached:
            problems.append(f"rules attached to the default SG: {_names(attached)}")
        message = "; ".join(problems) + "; expected ingress [] and egress []" if problems else "no rules at all"
        yield vpc.urn, "NET-03", not problems, f"default security group: {message}"


# ---- NET-04: network ACLs --------------------------------------------------------------------


@dataclass(frozen=True)
class NaclEntry:
    """One NACL entry, from an inline block or a NetworkAclRule resource."""

    where: str
    egress: bool
    allow: bool
    protocol: str
    cidr: str
    ipv6: str
    from_port: int
    to_port: int

    def describe(self) -> str:
        direction = "out" if self.egress else "in"
        return f"{self.where}: {direction} {self.protocol} {self.cidr or self.ipv6} {self.from_port}-{self.to_port}"


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}.get(text, text)


def _inline_entries(nacl: kit.Res) -> list[NaclEntry]:
    entries = []
    for key in ("ingress", "egress"):
        for item in kit.as_list(kit.known(nacl, key)):
            entries.append(
                NaclEntry(
                    nacl.name,
                    key == "egress",
                    str(item.get("action", "")).lower() == "allow",
                    _protocol(item.get("protocol")),
                    str(item.get("cidrBlock") or ""),
                    str(item.get("ipv6CidrBlock") or ""),
                    int(item.get("fromPort") or 0),
                    int(item.get("toPort") or 0),
                )
            )
    return entries


def _rule_entry(rule: kit.Res) -> NaclEntry:
    def value(key: str) -> Any:
        return kit.known(rule, key)

    return NaclEntry(
        rule.name,
        value("egress") is True,
        str(value("ruleAction")).lower() == "allow",
        _protocol(value("protocol")),
        str(value("cidrBlock") or ""),
        str(value("ipv6CidrBlock") or ""),
        int(value("fromPort") or 0),
        int(value("toPort") or 0),
    )


def _entry_ok(entry: NaclEntry, vpc_cidr: ipaddress.IPv4Network) -> bool:
    """Inside the VPC CIDR, or the S3 gateway path: HTTPS out to a public range and its return traffic."""
    if not entry.allow:
        return True
    if entry.ipv6 or not entry.cidr:
        return False
    try:
        network = ipaddress.IPv4Network(entry.cidr, strict=False)
    except ValueError:
        raise kit.Undecidable(f"{entry.where}: {entry.cidr!r} is not an IPv4 CIDR") from None
    if network.subnet_of(vpc_cidr):
        return True
    s3_port = (HTTPS, HTTPS) if entry.egress else EPHEMERAL
    public = network.is_global and network.prefixlen > 0
    return public and entry.protocol == "tcp" and (entry.from_port, entry.to_port) == s3_port


def _on_default_nacl(res: kit.Res, key: str, vpc: kit.Res) -> bool:
    """Whether ``res.props[key]`` is the VPC's default NACL id (the VPC output or its value)."""
    return bool(links(res, key, [vpc], ("defaultNetworkAclId",)))


def _nacl_of(rule: kit.Res, acls: Sequence[kit.Res], vpc: kit.Res) -> bool:
    return bool(links(rule, "networkAclId", acls)) or _on_default_nacl(rule, "networkAclId", vpc)


def check_network_acls(resources: Sequence[kit.Res]) -> Found:
    """NET-04: the default NACL is managed, and every NACL of the VPC allows only VPC or S3-HTTPS traffic."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from _no_vpc(stack, ("NET-04",))
    rules = stack.of(NACL_RULE)
    for vpc in stack.vpcs():
        cidr = _vpc_cidr(vpc)
        defaults = [d for d in stack.of(DEFAULT_NACL) if _on_default_nacl(d, "defaultNetworkAclId", vpc)]
        acls = stack.in_vpc(vpc, NACL) + defaults
        problems = [] if defaults else ["default NACL not managed (AWS's default allows all traffic)"]
        entries = [e for acl in acls for e in _inline_entries(acl)]
        entries += [_rule_entry(r) for r in rules if _nacl_of(r, acls, vpc)]
        problems += [f"{e.describe()} is outside {cidr}" for e in entries if not _entry_ok(e, cidr)]
        allowed = sum(1 for e in entries if e.allow)
        message = "; ".join(problems) or f"{len(acls)} NACLs, {allowed} allow entries, all within {cidr} or S3 HTTPS"
        yield vpc.urn, "NET-04", not problems, message
    for rule in rules:
        acls = stack.of(NACL, DEFAULT_NACL)
        if not links(rule, "networkAclId", acls) and not any(
            _on_default_nacl(rule, "networkAclId", v) for v in stack.vpcs()
        ):
            yield rule.urn, "NET-04", False, f"{rule.name} targets a NACL this stack does not manage"


# ---- NET-05: flow logs -----------------------------------------------------------------------


def _logs_keys(stack: Stack) -> list[kit.Res]:
    """Keys an alias ``alias/<prefix>-logs`` targets."""
    keys = stack.of(KMS_KEY)
    found: list[kit.Res] = []
    for alias in stack.of(KMS_ALIAS):
        if str(kit.known(alias, "name") or "").endswith("-logs"):
            found += links(alias, "targetKeyId", keys, ("keyId", "id", "arn"))
    return found


def _log_group_problems(stack: Stack, group: kit.Res) -> list[str]:
    problems = []
    keys = links(group, "kmsKeyId", stack.of(KMS_KEY), ("arn", "keyId", "id"))
    if not keys:
        problems.append(f"log group {group.name} is not encrypted with a customer-managed key of this stack")
    elif not {k.urn for k in keys} & {k.urn for k in _logs_keys(stack)}:
        problems.append(f"log group {group.name} is encrypted with {_names(keys)}, not the logs key")
    days = kit.known(group, "retentionInDays")
    if days not in (None, 0) and (not isinstance(days, int) or days < MIN_RETENTION_DAYS):
        problems.append(f"log group {group.name} keeps {days} days (expected >= {MIN_RETENTION_DAYS})")
    return problems


def _trust_problems(role: kit.Res) -> list[str]:
    problems = []
    for st in kit.statements(kit.policy_document(role, "assumeRolePolicy")):
        if st.get("Effect") != "Allow":
            continue
        services = kit.principals(st, "Service")
        others = kit.principals(st, "AWS") + kit.principals(st, "Federated")
        if others or services != [FLOW_LOG_SERVICE]:
            problems.append(f"role {role.name} trusts {services + others} (expected only {FLOW_LOG_SERVICE})")
        missing = {"aws:sourceaccount", "aws:sourcearn"} - kit.condition_keys(st)
        if missing:
            problems.append(f"role {role.name} trust lacks {sorted(missing)}")
    return problems


def _flow_log_problems(stack: Stack, flow_log: kit.Res) -> list[str]:
    problems = []
    traffic = kit.known(flow_log, "trafficType")
    if traffic != "ALL":
        problems.append(f"traffic type {traffic} (expected ALL)")
    destination_type = kit.known(flow_log, "logDestinationType") or "cloud-watch-logs"
    if destination_type != "cloud-watch-logs":
        return [*problems, f"destination type {destination_type} (expected cloud-watch-logs)"]
    groups = stack.of(LOG_GROUP)
    found = links(flow_log, "logDestination", groups, ("arn",)) or links(flow_log, "logGroupName", groups, ("name",))
    if not found:
        problems.append("destination log group not found in the stack")
    problems += [p for g in found for p in _log_group_problems(stack, g)]
    roles = links(flow_log, "iamRoleArn", stack.of(IAM_ROLE), ("arn",))
    if not roles:
        problems.append("delivery role not found in the stack")
    problems += [p for r in roles for p in _trust_problems(r)]
    return [f"{flow_log.name}: {p}" for p in problems]


def check_flow_logs(resources: Sequence[kit.Res]) -> Found:
    """NET-05: each VPC has a flow log (ALL) to a logs-key-encrypted group kept >= 365 days, via a conditioned role."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from _no_vpc(stack, ("NET-05",))
    for vpc in stack.vpcs():
        flow_logs = stack.in_vpc(vpc, FLOW_LOG)
        if not flow_logs:
            yield vpc.urn, "NET-05", False, "no flow log attached; expected one with traffic type ALL"
            continue
        verdicts = {f.name: _flow_log_problems(stack, f) for f in flow_logs}
        good = [name for name, problems in verdicts.items() if not problems]
        message = (
            f"flow log {good[0]}: ALL traffic to a logs-key-encrypted group kept >= {MIN_RETENTION_DAYS} days, "
            "delivery role conditioned on aws:SourceAccount and aws:SourceArn"
            if good
            else "; ".join(p for problems in verdicts.values() for p in problems)
        )
        yield vpc.urn, "NET-05", bool(good), message


# ---- EP-01: S3 gateway on every route table --------------------------------------------------


def _service(endpoint: kit.Res) -> str:
    """The service suffix of ``com.amazonaws.<region>.<service>`` (``sts``, ``ecr.dkr``)."""
    name = str(kit.known(endpoint, "serviceName") or "")
    parts = name.split(".")
    return ".".join(parts[3:]) if name.startswith("com.amazonaws.") and len(parts) > 3 else name


def _endpoint_type(endpoint: kit.Res) -> str:
    return str(kit.known(endpoint, "vpcEndpointType") or "Gateway")


def _s3_gateways(stack: Stack, vpc: kit.Res) -> list[kit.Res]:
    endpoints = stack.in_vpc(vpc, ENDPOINT)
    return [e for e in endpoints if _endpoint_type(e) == "Gateway" and _service(e) == "s3"]


def _tables_with(stack: Stack, gateways: Sequence[kit.Res], tables: Sequence[kit.Res]) -> list[kit.Res]:
    """Route tables a gateway endpoint is attached to, inline or through association resources."""
    attached = [t for g in gateways for t in links(g, "routeTableIds", tables)]
    for assoc in stack.of(ENDPOINT_ROUTE_TABLE):
        if links(assoc, "vpcEndpointId", gateways):
            attached += links(assoc, "routeTableId", tables)
    return attached


def check_s3_gateway_routes(resources: Sequence[kit.Res]) -> Found:
    """EP-01: every route table of the VPC (and every subnet's table) carries the S3 gateway endpoint."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from _no_vpc(stack, ("EP-01",))
    for vpc in stack.vpcs():
        gateways = _s3_gateways(stack, vpc)
        tables = stack.in_vpc(vpc, ROUTE_TABLE)
        if not gateways or not tables:
            found = f"{len(gateways)} S3 gateway endpoint(s), {len(tables)} route table(s)"
            yield vpc.urn, "EP-01", False, f"{found}; expected an S3 gateway endpoint on every private route table"
            continue
        attached = _tables_with(stack, gateways, tables)
        for table in tables:
            ok = table in attached
            detail = f"S3 gateway {_names(gateways)} attached" if ok else "no S3 gateway endpoint attached"
            yield table.urn, "EP-01", ok, f"route table {table.name}: {detail}"
        associations = stack.of(ROUTE_TABLE_ASSOCIATION)
        for subnet in stack.in_vpc(vpc, SUBNET):
            own = [t for a in associations if links(a, "subnetId", [subnet]) for t in links(a, "routeTableId", tables)]
            ok = bool(own)
            detail = f"uses route table {_names(own)}" if ok else "uses the VPC main route table (no S3 gateway)"
            yield subnet.urn, "EP-01", ok, f"subnet {subnet.name} {detail}"


# ---- EP-02/03/04: interface endpoints --------------------------------------------------------


def _interface_endpoints(stack: Stack, vpc: kit.Res) -> list[kit.Res]:
    return [e for e in stack.in_vpc(vpc, ENDPOINT) if _endpoint_type(e) == "Interface"]


def _endpoint_groups(stack: Stack, endpoint: kit.Res) -> tuple[list[kit.Res], int]:
    """Security groups linked to an endpoint and how many it names in all (linked or not)."""
    groups = stack.of(SECURITY_GROUP, DEFAULT_SG)
    linked = links(endpoint, "securityGroupIds", groups)
    count = len(kit.as_list(endpoint.props.get("securityGroupIds")))
    for assoc in stack.of(ENDPOINT_SG):
        if links(assoc, "vpcEndpointId", [endpoint]):
            linked += links(assoc, "securityGroupId", groups)
            count += 1
    return linked, count


def _endpoint_subnets(stack: Stack, endpoint: kit.Res, subnets: Sequence[kit.Res]) -> list[kit.Res]:
    found = links(endpoint, "subnetIds", subnets)
    for assoc in stack.of(ENDPOINT_SUBNET):
        if links(assoc, "vpcEndpointId", [endpoint]):
            found += links(assoc, "subnetId", subnets)
    return found


def _interface_outcomes(stack: Stack, vpc: kit.Res, endpoint: kit.Res) -> Found:
    subnets = stack.in_vpc(vpc, SUBNET)
    problems = []
    if kit.known(endpoint, "privateDnsEnabled") is not True:
        problems.append("private DNS is off")
    missing = [s for s in subnets if s not in _endpoint_subnets(stack, endpoint, subnets)]
    if missing or not subnets:
        problems.append(f"not in subnet(s) {_names(missing)}")
    message = "; ".join(problems) + " (expected private DNS in every private subnet)" if problems else ""
    yield endpoint.urn, "EP-02", not problems, message or f"private DNS on, in all {len(subnets)} private subnets"
    groups, count = _endpoint_groups(stack, endpoint)
    ok = count == 1 and len(groups) == 1 and groups[0].type == SECURITY_GROUP
    detail = f"{count} security group(s), linked: {_names(groups)}"
    yield endpoint.urn, "EP-04", ok, detail + ("" if ok else " (expected exactly the endpoint security group)")


def _bundle_outcome(vpc: kit.Res, services: set[str]) -> tuple[str, str, bool, str]:
    unknown = sorted(services - KNOWN_SERVICES)
    partial = sorted(set(BEDROCK) - services) if services & set(BEDROCK) else []
    problems = [f"unknown service(s) {unknown}"] if unknown else []
    problems += [f"bedrock bundle incomplete, missing {partial}"] if partial else []
    state = "on" if services & set(BEDROCK) else "off (opt-in)"
    return vpc.urn, "EP-03", not problems, "; ".join(problems) or f"bedrock bundle {state}, every service known"


def check_interface_endpoints(resources: Sequence[kit.Res]) -> Found:
    """EP-02/EP-03/EP-04: the ml-core set, private DNS in every subnet, one SG, known services only."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from _no_vpc(stack, ("EP-02", "EP-03", "EP-04"))
    for vpc in stack.vpcs():
        endpoints = _interface_endpoints(stack, vpc)
        services = {_service(e) for e in endpoints}
        missing = [s for s in ML_CORE if s not in services]
        detail = f"missing ml-core endpoint(s) {missing}" if missing else "every ml-core service has an endpoint"
        yield vpc.urn, "EP-02", not missing, detail
        yield _bundle_outcome(vpc, services)
        for endpoint in endpoints:
            yield from _interface_outcomes(stack, vpc, endpoint)


# ---- EP-04: the endpoint security group's rules ----------------------------------------------


@dataclass(frozen=True)
class Permission:
    """One SG permission: protocol, port range and its sources (CIDRs, prefix lists, groups)."""

    where: str
    egress: bool
    protocol: str
    from_port: int
    to_port: int
    sources: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.where} {self.protocol} {self.from_port}-{self.to_port} {' '.join(self.sources) or 'no source'}"


def _standalone_permission(rule: kit.Res) -> Permission:
    if rule.type == SG_RULE:
        egress = kit.known(rule, "type") == "egress"
        source_keys: tuple[str, ...] = (
            "cidrBlocks",
            "ipv6CidrBlocks",
            "prefixListIds",
            "sourceSecurityGroupId",
            "self",
        )
        protocol = kit.known(rule, "protocol")
    else:
        egress = rule.type == SG_EGRESS
        source_keys = ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")
        protocol = kit.known(rule, "ipProtocol")
    values = [s for k in source_keys for s in kit.as_list(kit.known(rule, k))]
    sources = tuple(str(s) for s in values if s not in (None, "", False))
    from_port, to_port = int(kit.known(rule, "fromPort") or 0), int(kit.known(rule, "toPort") or 0)
    return Permission(rule.name, egress, _protocol(protocol), from_port, to_port, sources)


def _inline_permissions(group: kit.Res, exclusive: bool) -> list[Permission]:
    """Inline rules; unknown ones are acceptable only when an exclusive rule set pins the group."""
    found = []
    for key in ("ingress", "egress"):
        try:
            items = kit.as_list(kit.known(group, key))
        except kit.Undecidable:
            if exclusive:
                continue  # computed until apply; the exclusive rule set below decides what exists
            raise
        for item in items:
            keys = ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds", "securityGroups")
            sources = tuple(str(s) for k in keys for s in kit.as_list(item.get(k)))
            sources += ("self",) if item.get("self") else ()
            ports = int(item.get("fromPort") or 0), int(item.get("toPort") or 0)
            found.append(Permission(group.name, key == "egress", _protocol(item.get("protocol")), *ports, sources))
    return found


def _exclusive_problems(stack: Stack, group: kit.Res, ingress: Sequence[kit.Res]) -> list[str]:
    problems = []
    for pin in (e for e in stack.of(SG_EXCLUSIVE) if links(e, "securityGroupId", [group])):
        pinned = links(pin, "ingressRuleIds", ingress, ("securityGroupRuleId", "id"))
        count = len(kit.as_list(kit.known(pin, "ingressRuleIds")))
        if count != 1 or len(pinned) != 1:
            problems.append(f"{pin.name} pins {count} ingress rule(s), linked {_names(pinned)}")
        if kit.known(pin, "egressRuleIds"):
            problems.append(f"{pin.name} pins egress rules")
    return problems


def _group_outcome(stack: Stack, vpc: kit.Res, group: kit.Res) -> tuple[str, str, bool, str]:
    cidr = str(_vpc_cidr(vpc))
    standalone = _rules_on(stack, [group])
    exclusive = any(links(e, "securityGroupId", [group]) for e in stack.of(SG_EXCLUSIVE))
    permissions = [_standalone_permission(r) for r in standalone] + _inline_permissions(group, exclusive)
    ingress = [p for p in permissions if not p.egress]
    egress = [p for p in permissions if p.egress]
    problems = []
    https_from_vpc = ("tcp", HTTPS, HTTPS, (cidr,))
    if [(p.protocol, p.from_port, p.to_port, p.sources) for p in ingress] != [https_from_vpc]:
        problems.append(f"ingress: {', '.join(p.describe() for p in ingress) or 'none'}")
    if egress:
        problems.append(f"egress: {', '.join(p.describe() for p in egress)}")
    problems += _exclusive_problems(stack, group, [r for r in standalone if r.type == SG_INGRESS])
    if problems:
        return group.urn, "EP-04", False, f"{'; '.join(problems)}; expected one ingress TCP 443 from {cidr}, no egress"
    return group.urn, "EP-04", True, f"one ingress rule TCP 443 from {cidr}, no egress"


def check_endpoint_security_group(resources: Sequence[kit.Res]) -> Found:
    """EP-04: all interface endpoints share one SG whose only rule is TCP 443 in from the VPC CIDR."""
    stack = Stack(resources)
    if not stack.vpcs():
        yield from _no_vpc(stack, ("EP-04",))
    for vpc in stack.vpcs():
        groups: list[kit.Res] = []
        for endpoint in _interface_endpoints(stack, vpc):
            groups += [g for g in _endpoint_groups(stack, endpoint)[0] if g not in groups]
        if len(groups) != 1:
            yield vpc.urn, "EP-04", False, f"endpoint security groups: {_names(groups)} (expected exactly one)"
        for group in groups:
            yield _group_outcome(stack, vpc, group)


# ---- EP-05: endpoint policies ----------------------------------------------------------------


def _account_of(res: kit.Res) -> str | None:
    """The owning account when the engine knows it (``ownerId`` or the ARN's account field)."""
    owner = next(iter(_ids(res, ("ownerId",))), None)
    arn = next(iter(_ids(res, ("arn",))), "")
    parts = arn.split(":")
    return owner or (parts[4] if len(parts) > 4 and parts[4] else None)


def _principal_problem(st: Mapping[str, Any], expected: str | None) -> str | None:
    equals = _string_equals(st)
    limits = {k: kit.as_list(equals[k]) for k in PRINCIPAL_KEYS if k in equals}
    if "NotPrincipal" in st or not limits:
        return "does not limit principals (expected StringEquals aws:PrincipalAccount or aws:PrincipalOrgID)"
    for key, values in limits.items():
        pattern = ACCOUNT_ID if key == "aws:principalaccount" else ORG_ID
        if len(values) != 1 or not pattern.match(str(values[0])):
            return f"{key} = {values} (expected one literal id)"
        if key == "aws:principalaccount" and expected and values[0] != expected:
            return f"admits account {values[0]}, the VPC belongs to {expected}"
    return None


def _bucket_patterns(region: str) -> dict[re.Pattern[str], frozenset[str]]:
    """The allowlisted AWS-owned buckets of ``region`` (objects or bucket), each with its allowed actions."""
    patterns = {}
    for template, actions in AWS_OWNED_BUCKETS.items():
        owners = AWS_OWNED_BUCKET_ACCOUNTS.get(template)
        if owners is not None and region not in owners:
            continue  # no documented owner here: never a wildcard account
        bucket = template.format(region=region, account=(owners or {}).get(region, ""))
        patterns[re.compile(rf"^arn:aws[a-z-]*:s3:::{re.escape(bucket)}(/\*)?$")] = actions
    return patterns


def _string_equals(st: Mapping[str, Any]) -> dict[str, Any]:
    """The statement's StringEquals conditions, keys lower-cased (IAM compares them case-insensitively)."""
    block = (st.get("Condition") or {}).get("StringEquals") or {}
    return {str(k).lower(): v for k, v in block.items()}


def _aws_owned_only(st: Mapping[str, Any], region: str) -> bool:
    """The statement reaches only allowlisted AWS-owned buckets, with their allowed actions.

    Such a statement needs no principal condition: the owning service presigns the request.
    """
    actions = {str(a).lower() for a in kit.as_list(st.get("Action"))}
    resources = kit.as_list(st.get("Resource"))
    if "NotResource" in st or "NotAction" in st or not actions or not resources:
        return False
    patterns = _bucket_patterns(region)
    for resource in resources:
        allowed = next((acts for p, acts in patterns.items() if p.match(str(resource))), None)
        if allowed is None or not actions <= allowed:
            return False
    return True


def _s3_problem(st: Mapping[str, Any], expected: str | None) -> str | None:
    """An S3 gateway Allow beyond the AWS-owned allowlist: only our account's buckets (aws:ResourceAccount)."""
    equals = _string_equals(st)
    if "NotResource" in st:
        return "uses NotResource"
    if "aws:resourceaccount" in equals:
        owners = kit.as_list(equals["aws:resourceaccount"])
        ours = expected or next(iter(kit.as_list(equals.get("aws:principalaccount"))), None)
        if len(owners) == 1 and ACCOUNT_ID.match(str(owners[0])) and (ours is None or owners[0] == ours):
            return None
        return f"aws:ResourceAccount = {owners} (expected this account{f' {ours}' if ours else ''})"
    actions = sorted({str(a).lower() for a in kit.as_list(st.get("Action"))})
    resources = ", ".join(str(r) for r in kit.as_list(st.get("Resource")))
    return f"reaches {resources} with {actions} (not our account's buckets nor the AWS-owned allowlist)"


def _endpoint_policies(stack: Stack, endpoint: kit.Res) -> list[tuple[kit.Res, str]]:
    """(resource, property) holding each policy of the endpoint: inline or a VpcEndpointPolicy."""
    found = [(p, "policy") for p in stack.of(ENDPOINT_POLICY) if links(p, "vpcEndpointId", [endpoint])]
    return found or [(endpoint, "policy")]


def _policy_problems(stack: Stack, endpoint: kit.Res, expected: str | None) -> list[str]:
    gateway_s3 = _endpoint_type(endpoint) == "Gateway" and _service(endpoint) == "s3"
    region = "".join(str(kit.known(endpoint, "serviceName") or "").split(".")[2:3])
    problems = []
    for holder, key in _endpoint_policies(stack, endpoint):
        if kit.known(holder, key) in (None, ""):
            problems.append("no policy (AWS's default allows full access)")
            continue
        for st in kit.statements(kit.policy_document(holder, key)):
            if st.get("Effect") != "Allow" or (gateway_s3 and _aws_owned_only(st, region)):
                continue
            found = [_principal_problem(st, expected), _s3_problem(st, expected) if gateway_s3 else None]
            problems += [f"{st.get('Sid', '<no Sid>')} {problem}" for problem in found if problem]
    return problems


def _policy_unsupported(stack: Stack, endpoint: kit.Res) -> tuple[kit.Verdict, str] | None:
    """EP-05 on an interface endpoint of a service that takes no endpoint policy; None for every other endpoint."""
    service = _service(endpoint)
    if _endpoint_type(endpoint) != "Interface" or service not in POLICY_UNSUPPORTED:
        return None
    policies = [h for h, key in _endpoint_policies(stack, endpoint) if kit.known(h, key) not in (None, "")]
    if policies:
        return False, f"sets a policy on {service}, which takes none ({POLICY_UNSUPPORTED[service]})"
    return kit.NOT_APPLICABLE, f"not applicable: {POLICY_UNSUPPORTED[service]}; AWS applies its default policy"


def check_endpoint_policies(resources: Sequence[kit.Res]) -> Found:
    """EP-05: every endpoint that takes a policy has one admitting only this account's/org's principals (S3: our
    buckets, plus AWS-owned buckets in their services' documented form); not applicable where AWS takes none."""
    stack = Stack(resources)
    for endpoint in stack.of(ENDPOINT):
        vpcs = links(endpoint, "vpcId", stack.vpcs())
        if len(vpcs) != 1:
            yield endpoint.urn, "EP-05", False, f"endpoint {endpoint.name} is not in a VPC of this stack"
            continue
        by_design = _policy_unsupported(stack, endpoint)
        if by_design is not None:
            yield endpoint.urn, "EP-05", *by_design
            continue
        expected = _account_of(vpcs[0])
        problems = _policy_problems(stack, endpoint, expected)
        scope = f"account {expected}" if expected else "one literal account/org (VPC owner not known yet)"
        message = "; ".join(problems) or f"every Allow statement is limited to {scope} or an AWS-owned allowlist entry"
        yield endpoint.urn, "EP-05", not problems, message
    if not stack.of(ENDPOINT):
        yield stack.urn, "EP-05", False, f"no {ENDPOINT} in the stack; expected the S3 gateway and interface endpoints"


NETWORK_RULES: tuple[kit.Rule, ...] = (
    kit.Rule(
        "net-vpc-dns",
        "VPCs have DNS support and DNS hostnames on",
        ("NET-01",),
        (VPC,),
        check_vpc_dns,
    ),
    kit.Rule(
        "net-no-internet-path",
        "No internet, NAT or egress-only gateway and no default route anywhere",
        ("NET-02",),
        stack_check=check_no_internet_path,
    ),
    kit.Rule(
        "net-isolated-subnets",
        "Only private subnets without public IPs, over 2-6 availability zones",
        ("NET-02",),
        stack_check=check_isolated_subnets,
    ),
    kit.Rule(
        "net-default-sg-empty",
        "The default security group is managed with no rules",
        ("NET-03",),
        stack_check=check_default_security_group,
    ),
    kit.Rule(
        "net-nacls-vpc-only",
        "NACLs allow only VPC-internal traffic and S3 HTTPS; the default NACL is managed",
        ("NET-04",),
        stack_check=check_network_acls,
    ),
    kit.Rule(
        "net-flow-logs",
        "Every VPC has an ALL-traffic flow log to a logs-key-encrypted, retained group via a conditioned role",
        ("NET-05",),
        stack_check=check_flow_logs,
    ),
    kit.Rule(
        "ep-s3-gateway-routes",
        "The S3 gateway endpoint is attached to every private route table",
        ("EP-01",),
        stack_check=check_s3_gateway_routes,
    ),
    kit.Rule(
        "ep-interface-endpoints",
        "ml-core interface endpoints with private DNS in every subnet, one SG, known services only",
        ("EP-02", "EP-03", "EP-04"),
        stack_check=check_interface_endpoints,
    ),
    kit.Rule(
        "ep-endpoint-security-group",
        "The endpoint security group admits only TCP 443 from the VPC CIDR and has no egress",
        ("EP-04",),
        stack_check=check_endpoint_security_group,
    ),
    kit.Rule(
        "ep-endpoint-policies",
        "Every VPC endpoint has a policy limited to this account/org and, for S3, to our buckets",
        ("EP-05",),
        stack_check=check_endpoint_policies,
    ),
)

"""NET-01…NET-05 and EP-01…EP-05 on the offline dev graph, plus the network config rules."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime import MockCallArgs

from components.config import (
    ENDPOINT_BUNDLES,
    ENDPOINT_POLICY_UNSUPPORTED,
    KNOWN_ENDPOINT_SERVICES,
    ConfigError,
    parse_config,
)
from components.documents import AWS_OWNED_BUCKETS
from components.network import interface_policy, pick_zones
from verify.engine.graph import Resource, ResourceGraph
from verify.engine.mocks import S3_PREFIX_LIST_CIDRS, BaselineMocks, FakeAccount, UnsupportedMockError
from verify.engine.offline import GraphRecorder, OfflineRun, run_stack

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
RT_ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NACL = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NACL_ASSOC = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
KEY = "aws:kms/key:Key"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE_TYPES = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
)
RULES_EXCLUSIVE = "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
VPC_CIDR = "10.42.0.0/16"


@pytest.fixture(scope="module")
def dev() -> OfflineRun:
    return run_stack("dev")


FLOW_LOG_ROLE = "network-flow-logs"
BOUNDARY = "aws:iam/policy:Policy"


def _only(graph: ResourceGraph, type_token: str) -> Resource:
    """The one resource of a type in the network components (the audit trail has its own log group and role)."""
    found = [r for r in graph.by_type(type_token) if "$baseline:network:" in r.urn]
    assert len(found) == 1, f"expected one {type_token} in the network components, found {len(found)}"
    return found[0]


def _policy(resource: Resource, key: str = "policy") -> dict[str, Any]:
    document = json.loads(resource.inputs[key])
    assert isinstance(document, dict)
    return document


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _interface_endpoints(graph: ResourceGraph) -> list[Resource]:
    return [e for e in graph.by_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]


def _s3_gateway(graph: ResourceGraph) -> Resource:
    gateways = [e for e in graph.by_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert len(gateways) == 1
    return gateways[0]


def _expected_ids(graph: ResourceGraph, type_token: str) -> list[str]:
    return sorted(r.id for r in graph.by_type(type_token))


# ---- NET-01 / NET-02 -------------------------------------------------------------------------


def test_net_01_vpc_has_dns_support_and_hostnames(dev: OfflineRun) -> None:
    vpc = _only(dev.graph, VPC)
    assert vpc.inputs["cidrBlock"] == VPC_CIDR
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_net_02_no_internet_gateway_nat_or_open_route_in_any_resource(dev: OfflineRun) -> None:
    forbidden = ("internetgateway", "natgateway", "egressonlyinternetgateway", "vpngateway", "transitgateway")
    offenders = [r.urn for r in dev.graph if any(word in r.type.lower() for word in forbidden)]
    assert offenders == []
    open_cidrs = {"0.0.0.0/0", "::/0"}
    open_refs = [r.urn for r in dev.graph.custom_resources() if open_cidrs & set(map(str, _walk(dict(r.inputs))))]
    assert open_refs == []
    assert dev.graph.by_type("aws:ec2/route:Route") == []


def test_net_02_route_tables_hold_no_routes_and_one_per_subnet(dev: OfflineRun) -> None:
    tables = dev.graph.by_type(ROUTE_TABLE)
    assert [t.inputs.get("routes", []) for t in tables] == [[], [], []]
    pairs = {(a.inputs["subnetId"], a.inputs["routeTableId"]) for a in dev.graph.by_type(RT_ASSOC)}
    assert sorted(s for s, _ in pairs) == _expected_ids(dev.graph, SUBNET)
    assert sorted(t for _, t in pairs) == _expected_ids(dev.graph, ROUTE_TABLE)


def test_net_02_private_subnets_one_per_zone_without_public_ips(dev: OfflineRun) -> None:
    subnets = sorted(dev.graph.by_type(SUBNET), key=lambda s: s.inputs["availabilityZone"])
    vpc = _only(dev.graph, VPC)
    assert [s.inputs["availabilityZone"] for s in subnets] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    assert all(s.inputs["vpcId"] == vpc.id for s in subnets)


def test_net_02_zones_come_from_the_available_zones_invoke(dev: OfflineRun) -> None:
    calls = [args for token, args in dev.invokes if token == "aws:index/getAvailabilityZones:getAvailabilityZones"]
    assert calls
    assert all(args.get("state") == "available" for args in calls)


def test_net_02_zones_invoke_asks_for_standard_zones_only(dev: OfflineRun) -> None:
    calls = [args for token, args in dev.invokes if token == "aws:index/getAvailabilityZones:getAvailabilityZones"]
    assert calls
    assert all(args["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}] for args in calls)


def test_net_02_opted_in_local_zone_gets_no_subnet() -> None:
    """A Local Zone's name sorts before the AZs (us-west-2-lax-1a < us-west-2a): it must be filtered out."""
    account = FakeAccount(local_zones=("us-west-2-lax-1a",))
    run = run_stack("dev", overrides={"aws:region": "us-west-2"}, account=account)
    zones = sorted(s.inputs["availabilityZone"] for s in run.graph.by_type(SUBNET))
    assert zones == ["us-west-2a", "us-west-2b", "us-west-2c"]


def test_net_02_zones_are_those_every_interface_endpoint_service_is_offered_in() -> None:
    account = FakeAccount(service_zones={"sagemaker.runtime": ("us-east-1a", "us-east-1c", "us-east-1d")})
    run = run_stack("dev", overrides={"aws:region": "us-east-1"}, account=account)
    zones = sorted(s.inputs["availabilityZone"] for s in run.graph.by_type(SUBNET))
    assert zones == ["us-east-1a", "us-east-1c", "us-east-1d"]


def test_net_02_endpoint_service_zones_are_asked_for_every_enabled_service(dev: OfflineRun) -> None:
    token = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
    asked = [(args["serviceName"], args["serviceType"]) for t, args in dev.invokes if t == token]
    assert sorted(asked) == sorted((f"com.amazonaws.{REGION}.{s}", "Interface") for s in ENDPOINT_BUNDLES["ml-core"])


def test_net_02_pick_zones_takes_the_intersection_in_name_order() -> None:
    offered = {"sts": ["r-1d", "r-1a", "r-1c", "r-1b"], "ecr.dkr": ["r-1c", "r-1d", "r-1b"]}
    assert pick_zones(["r-1d", "r-1b", "r-1a", "r-1c"], 2, "r-1", offered) == ("r-1b", "r-1c")


def test_net_02_pick_zones_names_the_key_and_the_service_that_limits_it() -> None:
    offered = {"sts": ["r-1a", "r-1b", "r-1c"], "ecr.dkr": ["r-1a", "r-1b"]}
    with pytest.raises(ConfigError) as error:
        pick_zones(["r-1a", "r-1b", "r-1c"], 3, "r-1", offered)
    message = str(error.value)
    assert message.startswith("invalid configuration: baseline:network.azCount = 3: region r-1 has only 2 available")
    assert "ecr.dkr is offered only in r-1a, r-1b" in message
    assert "sts" not in message


def test_net_02_service_offered_in_too_few_zones_fails_before_any_resource() -> None:
    recorder = GraphRecorder(BaselineMocks(FakeAccount(service_zones={"ecr.dkr": ("eu-west-1a", "eu-west-1b")})))
    with pytest.raises(ConfigError, match=r"baseline:network\.azCount = 3: .*ecr\.dkr is offered only in"):
        run_stack("dev", recorder=recorder)
    assert [r.type for r in recorder.records.values() if r.custom and not r.is_provider] == []


def test_offline_zone_and_endpoint_service_invokes_fail_closed() -> None:
    mocks = BaselineMocks()
    zones = "aws:index/getAvailabilityZones:getAvailabilityZones"
    with pytest.raises(UnsupportedMockError, match="zone-type"):
        mocks.call(MockCallArgs(zones, {"filters": [{"name": "zone-type", "values": ["local-zone"]}]}, ""))
    service = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
    with pytest.raises(UnsupportedMockError, match="s3-express"):
        mocks.call(MockCallArgs(service, {"serviceName": f"com.amazonaws.{REGION}.s3-express"}, ""))


@pytest.mark.parametrize(
    ("az_count", "expected"),
    [
        (3, ["10.42.0.0/18", "10.42.64.0/18", "10.42.128.0/18"]),
        (2, ["10.42.0.0/17", "10.42.128.0/17"]),
    ],
)
def test_net_02_subnet_cidrs_exact_and_disjoint(az_count: int, expected: list[str]) -> None:
    run = run_stack("dev", overrides={"baseline:network": {"azCount": az_count}})
    subnets = sorted(run.graph.by_type(SUBNET), key=lambda s: s.inputs["availabilityZone"])
    cidrs = [s.inputs["cidrBlock"] for s in subnets]
    assert cidrs == expected
    networks = [ipaddress.IPv4Network(c) for c in cidrs]
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])
    assert all(n.subnet_of(ipaddress.IPv4Network(VPC_CIDR)) for n in networks)


# ---- NET-03 / NET-04 -------------------------------------------------------------------------


def test_net_03_default_security_group_has_no_rules(dev: OfflineRun) -> None:
    default_sg = _only(dev.graph, DEFAULT_SG)
    assert default_sg.inputs["vpcId"] == _only(dev.graph, VPC).id
    assert default_sg.inputs["ingress"] == []
    assert default_sg.inputs["egress"] == []
    targeting = [r.urn for t in SG_RULE_TYPES for r in dev.graph.by_type(t) if default_sg.urn in r.dependencies]
    assert targeting == []


def test_net_04_default_nacl_managed_with_no_rules(dev: OfflineRun) -> None:
    default_nacl = _only(dev.graph, DEFAULT_NACL)
    assert default_nacl.inputs["defaultNetworkAclId"] == _only(dev.graph, VPC).outputs["defaultNetworkAclId"]
    assert default_nacl.inputs["ingress"] == []
    assert default_nacl.inputs["egress"] == []


def test_net_04_private_nacl_entries_exact(dev: OfflineRun) -> None:
    nacl = _only(dev.graph, NACL)
    assert "ingress" not in nacl.inputs
    assert "egress" not in nacl.inputs
    entries = {
        (
            r.inputs["egress"],
            r.inputs["ruleNumber"],
            r.inputs["ruleAction"],
            r.inputs["protocol"],
            r.inputs["cidrBlock"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
        )
        for r in dev.graph.by_type(NACL_RULE)
        if r.inputs["networkAclId"] == nacl.id
    }
    s3 = sorted(S3_PREFIX_LIST_CIDRS, key=ipaddress.IPv4Network)
    expected = {(False, 100, "allow", "-1", VPC_CIDR, 0, 0), (True, 100, "allow", "-1", VPC_CIDR, 0, 0)}
    expected |= {(True, 200 + i, "allow", "tcp", cidr, 443, 443) for i, cidr in enumerate(s3)}
    expected |= {(False, 200 + i, "allow", "tcp", cidr, 1024, 65535) for i, cidr in enumerate(s3)}
    assert entries == expected
    assert len(dev.graph.by_type(NACL_RULE)) == len(expected)


def test_net_04_every_private_subnet_uses_the_private_nacl(dev: OfflineRun) -> None:
    nacl = _only(dev.graph, NACL)
    associations = dev.graph.by_type(NACL_ASSOC)
    assert {a.inputs["networkAclId"] for a in associations} == {nacl.id}
    assert sorted(a.inputs["subnetId"] for a in associations) == _expected_ids(dev.graph, SUBNET)


# ---- NET-05 ----------------------------------------------------------------------------------


def test_net_05_flow_log_captures_all_traffic_into_the_log_group(dev: OfflineRun) -> None:
    flow_log = _only(dev.graph, FLOW_LOG)
    group = _only(dev.graph, LOG_GROUP)
    role = dev.graph.one(ROLE, FLOW_LOG_ROLE)
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["vpcId"] == _only(dev.graph, VPC).id
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == group.outputs["arn"]
    assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"]


def test_net_05_flow_log_group_encrypted_with_logs_key_and_retained(dev: OfflineRun) -> None:
    group = _only(dev.graph, LOG_GROUP)
    logs_key = dev.graph.one(KEY, "keys-logs")
    assert group.inputs["name"] == "/aisb/dev/vpc-flow-logs"
    assert group.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    assert group.inputs["retentionInDays"] == 365
    assert group.retain_on_delete is True
    assert group.outputs["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/vpc-flow-logs"


def test_net_05_delivery_role_trust_conditions_exact(dev: OfflineRun) -> None:
    trust = _policy(dev.graph.one(ROLE, FLOW_LOG_ROLE), "assumeRolePolicy")
    assert trust["Statement"] == [
        {
            "Sid": "VpcFlowLogsAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/*"},
            },
        }
    ]


def test_net_05_delivery_role_carries_the_boundary_and_one_scoped_inline_policy(dev: OfflineRun) -> None:
    role = dev.graph.one(ROLE, FLOW_LOG_ROLE)
    assert role.inputs["permissionsBoundary"] == dev.graph.one(BOUNDARY, "identity-boundary").outputs["arn"]
    assert [p.name for p in dev.graph.by_type(ROLE_POLICY) if p.inputs["role"] == role.id] == [FLOW_LOG_ROLE]
    policy = dev.graph.one(ROLE_POLICY, FLOW_LOG_ROLE)
    assert policy.inputs["role"] == role.id
    group_arn = _only(dev.graph, LOG_GROUP).outputs["arn"]
    assert _policy(policy)["Statement"] == [
        {
            "Sid": "WriteFlowLogStreams",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            "Resource": f"{group_arn}:*",
        },
        {"Sid": "DescribeLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
    ]


def test_net_05_logs_key_admits_logs_service_for_the_flow_log_group_only(dev: OfflineRun) -> None:
    statements = _policy(dev.graph.one(KEY, "keys-logs"))["Statement"]
    logs = [s for s in statements if s["Sid"] == "LogsEncryptVpcFlowLogs"]
    assert len(logs) == 1
    assert logs[0]["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs[0]["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": _only(dev.graph, LOG_GROUP).outputs["arn"]},
    }
    for other in ("keys-data", "keys-models"):
        assert "LogsEncryptVpcFlowLogs" not in {s["Sid"] for s in _policy(dev.graph.one(KEY, other))["Statement"]}


def test_net_05_flow_log_created_after_group_role_and_its_policy(dev: OfflineRun) -> None:
    flow_log = _only(dev.graph, FLOW_LOG)
    assert _only(dev.graph, LOG_GROUP).urn in flow_log.property_dependencies["logDestination"]
    assert dev.graph.one(ROLE, FLOW_LOG_ROLE).urn in flow_log.property_dependencies["iamRoleArn"]
    assert dev.graph.one(ROLE_POLICY, FLOW_LOG_ROLE).urn in flow_log.dependencies


# ---- EP-01 … EP-05 ---------------------------------------------------------------------------


def test_ep_01_s3_gateway_endpoint_on_every_private_route_table(dev: OfflineRun) -> None:
    gateway = _s3_gateway(dev.graph)
    assert gateway.inputs["serviceName"] == f"com.amazonaws.{REGION}.s3"
    assert gateway.inputs["vpcId"] == _only(dev.graph, VPC).id
    assert sorted(gateway.inputs["routeTableIds"]) == _expected_ids(dev.graph, ROUTE_TABLE)


def test_ep_02_ml_core_interface_endpoints_in_every_subnet_with_private_dns(dev: OfflineRun) -> None:
    endpoints = _interface_endpoints(dev.graph)
    names = sorted(e.inputs["serviceName"] for e in endpoints)
    assert names == sorted(f"com.amazonaws.{REGION}.{s}" for s in ENDPOINT_BUNDLES["ml-core"])
    sg = dev.graph.one(SG, "endpoints-sg")
    for endpoint in endpoints:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert sorted(endpoint.inputs["subnetIds"]) == _expected_ids(dev.graph, SUBNET)
        assert endpoint.inputs["securityGroupIds"] == [sg.id]


def test_ep_03_bedrock_bundle_and_single_services_are_opt_in() -> None:
    run = run_stack(
        "dev", overrides={"baseline:network": {"endpointBundles": ["ml-core", "bedrock"], "endpointServices": ["ssm"]}}
    )
    names = {e.inputs["serviceName"].removeprefix(f"com.amazonaws.{REGION}.") for e in _interface_endpoints(run.graph)}
    assert names == {*ENDPOINT_BUNDLES["ml-core"], *ENDPOINT_BUNDLES["bedrock"], "ssm"}
    assert set(run.exports["interfaceEndpointIds"]) == names


def test_ep_03_bedrock_not_on_by_default(dev: OfflineRun) -> None:
    names = {e.inputs["serviceName"] for e in _interface_endpoints(dev.graph)}
    assert not {n for n in names if ".bedrock" in n}


def test_ep_04_endpoint_security_group_allows_only_https_from_the_vpc(dev: OfflineRun) -> None:
    sg = dev.graph.one(SG, "endpoints-sg")
    assert "ingress" not in sg.inputs
    assert "egress" not in sg.inputs
    rules = [r for t in SG_RULE_TYPES for r in dev.graph.by_type(t) if r.inputs.get("securityGroupId") == sg.id]
    assert [(r.type, dict(r.inputs)) for r in rules] == [
        (
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            {
                "securityGroupId": sg.id,
                "description": "HTTPS from inside the VPC",
                "ipProtocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrIpv4": VPC_CIDR,
            },
        )
    ]
    exclusive = dev.graph.one(RULES_EXCLUSIVE, "endpoints-sg")
    assert exclusive.inputs == {
        "securityGroupId": sg.id,
        "ingressRuleIds": [rules[0].outputs["securityGroupRuleId"]],
        "egressRuleIds": [],
    }


def test_ep_04_no_other_security_group_rule_exists_in_the_stack(dev: OfflineRun) -> None:
    """One rule on the endpoint group; the SageMaker workload group's four rules are pinned in test_identity."""
    groups = {dev.graph.one(SG, name).id: name for name in ("endpoints-sg", "workloads-sg")}
    rules = [groups[r.inputs["securityGroupId"]] for t in SG_RULE_TYPES for r in dev.graph.by_type(t)]
    assert sorted(rules) == ["endpoints-sg", *["workloads-sg"] * 4]


AWS_OWNED_SIDS = {entry.sid for entry in AWS_OWNED_BUCKETS}


def test_ep_05_every_endpoint_has_a_policy_limited_to_this_account(dev: OfflineRun) -> None:
    """Every statement but the AWS-owned bucket ones, which AWS documents without a principal condition."""
    endpoints = dev.graph.by_type(ENDPOINT)
    assert len(endpoints) == len(ENDPOINT_BUNDLES["ml-core"]) + 1
    for endpoint in endpoints:
        statements = [s for s in _policy(endpoint)["Statement"] if s["Sid"] not in AWS_OWNED_SIDS]
        assert statements
        for statement in statements:
            assert statement["Condition"]["StringEquals"]["aws:PrincipalAccount"] == ACCOUNT, endpoint.name


def test_ep_05_s3_gateway_limits_buckets_to_account_and_allowlist(dev: OfflineRun) -> None:
    statements = _policy(_s3_gateway(dev.graph))["Statement"]
    account_wide = statements[0]
    assert account_wide["Resource"] == "*"
    assert account_wide["Condition"]["StringEquals"]["aws:ResourceAccount"] == ACCOUNT
    others = {s["Sid"]: s["Resource"] for s in statements[1:]}
    assert others == {"AllowEcrImageLayers": f"arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*"}


def test_ep_05_s3_gateway_lets_ecr_layers_through_without_a_principal_condition(dev: OfflineRun) -> None:
    """ECR hands out presigned URLs: the layer request is not made by this account's principals."""
    statements = {s["Sid"]: s for s in _policy(_s3_gateway(dev.graph))["Statement"]}
    assert statements["AllowEcrImageLayers"] == {
        "Sid": "AllowEcrImageLayers",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject"],
        "Resource": f"arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*",
    }


def test_ep_05_s3_gateway_admits_codeartifact_assets_only_with_codeartifact_endpoints(dev: OfflineRun) -> None:
    run = run_stack("dev", overrides={"baseline:network": {"endpointServices": ["codeartifact.repositories"]}})
    statements = {s["Sid"]: s for s in _policy(_s3_gateway(run.graph))["Statement"]}
    assert statements["AllowCodeArtifactAssets"]["Resource"] == "arn:aws:s3:::assets-438097961670-eu-west-1/*"
    assert "Condition" not in statements["AllowCodeArtifactAssets"]
    assert "AllowCodeArtifactAssets" not in {s["Sid"] for s in _policy(_s3_gateway(dev.graph))["Statement"]}


def test_ep_05_codeartifact_in_a_region_without_documented_asset_bucket_fails_before_any_resource() -> None:
    recorder = GraphRecorder(BaselineMocks())
    overrides = {"aws:region": "ca-central-1", "baseline:network": {"endpointServices": ["codeartifact.api"]}}
    with pytest.raises(
        ConfigError, match=r'baseline:network\.endpointServices = \["codeartifact\.api"\]: .*ca-central-1'
    ):
        run_stack("dev", overrides=overrides, recorder=recorder)
    assert [r.type for r in recorder.records.values() if r.custom and not r.is_provider] == []


def test_ep_05_org_id_switches_endpoint_principals_to_the_organization() -> None:
    run = run_stack("dev", overrides={"baseline:identity": {"orgId": "o-abcdefghij"}})
    for endpoint in run.graph.by_type(ENDPOINT):
        for statement in [s for s in _policy(endpoint)["Statement"] if s["Sid"] not in AWS_OWNED_SIDS]:
            condition = statement["Condition"]["StringEquals"]
            assert condition["aws:PrincipalOrgID"] == "o-abcdefghij"
            assert "aws:PrincipalAccount" not in condition


def test_ep_05_endpoints_of_services_without_policy_support_carry_no_policy() -> None:
    run = run_stack("dev", overrides={"baseline:network": {"endpointServices": ["ssm", "ssmmessages", "ec2messages"]}})
    by_service = {e.inputs["serviceName"].rsplit(".", 1)[-1]: e for e in _interface_endpoints(run.graph)}
    assert "policy" not in by_service["ssmmessages"].inputs
    assert "policy" not in by_service["ec2messages"].inputs
    assert _policy(by_service["ssm"])["Statement"][0]["Action"] == ["ssm:*"]


def test_ep_05_policy_builder_returns_none_only_for_services_without_policy_support() -> None:
    assert interface_policy("ssmmessages", account_id=ACCOUNT, org_id=None) is None
    assert interface_policy("ec2messages", account_id=ACCOUNT, org_id=None) is None
    supported = sorted(KNOWN_ENDPOINT_SERVICES - set(ENDPOINT_POLICY_UNSUPPORTED))
    assert all(interface_policy(s, account_id=ACCOUNT, org_id=None) for s in supported)


def test_interface_endpoints_depend_on_the_vpc_with_dns_enabled(dev: OfflineRun) -> None:
    vpc = _only(dev.graph, VPC)
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True
    for endpoint in _interface_endpoints(dev.graph):
        assert vpc.urn in endpoint.property_dependencies["vpcId"], endpoint.name


# ---- outputs (GOV-04) ------------------------------------------------------------------------


def test_gov_04_outputs_name_vpc_subnets_endpoints_and_flow_log_group(dev: OfflineRun) -> None:
    graph, exports = dev.graph, dev.exports
    assert exports["vpcId"] == _only(graph, VPC).id
    assert sorted(exports["privateSubnetIds"]) == _expected_ids(graph, SUBNET)
    assert exports["endpointSecurityGroupId"] == graph.one(SG, "endpoints-sg").id
    assert exports["s3GatewayEndpointId"] == _s3_gateway(graph).id
    by_service = {
        e.inputs["serviceName"].removeprefix(f"com.amazonaws.{REGION}."): e.id for e in _interface_endpoints(graph)
    }
    assert exports["interfaceEndpointIds"] == by_service
    assert exports["flowLogGroupName"] == "/aisb/dev/vpc-flow-logs"


# ---- config ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "key"),
    [
        ({"cidr": "10.0.0.0/24", "azCount": 6, "subnetPrefix": 26}, "baseline:network.cidr"),
        ({"azCount": 1}, "baseline:network.azCount"),
        ({"azCount": 7}, "baseline:network.azCount"),
        ({"endpointBundles": ["ml-core", "gpu"]}, "baseline:network.endpointBundles"),
        ({"endpointServices": ["s3-express"]}, "baseline:network.endpointServices"),
    ],
)
def test_network_config_errors_name_the_key(network: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config({"network": network})


def test_cidr_too_small_error_says_too_small() -> None:
    with pytest.raises(ConfigError, match="too small"):
        parse_config({"network": {"cidr": "10.0.0.0/24", "azCount": 6, "subnetPrefix": 26}})


def test_net_02_region_with_too_few_zones_fails_before_any_resource() -> None:
    recorder = GraphRecorder(BaselineMocks(FakeAccount(zone_count=2)))
    with pytest.raises(ConfigError, match=r"baseline:network\.azCount = 3: region eu-west-1 has only 2"):
        run_stack("dev", recorder=recorder)
    created = [r.type for r in recorder.records.values() if r.custom and not r.is_provider]
    assert created == []

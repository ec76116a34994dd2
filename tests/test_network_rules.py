"""Network policy rules (NET-01…NET-05, EP-01…EP-05) on small literal graphs, the dev stack and through the SDK."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from pulumi_policy import PolicyResource, StackValidationArgs

from components import config, documents
from policies import baseline_rules as rules
from policies import rules_network as net
from tests.test_crossguard import options, policy, stack_resources, violations
from verify.checkers.rules import scan_rules
from verify.engine.graph import Resource, ResourceGraph
from verify.engine.offline import run_stack

ACCOUNT = "111122223333"
REGION = "eu-west-1"
CIDR = "10.0.0.0/16"
LOGS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/logs-1"
DATA_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/data-1"
GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/vpc-flow-logs"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-vpc-flow-logs"
S3_RANGE = "3.5.64.0/21"
UNKNOWN = rules.UNKNOWN


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:dev::p::{type_token}::{name}"


def res(type_token: str, logical: str, /, **props: Any) -> rules.Res:
    """A resource with engine-shaped properties (``name`` is a property here, the logical name is positional)."""
    return rules.Res(urn=urn(type_token, logical), type=type_token, props=props)


def trust_policy() -> str:
    return json.dumps(documents.flow_log_trust_policy(partition="aws", region=REGION, account_id=ACCOUNT))


def s3_policy(org_id: str | None = None) -> str:
    doc = documents.s3_gateway_endpoint_policy(partition="aws", region=REGION, account_id=ACCOUNT, org_id=org_id)
    return json.dumps(doc)


def interface_endpoint(service: str, **overrides: Any) -> rules.Res:
    props = {
        "vpcId": "vpc-1",
        "serviceName": f"com.amazonaws.{REGION}.{service}",
        "vpcEndpointType": "Interface",
        "privateDnsEnabled": True,
        "subnetIds": ["subnet-a", "subnet-b"],
        "securityGroupIds": ["sg-ep"],
        "id": f"vpce-{service}",
        **overrides,
    }
    if "policy" not in props:
        props["policy"] = json.dumps(documents.interface_endpoint_policy(service, account_id=ACCOUNT))
    return res(net.ENDPOINT, f"ep-{service}", **props)


def nacl_rule(name: str, egress: bool, protocol: str, cidr: str, ports: tuple[int, int]) -> rules.Res:
    return res(
        net.NACL_RULE,
        name,
        networkAclId="acl-1",
        egress=egress,
        ruleNumber=100,
        ruleAction="allow",
        protocol=protocol,
        cidrBlock=cidr,
        fromPort=ports[0],
        toPort=ports[1],
    )


def network() -> list[rules.Res]:
    """A compliant two-AZ network, linked by ids only (as a preview file of an existing stack is)."""
    return [
        res(
            net.VPC,
            "vpc",
            id="vpc-1",
            cidrBlock=CIDR,
            enableDnsSupport=True,
            enableDnsHostnames=True,
            ownerId=ACCOUNT,
            defaultNetworkAclId="acl-default",
            defaultSecurityGroupId="sg-default",
        ),
        res(net.SUBNET, "subnet-a", id="subnet-a", vpcId="vpc-1", availabilityZone="eu-west-1a"),
        res(net.SUBNET, "subnet-b", id="subnet-b", vpcId="vpc-1", availabilityZone="eu-west-1b"),
        res(net.ROUTE_TABLE, "rt-a", id="rtb-a", vpcId="vpc-1"),
        res(net.ROUTE_TABLE, "rt-b", id="rtb-b", vpcId="vpc-1"),
        res(net.ROUTE_TABLE_ASSOCIATION, "assoc-a", subnetId="subnet-a", routeTableId="rtb-a"),
        res(net.ROUTE_TABLE_ASSOCIATION, "assoc-b", subnetId="subnet-b", routeTableId="rtb-b"),
        res(net.DEFAULT_SG, "default-sg", id="sg-default", vpcId="vpc-1", ingress=[], egress=[]),
        res(
            net.DEFAULT_NACL, "default-nacl", id="acl-default", defaultNetworkAclId="acl-default", ingress=[], egress=[]
        ),
        res(net.NACL, "nacl", id="acl-1", vpcId="vpc-1"),
        nacl_rule("vpc-in", False, "-1", CIDR, (0, 0)),
        nacl_rule("vpc-out", True, "-1", CIDR, (0, 0)),
        nacl_rule("s3-out", True, "tcp", S3_RANGE, (443, 443)),
        nacl_rule("s3-return", False, "tcp", S3_RANGE, (1024, 65535)),
        res(rules.KMS_KEY, "logs-key", arn=LOGS_KEY_ARN, keyId="logs-1"),
        res(rules.KMS_KEY, "data-key", arn=DATA_KEY_ARN, keyId="data-1"),
        res(rules.KMS_ALIAS, "logs-alias", name="alias/aisb-dev-logs", targetKeyId="logs-1"),
        res(rules.KMS_ALIAS, "data-alias", name="alias/aisb-dev-data", targetKeyId="data-1"),
        res(net.LOG_GROUP, "flow-group", arn=GROUP_ARN, kmsKeyId=LOGS_KEY_ARN, retentionInDays=365),
        res(net.IAM_ROLE, "flow-role", arn=ROLE_ARN, assumeRolePolicy=trust_policy()),
        res(
            net.FLOW_LOG,
            "flow-log",
            vpcId="vpc-1",
            trafficType="ALL",
            logDestinationType="cloud-watch-logs",
            logDestination=GROUP_ARN,
            iamRoleArn=ROLE_ARN,
        ),
        res(
            net.ENDPOINT,
            "ep-s3",
            id="vpce-s3",
            vpcId="vpc-1",
            serviceName=f"com.amazonaws.{REGION}.s3",
            vpcEndpointType="Gateway",
            routeTableIds=["rtb-a", "rtb-b"],
            policy=s3_policy(),
        ),
        res(net.SECURITY_GROUP, "endpoint-sg", id="sg-ep", vpcId="vpc-1"),
        res(
            net.SG_INGRESS,
            "endpoint-https",
            securityGroupId="sg-ep",
            ipProtocol="tcp",
            fromPort=443,
            toPort=443,
            cidrIpv4=CIDR,
            securityGroupRuleId="sgr-1",
        ),
        res(net.SG_EXCLUSIVE, "endpoint-pin", securityGroupId="sg-ep", ingressRuleIds=["sgr-1"], egressRuleIds=[]),
        *[interface_endpoint(service) for service in net.ML_CORE],
    ]


def change(graph: list[rules.Res], name: str, **props: Any) -> list[rules.Res]:
    """The graph with one resource's properties changed (a value of ``None`` removes the property)."""
    assert any(r.name == name for r in graph), f"no resource named {name}"
    return [
        dataclasses.replace(r, props={k: v for k, v in {**r.props, **props}.items() if v is not None})
        if r.name == name
        else r
        for r in graph
    ]


def without(graph: list[rules.Res], *names: str) -> list[rules.Res]:
    assert all(any(r.name == n for r in graph) for n in names), names
    return [r for r in graph if r.name not in names]


def outcomes(rule_name: str, graph: Sequence[rules.Res]) -> list[rules.Outcome]:
    rule = next(r for r in rules.RULES if r.name == rule_name)
    found: list[rules.Outcome] = rule.evaluate(graph)
    return found


def statuses(rule_name: str, graph: Sequence[rules.Res], control: str) -> set[str]:
    return {o.status for o in outcomes(rule_name, graph) if o.control == control}


def failure(rule_name: str, graph: Sequence[rules.Res], control: str) -> str:
    """The messages of the rule's failing outcomes for ``control`` (asserts there is one)."""
    failed = [o.message for o in outcomes(rule_name, graph) if o.control == control and o.status == "fail"]
    assert failed, f"{rule_name} did not fail {control}"
    return " | ".join(failed)


# ---- every rule passes the compliant network ---------------------------------------------------


@pytest.mark.parametrize("rule", [r.name for r in net.NETWORK_RULES])
def test_network_rule_passes_the_compliant_network(rule: str) -> None:
    found = outcomes(rule, network())
    assert found
    assert {o.status for o in found} == {"pass"}, [o.message for o in found if o.status != "pass"]


@pytest.mark.parametrize(
    "rule", [r.name for r in net.NETWORK_RULES if r.stack_check and r.name != "net-no-internet-path"]
)
def test_network_stack_rule_fails_a_stack_without_network(rule: str) -> None:
    found = outcomes(rule, [res(rules.KMS_KEY, "only-a-key", arn=LOGS_KEY_ARN)])
    assert found
    assert {o.status for o in found} == {"fail"}


def test_network_rules_are_registered_with_the_catalog_controls() -> None:
    covered = {c for r in net.NETWORK_RULES for c in r.controls}
    assert covered == {f"NET-0{i}" for i in range(1, 6)} | {f"EP-0{i}" for i in range(1, 6)}
    assert set(net.NETWORK_RULES) <= set(rules.RULES)


def test_network_rules_mirror_the_configured_endpoint_bundles_and_aws_buckets() -> None:
    assert config.ENDPOINT_BUNDLES["ml-core"] == net.ML_CORE
    assert config.ENDPOINT_BUNDLES["bedrock"] == net.BEDROCK
    assert config.KNOWN_ENDPOINT_SERVICES == net.KNOWN_SERVICES
    allowlist = {b.bucket: frozenset(a.lower() for a in b.actions) for b in documents.AWS_OWNED_BUCKETS}
    assert allowlist == dict(net.AWS_OWNED_BUCKETS)
    owners = {b.bucket: dict(b.accounts) for b in documents.AWS_OWNED_BUCKETS if b.accounts is not None}
    assert owners == {bucket: dict(accounts) for bucket, accounts in net.AWS_OWNED_BUCKET_ACCOUNTS.items()}


def test_network_rules_mirror_the_services_without_endpoint_policy_support() -> None:
    assert dict(net.POLICY_UNSUPPORTED) == config.ENDPOINT_POLICY_UNSUPPORTED


# ---- unknown values are errors, never passes ---------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "name", "prop", "control"),
    [
        ("net-vpc-dns", "vpc", "enableDnsHostnames", "NET-01"),
        ("net-no-internet-path", "rt-a", "routes", "NET-02"),
        ("net-isolated-subnets", "subnet-a", "mapPublicIpOnLaunch", "NET-02"),
        ("net-default-sg-empty", "default-sg", "ingress", "NET-03"),
        ("net-nacls-vpc-only", "s3-out", "cidrBlock", "NET-04"),
        ("net-flow-logs", "flow-log", "trafficType", "NET-05"),
        ("ep-s3-gateway-routes", "ep-s3", "routeTableIds", "EP-01"),
        ("ep-interface-endpoints", "ep-sts", "privateDnsEnabled", "EP-02"),
        ("ep-endpoint-security-group", "endpoint-https", "cidrIpv4", "EP-04"),
        ("ep-endpoint-policies", "ep-kms", "policy", "EP-05"),
    ],
)
def test_network_rule_errors_on_an_unknown_value(rule: str, name: str, prop: str, control: str) -> None:
    assert statuses(rule, change(network(), name, **{prop: UNKNOWN}), control) == {"error"}


# ---- NET-01 ----------------------------------------------------------------------------------


def test_net_01_rule_fails_a_vpc_without_dns_hostnames() -> None:
    message = failure("net-vpc-dns", change(network(), "vpc", enableDnsHostnames=False), "NET-01")
    assert message == "enableDnsSupport=True, enableDnsHostnames=False (expected both true)"


def test_net_01_rule_fails_dns_support_left_unset() -> None:
    assert statuses("net-vpc-dns", change(network(), "vpc", enableDnsSupport=None), "NET-01") == {"fail"}


# ---- NET-02 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gateway", ["aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway"], ids=["igw", "nat"]
)
def test_net_02_rule_fails_an_internet_or_nat_gateway(gateway: str) -> None:
    graph = [*network(), res(gateway, "exit", vpcId="vpc-1")]
    assert "opens an internet path; expected none" in failure("net-no-internet-path", graph, "NET-02")


def test_net_02_rule_fails_an_ipv4_default_route() -> None:
    route = res(net.ROUTE, "default", routeTableId="rtb-a", destinationCidrBlock="0.0.0.0/0", gatewayId="vgw-1")
    message = failure("net-no-internet-path", [*network(), route], "NET-02")
    assert "default routes ['0.0.0.0/0'] (a default route)" in message


def test_net_02_rule_fails_an_inline_ipv6_default_route() -> None:
    graph = change(network(), "rt-a", routes=[{"ipv6CidrBlock": "::/0", "egressOnlyGatewayId": "eigw-1"}])
    assert "rt-a routes ['::/0']" in failure("net-no-internet-path", graph, "NET-02")


def test_net_02_rule_fails_a_subnet_with_public_ip_on_launch() -> None:
    graph = change(network(), "subnet-a", mapPublicIpOnLaunch=True)
    assert "subnet-a has mapPublicIpOnLaunch=true" in failure("net-isolated-subnets", graph, "NET-02")


def test_net_02_rule_fails_subnets_in_a_single_az() -> None:
    graph = change(network(), "subnet-b", availabilityZone="eu-west-1a")
    assert "2 subnet(s) over 1 AZ(s) (expected 2-6 AZs)" in failure("net-isolated-subnets", graph, "NET-02")


# ---- NET-03 ----------------------------------------------------------------------------------


def test_net_03_rule_fails_a_default_sg_with_an_ingress_rule() -> None:
    everything = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]
    message = failure("net-default-sg-empty", change(network(), "default-sg", ingress=everything), "NET-03")
    assert "default-sg.ingress = " in message
    assert "expected ingress [] and egress []" in message


def test_net_03_rule_fails_an_unmanaged_default_sg() -> None:
    message = failure("net-default-sg-empty", without(network(), "default-sg"), "NET-03")
    assert message == "default security group not managed (AWS's default allows traffic)"


def test_net_03_rule_fails_a_standalone_rule_on_the_default_sg() -> None:
    rule = res(net.SG_EGRESS, "open", securityGroupId="sg-default", ipProtocol="-1", cidrIpv4="0.0.0.0/0")
    message = failure("net-default-sg-empty", [*network(), rule], "NET-03")
    assert "rules attached to the default SG: open" in message


# ---- NET-04 ----------------------------------------------------------------------------------


def test_net_04_rule_fails_an_allow_all_entry() -> None:
    graph = [*network(), nacl_rule("anything-in", False, "-1", "0.0.0.0/0", (0, 0))]
    assert "anything-in: in -1 0.0.0.0/0 0-0 is outside 10.0.0.0/16" in failure("net-nacls-vpc-only", graph, "NET-04")


def test_net_04_rule_fails_ssh_from_a_public_range() -> None:
    graph = [*network(), nacl_rule("ssh-in", False, "tcp", S3_RANGE, (22, 22))]
    assert "ssh-in: in tcp" in failure("net-nacls-vpc-only", graph, "NET-04")


def test_net_04_rule_fails_an_unmanaged_default_nacl() -> None:
    message = failure("net-nacls-vpc-only", without(network(), "default-nacl"), "NET-04")
    assert "default NACL not managed" in message


def test_net_04_rule_fails_an_inline_allow_all_on_the_default_nacl() -> None:
    allow_all = [{"action": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0", "fromPort": 0, "toPort": 0}]
    graph = change(network(), "default-nacl", ingress=allow_all)
    assert "default-nacl: in -1 0.0.0.0/0" in failure("net-nacls-vpc-only", graph, "NET-04")


# ---- NET-05 ----------------------------------------------------------------------------------


def test_net_05_rule_fails_a_vpc_without_flow_log() -> None:
    message = failure("net-flow-logs", without(network(), "flow-log"), "NET-05")
    assert message == "no flow log attached; expected one with traffic type ALL"


def test_net_05_rule_fails_rejected_traffic_only() -> None:
    message = failure("net-flow-logs", change(network(), "flow-log", trafficType="REJECT"), "NET-05")
    assert message == "flow-log: traffic type REJECT (expected ALL)"


def test_net_05_rule_fails_a_short_retention() -> None:
    message = failure("net-flow-logs", change(network(), "flow-group", retentionInDays=30), "NET-05")
    assert "keeps 30 days (expected >= 365)" in message


def test_net_05_rule_fails_a_group_encrypted_with_the_data_key() -> None:
    message = failure("net-flow-logs", change(network(), "flow-group", kmsKeyId=DATA_KEY_ARN), "NET-05")
    assert "encrypted with data-key, not the logs key" in message


def test_net_05_rule_fails_an_unencrypted_group() -> None:
    message = failure("net-flow-logs", change(network(), "flow-group", kmsKeyId=None), "NET-05")
    assert "is not encrypted with a customer-managed key of this stack" in message


def test_net_05_rule_fails_a_destination_outside_the_stack() -> None:
    other = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/elsewhere"
    message = failure("net-flow-logs", change(network(), "flow-log", logDestination=other), "NET-05")
    assert "destination log group not found in the stack" in message


def test_net_05_rule_fails_a_delivery_role_trust_without_source_arn() -> None:
    trust = json.loads(trust_policy())
    del trust["Statement"][0]["Condition"]["ArnLike"]
    graph = change(network(), "flow-role", assumeRolePolicy=json.dumps(trust))
    assert "trust lacks ['aws:sourcearn']" in failure("net-flow-logs", graph, "NET-05")


def test_net_05_rule_links_unknown_ids_through_property_dependencies() -> None:
    deps = {
        "vpcId": (urn(net.VPC, "vpc"),),
        "logDestination": (urn(net.LOG_GROUP, "flow-group"),),
        "iamRoleArn": (urn(net.IAM_ROLE, "flow-role"),),
    }
    graph = change(network(), "flow-log", vpcId=UNKNOWN, logDestination=UNKNOWN, iamRoleArn=UNKNOWN)
    graph = [dataclasses.replace(r, property_dependencies=deps) if r.name == "flow-log" else r for r in graph]
    assert statuses("net-flow-logs", graph, "NET-05") == {"pass"}


def test_net_05_rule_errors_on_an_unknown_destination_without_dependency() -> None:
    graph = change(network(), "flow-log", logDestination=UNKNOWN)
    assert statuses("net-flow-logs", graph, "NET-05") == {"error"}


# ---- EP-01 -----------------------------------------------------------------------------------


def test_ep_01_rule_fails_a_route_table_without_the_gateway() -> None:
    graph = change(network(), "ep-s3", routeTableIds=["rtb-a"])
    assert failure("ep-s3-gateway-routes", graph, "EP-01") == "route table rt-b: no S3 gateway endpoint attached"


def test_ep_01_rule_accepts_a_separate_route_table_association() -> None:
    association = res(net.ENDPOINT_ROUTE_TABLE, "s3-rt-b", vpcEndpointId="vpce-s3", routeTableId="rtb-b")
    graph = [*change(network(), "ep-s3", routeTableIds=["rtb-a"]), association]
    assert statuses("ep-s3-gateway-routes", graph, "EP-01") == {"pass"}


def test_ep_01_rule_fails_a_vpc_without_s3_gateway() -> None:
    message = failure("ep-s3-gateway-routes", without(network(), "ep-s3"), "EP-01")
    assert message.startswith("0 S3 gateway endpoint(s), 2 route table(s)")


def test_ep_01_rule_fails_a_subnet_left_on_the_main_route_table() -> None:
    message = failure("ep-s3-gateway-routes", without(network(), "assoc-b"), "EP-01")
    assert message == "subnet subnet-b uses the VPC main route table (no S3 gateway)"


# ---- EP-02 / EP-03 ---------------------------------------------------------------------------


def test_ep_02_rule_fails_a_missing_ml_core_endpoint() -> None:
    message = failure("ep-interface-endpoints", without(network(), "ep-sts"), "EP-02")
    assert message == "missing ml-core endpoint(s) ['sts']"


def test_ep_02_rule_fails_an_endpoint_without_private_dns() -> None:
    graph = change(network(), "ep-kms", privateDnsEnabled=False)
    message = failure("ep-interface-endpoints", graph, "EP-02")
    assert message == "private DNS is off (expected private DNS in every private subnet)"


def test_ep_02_rule_fails_an_endpoint_missing_a_subnet() -> None:
    graph = change(network(), "ep-logs", subnetIds=["subnet-a"])
    assert "not in subnet(s) subnet-b" in failure("ep-interface-endpoints", graph, "EP-02")


def test_ep_03_rule_fails_an_unknown_service() -> None:
    sts_policy = json.dumps(documents.interface_endpoint_policy("sts", account_id=ACCOUNT))
    graph = [*network(), interface_endpoint("sagemaker.apii", policy=sts_policy)]
    assert failure("ep-interface-endpoints", graph, "EP-03") == "unknown service(s) ['sagemaker.apii']"


def test_ep_03_rule_fails_a_partial_bedrock_bundle() -> None:
    graph = [*network(), interface_endpoint("bedrock-runtime")]
    message = failure("ep-interface-endpoints", graph, "EP-03")
    assert message == "bedrock bundle incomplete, missing ['bedrock', 'bedrock-agent', 'bedrock-agent-runtime']"


def test_ep_03_rule_passes_the_complete_bedrock_bundle() -> None:
    graph = [*network(), *[interface_endpoint(s) for s in net.BEDROCK]]
    assert statuses("ep-interface-endpoints", graph, "EP-03") == {"pass"}


# ---- EP-04 -----------------------------------------------------------------------------------


def test_ep_04_rule_fails_an_endpoint_with_a_second_security_group() -> None:
    graph = change(network(), "ep-sts", securityGroupIds=["sg-ep", "sg-default"])
    message = failure("ep-interface-endpoints", graph, "EP-04")
    assert (
        message == "2 security group(s), linked: default-sg, endpoint-sg (expected exactly the endpoint security group)"
    )


def test_ep_04_rule_fails_endpoints_split_over_two_groups() -> None:
    graph = [*network(), res(net.SECURITY_GROUP, "other-sg", id="sg-other", vpcId="vpc-1")]
    graph = change(graph, "ep-sts", securityGroupIds=["sg-other"])
    message = failure("ep-endpoint-security-group", graph, "EP-04")
    assert "endpoint security groups: endpoint-sg, other-sg (expected exactly one)" in message


def test_ep_04_rule_fails_ingress_from_anywhere() -> None:
    graph = change(network(), "endpoint-https", cidrIpv4="0.0.0.0/0")
    message = failure("ep-endpoint-security-group", graph, "EP-04")
    assert (
        message
        == "ingress: endpoint-https tcp 443-443 0.0.0.0/0; expected one ingress TCP 443 from 10.0.0.0/16, no egress"
    )


def test_ep_04_rule_fails_an_egress_rule() -> None:
    egress = res(net.SG_EGRESS, "out", securityGroupId="sg-ep", ipProtocol="-1", cidrIpv4="0.0.0.0/0")
    message = failure("ep-endpoint-security-group", [*network(), egress], "EP-04")
    assert message.startswith("egress: out -1 0-0 0.0.0.0/0;")


def test_ep_04_rule_fails_an_exclusive_set_pinning_egress() -> None:
    graph = change(network(), "endpoint-pin", egressRuleIds=["sgr-out"])
    assert "endpoint-pin pins egress rules" in failure("ep-endpoint-security-group", graph, "EP-04")


# ---- EP-05 -----------------------------------------------------------------------------------


def test_ep_05_rule_fails_an_endpoint_without_policy() -> None:
    message = failure("ep-endpoint-policies", change(network(), "ep-sts", policy=None), "EP-05")
    assert message == "no policy (AWS's default allows full access)"


def test_ep_05_rule_fails_a_statement_without_principal_limit() -> None:
    wide = {"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "*"}]}
    message = failure("ep-endpoint-policies", change(network(), "ep-sts", policy=json.dumps(wide)), "EP-05")
    assert message.startswith("All does not limit principals")


def test_ep_05_rule_fails_a_foreign_principal_account() -> None:
    foreign = json.dumps(documents.interface_endpoint_policy("sts", account_id="999988887777"))
    message = failure("ep-endpoint-policies", change(network(), "ep-sts", policy=foreign), "EP-05")
    assert message == "AllowAccountPrincipals admits account 999988887777, the VPC belongs to 111122223333"


def test_ep_05_rule_fails_an_s3_gateway_reaching_any_bucket() -> None:
    doc = json.loads(s3_policy())
    doc["Statement"][1]["Resource"] = "arn:aws:s3:::attacker-bucket/*"
    message = failure("ep-endpoint-policies", change(network(), "ep-s3", policy=json.dumps(doc)), "EP-05")
    assert "reaches arn:aws:s3:::attacker-bucket/* with ['s3:getobject']" in message


def test_ep_05_rule_passes_ecr_layers_without_a_principal_condition() -> None:
    statement = json.loads(s3_policy())["Statement"][1]
    assert statement["Sid"] == "AllowEcrImageLayers"
    assert "Condition" not in statement
    assert statuses("ep-endpoint-policies", network(), "EP-05") == {"pass"}


def test_ep_05_rule_fails_an_unconditioned_statement_beyond_the_aws_owned_buckets() -> None:
    doc = json.loads(s3_policy())
    doc["Statement"][1]["Action"] = ["s3:GetObject", "s3:PutObject"]
    message = failure("ep-endpoint-policies", change(network(), "ep-s3", policy=json.dumps(doc)), "EP-05")
    assert message.startswith("AllowEcrImageLayers does not limit principals")


def codeartifact_gateway(region: str, bucket: str) -> list[rules.Res]:
    doc = json.loads(s3_policy())
    doc["Statement"].append(
        {
            "Sid": "AllowCodeArtifactAssets",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
    )
    return change(network(), "ep-s3", policy=json.dumps(doc), serviceName=f"com.amazonaws.{region}.s3")


def test_ep_05_rule_passes_the_documented_codeartifact_asset_bucket() -> None:
    graph = codeartifact_gateway(REGION, "assets-438097961670-eu-west-1")
    assert {o.status for o in outcomes("ep-endpoint-policies", graph) if o.urn.endswith("ep-s3")} == {"pass"}


@pytest.mark.parametrize(
    ("region", "bucket"),
    [
        (REGION, "assets-999988887777-eu-west-1"),  # another account's bucket of the same form
        ("ca-central-1", "assets-438097961670-ca-central-1"),  # no documented owner in this region
    ],
)
def test_ep_05_rule_fails_an_asset_bucket_that_is_not_codeartifacts(region: str, bucket: str) -> None:
    message = failure("ep-endpoint-policies", codeartifact_gateway(region, bucket), "EP-05")
    assert f"AllowCodeArtifactAssets reaches arn:aws:s3:::{bucket}/*" in message


def test_ep_05_rule_reports_a_service_without_policy_support_as_waived_with_the_reason() -> None:
    graph = [*network(), interface_endpoint("ssmmessages", policy=None)]
    [found] = [o for o in outcomes("ep-endpoint-policies", graph) if o.urn.endswith("ep-ssmmessages")]
    assert found.status == "waived"
    assert found.message.startswith("not applicable: AWS documents no VPC endpoint policy for the Systems Manager")


def test_ep_05_rule_fails_a_policy_on_a_service_that_takes_none() -> None:
    graph = [*network(), interface_endpoint("ec2messages")]
    message = failure("ep-endpoint-policies", graph, "EP-05")
    assert message.startswith("sets a policy on ec2messages, which takes none")


def test_ep_05_scan_carries_the_by_design_reason_as_the_waiver() -> None:
    graph = run_stack("dev", overrides={"baseline:network": {"endpointServices": ["ssmmessages"]}}).graph
    found = [f for f in scan_rules(graph, net.NETWORK_RULES) if f.control == "EP-05" and f.status != "pass"]
    assert [(f.resource_name, f.status, f.waiver) for f in found] == [
        ("endpoints-ssmmessages", "waived", found[0].message)
    ]
    assert config.ENDPOINT_POLICY_UNSUPPORTED["ssmmessages"] in found[0].waiver


def test_ep_05_stack_policy_does_not_block_a_service_without_policy_support() -> None:
    endpoint = interface_endpoint("ssmmessages", policy=None)
    resources = [
        PolicyResource(r.type, dict(r.props), r.urn, r.name, options(), None, None, [], {})
        for r in [*network(), endpoint]
    ]
    assert violations(policy("ep-endpoint-policies"), StackValidationArgs(resources, {})) == []


def test_ep_05_rule_passes_policies_limited_to_the_organization() -> None:
    org = "o-a1b2c3d4e5"
    graph = change(network(), "ep-s3", policy=s3_policy(org))
    graph = change(
        graph, "ep-sts", policy=json.dumps(documents.interface_endpoint_policy("sts", account_id=ACCOUNT, org_id=org))
    )
    assert statuses("ep-endpoint-policies", graph, "EP-05") == {"pass"}


# ---- the dev stack, mutated ------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev() -> ResourceGraph:
    return run_stack("dev").graph


def mutated(
    graph: ResourceGraph,
    drop: str = "",
    add: Sequence[Resource] = (),
    changes: Mapping[str, Mapping[str, Any]] | None = None,
) -> ResourceGraph:
    """The graph without resources of type ``drop``, plus ``add``, with ``changes`` (logical name -> inputs)."""

    def changed(r: Resource) -> Resource:
        new = (changes or {}).get(r.name)
        return dataclasses.replace(r, inputs={**r.inputs, **new}, outputs={**r.outputs, **new}) if new else r

    kept = [changed(r) for r in graph if r.type != drop]
    return ResourceGraph([*kept, *add], stack="dev", project="p")


def failed_controls(graph: ResourceGraph) -> set[str]:
    return {f.control for f in scan_rules(graph, net.NETWORK_RULES) if f.status != "pass"}


def test_net_02_scan_fails_the_dev_stack_with_an_internet_gateway(dev: ResourceGraph) -> None:
    vpc = dev.one(net.VPC, "network-vpc")
    igw_urn = vpc.urn.replace(net.VPC, "aws:ec2/internetGateway:InternetGateway").replace("network-vpc", "igw")
    igw = Resource(urn=igw_urn, type="aws:ec2/internetGateway:InternetGateway", custom=True, parent=vpc.parent)
    assert failed_controls(mutated(dev, add=[igw])) == {"NET-02"}


def test_net_01_scan_fails_the_dev_stack_with_dns_hostnames_off(dev: ResourceGraph) -> None:
    assert failed_controls(mutated(dev, changes={"network-vpc": {"enableDnsHostnames": False}})) == {"NET-01"}


def test_net_05_scan_fails_the_dev_stack_without_flow_log(dev: ResourceGraph) -> None:
    assert failed_controls(mutated(dev, drop=net.FLOW_LOG)) == {"NET-05"}


def test_ep_05_scan_fails_the_dev_stack_with_an_endpoint_policy_removed(dev: ResourceGraph) -> None:
    endpoint = dev.one(net.ENDPOINT, "endpoints-sts")
    bare = dataclasses.replace(
        endpoint,
        inputs={k: v for k, v in endpoint.inputs.items() if k != "policy"},
        outputs={k: v for k, v in endpoint.outputs.items() if k != "policy"},
    )
    graph = mutated(
        dev, drop=net.ENDPOINT, add=[*(e for e in dev.by_type(net.ENDPOINT) if e.urn != endpoint.urn), bare]
    )
    assert failed_controls(graph) == {"EP-05"}


# ---- through the pulumi-policy SDK -----------------------------------------------------------


def test_net_05_stack_policy_passes_the_dev_stack_through_the_sdk() -> None:
    assert violations(policy("net-flow-logs"), StackValidationArgs(stack_resources(), {})) == []


def test_net_05_stack_policy_reports_a_missing_flow_log_through_the_sdk() -> None:
    resources = [r for r in stack_resources() if r.resource_type != net.FLOW_LOG]
    found = violations(policy("net-flow-logs"), StackValidationArgs(resources, {}))
    assert found == ["[NET-05] no flow log attached; expected one with traffic type ALL"]


def test_ep_01_stack_policy_follows_sdk_property_dependencies() -> None:
    resources = stack_resources()
    gateway = next(r for r in resources if r.name == "endpoints-s3")
    gateway.props = {**gateway.props, "routeTableIds": [UNKNOWN, UNKNOWN, UNKNOWN]}
    assert violations(policy("ep-s3-gateway-routes"), StackValidationArgs(resources, {})) == []

"""Test helpers of the network and endpoint units: the rendered dev network, and small literal networks."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ai_security_baseline.components import documents
from ai_security_baseline.controls import kit, registry, vocabulary
from ai_security_baseline.controls.net import common as net
from ai_security_baseline.controls.testing import changed, res
from ai_security_baseline.controls.testing import graph as literal_graph
from ai_security_baseline.controls.vocabulary import (
    AWS_OWNED_BUCKETS,
    ENDPOINT,
    KMS_ALIAS,
    KMS_KEY,
    MANAGED_POLICY,
    NACL_ASSOCIATION,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_GROUP,
    SG_EGRESS,
    SG_EXCLUSIVE,
    SG_INGRESS,
    SG_RULE,
)
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.offline import stack_config

#: Every rule of the NET and EP units.
NETWORK_RULES: tuple[kit.Rule, ...] = tuple(u.load("rule").RULE for u in registry.units() if u.area in ("NET", "EP"))
RT_ASSOC = ROUTE_TABLE_ASSOCIATION
NACL_ASSOC = NACL_ASSOCIATION
KEY = KMS_KEY
SG = SECURITY_GROUP
SG_RULE_TYPES = (SG_INGRESS, SG_EGRESS, SG_RULE)
RULES_EXCLUSIVE = SG_EXCLUSIVE
VPC_CIDR = "10.42.0.0/16"
FLOW_LOG_ROLE = "network-flow-logs"
BOUNDARY = MANAGED_POLICY


def dev_network(**changes: Any) -> dict[str, Any]:
    """Override of the dev stack's ``baseline:network`` with ``changes`` and its other keys kept (its bedrock bundle
    goes with its Bedrock allowlist: dropping one alone is a config error)."""
    return {"baseline:network": {**stack_config("dev")["baseline:network"], **changes}}


def only_network(graph: ResourceGraph, type_token: str) -> Resource:
    """The one resource of a type in the network components (the audit trail has its own log group and role)."""
    found = [r for r in graph.by_type(type_token) if "$baseline:network:" in r.urn]
    assert len(found) == 1, f"expected one {type_token} in the network components, found {len(found)}"
    return found[0]


def policy_document(resource: Resource, key: str = "policy") -> dict[str, Any]:
    document = json.loads(resource.inputs[key])
    assert isinstance(document, dict)
    return document


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def interface_endpoints_in(graph: ResourceGraph) -> list[Resource]:
    return [e for e in graph.by_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]


def s3_gateway(graph: ResourceGraph) -> Resource:
    gateways = [e for e in graph.by_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert len(gateways) == 1
    return gateways[0]


def expected_ids(graph: ResourceGraph, type_token: str) -> list[str]:
    return sorted(r.id for r in graph.by_type(type_token))


AWS_OWNED_SIDS = {entry.sid for entry in AWS_OWNED_BUCKETS}
ACCOUNT = "111122223333"
REGION = "eu-west-1"
CIDR = "10.0.0.0/16"
LOGS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/logs-1"
DATA_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/data-1"
GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/vpc-flow-logs"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-vpc-flow-logs"


S3_RANGE = "3.5.64.0/21"
UNKNOWN = kit.UNKNOWN


def trust_policy() -> str:
    return json.dumps(documents.flow_log_trust_policy(partition="aws", region=REGION, account_id=ACCOUNT))


def s3_policy(org_id: str | None = None) -> str:
    doc = documents.s3_gateway_endpoint_policy(partition="aws", region=REGION, account_id=ACCOUNT, org_id=org_id)
    return json.dumps(doc)


def interface_endpoint(service: str, **overrides: Any) -> kit.Res:
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
    return res(vocabulary.ENDPOINT, f"ep-{service}", **props)


def nacl_rule(name: str, egress: bool, protocol: str, cidr: str, ports: tuple[int, int]) -> kit.Res:
    return res(
        vocabulary.NACL_RULE,
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


def network() -> list[kit.Res]:
    """A compliant two-AZ network, linked by ids only (as a preview file of an existing stack is)."""
    return [
        res(
            vocabulary.VPC,
            "vpc",
            id="vpc-1",
            cidrBlock=CIDR,
            enableDnsSupport=True,
            enableDnsHostnames=True,
            ownerId=ACCOUNT,
            defaultNetworkAclId="acl-default",
            defaultSecurityGroupId="sg-default",
        ),
        res(vocabulary.SUBNET, "subnet-a", id="subnet-a", vpcId="vpc-1", availabilityZone="eu-west-1a"),
        res(vocabulary.SUBNET, "subnet-b", id="subnet-b", vpcId="vpc-1", availabilityZone="eu-west-1b"),
        res(vocabulary.ROUTE_TABLE, "rt-a", id="rtb-a", vpcId="vpc-1"),
        res(vocabulary.ROUTE_TABLE, "rt-b", id="rtb-b", vpcId="vpc-1"),
        res(vocabulary.ROUTE_TABLE_ASSOCIATION, "assoc-a", subnetId="subnet-a", routeTableId="rtb-a"),
        res(vocabulary.ROUTE_TABLE_ASSOCIATION, "assoc-b", subnetId="subnet-b", routeTableId="rtb-b"),
        res(vocabulary.DEFAULT_SG, "default-sg", id="sg-default", vpcId="vpc-1", ingress=[], egress=[]),
        res(
            vocabulary.DEFAULT_NACL,
            "default-nacl",
            id="acl-default",
            defaultNetworkAclId="acl-default",
            ingress=[],
            egress=[],
        ),
        res(vocabulary.NACL, "nacl", id="acl-1", vpcId="vpc-1"),
        nacl_rule("vpc-in", False, "-1", CIDR, (0, 0)),
        nacl_rule("vpc-out", True, "-1", CIDR, (0, 0)),
        nacl_rule("s3-out", True, "tcp", S3_RANGE, (443, 443)),
        nacl_rule("s3-return", False, "tcp", S3_RANGE, (1024, 65535)),
        res(KMS_KEY, "logs-key", arn=LOGS_KEY_ARN, keyId="logs-1"),
        res(KMS_KEY, "data-key", arn=DATA_KEY_ARN, keyId="data-1"),
        res(KMS_ALIAS, "logs-alias", name="alias/aisb-dev-logs", targetKeyId="logs-1"),
        res(KMS_ALIAS, "data-alias", name="alias/aisb-dev-data", targetKeyId="data-1"),
        res(vocabulary.LOG_GROUP, "flow-group", arn=GROUP_ARN, kmsKeyId=LOGS_KEY_ARN, retentionInDays=365),
        res(net.IAM_ROLE, "flow-role", arn=ROLE_ARN, assumeRolePolicy=trust_policy()),
        res(
            vocabulary.FLOW_LOG,
            "flow-log",
            vpcId="vpc-1",
            trafficType="ALL",
            logDestinationType="cloud-watch-logs",
            logDestination=GROUP_ARN,
            iamRoleArn=ROLE_ARN,
        ),
        res(
            vocabulary.ENDPOINT,
            "ep-s3",
            id="vpce-s3",
            vpcId="vpc-1",
            serviceName=f"com.amazonaws.{REGION}.s3",
            vpcEndpointType="Gateway",
            routeTableIds=["rtb-a", "rtb-b"],
            policy=s3_policy(),
        ),
        res(vocabulary.SECURITY_GROUP, "endpoint-sg", id="sg-ep", vpcId="vpc-1"),
        res(
            vocabulary.SG_INGRESS,
            "endpoint-https",
            securityGroupId="sg-ep",
            ipProtocol="tcp",
            fromPort=443,
            toPort=443,
            cidrIpv4=CIDR,
            securityGroupRuleId="sgr-1",
        ),
        res(
            vocabulary.SG_EXCLUSIVE, "endpoint-pin", securityGroupId="sg-ep", ingressRuleIds=["sgr-1"], egressRuleIds=[]
        ),
        *[interface_endpoint(service) for service in net.ML_CORE],
        *resolver_guards(),
    ]


QUERY_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/resolver-query-logs"


def resolver_guards() -> list[kit.Res]:
    """NET-06/NET-07 of the literal network: DNS Firewall allow-then-block, fail-closed; query logs delivered."""
    delivery = documents.query_log_delivery_policy(QUERY_GROUP_ARN, partition="aws", region=REGION, account_id=ACCOUNT)
    return [
        res(vocabulary.FIREWALL_DOMAIN_LIST, "allow-list", id="rslvr-fdl-allow", domains=["amazonaws.com"]),
        res(vocabulary.FIREWALL_DOMAIN_LIST, "block-list", id="rslvr-fdl-block", domains=["*"]),
        res(vocabulary.FIREWALL_RULE_GROUP, "dns-group", id="rslvr-frg-1"),
        res(
            vocabulary.FIREWALL_RULE,
            "dns-allow",
            firewallRuleGroupId="rslvr-frg-1",
            firewallDomainListId="rslvr-fdl-allow",
            action="ALLOW",
            priority=100,
        ),
        res(
            vocabulary.FIREWALL_RULE,
            "dns-block",
            firewallRuleGroupId="rslvr-frg-1",
            firewallDomainListId="rslvr-fdl-block",
            action="BLOCK",
            blockResponse="NXDOMAIN",
            priority=200,
        ),
        res(
            vocabulary.FIREWALL_ASSOCIATION,
            "dns-association",
            firewallRuleGroupId="rslvr-frg-1",
            vpcId="vpc-1",
            priority=200,
            mutationProtection="ENABLED",
        ),
        res(vocabulary.FIREWALL_CONFIG, "dns-config", resourceId="vpc-1", firewallFailOpen="DISABLED"),
        res(vocabulary.LOG_GROUP, "query-group", arn=QUERY_GROUP_ARN, kmsKeyId=LOGS_KEY_ARN, retentionInDays=365),
        res(vocabulary.LOG_RESOURCE_POLICY, "query-delivery", policyDocument=json.dumps(delivery)),
        res(vocabulary.QUERY_LOG_CONFIG, "query-config", id="rslvr-qlc-1", destinationArn=QUERY_GROUP_ARN),
        res(
            vocabulary.QUERY_LOG_ASSOCIATION,
            "query-association",
            resolverQueryLogConfigId="rslvr-qlc-1",
            resourceId="vpc-1",
        ),
    ]


def outcomes(rule_name: str, graph: Sequence[kit.Res]) -> list[kit.Outcome]:
    rule = next(r for r in registry.rules() if r.name == rule_name)
    found: list[kit.Outcome] = rule.evaluate(graph)
    return found


def statuses(rule_name: str, graph: Sequence[kit.Res], control: str) -> set[str]:
    return {o.status for o in outcomes(rule_name, graph) if o.control == control}


def failure(rule_name: str, graph: Sequence[kit.Res], control: str) -> str:
    """The messages of the rule's failing outcomes for ``control`` (asserts there is one)."""
    failed = [o.message for o in outcomes(rule_name, graph) if o.control == control and o.status == "fail"]
    assert failed, f"{rule_name} did not fail {control}"
    return " | ".join(failed)


def codeartifact_gateway(region: str, bucket: str) -> list[kit.Res]:
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
    return changed(network(), "ep-s3", policy=json.dumps(doc), serviceName=f"com.amazonaws.{region}.s3")


def mutated(
    graph: ResourceGraph,
    drop: str = "",
    add: Sequence[Resource] = (),
    changes: Mapping[str, Mapping[str, Any]] | None = None,
) -> ResourceGraph:
    """The graph without resources of type ``drop``, plus ``add``, with ``changes`` (logical name -> inputs)."""

    def edit(r: Resource) -> Resource:
        new = (changes or {}).get(r.name)
        return dataclasses.replace(r, inputs={**r.inputs, **new}, outputs={**r.outputs, **new}) if new else r

    kept = [edit(r) for r in graph if r.type != drop]
    return literal_graph([*kept, *add])


def failed_controls(graph: ResourceGraph) -> set[str]:
    return {f.control for f in scan_rules(graph, NETWORK_RULES) if f.status != "pass"}

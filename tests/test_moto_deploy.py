"""MotoMocks: the dev stack deploys into moto; every resource type reads back as the graph declared it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.demo import Deployment
from ai_security_baseline.verify.emulator.deploy import (
    HANDLERS,
    MotoDeployError,
    MotoMocks,
    PolicyDocumentError,
    check_policy_json,
    handled_types,
)
from ai_security_baseline.verify.emulator.server import MotoServer, single_host
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from tests.moto_support import client, deploy_dev

#: Every custom type the moto engine deploys (the dev graph's and those identity/audit will add).
COVERED_TYPES = [
    "aws:accessanalyzer/analyzer:Analyzer",
    "aws:bedrock/guardrail:Guardrail",
    "aws:bedrock/guardrailVersion:GuardrailVersion",
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
    "aws:cfg/deliveryChannel:DeliveryChannel",
    "aws:cfg/recorder:Recorder",
    "aws:cfg/recorderStatus:RecorderStatus",
    "aws:cfg/rule:Rule",
    "aws:cloudtrail/trail:Trail",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:ebs/defaultKmsKey:DefaultKmsKey",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/networkAclAssociation:NetworkAclAssociation",
    "aws:ec2/networkAclRule:NetworkAclRule",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive",
    "aws:guardduty/detector:Detector",
    "aws:guardduty/detectorFeature:DetectorFeature",
    "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:kms/alias:Alias",
    "aws:kms/key:Key",
    "aws:route53/resolverFirewallConfig:ResolverFirewallConfig",
    "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList",
    "aws:route53/resolverFirewallRule:ResolverFirewallRule",
    "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup",
    "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation",
    "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig",
    "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:sagemaker/domain:Domain",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:sagemaker/userProfile:UserProfile",
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:securityhub/account:Account",
    "aws:securityhub/standardsSubscription:StandardsSubscription",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
]


@pytest.fixture(scope="module")
def deployed(moto_server: MotoServer) -> Deployment:
    return deploy_dev(moto_server)


@pytest.fixture(scope="module")
def offline_types(dev_graph: ResourceGraph) -> set[str]:
    graph = dev_graph
    return {r.type for r in graph.custom_resources() if not r.type.startswith("pulumi:providers:")}


def test_moto_handlers_cover_exactly_the_listed_types() -> None:
    assert handled_types() == COVERED_TYPES


def test_moto_every_custom_type_of_the_dev_graph_has_a_handler(offline_types: set[str]) -> None:
    assert offline_types - set(handled_types()) == set()


def test_moto_type_without_handler_fails_closed_naming_the_type() -> None:
    mocks = MotoMocks("http://127.0.0.1:9", "eu-west-1")
    args = pulumi.runtime.MockResourceArgs("aws:ec2/internetGateway:InternetGateway", "igw", {}, "", "", True)
    with pytest.raises(MotoDeployError, match=r"aws:ec2/internetGateway:InternetGateway 'igw': no moto handler"):
        mocks.new_resource(args)
    assert [f.name for f in mocks.failures] == ["igw"]


ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"
ENDPOINT_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
STANDARD_ZONES = {"name": "opt-in-status", "values": ["opt-in-not-required"]}


def invoke(server: MotoServer, token: str, args: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = MotoMocks(server.endpoint_url, server.region).call(
        pulumi.runtime.MockCallArgs(token, args, "")
    )
    return answer


def test_net_02_moto_zones_invoke_honours_the_opt_in_filter(moto_server: MotoServer) -> None:
    standard = invoke(moto_server, ZONES, {"state": "available", "filters": [STANDARD_ZONES]})
    assert standard["names"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    local = invoke(moto_server, ZONES, {"state": "available", "filters": [{**STANDARD_ZONES, "values": ["opted-in"]}]})
    assert local["names"] == []


def test_net_02_moto_zones_invoke_refuses_a_filter_moto_cannot_answer(moto_server: MotoServer) -> None:
    with pytest.raises(MotoDeployError, match="moto cannot filter zones by 'group-name'"):
        invoke(moto_server, ZONES, {"filters": [{"name": "group-name", "values": ["eu-west-1"]}]})


def test_net_02_moto_endpoint_service_invoke_returns_the_zones_it_is_offered_in(moto_server: MotoServer) -> None:
    answer = invoke(
        moto_server, ENDPOINT_SERVICE, {"serviceName": "com.amazonaws.eu-west-1.sts", "serviceType": "Interface"}
    )
    assert answer["availabilityZones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert answer["serviceName"] == "com.amazonaws.eu-west-1.sts"


def test_net_02_moto_endpoint_service_invoke_fails_closed_on_an_unknown_service(moto_server: MotoServer) -> None:
    with pytest.raises(MotoDeployError, match=r"com\.amazonaws\.eu-west-1\.s3-express"):
        invoke(moto_server, ENDPOINT_SERVICE, {"serviceName": "com.amazonaws.eu-west-1.s3-express"})


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}), "Version"),
        (json.dumps({"Version": "2012-10-17", "Statement": []}), "no Statement"),
        (
            json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}
            ),
            "Effect",
        ),
        (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}), "no Resource"),
    ],
)
def test_moto_invalid_policy_is_refused_before_it_reaches_moto(document: str, error: str) -> None:
    with pytest.raises(PolicyDocumentError, match=error):
        check_policy_json(document, "bucket policy of b")


def test_moto_bucket_policy_without_principal_is_refused() -> None:
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    )
    with pytest.raises(PolicyDocumentError, match="no Principal"):
        check_policy_json(document, "bucket policy of b", resource_based=True)


def test_moto_dependent_resources_receive_moto_ids(deployed: Deployment, moto_server: MotoServer) -> None:
    vpc = deployed.run.graph.one("aws:ec2/vpc:Vpc", "network-vpc")
    subnets = deployed.run.graph.by_type("aws:ec2/subnet:Subnet")
    described = client(moto_server, "ec2").describe_vpcs(VpcIds=[vpc.id])["Vpcs"]
    assert [v["CidrBlock"] for v in described] == [vpc.inputs["cidrBlock"]]
    assert {s.inputs["vpcId"] for s in subnets} == {vpc.id}


def test_moto_stack_exports_carry_the_emulated_account(deployed: Deployment, moto_server: MotoServer) -> None:
    account = client(moto_server, "sts").get_caller_identity()["Account"]
    assert deployed.run.exports["dataKeyArn"].startswith(f"arn:aws:kms:eu-west-1:{account}:key/")


# ---- round trip: what moto holds is what the graph declared ------------------------------------------------

Reader = Callable[[MotoServer, Resource], tuple[Any, Any]]


def _ec2(server: MotoServer) -> Any:
    return client(server, "ec2")


def _s3(server: MotoServer, call: str, r: Resource) -> Any:
    return getattr(client(server, "s3"), call)(Bucket=r.inputs["bucket"])


def _acl_entries(server: MotoServer, acl_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _ec2(server).describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0][
        "Entries"
    ]
    return entries


def _pick(item: dict[str, Any], *keys: str) -> tuple[Any, ...]:
    return tuple(item[k] for k in keys)


def _policy(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else text


def _endpoint(server: MotoServer, endpoint_id: str) -> tuple[Any, ...]:
    endpoint = _ec2(server).describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
    return endpoint["ServiceName"], endpoint["VpcEndpointType"], _policy(endpoint["PolicyDocument"])


#: Security-group rule inputs and where moto reports each; only the inputs a rule sets are compared.
SG_RULE_FIELDS = {
    "ipProtocol": ("IpProtocol",),
    "fromPort": ("FromPort",),
    "toPort": ("ToPort",),
    "cidrIpv4": ("CidrIpv4",),
    "prefixListId": ("PrefixListId",),
    "referencedSecurityGroupId": ("ReferencedGroupInfo", "GroupId"),
}


def _sg_rule(server: MotoServer, r: Resource) -> tuple[Any, ...]:
    rule = _ec2(server).describe_security_group_rules(SecurityGroupRuleIds=[r.id])["SecurityGroupRules"][0]
    declared, actual = [], []
    for key, path in SG_RULE_FIELDS.items():
        if key in r.inputs:
            declared.append(r.inputs[key])
            value: Any = rule
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            actual.append(value)
    return tuple(declared), tuple(actual)


def _config_recorder(server: MotoServer, name: str) -> dict[str, Any]:
    recorder = client(server, "config").describe_configuration_recorders(ConfigurationRecorderNames=[name])
    found = recorder["ConfigurationRecorders"][0]
    return {**found, "resourceTypes": sorted(found["recordingGroup"]["resourceTypes"])}


def _ebs_default_key(server: MotoServer) -> str:
    """What an encrypted volume created without a key gets (verify/emulator/launch.py answers the Get as well)."""
    ec2 = _ec2(server)
    zone = ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"]
    volume = ec2.create_volume(AvailabilityZone=zone, Size=1, Encrypted=True)
    ec2.delete_volume(VolumeId=volume["VolumeId"])
    return str(volume["KmsKeyId"])


def _policy_version(server: MotoServer, arn: str) -> Any:
    iam = client(server, "iam")
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return _policy(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def _topic_attribute(server: MotoServer, arn: str, name: str) -> Any:
    return client(server, "sns").get_topic_attributes(TopicArn=arn)["Attributes"].get(name)


#: Types moto holds no API for (DNS Firewall, NET-06): the deploy checks and records them, nothing reads them back.
NOT_IN_MOTO = {
    "aws:accessanalyzer/analyzer:Analyzer",
    "aws:bedrock/guardrail:Guardrail",
    "aws:bedrock/guardrailVersion:GuardrailVersion",
    "aws:sagemaker/userProfile:UserProfile",
    "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan",
    "aws:securityhub/standardsSubscription:StandardsSubscription",
    "aws:route53/resolverFirewallConfig:ResolverFirewallConfig",
    "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList",
    "aws:route53/resolverFirewallRule:ResolverFirewallRule",
    "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup",
    "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation",
}


def _event_rule(server: MotoServer, name: str) -> tuple[Any, ...]:
    rule = client(server, "events").describe_rule(Name=name)
    return rule["Name"], _policy(rule["EventPattern"]), rule["State"]


def _invocation_logging(server: MotoServer) -> tuple[Any, ...]:
    config = client(server, "bedrock").get_model_invocation_logging_configuration()["loggingConfig"]
    return (
        config["s3Config"]["bucketName"],
        config["cloudWatchConfig"]["logGroupName"],
        config["cloudWatchConfig"]["roleArn"],
        config["textDataDeliveryEnabled"],
    )


def _log_resource_policy(server: MotoServer, name: str) -> Any:
    policies = client(server, "logs").describe_resource_policies()["resourcePolicies"]
    return _policy(next(p["policyDocument"] for p in policies if p["policyName"] == name))


READERS: dict[str, Reader] = {
    "aws:ec2/vpc:Vpc": lambda s, r: (
        r.inputs["cidrBlock"],
        _ec2(s).describe_vpcs(VpcIds=[r.id])["Vpcs"][0]["CidrBlock"],
    ),
    "aws:ec2/subnet:Subnet": lambda s, r: (
        (r.inputs["cidrBlock"], r.inputs["availabilityZone"], False),
        _pick(
            _ec2(s).describe_subnets(SubnetIds=[r.id])["Subnets"][0],
            "CidrBlock",
            "AvailabilityZone",
            "MapPublicIpOnLaunch",
        ),
    ),
    "aws:ec2/routeTable:RouteTable": lambda s, r: (
        r.inputs["vpcId"],
        _ec2(s).describe_route_tables(RouteTableIds=[r.id])["RouteTables"][0]["VpcId"],
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": lambda s, r: (
        [r.inputs["subnetId"]],
        [
            a["SubnetId"]
            for a in _ec2(s).describe_route_tables(RouteTableIds=[r.inputs["routeTableId"]])["RouteTables"][0][
                "Associations"
            ]
            if a.get("RouteTableAssociationId") == r.id
        ],
    ),
    "aws:ec2/networkAcl:NetworkAcl": lambda s, r: (
        r.inputs["vpcId"],
        _ec2(s).describe_network_acls(NetworkAclIds=[r.id])["NetworkAcls"][0]["VpcId"],
    ),
    "aws:ec2/networkAclRule:NetworkAclRule": lambda s, r: (
        [(r.inputs["cidrBlock"], r.inputs["ruleAction"], r.inputs["protocol"])],
        [
            (e["CidrBlock"], e["RuleAction"], e["Protocol"])
            for e in _acl_entries(s, r.inputs["networkAclId"])
            if e["RuleNumber"] == r.inputs["ruleNumber"] and e["Egress"] is bool(r.inputs.get("egress"))
        ],
    ),
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": lambda s, r: (
        [r.inputs["networkAclId"]],
        [
            a["NetworkAclId"]
            for a in _ec2(s).describe_network_acls(NetworkAclIds=[r.inputs["networkAclId"]])["NetworkAcls"][0][
                "Associations"
            ]
            if a["SubnetId"] == r.inputs["subnetId"]
        ],
    ),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": lambda s, r: (
        [32767, 32767],
        [e["RuleNumber"] for e in _acl_entries(s, r.id)],
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": lambda s, r: (
        ([], []),
        _pick(
            _ec2(s).describe_security_groups(GroupIds=[r.id])["SecurityGroups"][0],
            "IpPermissions",
            "IpPermissionsEgress",
        ),
    ),
    "aws:ec2/securityGroup:SecurityGroup": lambda s, r: (
        (r.inputs["name"], r.inputs["description"], r.inputs["vpcId"]),
        _pick(
            _ec2(s).describe_security_groups(GroupIds=[r.id])["SecurityGroups"][0], "GroupName", "Description", "VpcId"
        ),
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule,
    "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive": lambda s, r: (
        sorted(r.inputs["ingressRuleIds"] + r.inputs["egressRuleIds"]),
        sorted(
            g["SecurityGroupRuleId"]
            for g in _ec2(s).describe_security_group_rules(
                Filters=[{"Name": "group-id", "Values": [r.inputs["securityGroupId"]]}]
            )["SecurityGroupRules"]
        ),
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": lambda s, r: (
        (r.inputs["serviceName"], r.inputs["vpcEndpointType"], _policy(r.inputs["policy"])),
        _endpoint(s, r.id),
    ),
    "aws:ec2/flowLog:FlowLog": lambda s, r: (
        (r.inputs["trafficType"], r.inputs["iamRoleArn"], r.inputs["vpcId"]),
        _pick(
            _ec2(s).describe_flow_logs(FlowLogIds=[r.id])["FlowLogs"][0],
            "TrafficType",
            "DeliverLogsPermissionArn",
            "ResourceId",
        ),
    ),
    "aws:cfg/recorder:Recorder": lambda s, r: (
        (r.inputs["roleArn"], sorted(r.inputs["recordingGroup"]["resourceTypes"])),
        _pick(_config_recorder(s, r.id), "roleARN", "resourceTypes"),
    ),
    "aws:cfg/deliveryChannel:DeliveryChannel": lambda s, r: (
        (r.inputs["s3BucketName"], r.inputs["s3KeyPrefix"], r.inputs["s3KmsKeyArn"]),
        _pick(
            client(s, "config").describe_delivery_channels(DeliveryChannelNames=[r.id])["DeliveryChannels"][0],
            "s3BucketName",
            "s3KeyPrefix",
            "s3KmsKeyArn",
        ),
    ),
    "aws:cfg/recorderStatus:RecorderStatus": lambda s, r: (
        True,
        client(s, "config").describe_configuration_recorder_status(ConfigurationRecorderNames=[r.id])[
            "ConfigurationRecordersStatus"
        ][0]["recording"],
    ),
    "aws:cfg/rule:Rule": lambda s, r: (
        r.inputs["source"]["sourceIdentifier"],
        client(s, "config").describe_config_rules(ConfigRuleNames=[r.id])["ConfigRules"][0]["Source"][
            "SourceIdentifier"
        ],
    ),
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": lambda s, r: (
        {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
        single_host(client(s, "s3control")).get_public_access_block(AccountId=r.id)["PublicAccessBlockConfiguration"],
    ),
    "aws:ebs/encryptionByDefault:EncryptionByDefault": lambda s, r: (
        True,
        _ec2(s).get_ebs_encryption_by_default()["EbsEncryptionByDefault"],
    ),
    "aws:ebs/defaultKmsKey:DefaultKmsKey": lambda s, r: (
        r.inputs["keyArn"],
        _ebs_default_key(s),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": lambda s, r: (
        [r.inputs["policyArn"]],
        [
            p["PolicyArn"]
            for p in client(s, "iam").list_attached_role_policies(RoleName=r.inputs["role"])["AttachedPolicies"]
            if p["PolicyArn"] == r.inputs["policyArn"]
        ],
    ),
    "aws:kms/key:Key": lambda s, r: (
        (_policy(r.inputs["policy"]), True),
        (
            _policy(client(s, "kms").get_key_policy(KeyId=r.id, PolicyName="default")["Policy"]),
            client(s, "kms").get_key_rotation_status(KeyId=r.id)["KeyRotationEnabled"],
        ),
    ),
    "aws:kms/alias:Alias": lambda s, r: (
        [r.inputs["targetKeyId"]],
        [a["TargetKeyId"] for a in client(s, "kms").list_aliases()["Aliases"] if a["AliasName"] == r.id],
    ),
    "aws:s3/bucket:Bucket": lambda s, r: (
        r.outputs["bucket"],
        client(s, "s3").head_bucket(Bucket=r.outputs["bucket"])["ResponseMetadata"]["HTTPStatusCode"] == 200
        and r.outputs["bucket"],
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": lambda s, r: (
        {k[0].upper() + k[1:]: v for k, v in r.inputs.items() if k != "bucket"},
        _s3(s, "get_public_access_block", r)["PublicAccessBlockConfiguration"],
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": lambda s, r: (
        r.inputs["rule"]["objectOwnership"],
        _s3(s, "get_bucket_ownership_controls", r)["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": lambda s, r: (
        r.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"],
        _s3(s, "get_bucket_encryption", r)["ServerSideEncryptionConfiguration"]["Rules"][0][
            "ApplyServerSideEncryptionByDefault"
        ]["SSEAlgorithm"],
    ),
    "aws:s3/bucketVersioning:BucketVersioning": lambda s, r: (
        r.inputs["versioningConfiguration"]["status"],
        _s3(s, "get_bucket_versioning", r)["Status"],
    ),
    "aws:s3/bucketLogging:BucketLogging": lambda s, r: (
        (r.inputs["targetBucket"], r.inputs["targetPrefix"]),
        _pick(_s3(s, "get_bucket_logging", r)["LoggingEnabled"], "TargetBucket", "TargetPrefix"),
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": lambda s, r: (
        sorted(rule["id"] for rule in r.inputs["rules"]),
        sorted(rule["ID"] for rule in _s3(s, "get_bucket_lifecycle_configuration", r)["Rules"]),
    ),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": lambda s, r: (
        (r.inputs["rule"]["defaultRetention"]["mode"], r.inputs["rule"]["defaultRetention"]["days"]),
        _pick(
            _s3(s, "get_object_lock_configuration", r)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"],
            "Mode",
            "Days",
        ),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": lambda s, r: (
        _policy(r.inputs["policy"]),
        _policy(_s3(s, "get_bucket_policy", r)["Policy"]),
    ),
    "aws:cloudtrail/trail:Trail": lambda s, r: (
        (r.inputs["name"], True, True, r.inputs["kmsKeyId"]),
        _pick(
            client(s, "cloudtrail").describe_trails(trailNameList=[r.id])["trailList"][0],
            "Name",
            "IsMultiRegionTrail",
            "LogFileValidationEnabled",
            "KmsKeyId",
        ),
    ),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": lambda s, r: (
        (r.inputs["name"], r.inputs["logGroupName"], r.inputs["pattern"]),
        _pick(
            client(s, "logs").describe_metric_filters(filterNamePrefix=r.inputs["name"])["metricFilters"][0],
            "filterName",
            "logGroupName",
            "filterPattern",
        ),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda s, r: (
        (r.inputs["name"], r.inputs["metricName"], r.inputs["alarmActions"]),
        _pick(
            client(s, "cloudwatch").describe_alarms(AlarmNames=[r.inputs["name"]])["MetricAlarms"][0],
            "AlarmName",
            "MetricName",
            "AlarmActions",
        ),
    ),
    "aws:iam/policy:Policy": lambda s, r: (_policy(r.inputs["policy"]), _policy_version(s, r.id)),
    "aws:sns/topic:Topic": lambda s, r: (r.inputs["kmsMasterKeyId"], _topic_attribute(s, r.id, "KmsMasterKeyId")),
    "aws:sns/topicPolicy:TopicPolicy": lambda s, r: (
        _policy(r.inputs["policy"]),
        _policy(_topic_attribute(s, r.inputs["arn"], "Policy")),
    ),
    "aws:iam/role:Role": lambda s, r: (
        _policy(r.inputs["assumeRolePolicy"]),
        _policy(client(s, "iam").get_role(RoleName=r.id)["Role"]["AssumeRolePolicyDocument"]),
    ),
    "aws:iam/rolePolicy:RolePolicy": lambda s, r: (
        _policy(r.inputs["policy"]),
        _policy(
            client(s, "iam").get_role_policy(RoleName=r.inputs["role"], PolicyName=r.inputs["name"])["PolicyDocument"]
        ),
    ),
    "aws:cloudwatch/logGroup:LogGroup": lambda s, r: (
        (r.inputs["kmsKeyId"], r.inputs["retentionInDays"]),
        _pick(
            client(s, "logs").describe_log_groups(logGroupNamePrefix=r.id)["logGroups"][0],
            "kmsKeyId",
            "retentionInDays",
        ),
    ),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": lambda s, r: (
        r.inputs["modelPackageGroupName"],
        client(s, "sagemaker").describe_model_package_group(ModelPackageGroupName=r.id)["ModelPackageGroupName"],
    ),
    "aws:secretsmanager/secret:Secret": lambda s, r: (
        (r.inputs["name"], r.inputs["kmsKeyId"]),
        _pick(client(s, "secretsmanager").describe_secret(SecretId=r.id), "Name", "KmsKeyId"),
    ),
    "aws:sagemaker/domain:Domain": lambda s, r: (
        (r.inputs["appNetworkAccessType"], r.inputs["kmsKeyId"], r.inputs["subnetIds"]),
        _pick(client(s, "sagemaker").describe_domain(DomainId=r.id), "AppNetworkAccessType", "KmsKeyId", "SubnetIds"),
    ),
    "aws:guardduty/detector:Detector": lambda s, r: (
        ("ENABLED" if r.inputs["enable"] else "DISABLED", r.inputs["findingPublishingFrequency"]),
        _pick(client(s, "guardduty").get_detector(DetectorId=r.id), "Status", "FindingPublishingFrequency"),
    ),
    "aws:guardduty/detectorFeature:DetectorFeature": lambda s, r: (
        {"Name": r.inputs["name"], "Status": r.inputs["status"]},
        next(
            f
            for f in client(s, "guardduty").get_detector(DetectorId=r.inputs["detectorId"])["Features"]
            if f["Name"] == r.inputs["name"]
        ),
    ),
    "aws:securityhub/account:Account": lambda s, r: (
        r.inputs["controlFindingGenerator"],
        client(s, "securityhub").describe_hub()["ControlFindingGenerator"],
    ),
    "aws:secretsmanager/secretPolicy:SecretPolicy": lambda s, r: (
        _policy(r.inputs["policy"]),
        _policy(client(s, "secretsmanager").get_resource_policy(SecretId=r.id)["ResourcePolicy"]),
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": lambda s, r: (
        _policy(r.inputs["policyDocument"]),
        _log_resource_policy(s, r.inputs["policyName"]),
    ),
    "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig": lambda s, r: (
        (r.inputs["name"], r.inputs["destinationArn"]),
        _pick(
            client(s, "route53resolver").get_resolver_query_log_config(ResolverQueryLogConfigId=r.id)[
                "ResolverQueryLogConfig"
            ],
            "Name",
            "DestinationArn",
        ),
    ),
    "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation": lambda s, r: (
        (r.inputs["resolverQueryLogConfigId"], r.inputs["resourceId"]),
        _pick(
            client(s, "route53resolver").get_resolver_query_log_config_association(
                ResolverQueryLogConfigAssociationId=r.id
            )["ResolverQueryLogConfigAssociation"],
            "ResolverQueryLogConfigId",
            "ResourceId",
        ),
    ),
    "aws:cloudwatch/eventRule:EventRule": lambda s, r: (
        (r.inputs["name"], _policy(r.inputs["eventPattern"]), r.inputs["state"]),
        _event_rule(s, r.inputs["name"]),
    ),
    "aws:cloudwatch/eventTarget:EventTarget": lambda s, r: (
        [(r.inputs["targetId"], r.inputs["arn"])],
        [(t["Id"], t["Arn"]) for t in client(s, "events").list_targets_by_rule(Rule=r.inputs["rule"])["Targets"]],
    ),
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration": lambda s, r: (
        (
            r.inputs["loggingConfig"]["s3Config"]["bucketName"],
            r.inputs["loggingConfig"]["cloudwatchConfig"]["logGroupName"],
            r.inputs["loggingConfig"]["cloudwatchConfig"]["roleArn"],
            True,
        ),
        _invocation_logging(s),
    ),
}


def test_moto_round_trip_readers_cover_every_dev_type_moto_holds(offline_types: set[str]) -> None:
    assert offline_types - NOT_IN_MOTO == set(READERS)
    assert offline_types >= NOT_IN_MOTO


def test_moto_emulated_resources_are_recorded_with_the_arns_the_stack_exports(deployed: Deployment) -> None:
    exports = deployed.run.exports
    recorded = {(typ, arn) for typ, _, arn in deployed.mocks.emulated}
    assert recorded == {
        ("aws:accessanalyzer/analyzer:Analyzer", exports["accessAnalyzerArn"]),
        *(
            ("aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan", a)
            for a in exports["malwareProtectionPlanArns"].values()
        ),
        *(
            ("aws:securityhub/standardsSubscription:StandardsSubscription", a)
            for a in exports["securityHubStandardsArns"].values()
        ),
        (
            "aws:sagemaker/userProfile:UserProfile",
            deployed.mocks.arn("sagemaker", f"user-profile/{exports['studio']['domainId']}/data-scientist"),
        ),
        ("aws:bedrock/guardrail:Guardrail", exports["guardrail"]["arn"]),
        ("aws:bedrock/guardrailVersion:GuardrailVersion", exports["guardrail"]["versionArn"]),
    }


@pytest.mark.parametrize("type_token", sorted(READERS))
def test_moto_resource_type_reads_back_as_declared(
    type_token: str, deployed: Deployment, moto_server: MotoServer
) -> None:
    resources = deployed.run.graph.by_type(type_token)
    assert resources, f"the dev graph has no {type_token}"
    pairs = [READERS[type_token](moto_server, r) for r in resources]
    assert [declared for declared, _ in pairs] == [read for _, read in pairs]


def _handle(server_url: str, type_token: str, inputs: dict[str, Any]) -> None:
    HANDLERS[type_token](MotoMocks(server_url, "eu-west-1"), "probe", inputs)


@pytest.mark.parametrize(
    ("type_token", "inputs", "refusal"),
    [
        (vocabulary.FIREWALL_DOMAIN_LIST, {"domains": ["exa mple.com"]}, "not a DNS Firewall domain specification"),
        (
            vocabulary.FIREWALL_ASSOCIATION,
            {"firewallRuleGroupId": "rslvr-frg-1", "vpcId": "vpc-1", "priority": 99},
            "Priority 99 is not between 100 and 9900",
        ),
        (
            vocabulary.FIREWALL_RULE,
            {"firewallRuleGroupId": "g", "firewallDomainListId": "l", "action": "BLOCK", "priority": 1},
            "a BLOCK rule needs BlockResponse",
        ),
        (vocabulary.FIREWALL_CONFIG, {"resourceId": "vpc-1", "firewallFailOpen": "YES"}, "FirewallFailOpen 'YES'"),
    ],
)
def test_net_06_moto_deploy_refuses_what_aws_refuses(type_token: str, inputs: dict[str, Any], refusal: str) -> None:
    with pytest.raises(MotoDeployError, match=re.escape(refusal)):
        _handle("http://127.0.0.1:9", type_token, inputs)


def test_net_07_moto_deploy_refuses_a_query_log_config_no_resource_policy_admits(
    deployed: Deployment, moto_server: MotoServer
) -> None:
    account = str(deployed.run.exports["trailArn"]).split(":")[4]
    other = f"arn:aws:logs:eu-west-1:{account}:log-group:/elsewhere"
    with pytest.raises(MotoDeployError, match="AccessDeniedException: AWS would refuse this create"):
        _handle(moto_server.endpoint_url, vocabulary.QUERY_LOG_CONFIG, {"name": "x", "destinationArn": other})

"""Pulumi mocks with realistic, deterministic outputs per resource type; fail closed otherwise.

Ids and ARNs are derived from a hash of type and logical name, so two runs of the same program
produce byte-identical graphs, and they carry the configured partition, region and account.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ai_security_baseline.controls.vocabulary import KNOWN_ENDPOINT_SERVICES, endpoint_policy_supported

#: AZ counts of regions with more than three zones; every other region answers three.
REGION_AZ_COUNTS: dict[str, int] = {"us-east-1": 6, "us-west-2": 4, "ap-northeast-1": 3}


#: Stand-in public ranges of the regional S3 prefix list (shape and count like AWS's, values fake).
S3_PREFIX_LIST_CIDRS: tuple[str, ...] = ("52.218.0.0/17", "3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17")


class UnsupportedMockError(NotImplementedError):
    """A resource type or invoke the offline engine has no faithful answer for."""


@dataclass(frozen=True)
class FakeAccount:
    """The emulated account the offline engine answers invokes from.

    ``local_zones``: opted-in Local Zones (e.g. ``us-west-2-lax-1a``), which AWS lists with the AZs unless
    filtered by ``opt-in-status``. ``service_zones``: interface service -> the AZs it is offered in (default:
    every standard AZ).
    """

    account_id: str = "111122223333"
    region: str = "eu-west-1"
    partition: str = "aws"
    zone_count: int | None = None
    local_zones: tuple[str, ...] = ()
    service_zones: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    #: The ARN ``get_caller_identity`` answers (an IAM user, or an ``assumed-role`` session of a role at path ``/``).
    caller: str | None = None
    #: Whether the region still has its default VPC (AWS creates one per region; an account may have deleted it).
    default_vpc: bool = True

    @property
    def default_vpc_id(self) -> str:
        return _ec2_id("vpc", "default-vpc", self.region)

    @property
    def caller_arn(self) -> str:
        return self.caller or f"arn:{self.partition}:iam::{self.account_id}:user/offline-deployer"

    @property
    def zones(self) -> list[str]:
        """The standard AZs (opt-in not required)."""
        count = self.zone_count or REGION_AZ_COUNTS.get(self.region, 3)
        return [f"{self.region}{chr(ord('a') + i)}" for i in range(count)]

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        acct = self.account_id if account else ""
        return f"arn:{self.partition}:{service}:{region}:{acct}:{resource}"


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(hex=hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]))


Outputs = tuple[str, dict[str, Any]]
Template = Callable[[FakeAccount, str, str, dict[str, Any]], Outputs]


def _kms_key(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    key_id = _uuid(typ, name)
    return key_id, {**inputs, "keyId": key_id, "arn": acct.arn("kms", f"key/{key_id}")}


def _kms_alias(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    alias = inputs.get("name") or f"alias/{name}"
    target = inputs.get("targetKeyId", "")
    return alias, {
        **inputs,
        "name": alias,
        "arn": acct.arn("kms", alias),
        "targetKeyArn": acct.arn("kms", f"key/{target}"),
    }


def _s3_bucket(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """id = bucket name; without an explicit ``bucket``, Pulumi-style autoname ``<logical>-<7 hex>``."""
    bucket = inputs.get("bucket") or f"{name}-{_digest(typ, name, length=7)}"
    return bucket, {
        **inputs,
        "bucket": bucket,
        "arn": f"arn:{acct.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{acct.region}.amazonaws.com",
        "region": acct.region,
        "forceDestroy": inputs.get("forceDestroy", False),
        "objectLockEnabled": inputs.get("objectLockEnabled", False),
    }


def _s3_bucket_side(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """Bucket side resources (policy, PAB, SSE, versioning, ...): AWS and the provider use the bucket name as id."""
    bucket = inputs.get("bucket")
    if not bucket:
        raise UnsupportedMockError(f"{typ} {name!r} has no 'bucket' input")
    return str(bucket), {**inputs, "bucket": bucket}


def _secret(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """id = ARN; Secrets Manager appends '-' and six random characters to the name."""
    secret_name = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    arn = acct.arn("secretsmanager", f"secret:{secret_name}-{_digest(typ, name, length=6)}")
    return arn, {**inputs, "name": secret_name, "arn": arn}


def _secret_policy(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    secret_arn = inputs.get("secretArn")
    if not secret_arn:
        raise UnsupportedMockError(f"{typ} {name!r} has no 'secretArn' input")
    return str(secret_arn), dict(inputs)


def _provider(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    return _uuid(typ, name), dict(inputs)


# ---- network ---------------------------------------------------------------------------------


def _ec2_id(prefix: str, typ: str, name: str) -> str:
    """EC2-style id (``vpc-0a1b…``): prefix and 17 hex digits."""
    return f"{prefix}-{_digest(typ, name)}"


def _ec2(prefix: str, arn_kind: str | None = None, **extra: Callable[[str], Any]) -> Template:
    """Template for EC2 resources: prefixed id, ``arn`` (when the type has one), owner, extras of the id."""

    def template(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
        rid = _ec2_id(prefix, typ, name)
        outputs: dict[str, Any] = {**inputs, "id": rid}
        if arn_kind:
            outputs["arn"] = acct.arn("ec2", f"{arn_kind}/{rid}")
            outputs["ownerId"] = acct.account_id
        outputs |= {key: make(rid) for key, make in extra.items()}
        return rid, outputs

    return template


def _vpc(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    rid, outputs = _ec2("vpc", "vpc")(acct, typ, name, inputs)
    return rid, {
        **outputs,
        "defaultSecurityGroupId": _ec2_id("sg", typ, f"{name}/default"),
        "defaultNetworkAclId": _ec2_id("acl", typ, f"{name}/default"),
        "defaultRouteTableId": _ec2_id("rtb", typ, f"{name}/main"),
        "mainRouteTableId": _ec2_id("rtb", typ, f"{name}/main"),
        "dhcpOptionsId": _ec2_id("dopt", typ, name),
    }


def _default_network_acl(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    rid = str(inputs["defaultNetworkAclId"])  # adopts the VPC's default ACL: same id
    return rid, {**inputs, "id": rid, "arn": acct.arn("ec2", f"network-acl/{rid}"), "ownerId": acct.account_id}


def _security_group_rule(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    rid = _ec2_id("sgr", typ, name)
    return rid, {**inputs, "id": rid, "securityGroupRuleId": rid, "arn": acct.arn("ec2", f"security-group-rule/{rid}")}


def _rules_exclusive(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    return str(inputs["securityGroupId"]), dict(inputs)


def _vpc_endpoint(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    rid, outputs = _ec2("vpce", "vpc-endpoint")(acct, typ, name, inputs)
    outputs["state"] = "available"
    if inputs.get("vpcEndpointType") == "Gateway":
        outputs["prefixListId"] = _ec2_id("pl", typ, name)[:11]
        outputs["privateDnsEnabled"] = False
    else:
        subnets = list(inputs.get("subnetIds") or [])
        outputs["networkInterfaceIds"] = [_ec2_id("eni", typ, f"{name}/{s}") for s in subnets]
        outputs["dnsEntries"] = [
            {"dnsName": f"{rid}.{inputs.get('serviceName', '')}.vpce.amazonaws.com", "hostedZoneId": "Z0OFFLINE"}
        ]
    return rid, outputs


def _named(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """Resources AWS identifies by the name they are given (Config recorder, channel, recorder status)."""
    rid = str(inputs.get("name") or name)
    return rid, {**inputs, "id": rid}


def _config_rule(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    rid = str(inputs.get("name") or name)
    rule_id = "config-rule-" + _digest(typ, name, length=6)
    return rid, {**inputs, "id": rid, "ruleId": rule_id, "arn": acct.arn("config", f"config-rule/{rule_id}")}


def _account_setting(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """Account-wide settings (S3 account Block Public Access, EBS defaults): one per account and region."""
    rid = acct.account_id if typ.startswith("aws:s3/") else acct.region
    return rid, {**inputs, "id": rid, "accountId": acct.account_id}


def _role_policy_attachment(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    rid = f"{inputs.get('role')}-{_digest(typ, name, length=8)}"
    return rid, {**inputs, "id": rid}


def _log_group(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    group = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    return group, {**inputs, "name": group, "arn": acct.arn("logs", f"log-group:{group}")}


def _iam_role(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    role = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    return role, {
        **inputs,
        "name": role,
        "arn": f"arn:{acct.partition}:iam::{acct.account_id}:role{inputs.get('path', '/')}{role}",
        "uniqueId": "AROA" + _digest(typ, name, length=17).upper(),
        "createDate": "1970-01-01T00:00:00Z",
    }


def _iam_role_policy(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    policy = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    return f"{inputs.get('role', '')}:{policy}", {**inputs, "name": policy}


# ---- audit -----------------------------------------------------------------------------------


def _trail(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """id = ARN (``arn:<p>:cloudtrail:<region>:<account>:trail/<name>``); home region = the stack's region."""
    trail = inputs.get("name") or name
    arn = acct.arn("cloudtrail", f"trail/{trail}")
    return arn, {**inputs, "name": trail, "arn": arn, "homeRegion": acct.region}


def _sns_topic(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """id = ARN; an unnamed topic gets a Pulumi-style autoname."""
    topic = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    arn = acct.arn("sns", topic)
    return arn, {**inputs, "name": topic, "arn": arn, "owner": acct.account_id}


def _sns_topic_policy(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    topic_arn = inputs.get("arn")
    if not topic_arn:
        raise UnsupportedMockError(f"{typ} {name!r} has no 'arn' input")
    return str(topic_arn), {**inputs, "owner": acct.account_id}


def _metric_filter(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    metric_filter = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    return metric_filter, {**inputs, "name": metric_filter}


def _metric_alarm(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    alarm = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    return alarm, {**inputs, "name": alarm, "arn": acct.arn("cloudwatch", f"alarm:{alarm}")}


def _iam_policy(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """Managed policy: id = ARN (as the provider), ``policyId`` like AWS's ANPA… ids."""
    policy = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    arn = f"arn:{acct.partition}:iam::{acct.account_id}:policy{inputs.get('path', '/')}{policy}"
    return arn, {
        **inputs,
        "name": policy,
        "arn": arn,
        "path": inputs.get("path", "/"),
        "policyId": "ANPA" + _digest(typ, name, length=17).upper(),
        "attachmentCount": 0,
    }


# ---- detection -------------------------------------------------------------------------------


def _detector(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    detector = _digest(typ, name, length=32)
    return detector, {**inputs, "arn": acct.arn("guardduty", f"detector/{detector}"), "accountId": acct.account_id}


def _detector_feature(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    return f"{inputs.get('detectorId', '')}/{inputs.get('name', '')}", dict(inputs)


def _malware_plan(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    plan = _digest(typ, name, length=20)
    arn = acct.arn("guardduty", f"malware-protection-plan/{plan}")
    return plan, {**inputs, "arn": arn, "status": "ACTIVE", "createdAt": "1970-01-01T00:00:00Z"}


def _security_hub(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    return acct.account_id, {**inputs, "arn": acct.arn("securityhub", "hub/default")}


def _standards_subscription(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """id = the subscription ARN: the standard's path under ``subscription/`` in this account."""
    path = str(inputs.get("standardsArn", "")).split("::", 1)[-1].split("/", 1)[-1]
    arn = acct.arn("securityhub", f"subscription/{path}")
    return arn, dict(inputs)


def _analyzer(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    analyzer = inputs.get("analyzerName") or f"{name}-{_digest(typ, name, length=7)}"
    return analyzer, {**inputs, "analyzerName": analyzer, "arn": acct.arn("access-analyzer", f"analyzer/{analyzer}")}


def _studio_domain(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    domain = f"d-{_digest(typ, name, length=12)}"
    return domain, {**inputs, "id": domain, "arn": acct.arn("sagemaker", f"domain/{domain}")}


def _studio_user(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """The provider's id of a user profile is its ARN."""
    arn = acct.arn("sagemaker", f"user-profile/{inputs.get('domainId')}/{inputs.get('userProfileName')}")
    return arn, {**inputs, "id": arn, "arn": arn}


#: Type token -> output template. A custom type missing here is an error (fail closed).
TEMPLATES: dict[str, Template] = {
    "pulumi:providers:aws": _provider,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    # network
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _ec2("rtbassoc"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _ec2("sg", "security-group", name=lambda _: "default"),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": _default_network_acl,
    "aws:ec2/networkAcl:NetworkAcl": _ec2("acl", "network-acl"),
    "aws:ec2/networkAclRule:NetworkAclRule": _ec2("nacl"),
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": _ec2("aclassoc"),
    "aws:ec2/flowLog:FlowLog": _ec2("fl", "vpc-flow-log"),
    "aws:ec2/securityGroup:SecurityGroup": _ec2("sg", "security-group"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _security_group_rule,
    "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive": _rules_exclusive,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/rolePolicy:RolePolicy": _iam_role_policy,
    # identity
    "aws:iam/policy:Policy": _iam_policy,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _security_group_rule,
    # storage
    "aws:s3/bucket:Bucket": _s3_bucket,
    **{
        f"aws:s3/{t[0].lower()}{t[1:]}:{t}": _s3_bucket_side
        for t in (
            "BucketPublicAccessBlock",
            "BucketOwnershipControls",
            "BucketServerSideEncryptionConfiguration",
            "BucketVersioning",
            "BucketLogging",
            "BucketLifecycleConfiguration",
            "BucketObjectLockConfiguration",
            "BucketPolicy",
        )
    },
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretPolicy:SecretPolicy": _secret_policy,
    # audit
    "aws:cloudtrail/trail:Trail": _trail,
    "aws:sns/topic:Topic": _sns_topic,
    "aws:sns/topicPolicy:TopicPolicy": _sns_topic_policy,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": _metric_filter,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _role_policy_attachment,
    # detection and account guardrails
    "aws:cfg/recorder:Recorder": _named,
    "aws:cfg/deliveryChannel:DeliveryChannel": _named,
    "aws:cfg/recorderStatus:RecorderStatus": _named,
    "aws:cfg/rule:Rule": _config_rule,
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": _account_setting,
    "aws:ebs/encryptionByDefault:EncryptionByDefault": _account_setting,
    "aws:ebs/defaultKmsKey:DefaultKmsKey": _account_setting,
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration": _account_setting,
    # detection
    "aws:guardduty/detector:Detector": _detector,
    "aws:guardduty/detectorFeature:DetectorFeature": _detector_feature,
    "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan": _malware_plan,
    "aws:securityhub/account:Account": _security_hub,
    "aws:securityhub/standardsSubscription:StandardsSubscription": _standards_subscription,
    "aws:accessanalyzer/analyzer:Analyzer": _analyzer,
    "aws:sagemaker/domain:Domain": _studio_domain,
    "aws:sagemaker/userProfile:UserProfile": _studio_user,
}


# ---- DNS firewall, query logging (NET-06, NET-07), finding routing (DET-07) ---------------------------------------


def _resolver(prefix: str, arn_kind: str | None) -> Template:
    """Route 53 Resolver resources: ``rslvr-<kind>-<17 hex>`` ids, ARNs ``<kind path>/<id>``, this account as owner."""

    def template(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
        rid = f"rslvr-{prefix}-{_digest(typ, name)}"
        outputs: dict[str, Any] = {**inputs, "id": rid, "ownerId": acct.account_id}
        if arn_kind:
            outputs |= {"arn": acct.arn("route53resolver", f"{arn_kind}/{rid}"), "shareStatus": "NOT_SHARED"}
        return rid, outputs

    return template


def _firewall_rule(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """The provider's id of a rule: ``<rule group id>:<domain list id>``."""
    rid = f"{inputs.get('firewallRuleGroupId', '')}:{inputs.get('firewallDomainListId', '')}"
    return rid, dict(inputs)


def _log_resource_policy(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    policy = inputs.get("policyName") or name
    return str(policy), {**inputs, "policyName": policy, "policyScope": "ACCOUNT"}


def _event_rule(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    rule = inputs.get("name") or f"{name}-{_digest(typ, name, length=7)}"
    return rule, {**inputs, "name": rule, "arn": acct.arn("events", f"rule/{rule}")}


def _event_target(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    target = inputs.get("targetId") or _digest(typ, name)
    return f"{inputs.get('rule', '')}-{target}", {**inputs, "targetId": target}


TEMPLATES |= {
    "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList": _resolver("fdl", "firewall-domain-list"),
    "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup": _resolver("frg", "firewall-rule-group"),
    "aws:route53/resolverFirewallRule:ResolverFirewallRule": _firewall_rule,
    "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation": _resolver(
        "frgassoc", "firewall-rule-group-association"
    ),
    "aws:route53/resolverFirewallConfig:ResolverFirewallConfig": _resolver("fc", None),
    "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig": _resolver("qlc", "resolver-query-log-config"),
    "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation": _resolver("qlcassoc", None),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": _log_resource_policy,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
}


def _model_package_group(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """AI-04: id = the group name (as the provider's), ARN ``model-package-group/<lower-case name>``."""
    group = str(inputs.get("modelPackageGroupName") or name)
    return group, {**inputs, "arn": acct.arn("sagemaker", f"model-package-group/{group.lower()}")}


TEMPLATES["aws:sagemaker/modelPackageGroup:ModelPackageGroup"] = _model_package_group


def _guardrail(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """AI-02: a 12-character id, ARN ``guardrail/<id>``, the DRAFT working copy; provider id ``<id>,<version>``."""
    gid = _digest(typ, name, length=12)
    arn = acct.arn("bedrock", f"guardrail/{gid}")
    return f"{gid},DRAFT", {**inputs, "guardrailId": gid, "guardrailArn": arn, "version": "DRAFT", "status": "READY"}


def _guardrail_version(acct: FakeAccount, typ: str, name: str, inputs: dict[str, Any]) -> Outputs:
    """AI-02: the first published version is ``1``; the provider's id ``<guardrail arn>,<version>``."""
    return f"{inputs.get('guardrailArn')},1", {**inputs, "version": "1"}


TEMPLATES["aws:bedrock/guardrail:Guardrail"] = _guardrail
TEMPLATES["aws:bedrock/guardrailVersion:GuardrailVersion"] = _guardrail_version


def session_context(arn: str, role_path: Callable[[str], str]) -> dict[str, Any]:
    """What ``aws.iam.get_session_context`` answers: the IAM role behind an assumed-role session ARN (its path from
    ``role_path(name)``, as the provider reads it with GetRole), or the ARN itself for a user, a role or the root."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        raise UnsupportedMockError(f"getSessionContext: {arn!r} is not an ARN")
    _, partition, service, _, account, resource = parts
    if service == "sts" and resource.startswith("assumed-role/"):
        _, role, session = resource.split("/", 2)
        issuer = f"arn:{partition}:iam::{account}:role{role_path(role)}{role}"
        return {"arn": arn, "id": arn, "issuerArn": issuer, "issuerId": "", "issuerName": role, "sessionName": session}
    name = resource.rsplit("/", 1)[-1]
    return {"arn": arn, "id": arn, "issuerArn": arn, "issuerId": "", "issuerName": name, "sessionName": ""}


class BaselineMocks(pulumi.runtime.Mocks):
    """Answers registrations from TEMPLATES and the account invokes from FakeAccount."""

    def __init__(self, account: FakeAccount | None = None) -> None:
        self.account = account or FakeAccount()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.custom is False and not args.typ.startswith("pulumi:providers:"):
            return "", dict(args.inputs)  # component: no id, inputs as state
        template = TEMPLATES.get(args.typ)
        if template is None:
            raise UnsupportedMockError(
                f"offline engine has no outputs for resource type {args.typ!r} ({args.name}); "
                "add a template to verify/engine/mocks.py"
            )
        return template(self.account, args.typ, args.name, dict(args.inputs))

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        answer = self._invokes().get(args.token)
        if answer is None:
            raise UnsupportedMockError(f"offline engine cannot answer invoke {args.token!r}")
        return answer(args.args)

    def _prefix_list(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """AWS-managed prefix lists by name; only the S3 one is known (fail closed otherwise)."""
        acct = self.account
        name = str(args.get("name", ""))
        if name != f"com.amazonaws.{acct.region}.s3":
            raise UnsupportedMockError(f"offline engine knows no prefix list {name!r}")
        return {
            "id": "pl-" + _digest("prefix-list", name, length=8),
            "prefixListId": "pl-" + _digest("prefix-list", name, length=8),
            "name": name,
            "cidrBlocks": list(S3_PREFIX_LIST_CIDRS),
            "filters": [],
            "region": acct.region,
        }

    def _session_context(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """The offline account's roles all live at path ``/``."""
        return session_context(str(args["arn"]), lambda _: "/")

    def _invokes(self) -> Mapping[str, Callable[[Mapping[str, Any]], dict[str, Any]]]:
        acct = self.account
        return {
            "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
                "accountId": acct.account_id,
                "arn": acct.caller_arn,
                "userId": "AIDAOFFLINEDEPLOYER",
                "id": acct.account_id,
            },
            "aws:index/getRegion:getRegion": lambda _: {
                "region": acct.region,
                "name": acct.region,
                "id": acct.region,
                "endpoint": f"ec2.{acct.region}.amazonaws.com",
                "description": acct.region,
            },
            "aws:index/getPartition:getPartition": lambda _: {
                "partition": acct.partition,
                "dnsSuffix": "amazonaws.com",
                "id": acct.partition,
                "reverseDnsPrefix": "com.amazonaws",
            },
            "aws:ec2/getPrefixList:getPrefixList": self._prefix_list,
            "aws:iam/getSessionContext:getSessionContext": self._session_context,
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._zones,
            "aws:ec2/getVpcEndpointService:getVpcEndpointService": self._endpoint_service,
            "aws:ec2/getVpcs:getVpcs": self._default_vpcs,
            "aws:ec2/getNetworkAcls:getNetworkAcls": self._default_network_acls,
        }

    def _default_vpcs(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Only the default-VPC lookup: ``is-default = true`` (fail closed for any other query)."""
        if list(args.get("filters") or []) != [{"name": "is-default", "values": ["true"]}] or args.get("tags"):
            raise UnsupportedMockError(f"offline engine answers getVpcs only for the default VPC, not {dict(args)}")
        ids = [self.account.default_vpc_id] if self.account.default_vpc else []
        return {"id": self.account.region, "ids": ids, "region": self.account.region}

    def _default_network_acls(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Only the default NACL of the default VPC (``default = true``)."""
        vpc = self.account.default_vpc_id
        if args.get("vpcId") != vpc or list(args.get("filters") or []) != [{"name": "default", "values": ["true"]}]:
            raise UnsupportedMockError(
                f"offline engine answers getNetworkAcls only for {vpc}'s default, not {dict(args)}"
            )
        return {"id": self.account.region, "ids": [_ec2_id("acl", "default-vpc", vpc)], "vpcId": vpc}

    def _zones(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """The account's AZs and opted-in Local Zones, honouring ``state`` and an ``opt-in-status`` filter."""
        acct = self.account
        unsupported = sorted(k for k in ("allAvailabilityZones", "excludeNames", "excludeZoneIds") if args.get(k))
        if unsupported or args.get("state") not in (None, "available"):
            raise UnsupportedMockError(f"offline engine cannot answer getAvailabilityZones with {dict(args)}")
        short = f"{acct.region[:3]}{acct.region.split('-')[-1]}"
        zones = [(name, f"{short}-az{i + 1}", "opt-in-not-required", acct.region) for i, name in enumerate(acct.zones)]
        zones += [(name, f"{short}-lz{i + 1}", "opted-in", name[:-1]) for i, name in enumerate(acct.local_zones)]
        for selector in args.get("filters") or []:
            if selector.get("name") != "opt-in-status":
                raise UnsupportedMockError(f"offline engine cannot filter zones by {selector.get('name')!r}")
            zones = [z for z in zones if z[2] in selector.get("values", [])]
        zones.sort()
        return {
            "names": [z[0] for z in zones],
            "zoneIds": [z[1] for z in zones],
            "groupNames": [z[3] for z in zones],
            "id": acct.region,
        }

    def _endpoint_service(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """An AWS interface endpoint service of this region by ``serviceName`` (fail closed otherwise)."""
        acct = self.account
        name = str(args.get("serviceName", ""))
        service = name.removeprefix(f"com.amazonaws.{acct.region}.")
        extra = sorted(k for k in ("filters", "service", "serviceRegions", "tags") if args.get(k))
        if service not in KNOWN_ENDPOINT_SERVICES or args.get("serviceType") not in (None, "Interface") or extra:
            raise UnsupportedMockError(f"offline engine knows no endpoint service for {dict(args)}")
        return {
            "id": name,
            "serviceName": name,
            "serviceId": "vpce-svc-" + _digest("endpoint-service", name),
            "serviceType": "Interface",
            "owner": "amazon",
            "availabilityZones": list(acct.service_zones.get(service, acct.zones)),
            "acceptanceRequired": False,
            "managesVpcEndpoints": False,
            "vpcEndpointPolicySupported": endpoint_policy_supported(service),
            "baseEndpointDnsNames": [f"{service}.{acct.region}.vpce.amazonaws.com"],
            "privateDnsName": f"{service}.{acct.region}.amazonaws.com",
            "privateDnsNames": [f"{service}.{acct.region}.amazonaws.com"],
            "supportedIpAddressTypes": ["ipv4"],
            "region": acct.region,
            "serviceRegion": acct.region,
            "tags": {},
        }

"""checkov for Pulumi: ResourceGraph -> Terraform plan JSON -> ``checkov --framework terraform_plan`` -> Findings.

checkov cannot read Pulumi, but pulumi-aws is bridged from the Terraform provider, so a Pulumi resource is a
Terraform resource with camelCase names. This module undoes the naming (type tokens, attribute casing, Pulumi's
pluralised block names and renames), JSON-encodes policy documents, drops unknown/secret placeholders and, crucially,
emits Terraform ``configuration`` references from Pulumi ``propertyDependencies``: checkov builds its graph edges only
from those, so without them every connection check (CKV2_AWS_6, CKV_AWS_18/21/145 on split S3 resources ...) reports
false failures. See ``docs/checkov.md``.

checkov itself runs from its own pinned venv (``make .tools/checkov/bin/checkov``; it conflicts with the project's
dependencies), offline: ``--skip-download``, platform env vars removed, and a ``sitecustomize`` network guard
(``verify/emulator/netguard``) that refuses every non-loopback connection and DNS lookup and logs the attempt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ai_security_baseline.controls.kit import UNKNOWN, Undecidable
from ai_security_baseline.controls.log.common import relaxed_retention
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.findings.catalog import Catalog, load_catalog
from ai_security_baseline.verify.findings.finding import Finding, Status
from ai_security_baseline.verify.project import PROJECT_ROOT

CHECKOV_VERSION = "3.3.30"
CHECKOV_MAKE_TARGET = ".tools/checkov/bin/checkov"
DEFAULT_CHECKOV = PROJECT_ROOT / CHECKOV_MAKE_TARGET
CHECKOV_ENV = "BASELINE_CHECKOV"
NETGUARD_DIR = Path(__file__).resolve().parents[1] / "emulator" / "netguard"
NETGUARD_LOG_ENV = "BASELINE_NETGUARD_LOG"
TERRAFORM_VERSION = "1.9.0"
SECRET_PLACEHOLDER = "[secret]"
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"

# ---- type tokens -------------------------------------------------------------------------------------------------

#: Explicit token -> Terraform type for every type the baseline creates (dev stack, plus the audit/identity types
#: the identity/audit types) and the irregular names the rule below gets wrong. The rule is only a fallback.
TYPE_TABLE: dict[str, str] = {
    # keys
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    # network
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/networkAcl:NetworkAcl": "aws_network_acl",
    "aws:ec2/networkAclRule:NetworkAclRule": "aws_network_acl_rule",
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": "aws_network_acl_association",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "aws_default_network_acl",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/defaultRouteTable:DefaultRouteTable": "aws_default_route_table",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:ec2/vpcSecurityGroupRulesExclusive:VpcSecurityGroupRulesExclusive": "aws_vpc_security_group_rules_exclusive",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": "aws_vpc_endpoint_policy",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList": "aws_route53_resolver_firewall_domain_list",
    "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup": "aws_route53_resolver_firewall_rule_group",
    "aws:route53/resolverFirewallRule:ResolverFirewallRule": "aws_route53_resolver_firewall_rule",
    "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation": (
        "aws_route53_resolver_firewall_rule_group_association"
    ),
    "aws:route53/resolverFirewallConfig:ResolverFirewallConfig": "aws_route53_resolver_firewall_config",
    "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig": "aws_route53_resolver_query_log_config",
    "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation": (
        "aws_route53_resolver_query_log_config_association"
    ),
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/dedicatedHost:DedicatedHost": "aws_ec2_host",
    "aws:ec2/spotFleetRequest:SpotFleetRequest": "aws_spot_fleet_request",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "aws_ebs_encryption_by_default",
    "aws:ebs/defaultKmsKey:DefaultKmsKey": "aws_ebs_default_kms_key",
    # storage
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "aws_s3_bucket_object_lock_configuration",
    "aws:s3/bucketNotification:BucketNotification": "aws_s3_bucket_notification",
    "aws:s3/bucketAcl:BucketAcl": "aws_s3_bucket_acl",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:s3/analyticsConfiguration:AnalyticsConfiguration": "aws_s3_bucket_analytics_configuration",
    "aws:s3/inventory:Inventory": "aws_s3_bucket_inventory",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketObject:BucketObject": "aws_s3_object",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "aws_s3_account_public_access_block",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "aws_secretsmanager_secret_policy",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    # audit / logging
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "aws_cloudwatch_log_metric_filter",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "aws_cloudwatch_log_resource_policy",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:cfg/deliveryChannel:DeliveryChannel": "aws_config_delivery_channel",
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:guardduty/detector:Detector": "aws_guardduty_detector",
    "aws:securityhub/account:Account": "aws_securityhub_account",
    "aws:accessanalyzer/analyzer:Analyzer": "aws_accessanalyzer_analyzer",
    "aws:guardduty/detectorFeature:DetectorFeature": "aws_guardduty_detector_feature",
    "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan": "aws_guardduty_malware_protection_plan",
    "aws:securityhub/standardsSubscription:StandardsSubscription": "aws_securityhub_standards_subscription",
    # identity
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "aws_iam_account_password_policy",
    "aws:iam/user:User": "aws_iam_user",
    "aws:iam/userPolicy:UserPolicy": "aws_iam_user_policy",
    "aws:iam/group:Group": "aws_iam_group",
    "aws:iam/groupPolicy:GroupPolicy": "aws_iam_group_policy",
    # irregular names elsewhere (bridge metadata)
    "aws:codepipeline/pipeline:Pipeline": "aws_codepipeline",
    "aws:appsync/graphQLApi:GraphQLApi": "aws_appsync_graphql_api",
    "aws:appsync/dataSource:DataSource": "aws_appsync_datasource",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:elb/loadBalancer:LoadBalancer": "aws_elb",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/globalCluster:GlobalCluster": "aws_rds_global_cluster",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "aws_route53_hosted_zone_dnssec",
    "aws:codedeploy/application:Application": "aws_codedeploy_app",
    "aws:sagemaker/domain:Domain": "aws_sagemaker_domain",
    "aws:sagemaker/userProfile:UserProfile": "aws_sagemaker_user_profile",
    "aws:sagemaker/notebookInstance:NotebookInstance": "aws_sagemaker_notebook_instance",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "aws_sagemaker_endpoint_configuration",
    "aws:sagemaker/model:Model": "aws_sagemaker_model",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": "aws_sagemaker_model_package_group",
    "aws:bedrock/guardrail:Guardrail": "aws_bedrock_guardrail",
    "aws:bedrock/guardrailVersion:GuardrailVersion": "aws_bedrock_guardrail_version",
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration": (
        "aws_bedrock_model_invocation_logging_configuration"
    ),
}

#: Pulumi module -> Terraform prefix where they differ (``ec2`` has none).
MODULE_PREFIX: dict[str, str] = {
    "ec2": "",
    "apigateway": "api_gateway",
    "cfg": "config",
    "elasticbeanstalk": "elastic_beanstalk",
    "ec2clientvpn": "ec2_client_vpn",
    "ec2transitgateway": "ec2_transit_gateway",
    "servicediscovery": "service_discovery",
    "amp": "prometheus",
    "rds": "db",
    "cloudhsmv2": "cloudhsm_v2",
}


class UnmappableTypeError(ValueError):
    """A type token that is not ``aws:<module>/<x>:<Name>``."""


def _snake_type_name(name: str) -> str:
    """``VpcEndpoint`` -> ``vpc_endpoint``, keeping acronym runs (``EnvironmentEC2`` -> ``environment_ec2``)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def tf_type(token: str) -> str:
    """Terraform type for a pulumi-aws type token: the explicit table, else the bridge's naming rule."""
    if token in TYPE_TABLE:
        return TYPE_TABLE[token]
    match = re.fullmatch(r"aws:([a-z0-9]+)/[A-Za-z0-9]+:([A-Za-z0-9]+)", token)
    if not match:
        raise UnmappableTypeError(f"{token!r} is not a pulumi-aws resource type token")
    module, name = match.groups()
    member = token.split("/", 1)[1].split(":", 1)[0]
    if module == "s3" and name.endswith("V2") and member.endswith("V2"):  # v7 keeps V2 tokens as aliases
        return tf_type(f"aws:s3/{member[:-2]}:{name[:-2]}")
    snake = _snake_type_name(name)
    prefix = MODULE_PREFIX.get(module, module)
    if not prefix or snake == prefix or snake.startswith(f"{prefix}_"):
        return f"aws_{snake}"
    return f"aws_{prefix}_{snake}"


# ---- attributes --------------------------------------------------------------------------------------------------

#: Pulumi-specific top-level renames no casing rule recovers (bridge metadata ``renamedProperties``).
PROPERTY_RENAMES: dict[str, dict[str, str]] = {
    "aws:apigateway/method:Method": {"restApi": "rest_api_id"},
    "aws:apigateway/resource:Resource": {"restApi": "rest_api_id"},
    "aws:apigateway/deployment:Deployment": {"restApi": "rest_api_id"},
    "aws:apigateway/stage:Stage": {"restApi": "rest_api_id", "deployment": "deployment_id"},
    "aws:apigateway/integration:Integration": {"restApi": "rest_api_id"},
    "aws:apigateway/methodSettings:MethodSettings": {"restApi": "rest_api_id"},
    "aws:apigateway/basePathMapping:BasePathMapping": {"restApi": "api_id"},
    "aws:apigateway/vpcLink:VpcLink": {"targetArn": "target_arns"},
    "aws:lambda/permission:Permission": {"function": "function_name"},
    "aws:sns/topicSubscription:TopicSubscription": {"topic": "topic_arn"},
}

#: (Terraform type, dotted path) of object lists whose Terraform block name is itself plural.
KEEP_PLURAL: frozenset[tuple[str, str]] = frozenset(
    {
        ("aws_s3_bucket", "replication_configuration.rules"),
        ("aws_elasticsearch_domain", "log_publishing_options"),
        ("aws_opensearch_domain", "log_publishing_options"),
        ("aws_waf_web_acl", "rules"),
        ("aws_wafregional_web_acl", "rules"),
        ("aws_sagemaker_endpoint_configuration", "production_variants"),
        ("aws_sagemaker_endpoint_configuration", "shadow_production_variants"),
        ("aws_kinesis_firehose_delivery_stream", "extended_s3_configuration.processing_configuration.processors"),
    }
)

#: Properties whose value is a map with user keys (never renamed), wherever they appear.
MAP_PROPERTIES: frozenset[str] = frozenset(
    {
        "tags",
        "tagsAll",
        "variables",
        "environment",
        "parameters",
        "labels",
        "dimensions",
        "stageVariables",
        "requestParameters",
        "responseParameters",
        "requestTemplates",
        "responseTemplates",
    }
)

#: Properties holding a JSON document: checkov ``json.loads`` them, so an object must become a JSON string.
JSON_PROPERTIES: frozenset[str] = frozenset(
    {"policy", "assumeRolePolicy", "containerDefinitions", "accessPolicies", "policyDocument"}
)

_SINGULAR_IRREGULAR = {"aliases": "alias", "addresses": "address", "statuses": "status", "indices": "index"}
_CAMEL_KEY = re.compile(r"^[a-z][A-Za-z0-9]*$")


def snake_case(name: str) -> str:
    """The exact inverse of the bridge's casing: ``_`` before every capital, lower-cased (digits stay)."""
    return re.sub(r"([A-Z])", lambda m: f"_{m.group(1).lower()}", name)


def singular(word: str) -> str:
    """Undo Pulumi's pluralisation of a block name (last word only): ``cors_rules`` -> ``cors_rule``."""
    head, _, last = word.rpartition("_")
    if last in _SINGULAR_IRREGULAR:
        last = _SINGULAR_IRREGULAR[last]
    elif last.endswith("ies") and len(last) > 3:
        last = f"{last[:-3]}y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return f"{head}_{last}" if head else last


def _is_object_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _is_map(key: str, value: Mapping[str, Any]) -> bool:
    """A map with user keys (tags ...) rather than a nested object: by name, or by keys no schema would have."""
    return key in MAP_PROPERTIES or not all(isinstance(k, str) and _CAMEL_KEY.match(k) for k in value)


def tf_attribute(token: str, tf_resource_type: str, key: str, value: Any, path: str = "") -> str:
    """Terraform attribute name of Pulumi property ``key`` (``path`` = dotted TF path of its parent)."""
    if not path and key in PROPERTY_RENAMES.get(token, {}):
        return PROPERTY_RENAMES[token][key]
    name = snake_case(key)
    dotted = f"{path}.{name}" if path else name
    if _is_object_list(value) and (tf_resource_type, dotted) not in KEEP_PLURAL:
        return singular(name)
    return name


def _secret_or_unknown(value: Any) -> bool:
    if value in (UNKNOWN, SECRET_PLACEHOLDER):
        return True
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG and "plaintext" not in value


def _plain(value: Any) -> Any:
    """Decode Pulumi's wire encodings: plaintext secrets, resource references, assets; integral floats -> int."""
    if isinstance(value, Mapping) and SIG_KEY in value:
        if value[SIG_KEY] == SECRET_SIG:  # without plaintext it stays an (unknown) secret envelope
            return _plain(json.loads(value["plaintext"])) if "plaintext" in value else value
        if value[SIG_KEY] == RESOURCE_REF_SIG:
            return value.get("id") or value.get("urn")
        return value.get("path") or value.get("uri") or value.get("hash")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _convert(token: str, tf_resource_type: str, key: str, value: Any, path: str) -> Any:
    """One property value in Terraform shape (nested unknowns become null, as in a Terraform plan)."""
    value = _plain(value)
    if _secret_or_unknown(value):
        return None
    if key in JSON_PROPERTIES and isinstance(value, (Mapping, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, Mapping):
        if _is_map(key, value):
            return {k: _plain(v) for k, v in value.items() if not _secret_or_unknown(v)}
        return _object(token, tf_resource_type, value, path)
    if isinstance(value, list):
        return [_convert(token, tf_resource_type, key, item, path) for item in value]
    return value


def _object(token: str, tf_resource_type: str, props: Mapping[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in props.items():
        if key.startswith("__"):
            continue
        name = tf_attribute(token, tf_resource_type, key, _plain(raw), path)
        out[name] = _convert(token, tf_resource_type, key, raw, f"{path}.{name}" if path else name)
    return out


def _merged_props(resource: Resource) -> dict[str, Any]:
    """Outputs (computed/default attributes) overlaid with inputs (desired state); a known value beats an unknown."""
    merged = {k: v for k, v in resource.outputs.items() if not k.startswith("__")}
    for key, value in resource.inputs.items():
        if key.startswith("__") or (_secret_or_unknown(value) and key in merged):
            continue
        merged[key] = value
    return merged


def tf_values(resource: Resource) -> tuple[dict[str, Any], dict[str, bool]]:
    """Terraform ``values`` of a resource and its ``after_unknown`` map (top-level unknowns are dropped)."""
    kind = tf_type(resource.type)
    values: dict[str, Any] = {}
    unknown: dict[str, bool] = {}
    for key, raw in _merged_props(resource).items():
        name = tf_attribute(resource.type, kind, key, _plain(raw))
        if _secret_or_unknown(_plain(raw)):
            unknown[name] = True
            continue
        values[name] = _convert(resource.type, kind, key, raw, name)
    return values, unknown


# ---- plan document -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TfPlan:
    """A Terraform plan JSON document for checkov, and the map from each Terraform address back to its URN."""

    document: dict[str, Any]
    address_to_urn: dict[str, str] = field(default_factory=dict)

    def urn_of(self, address: str) -> str:
        """The URN behind a checkov ``resource`` address; KeyError when the plan has no such address."""
        try:
            return self.address_to_urn[address]
        except KeyError:
            raise KeyError(f"checkov reported {address!r}, which is not in the generated plan") from None


def managed_aws_resources(graph: ResourceGraph) -> list[Resource]:
    """What Terraform would manage: custom ``aws:*`` resources (no providers, components, stack, other packages)."""
    return sorted((r for r in graph.custom_resources() if r.type.startswith("aws:")), key=lambda r: r.urn)


def _tf_name(resource: Resource, kind: str, taken: set[str]) -> str:
    """Logical name made a valid, unique Terraform name (``.`` would break reference parsing)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", resource.name)
    if not re.match(r"[A-Za-z_]", name):
        name = f"r_{name}"
    if f"{kind}.{name}" in taken:
        name = f"{name}_{hashlib.sha256(resource.urn.encode()).hexdigest()[:8]}"
    return name


def graph_to_plan(graph: ResourceGraph, *, references: bool = True) -> TfPlan:
    """Terraform plan JSON (``planned_values``, ``configuration`` references, ``resource_changes``) for checkov.

    ``references=False`` leaves out the configuration edges: only for showing what they are worth.
    """
    resources = managed_aws_resources(graph)
    address_of: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()  # one set kept up to date: rebuilding it per resource made the bridge quadratic
    for resource in resources:
        kind = tf_type(resource.type)
        name = _tf_name(resource, kind, taken)
        address_of[resource.urn] = f"{kind}.{name}"
        taken.add(address_of[resource.urn])
        names[resource.urn] = (kind, name)
    planned: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for resource in resources:
        kind, name = names[resource.urn]
        address = address_of[resource.urn]
        values, unknown = tf_values(resource)
        head = {"address": address, "mode": "managed", "type": kind, "name": name}
        planned.append({**head, "provider_name": "registry.terraform.io/hashicorp/aws", "values": values})
        expressions = _expressions(resource, kind, address_of) if references else {}
        configured.append({**head, "expressions": expressions})
        change = {"actions": ["create"], "before": None, "after": values, "after_unknown": unknown}
        changes.append({**head, "change": change})
    document = {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "configuration": {"root_module": {"resources": configured}},
        "resource_changes": changes,
        "pulumi_bridge": {"address_to_urn": {a: u for u, a in address_of.items()}},
    }
    return TfPlan(document=document, address_to_urn={a: u for u, a in address_of.items()})


def _expressions(resource: Resource, kind: str, address_of: Mapping[str, str]) -> dict[str, Any]:
    """``{tf_attr: {"references": ["<addr>.id", "<addr>", ...]}}`` for every input fed by another resource."""
    expressions: dict[str, Any] = {}
    for prop, urns in sorted(resource.property_dependencies.items()):
        refs = [ref for urn in urns if urn in address_of for ref in (f"{address_of[urn]}.id", address_of[urn])]
        if not refs:
            continue
        raw = resource.inputs.get(prop, resource.outputs.get(prop))
        expressions[tf_attribute(resource.type, kind, prop, _plain(raw))] = {"references": refs}
    return expressions


# ---- runner ------------------------------------------------------------------------------------------------------


class CheckovUnavailableError(RuntimeError):
    """The pinned checkov binary is missing or broken; the message names the make target that installs it."""


class CheckovRunError(RuntimeError):
    """checkov ran but did not produce a usable report (crash, parse errors, wrong version, unknown address)."""


#: Environment variables that make checkov talk to Prisma Cloud / CI platforms: never passed through.
_PLATFORM_ENV = re.compile(r"^(BC_|PRISMA_|CKV_|CHECKOV_|PYTHON)|^(HTTPS?_PROXY|ALL_PROXY|NO_PROXY)$", re.IGNORECASE)

#: What the runner sets: no platform calls, no package-update check, no SCA, no VCS config fetches.
OFFLINE_ENV: dict[str, str] = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "CKV_GITHUB_CONFIG_FETCH_DATA": "false",
    "CKV_GITLAB_CONFIG_FETCH_DATA": "false",
    "BC_ENABLE_PERSIST_GRAPHS": "false",
    "LOG_LEVEL": "WARNING",
    "PYTHONNOUSERSITE": "1",
}


#: Plan framework, JSON report, no Prisma download; exit 0 with failures (a non-zero exit then means a crash).
CHECKOV_ARGS = ("--framework", "terraform_plan", "-o", "json", "--skip-download", "--soft-fail")


def find_checkov() -> Path:
    """The pinned checkov: ``$BASELINE_CHECKOV`` if set, else the repo's ``.tools/checkov`` venv. Never PATH."""
    override = os.environ.get(CHECKOV_ENV, "")
    path = Path(override) if override else DEFAULT_CHECKOV
    if not (path.is_file() and os.access(path, os.X_OK)):
        origin = f"${CHECKOV_ENV}={override}" if override else str(path)
        raise CheckovUnavailableError(
            f"checkov {CHECKOV_VERSION} not found at {origin}: run `make {CHECKOV_MAKE_TARGET}` "
            f"(an isolated venv; checkov conflicts with the project's dependencies) or set {CHECKOV_ENV}"
        )
    return path


def offline_env(netguard_log: Path) -> dict[str, str]:
    """The process environment checkov runs with: platform variables removed, network guard installed."""
    env = {k: v for k, v in os.environ.items() if not _PLATFORM_ENV.match(k)}
    env.update(OFFLINE_ENV)
    env["PYTHONPATH"] = str(NETGUARD_DIR)
    env[NETGUARD_LOG_ENV] = str(netguard_log)
    return env


@dataclass(frozen=True)
class CheckovRun:
    """One checkov run: its results, the plan it read, and the outbound connections the guard refused."""

    plan: TfPlan
    results: tuple[dict[str, Any], ...]
    blocked_connections: tuple[str, ...]
    version: str

    def findings(self, catalog: Catalog | None = None) -> list[Finding]:
        """One Finding per (result, catalog control listing the check); ``checkov:<id>`` when no control does."""
        by_check = (catalog or load_catalog()).checkov_to_controls()
        out: list[Finding] = []
        for result in self.results:
            check = str(result["check_id"])
            address = str(result["resource"])
            urn = self.plan.urn_of(address)
            status: Status = "pass" if result["check_result"]["result"] == "PASSED" else "fail"
            controls = [c.id for c in by_check.get(check, ())] or [f"checkov:{check}"]
            evidence = {"address": address, "lines": list(result.get("file_line_range") or [])}
            if result.get("guideline"):
                evidence["guideline"] = result["guideline"]
            message = f"{check} {result.get('check_name', '')} ({address})"
            out.extend(
                Finding(
                    control=c,
                    urn=urn,
                    status=status,
                    source="checkov",
                    message=message,
                    tool_id=check,
                    evidence=evidence,
                )
                for c in controls
            )
        return out


def _plan_file(index: int) -> str:
    return f"plan-{index}.json"


def run_checkov(plan: TfPlan, *, binary: Path | None = None, timeout: float = 600.0) -> CheckovRun:
    """Run the pinned checkov offline on ``plan``; every failure to produce a report raises (never a pass)."""
    return run_checkov_plans([plan], binary=binary, timeout=timeout)[0]


def run_checkov_plans(
    plans: Sequence[TfPlan], *, binary: Path | None = None, timeout: float = 600.0
) -> list[CheckovRun]:
    """One checkov process for several plans, one run per plan in order.

    Starting checkov costs more than judging a plan, so the mutation runner hands it every mutant at once. Each
    plan is a file of its own and checkov links resources within a file only (a test pins this)."""
    exe = binary or find_checkov()
    with tempfile.TemporaryDirectory(prefix="baseline-checkov-") as tmp:
        files = []
        for index, plan in enumerate(plans):
            plan_file = Path(tmp) / _plan_file(index)
            plan_file.write_text(json.dumps(plan.document, indent=1, sort_keys=True))
            files.append(str(plan_file))
        netlog = Path(tmp) / "netguard.log"
        netlog.touch()
        command = [str(exe), "-f", *files, *CHECKOV_ARGS]
        try:
            proc = subprocess.run(
                command, env=offline_env(netlog), cwd=tmp, capture_output=True, text=True, timeout=timeout, check=False
            )
        except OSError as exc:
            raise CheckovUnavailableError(f"cannot start {exe}: {exc}; run `make {CHECKOV_MAKE_TARGET}`") from exc
        blocked = tuple(line for line in netlog.read_text().splitlines() if line)
    if proc.returncode != 0:
        raise CheckovRunError(f"checkov exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    per_plan, version = parse_reports(proc.stdout, [len(plan.address_to_urn) for plan in plans])
    if version != CHECKOV_VERSION:
        raise CheckovRunError(f"{exe} is checkov {version}, the bridge is pinned to {CHECKOV_VERSION}")
    return [
        CheckovRun(plan=plan, results=results, blocked_connections=blocked, version=version)
        for plan, results in zip(plans, per_plan, strict=True)
    ]


def parse_report(stdout: str, resources: int) -> tuple[tuple[dict[str, Any], ...], str]:
    """checkov's JSON report on one plan -> (passed + failed results, checkov version); anything unusable raises."""
    per_plan, version = parse_reports(stdout, [resources])
    return per_plan[0], version


def parse_reports(stdout: str, resources: Sequence[int]) -> tuple[list[tuple[dict[str, Any], ...]], str]:
    """checkov's JSON report on the plans ``plan-<i>.json`` (``resources[i]`` resources each) -> each plan's
    passed + failed results and the checkov version; anything unusable raises."""
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise CheckovRunError(f"checkov did not print a JSON report ({exc}): {stdout[:500]!r}") from exc
    reports = report if isinstance(report, list) else [report]
    plan_reports = [r for r in reports if isinstance(r, Mapping) and r.get("check_type") == "terraform_plan"]
    if not plan_reports:
        if not any(resources):
            return [() for _ in resources], CHECKOV_VERSION
        raise CheckovRunError(f"checkov evaluated none of the {sum(resources)} resources: {stdout[:500]!r}")
    body = plan_reports[0]
    errors = body["results"].get("parsing_errors") or []
    if errors:
        raise CheckovRunError(f"checkov could not parse the generated plan: {errors}")
    results = [*body["results"].get("passed_checks", []), *body["results"].get("failed_checks", [])]
    version = str(body.get("summary", {}).get("checkov_version", ""))
    if len(resources) == 1:
        return [tuple(results)], version
    index = {_plan_file(i): i for i in range(len(resources))}
    grouped: list[list[dict[str, Any]]] = [[] for _ in resources]
    for result in results:
        name = Path(str(result.get("file_path", ""))).name
        if name not in index:
            raise CheckovRunError(f"checkov reported a result for {name!r}, which is none of the plans it was given")
        grouped[index[name]].append(result)
    return [tuple(g) for g in grouped], version


def scan_checkov(graph: ResourceGraph) -> CheckovRun:
    """Convert the graph and run checkov on it; a run that tried to reach the network is an error, not a result."""
    return scan_checkov_graphs([graph])[0]


def scan_checkov_graphs(graphs: Sequence[ResourceGraph]) -> list[CheckovRun]:
    """``scan_checkov`` of several graphs in one checkov process."""
    runs = run_checkov_plans([graph_to_plan(graph) for graph in graphs])
    blocked = runs[0].blocked_connections if runs else ()
    if blocked:
        raise CheckovRunError(f"checkov tried to reach the network (refused): {'; '.join(blocked)}")
    return runs


def checkov_findings(graph: ResourceGraph, catalog: Catalog | None = None) -> list[Finding]:
    """The scan command's hook: checkov's results on the graph as Findings (waivers are applied by the caller).

    Raises ``CheckovUnavailableError`` when the pinned binary is missing and ``CheckovRunError`` when checkov
    fails, tries to reach the network, or reports a resource the plan does not contain.
    """
    return [relaxed(f, graph) for f in scan_checkov(graph).findings(catalog)]


#: checkov checks a named relaxation may waive, and the property of the resource the relaxation bounds.
RELAXABLE_CHECKS: dict[str, str] = {"CKV_AWS_338": "retentionInDays"}


def relaxed(finding: Finding, graph: ResourceGraph) -> Finding:
    """A failed check the resource's relaxation covers (``relaxations.shortLogRetention``: a log group kept 180-364
    days) becomes ``waived`` with the relaxation's reason, as the rules report it; anything else is unchanged."""
    key = RELAXABLE_CHECKS.get(finding.tool_id)
    if finding.status != "fail" or key is None or finding.urn not in graph:
        return finding
    from ai_security_baseline.verify.checkers.rules import to_rule_resource  # noqa: PLC0415 - the rules load only when this applies

    resource = to_rule_resource(graph.get(finding.urn))
    try:
        reason = relaxed_retention(resource, resource.props.get(key))
    except Undecidable:
        return finding
    return replace(finding, status="waived", waiver=reason) if reason else finding

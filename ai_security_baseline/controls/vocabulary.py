"""The facts the components build, the rules judge and the checkers read, each declared once.

Standard library only: the CrossGuard pack loads the rules with nothing but pulumi-policy installed, and the
checkers read these facts without importing the Pulumi components.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# ---- Pulumi type tokens ----------------------------------------------------------------------------------------

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
BUCKET_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
KMS_KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
METRIC_FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
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
NACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_POLICY = "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"
ENDPOINT_ROUTE_TABLE = "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation"
ENDPOINT_SUBNET = "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation"
ENDPOINT_SG = "aws:ec2/vpcEndpointSecurityGroupAssociation:VpcEndpointSecurityGroupAssociation"
GUARDDUTY_DETECTOR = "aws:guardduty/detector:Detector"
GUARDDUTY_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
MALWARE_PROTECTION_PLAN = "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan"
SECURITY_HUB = "aws:securityhub/account:Account"
SECURITY_HUB_STANDARD = "aws:securityhub/standardsSubscription:StandardsSubscription"
ACCESS_ANALYZER = "aws:accessanalyzer/analyzer:Analyzer"
CONFIG_RECORDER = "aws:cfg/recorder:Recorder"
CONFIG_RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
CONFIG_DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
CONFIG_RULE = "aws:cfg/rule:Rule"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
EBS_ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
EBS_DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"

# ---- service principals ---------------------------------------------------------------------------------------

CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com"
CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com"
SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
FLOW_LOG_SERVICE = "vpc-flow-logs.amazonaws.com"
CONFIG_SERVICE = "config.amazonaws.com"

# ---- data, key and bucket classes ------------------------------------------------------------------------------

#: One KMS key per data class (KMS-01); ``ebs`` is the account's default EBS key (ACC-02), usable only through EC2.
DATA_CLASSES: tuple[str, ...] = ("data", "models", "logs", "ebs")
EBS_KEY_CLASS = "ebs"
BUCKET_CLASSES: tuple[str, ...] = ("raw", "curated", "models", "access-logs")
DATA_BUCKETS: tuple[str, ...] = ("raw", "curated", "models")
ACCESS_LOGS = "access-logs"
#: The audit archive, as the access matrix and the wired resources name it.
AUDIT_LOGS = "audit-logs"
#: Bucket class -> data class of the KMS key that encrypts it (None: SSE-S3 by waiver).
BUCKET_KEY_CLASS: dict[str, str | None] = {"raw": "data", "curated": "data", "models": "models", ACCESS_LOGS: None}
#: Extra data buckets (``storage.extraDataBuckets``) are built exactly like this class.
EXTRA_BUCKET_TEMPLATE = "curated"


def extra_bucket_classes(count: int) -> tuple[str, ...]:
    """Classes of the ``storage.extraDataBuckets`` buckets: ``extra-1`` … ``extra-<count>``."""
    return tuple(f"extra-{i}" for i in range(1, count + 1))


# ---- detection and account guardrails ---------------------------------------------------------------------------

#: The role GuardDuty Malware Protection for S3 assumes to scan objects and tag them with the result (DET-02, DET-03);
#: its physical name is ``<name_prefix>-malware-protection``, known before the bucket policies that exempt it.
MALWARE_PROTECTION_ROLE = "malware-protection"
MALWARE_PROTECTION_SERVICE = "malware-protection-plan.guardduty.amazonaws.com"
#: The object tag GuardDuty writes after each scan, and the value that means the object is clean (DET-03).
MALWARE_SCAN_TAG = "GuardDutyMalwareScanStatus"
MALWARE_SCAN_CLEAN = "NO_THREATS_FOUND"
#: Bucket classes whose objects come from outside the stack's trust (uploaded data, trained model artifacts): each
#: has a malware protection plan and serves an object only once its scan found it clean.
SCANNED_BUCKETS: tuple[str, ...] = ("raw", "models")
#: What the malware protection role does with the keys of the scanned buckets, through S3 only (DET-02): decrypt the
#: objects it scans, and encrypt the validation object it writes.
MALWARE_SCAN_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")
#: Every status GuardDuty tags a scanned object with; with ``MALWARE_SCAN_UNTAGGED`` (not scanned yet), the request
#: dimension of object reads in a scanned bucket: only ``MALWARE_SCAN_CLEAN`` is ever served (DET-03).
MALWARE_SCAN_STATUSES: tuple[str, ...] = (MALWARE_SCAN_CLEAN, "THREATS_FOUND", "UNSUPPORTED", "ACCESS_DENIED", "FAILED")
MALWARE_SCAN_UNTAGGED = ""
MALWARE_SCAN_DIMENSION: tuple[str, ...] = (MALWARE_SCAN_UNTAGGED, *MALWARE_SCAN_STATUSES)
#: The object key GuardDuty writes when it validates a protected bucket ("Create or update IAM role policy",
#: https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html).
MALWARE_VALIDATION_OBJECT = "malware-protection-resource-validation-object"
#: The GuardDuty feature that analyses S3 data events (DET-01).
S3_PROTECTION_FEATURE = "S3_DATA_EVENTS"
#: Security Hub standards the stack subscribes to (DET-04): name -> the ARN path after
#: ``arn:<p>:securityhub:<region>::``, the regional ``standards/`` form in which CIS v3.0.0 is published
#: (https://docs.aws.amazon.com/securityhub/latest/userguide/standards-reference.html).
SECURITY_HUB_STANDARDS: dict[str, str] = {
    "aws-foundational-security-best-practices": "standards/aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark": "standards/cis-aws-foundations-benchmark/v/3.0.0",
}
#: How Security Hub generates control findings: one finding per control across standards (DET-04).
SECURITY_HUB_FINDING_GENERATOR = "SECURITY_CONTROL"
#: Access Analyzer types ``detection.accessAnalyzer`` chooses from (DET-06), as the API spells them.
ACCESS_ANALYZER_TYPES: dict[str, str] = {"account": "ACCOUNT", "organization": "ORGANIZATION"}
#: The service-linked role Access Analyzer creates with the first analyzer and reads the account through
#: (IAM User Guide, "Using service-linked roles for AWS Identity and Access Management Access Analyzer").
ACCESS_ANALYZER_SERVICE = "access-analyzer.amazonaws.com"
ACCESS_ANALYZER_ROLE = "AWSServiceRoleForAccessAnalyzer"
ACCESS_ANALYZER_ROLE_PATH = f"/aws-service-role/{ACCESS_ANALYZER_SERVICE}/"


def security_hub_standard_arn(partition: str, region: str, standard: str) -> str:
    """The ARN of one of SECURITY_HUB_STANDARDS in a region."""
    return f"arn:{partition}:securityhub:{region}::{SECURITY_HUB_STANDARDS[standard]}"


def security_hub_subscription_arn(partition: str, region: str, account_id: str, standard: str) -> str:
    """The ARN of this account's subscription to ``standard`` (what EnableStandards answers and the provider's id)."""
    path = SECURITY_HUB_STANDARDS[standard].removeprefix("standards/")
    return f"arn:{partition}:securityhub:{region}:{account_id}:subscription/{path}"


#: Account-wide pieces an organization often manages centrally, each with the control that checks it. A piece named in
#: ``baseline:centrallyManaged`` is not created by the stack, and its control is reported ``waived`` with the reason.
CENTRAL_PIECES: dict[str, str] = {
    "guardDuty": "DET-01",
    "securityHub": "DET-04",
    "config": "DET-05",
    "accessAnalyzer": "DET-06",
    "accountPublicAccessBlock": "ACC-01",
    "ebsDefaultEncryption": "ACC-02",
    "defaultVpc": "ACC-03",
}

#: How the stack treats the region's default VPC (``accountGuardrails.defaultVpc``, ACC-03): ``lockdown`` empties
#: its default security group and NACL and turns its flow log on when it exists; ``deleted`` asserts the user deleted
#: it (the preview refuses a region that still has one, the rule and the live probe verify its absence).
DEFAULT_VPC_MODES: tuple[str, ...] = ("lockdown", "deleted")
#: The bucket class of the AWS Config delivery bucket (DET-05): AWS Config does not deliver into a bucket with
#: Object Lock, so its snapshots and history go to a bucket of their own, encrypted with the logs key.
CONFIG_BUCKET_CLASS = "config"
#: The key prefix of AWS Config's objects in that bucket.
CONFIG_DELIVERY_PREFIX = "config"
#: The regional resource types the baseline builds, which its AWS Config recorder records (each a ``ResourceType`` of
#: the AWS Config API; log groups are not one: CLOUDWATCH_LOG_GROUP_ENCRYPTED evaluates them periodically).
CONFIG_RECORDED_TYPES: tuple[str, ...] = (
    "AWS::CloudTrail::Trail",
    "AWS::CloudWatch::Alarm",
    "AWS::EC2::FlowLog",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCEndpoint",
    "AWS::KMS::Key",
    "AWS::S3::AccountPublicAccessBlock",
    "AWS::S3::Bucket",
    "AWS::SNS::Topic",
    "AWS::SecretsManager::Secret",
)
#: Global types, recorded in one region of the account only (``accountGuardrails.configGlobalTypes``).
CONFIG_GLOBAL_TYPES: tuple[str, ...] = ("AWS::IAM::Policy", "AWS::IAM::Role")
#: AWS managed Config rules over the baseline's resource types -> what each re-checks continuously (AWS Config
#: Developer Guide, "List of AWS Config Managed Rules"); DET-05 requires every one.
CONFIG_MANAGED_RULES: dict[str, str] = {
    "S3_BUCKET_SSL_REQUESTS_ONLY": "S3-04: bucket policies refuse plain HTTP",
    "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED": "S3-03: default encryption",
    "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED": "S3-01: bucket Block Public Access",
    "S3_BUCKET_VERSIONING_ENABLED": "S3-09: versioning",
    "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC": "ACC-01: account Block Public Access",
    "CMK_BACKING_KEY_ROTATION_ENABLED": "KMS-02: key rotation",
    "CLOUD_TRAIL_ENABLED": "LOG-01: a trail records",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED": "LOG-02: the trail is KMS-encrypted",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED": "LOG-01: log file validation",
    "CLOUDWATCH_LOG_GROUP_ENCRYPTED": "LOG-04, NET-05: log groups KMS-encrypted",
    "VPC_FLOW_LOGS_ENABLED": "NET-05, ACC-03: flow logs",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED": "NET-03, ACC-03: default security groups empty",
    "EC2_EBS_ENCRYPTION_BY_DEFAULT": "ACC-02: EBS encryption by default",
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS": "IAM-02, IAM-10: no admin policies",
}
#: The managed rules AWS runs periodically (the others run on configuration changes).
CONFIG_PERIODIC_RULES: frozenset[str] = frozenset(
    {
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "CLOUD_TRAIL_ENABLED",
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        "VPC_FLOW_LOGS_ENABLED",
        "EC2_EBS_ENCRYPTION_BY_DEFAULT",
    }
)


# ---- stack outputs ---------------------------------------------------------------------------------------------


def output_prefix(name: str) -> str:
    """``access-logs`` -> ``accessLogs``: how a bucket class or role name starts its stack outputs."""
    return "".join(p.capitalize() if i else p for i, p in enumerate(name.split("-")))


def key_output(data_class: str, field: str = "Arn") -> str:
    """``dataKeyArn``, ``logsKeyAlias`` ...: the outputs of each data class's key."""
    return f"{data_class}Key{field}"


def bucket_output(bucket_class: str, field: str = "Name") -> str:
    """``rawBucketName``, ``accessLogsBucketArn`` ...: the outputs of each bucket."""
    return f"{output_prefix(bucket_class)}Bucket{field}"


ROLE_ARNS_OUTPUT = "roleArns"  # {"data-processor": arn, ...}
SECRET_OUTPUT = "pseudonymizationSecretArn"
TRAIL_OUTPUT = "trailArn"
TRAIL_LOG_GROUP_OUTPUT = "trailLogGroupName"
ALARM_TOPIC_OUTPUT = "alarmTopicArn"
DEPLOYER_OUTPUT = "deployerArn"
#: The identity configuration the access analysis builds its requests from (exported only when configured): the
#: organization the stack's principals belong to, and the principals each non-SageMaker role trusts.
ORG_ID_OUTPUT = "organizationId"
TRUSTED_PRINCIPALS_OUTPUT = "trustedPrincipalArns"  # {"auditor": [arn, ...], "inference": [...]}
#: ``{piece: reason}`` of ``baseline:centrallyManaged`` (exported only when a piece is named).
CENTRALLY_MANAGED_OUTPUT = "centrallyManaged"
#: Detection services (DET-01/02/04/06). The detector, the hub and the analyzer are absent when centrally managed;
#: the malware protection plans and their role are always the stack's.
GUARDDUTY_DETECTOR_OUTPUT = "guardDutyDetectorId"
MALWARE_PLANS_OUTPUT = "malwareProtectionPlanArns"  # {"raw": arn, "models": arn}
MALWARE_ROLE_OUTPUT = "malwareProtectionRoleArn"
SECURITY_HUB_OUTPUT = "securityHubArn"
SECURITY_HUB_STANDARDS_OUTPUT = "securityHubStandardsArns"  # {standard: subscription ARN}
ACCESS_ANALYZER_OUTPUT = "accessAnalyzerArn"
#: DET-05: the recorder's name and its delivery bucket (exported only when the stack records).
CONFIG_RECORDER_OUTPUT = "configRecorderName"
#: ACC-01: the account whose S3 Block Public Access the stack set (exported unless centrally managed).
ACCOUNT_PUBLIC_ACCESS_BLOCK_OUTPUT = "accountPublicAccessBlockAccountId"
#: ACC-03: ``{"mode": lockdown|deleted, "vpcId": id or "", "networkAclId": id or ""}`` of the region's default VPC
#: as the deployment found it ("" : none); exported unless ``centrallyManaged.defaultVpc``.
DEFAULT_VPC_OUTPUT = "defaultVpc"

#: The VPC's DNS Firewall association and query logging (NET-06, NET-07), the finding rules (DET-07).
DNS_FIREWALL_ASSOCIATION_OUTPUT = "dnsFirewallAssociationId"
QUERY_LOG_CONFIG_OUTPUT = "queryLogConfigId"
QUERY_LOG_GROUP_OUTPUT = "queryLogGroupName"
FINDING_RULES_OUTPUT = "findingRuleArns"  # {"guardduty": arn, "securityhub": arn}
#: What the live audit reads after `pulumi up` (`pulumi stack output --json`); GOV-04 requires every one.
AUDIT_OUTPUTS: tuple[str, ...] = (
    *(key_output(c, k) for c in DATA_CLASSES for k in ("Arn", "Alias")),
    "vpcId",
    "privateSubnetIds",
    "endpointSecurityGroupId",
    "s3GatewayEndpointId",
    "interfaceEndpointIds",
    "flowLogGroupName",
    *(bucket_output(b, k) for b in ("raw", "curated", "models", ACCESS_LOGS, "audit") for k in ("Name", "Arn")),
    SECRET_OUTPUT,
    TRAIL_OUTPUT,
    TRAIL_LOG_GROUP_OUTPUT,
    ALARM_TOPIC_OUTPUT,
    ROLE_ARNS_OUTPUT,
    DNS_FIREWALL_ASSOCIATION_OUTPUT,
    QUERY_LOG_CONFIG_OUTPUT,
    QUERY_LOG_GROUP_OUTPUT,
    FINDING_RULES_OUTPUT,
    MALWARE_PLANS_OUTPUT,
    MALWARE_ROLE_OUTPUT,
)

# ---- S3 request conditions -------------------------------------------------------------------------------------

#: Header condition keys of PutObject (also authorizes CopyObject and CreateMultipartUpload).
SSE_HEADER = "s3:x-amz-server-side-encryption"
SSE_KMS_KEY_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id"
SSE_C_HEADER = "s3:x-amz-server-side-encryption-customer-algorithm"
#: The lowest TLS version the bucket policies admit (S3-05).
MINIMUM_TLS_VERSION = 1.2

# ---- the access matrix (IAM-03) --------------------------------------------------------------------------------

PROCESSOR = "data-processor"
TRAINER = "model-trainer"
INFERENCE = "inference"
AUDITOR = "auditor"
#: AI-04: the only role that may set a model version's approval status (the trainer registers, never approves).
APPROVER = "model-approver"
ROLES: tuple[str, ...] = (PROCESSOR, TRAINER, INFERENCE, AUDITOR, APPROVER)

#: Resources of the matrix: the three data buckets and the audit archive.
RESOURCES: tuple[str, ...] = (*DATA_BUCKETS, AUDIT_LOGS)
#: Resource -> data class of the key that encrypts it.
RESOURCE_KEY_CLASS: dict[str, str] = {"raw": "data", "curated": "data", "models": "models", AUDIT_LOGS: "logs"}

S3_READ_OBJECT_ACTIONS: tuple[str, ...] = ("s3:GetObject", "s3:GetObjectVersion")
S3_LIST_ACTIONS: tuple[str, ...] = ("s3:ListBucket",)
S3_WRITE_OBJECT_ACTIONS: tuple[str, ...] = ("s3:AbortMultipartUpload", "s3:PutObject")

#: Access level -> S3 actions it grants (object actions on ``<bucket>/*``, list actions on the bucket).
LEVEL_ACTIONS: dict[str, tuple[str, ...]] = {
    "read": (*S3_READ_OBJECT_ACTIONS, *S3_LIST_ACTIONS),
    "write": S3_WRITE_OBJECT_ACTIONS,
}
#: Access level -> KMS actions it needs on the bucket's key, only via S3 (multipart uploads also decrypt).
LEVEL_KEY_ACTIONS: dict[str, tuple[str, ...]] = {
    "read": ("kms:Decrypt",),
    "write": ("kms:Decrypt", "kms:GenerateDataKey"),
}

#: Role -> resource -> access levels. Everything not listed is denied; nobody deletes objects or changes bucket
#: policies, keys, the trail or boundaries (the boundary denies those explicitly).
ACCESS_MATRIX: dict[str, dict[str, tuple[str, ...]]] = {
    PROCESSOR: {"raw": ("read",), "curated": ("write",)},
    TRAINER: {"curated": ("read",), "models": ("write",)},
    INFERENCE: {"models": ("read",)},
    AUDITOR: {AUDIT_LOGS: ("read",)},
    APPROVER: {},
}

#: The actions the access analysis probes for every role x resource (reads, writes, deletes, policy changes).
MATRIX_ACTIONS: tuple[str, ...] = (
    "s3:GetObject",
    "s3:ListBucket",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:PutBucketPolicy",
)


def scan_gated(resource: str, action: str) -> bool:
    """Whether ``action`` on ``resource`` reads an object's content from a scanned bucket (DET-03's gate)."""
    return resource in SCANNED_BUCKETS and action in S3_READ_OBJECT_ACTIONS


def declared_access(role: str, resource: str, action: str, scan: str = MALWARE_SCAN_CLEAN) -> bool:
    """Whether the matrix allows ``role`` to perform ``action`` on ``resource`` (the expected analysis result);
    ``scan``: the object's scan status, for a read of a scanned bucket (only a clean object is served)."""
    levels = ACCESS_MATRIX.get(role, {}).get(resource, ())
    granted = any(action in LEVEL_ACTIONS[level] for level in levels)
    return granted and (scan == MALWARE_SCAN_CLEAN or not scan_gated(resource, action))


def key_users(data_class: str, resources: Iterable[str] = RESOURCES) -> list[str]:
    """Roles that use the ``data_class`` key (via S3), from the matrix and the wired resources."""
    wired = set(resources)
    return [
        role for role in ROLES if any(RESOURCE_KEY_CLASS[r] == data_class and r in wired for r in ACCESS_MATRIX[role])
    ]


def key_level(role: str, data_class: str, resources: Iterable[str] = RESOURCES) -> str:
    """``write`` when ``role`` writes any wired bucket of ``data_class``'s key, else ``read`` (KMS-06: a reader's key
    grant is Decrypt only, so it can never create objects through S3 with the key)."""
    wired = set(resources)
    levels = {
        level
        for resource, granted in ACCESS_MATRIX[role].items()
        if RESOURCE_KEY_CLASS[resource] == data_class and resource in wired
        for level in granted
    }
    return "write" if "write" in levels else "read"


#: Roles SageMaker runs as (jobs, models): they get the job runtime grants (logs, image pulls, VPC interfaces).
EXECUTION_ROLES: tuple[str, ...] = (PROCESSOR, TRAINER, INFERENCE)
#: The key the job guardrail requires for ML storage volumes (IAM-06), and the roles SageMaker runs those jobs as:
#: an execution role given a volume key needs ``kms:CreateGrant`` on it (SageMaker Developer Guide, execution-role
#: permissions of CreateTrainingJob/CreateProcessingJob), which EBS uses via ec2.<region> (KMS-06). The trainer is
#: also the only caller of CreateTrainingJob/CreateProcessingJob, so either principal reading holds.
VOLUME_KEY_CLASS = "data"
VOLUME_KEY_USERS: tuple[str, ...] = (TRAINER,)

#: Where SageMaker writes job and endpoint logs (the only groups an execution role may create or write).
SAGEMAKER_LOG_GROUP_PREFIX = "/aws/sagemaker"


def sagemaker_log_groups(name_prefix: str) -> list[str]:
    """The groups SageMaker writes this stack's job and endpoint logs to."""
    groups = [f"{SAGEMAKER_LOG_GROUP_PREFIX}/{kind}" for kind in ("TrainingJobs", "ProcessingJobs")]
    return [*groups, f"{SAGEMAKER_LOG_GROUP_PREFIX}/Endpoints/{name_prefix}-*"]


# ---- KMS -------------------------------------------------------------------------------------------------------

#: Cryptographic use of a key: what administrators and the account root must never hold, and users may
#: (KMS-04, KMS-06).
CRYPTO_ACTIONS: frozenset[str] = frozenset(
    {
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:Sign",
        "kms:Verify",
        "kms:VerifyMac",
        "kms:CreateGrant",
    }
)

# ---- VPC endpoints (EP-02, EP-03, EP-05) -----------------------------------------------------------------------

#: Interface-endpoint bundles: bundle name -> service suffixes.
ENDPOINT_BUNDLES: dict[str, tuple[str, ...]] = {
    "ml-core": (
        "sagemaker.api",
        "sagemaker.runtime",
        "sts",
        "kms",
        "logs",
        "monitoring",
        "ecr.api",
        "ecr.dkr",
        "secretsmanager",
    ),
    "bedrock": ("bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime"),
}

#: Single interface-endpoint services a stack may add by name, beyond the bundles.
EXTRA_ENDPOINT_SERVICES: tuple[str, ...] = (
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

KNOWN_ENDPOINT_SERVICES: frozenset[str] = frozenset(
    [s for services in ENDPOINT_BUNDLES.values() for s in services] + list(EXTRA_ENDPOINT_SERVICES)
)

#: Known services whose interface endpoints take no VPC endpoint policy -> why (EP-05 does not apply to them).
#: Every other known service documents endpoint-policy support; docs/network.md lists the source per service.
ENDPOINT_POLICY_UNSUPPORTED: dict[str, str] = {
    "ssmmessages": "AWS documents no VPC endpoint policy for the Systems Manager message gateway (ssmmessages); "
    "Systems Manager documents endpoint policies for its ssm endpoint only",
    "ec2messages": "AWS documents no VPC endpoint policy for the Systems Manager message delivery service "
    "(ec2messages); Systems Manager documents endpoint policies for its ssm endpoint only",
}


def endpoint_policy_supported(service: str) -> bool:
    """Whether an interface endpoint of ``service`` takes an endpoint policy (EP-05 applies)."""
    return service not in ENDPOINT_POLICY_UNSUPPORTED


#: Owner of CodeArtifact's package-asset bucket ``assets-<account>-<region>`` per region, as the CodeArtifact user
#: guide lists it ("Create the Amazon S3 gateway endpoint"); a region it does not list has no documented bucket.
CODEARTIFACT_ASSET_ACCOUNTS: dict[str, str] = {
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
}


@dataclass(frozen=True)
class AwsOwnedBucket:
    """An AWS-owned bucket ML traffic must reach through the S3 gateway endpoint (EP-05 allowlist).

    The owning service hands out presigned URLs, so the S3 request is signed by the service, not by this
    account's principals: the statement is the service's documented one, with no principal condition.
    ``services``: the interface-endpoint services whose use needs the bucket (empty: always needed).
    ``accounts``: region -> owning account, for a ``bucket`` name that contains ``{account}``.
    """

    sid: str
    bucket: str  # may contain ``{region}`` and ``{account}``
    actions: tuple[str, ...]
    why: str
    services: tuple[str, ...] = ()
    accounts: Mapping[str, str] | None = None

    def needed_by(self, services: Iterable[str]) -> bool:
        return not self.services or bool(set(self.services) & set(services))

    def object_arn(self, partition: str, region: str) -> str:
        """Objects of the bucket in ``region``; KeyError when the owner of that region's bucket is not documented."""
        account = ""
        if "{account}" in self.bucket:
            owners = self.accounts or {}
            if region not in owners:
                raise KeyError(f"{self.sid}: no documented owner of {self.bucket!r} in region {region}")
            account = owners[region]
        return f"arn:{partition}:s3:::{self.bucket.format(region=region, account=account)}/*"


#: Explicit allowlist of AWS-owned buckets outside this account; every entry says why.
AWS_OWNED_BUCKETS: tuple[AwsOwnedBucket, ...] = (
    AwsOwnedBucket(
        sid="AllowEcrImageLayers",
        bucket="prod-{region}-starport-layer-bucket",
        actions=("s3:GetObject",),
        why="ECR serves container image layers from this AWS-owned bucket through presigned URLs (ECR user guide, "
        "minimum S3 bucket permissions); SageMaker training and inference images are pulled through the S3 gateway",
    ),
    AwsOwnedBucket(
        sid="AllowCodeArtifactAssets",
        bucket="assets-{account}-{region}",
        actions=("s3:GetObject",),
        why="CodeArtifact redirects package downloads to presigned URLs of its per-region asset bucket "
        "(CodeArtifact user guide, minimum S3 bucket permissions)",
        services=("codeartifact.api", "codeartifact.repositories"),
        accounts=CODEARTIFACT_ASSET_ACCOUNTS,
    ),
)


# ---- named relaxations (baseline:relaxations) -------------------------------------------------------------------

#: Tag a resource carries when a named relaxation weakens a control on it: the checkers report that control
#: ``waived`` with the relaxation's reason (never beyond the relaxation's bound) instead of failing it.
RELAXATION_TAG = "baseline-relaxation"
SHORT_LOG_RETENTION = "shortLogRetention"
#: Audit-log retention: the default minimum, and the floor ``shortLogRetention`` allows (EU AI Act Art. 19/26).
LOG_RETENTION_DEFAULT_MIN_DAYS = 365
LOG_RETENTION_FLOOR_DAYS = 180
RELAXATION_REASONS: dict[str, str] = {
    SHORT_LOG_RETENTION: (
        f"relaxation baseline:relaxations.shortLogRetention: audit-log retention below "
        f"{LOG_RETENTION_DEFAULT_MIN_DAYS} days, at or above the {LOG_RETENTION_FLOOR_DAYS}-day floor the EU AI Act "
        "(Art. 19/26) requires for high-risk system logs"
    ),
}


# ---- DNS firewall, resolver query logging (NET-06, NET-07), finding routing (DET-07) ------------------------------

FIREWALL_DOMAIN_LIST = "aws:route53/resolverFirewallDomainList:ResolverFirewallDomainList"
FIREWALL_RULE_GROUP = "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup"
FIREWALL_RULE = "aws:route53/resolverFirewallRule:ResolverFirewallRule"
FIREWALL_ASSOCIATION = "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation"
FIREWALL_CONFIG = "aws:route53/resolverFirewallConfig:ResolverFirewallConfig"
QUERY_LOG_CONFIG = "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig"
QUERY_LOG_ASSOCIATION = "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation"
LOG_RESOURCE_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
EVENTS_SERVICE = "events.amazonaws.com"
#: The principal CloudWatch Logs delivers AWS services' vended logs as (Resolver query logs among them).
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"
#: The DNS Firewall answer to a blocked query (NET-06): the name does not exist, so clients fail at once.
DNS_BLOCK_RESPONSE = "NXDOMAIN"
#: The name of the trail's management-events selector: what the CloudTrail console gives it and scanners look for.
MANAGEMENT_EVENTS_SELECTOR = "Management events selector"
#: Finding source -> (event source, detail-type) of the findings EventBridge routes to the alarm topic (DET-07).
FINDING_SOURCES: dict[str, tuple[str, str]] = {
    "guardduty": ("aws.guardduty", "GuardDuty Finding"),
    "securityhub": ("aws.securityhub", "Security Hub Findings - Imported"),
}
#: GuardDuty's high band starts at 7.0 (7.0-8.9 high, 9.0-10.0 critical); Security Hub's labels at and above HIGH.
FINDING_MIN_SEVERITY = 7
FINDING_SEVERITY_LABELS: tuple[str, ...] = ("HIGH", "CRITICAL")
FINDING_WORKFLOW_STATUS = "NEW"

# ---- AI-01: Bedrock model invocation logging -------------------------------------------------
BEDROCK_SERVICE = "bedrock.amazonaws.com"
BEDROCK_LOGGING_TYPE = "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration"
#: The locked, logs-key-encrypted archive of invocation logs (a bucket of its own, audit-class).
BEDROCK_LOG_BUCKET_CLASS = "bedrock-logs"
#: Key prefix of Bedrock's objects in that archive.
BEDROCK_LOGS_PREFIX = "bedrock"
#: The one stream Bedrock writes in its log group.
BEDROCK_LOG_STREAM = "aws/bedrock/modelinvocations"
BEDROCK_LOG_GROUP_OUTPUT = "bedrockInvocationLogGroupName"
#: ``{"enabled": true}``, or ``{"enabled": false}`` for a stack without invocation logging: always exported, so a
#: missing output is an error and never reads as "no logging".
INVOCATION_LOGGING_OUTPUT = "bedrockInvocationLogging"
#: Bedrock resource types whose data events the trail records when Bedrock is on (AI-01), one selector each:
#: agent, inline-agent, flow and knowledge-base invocations, guardrail evaluations (ApplyGuardrail), prompts, async
#: invocations and model calls CloudTrail files under data events. InvokeModel and Converse are management events,
#: recorded by the management selector. Values from the CloudTrail User Guide's data events table,
#: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
BEDROCK_DATA_EVENT_TYPES: tuple[str, ...] = (
    "AWS::Bedrock::AgentAlias",
    "AWS::Bedrock::AsyncInvoke",
    "AWS::Bedrock::FlowAlias",
    "AWS::Bedrock::Guardrail",
    "AWS::Bedrock::InlineAgent",
    "AWS::Bedrock::KnowledgeBase",
    "AWS::Bedrock::Model",
    "AWS::Bedrock::PromptVersion",
)
#: EU AI Act Article 19(1): logs of a high-risk system kept for at least six months (the audit floor covers it).
AI_ACT_LOG_RETENTION_DAYS = 180

# ---- AI-02: Bedrock guardrail -----------------------------------------------------------------------------------
GUARDRAIL_TYPE = "aws:bedrock/guardrail:Guardrail"
GUARDRAIL_VERSION_TYPE = "aws:bedrock/guardrailVersion:GuardrailVersion"
#: ``{"enabled": true, "arn", "id", "version", "versionArn"}``, or ``{"enabled": false}`` without Bedrock: always
#: exported, so a missing output is an error and never reads as "no guardrail".
GUARDRAIL_OUTPUT = "guardrail"
#: The guardrail's key: the models key, whose users (inference reads, trainer writes) serve the models the guardrail
#: fronts; Bedrock reaches it only via ``bedrock.<region>`` (KMS-06).
GUARDRAIL_KEY_CLASS = "models"
#: IAM actions of the four inference APIs: Converse is authorized as InvokeModel, ConverseStream as
#: InvokeModelWithResponseStream (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
BEDROCK_INVOKE_ACTIONS: tuple[str, ...] = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
#: The same actions in the boundary's Deny, as one pattern (the boundary is within a few hundred characters of IAM's
#: quota at the largest configuration).
BOUNDARY_INVOKE_ACTIONS = "bedrock:InvokeModel*"
#: The guardrail an inference request names, as ``<guardrail arn>:<version>``
#: (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html).
GUARDRAIL_ID_KEY = "bedrock:GuardrailIdentifier"
APPLY_GUARDRAIL = "bedrock:ApplyGuardrail"
#: Sids of the inference role's enforcement: the conditioned Allow, the Deny of any other guardrail or none.
GUARDRAIL_ALLOW_SID = "InvokeAllowlistedBedrockModels"
GUARDRAIL_DENY_SID = "DenyInvokeWithoutGuardrail"
#: Content filter categories (all, input and output) and the one input-only filter (output strength must be NONE).
GUARDRAIL_CONTENT_FILTERS: tuple[str, ...] = ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")
PROMPT_ATTACK = "PROMPT_ATTACK"


#: The ``Id`` of the baseline's permissions boundaries (short: the boundary is within characters of IAM's quota).
BOUNDARY_POLICY_ID = "ai-security-baseline-boundary"
#: Set by Bedrock on an invocation through an inference profile: the profile's ARN, also when the request reaches
#: a foundation model in a Region the profile routes to
#: (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html).
INFERENCE_PROFILE_KEY = "bedrock:InferenceProfileArn"
GUARDRAIL_PROFILE_SID = "InvokeModelsThroughAllowlistedProfiles"


def is_inference_profile(model_arn: str) -> bool:
    """A system-defined inference profile (``...:inference-profile/<geo>.<model id>``), not a foundation model."""
    return model_arn.split(":", 5)[-1].startswith("inference-profile/")


#: ``identity.bedrockModelArns`` as exported (only when set): the sweep specifies the allowlist from it, never from
#: the rendered policies.
BEDROCK_MODELS_OUTPUT = "bedrockModelArns"


def guardrail_version_arn(guardrail_arn: str, version: str) -> str:
    """The value ``bedrock:GuardrailIdentifier`` carries for a request naming this guardrail at ``version``."""
    return f"{guardrail_arn}:{version}"


# ---- SageMaker Studio (AI-03) ----------------------------------------------------------------------------------

SAGEMAKER_DOMAIN = "aws:sagemaker/domain:Domain"
SAGEMAKER_USER_PROFILE = "aws:sagemaker/userProfile:UserProfile"
#: ``{"enabled": true, "domainId": ...}``, or ``{"enabled": false}`` under ai.studio false: always exported, so a
#: missing output is an error and never reads as "no domain".
STUDIO_OUTPUT = "studio"
#: The key of the domain's home EFS and its apps' EBS volumes: notebooks hold the same data as the jobs.
STUDIO_KEY_CLASS = "data"
#: The role Studio apps run as: the trainer's grants (curated read, models write) are what a notebook needs.
STUDIO_EXECUTION_ROLE = TRAINER
#: The interface endpoints a VpcOnly domain needs to reach SageMaker and STS (SageMaker Developer Guide,
#: "Connect Studio notebooks in a VPC to external resources").
STUDIO_ENDPOINT_SERVICES: tuple[str, ...] = ("sagemaker.api", "sagemaker.runtime", "sts")

# ---- model registry (AI-04) ---------------------------------------------------------------------------------------

MODEL_PACKAGE_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
MODEL_PACKAGE_GROUPS_OUTPUT = "modelPackageGroupNames"  # {family: group name}
#: Condition key of CreateModelPackage and UpdateModelPackage: the approval status the request sets.
#: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html
MODEL_APPROVAL_KEY = "sagemaker:ModelApprovalStatus"
MODEL_PENDING = "PendingManualApproval"
MODEL_APPROVED = "Approved"
REGISTER_PACKAGE = "sagemaker:CreateModelPackage"
APPROVE_PACKAGE = "sagemaker:UpdateModelPackage"
#: What the approver reads to decide (versions, their group) besides setting the status with APPROVE_PACKAGE.
APPROVER_READS: tuple[str, ...] = ("sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup")
#: Listing a group's versions; like every registry action here it names model-package resources (Service
#: Authorization Reference, SageMaker), so it is granted on the stack's versions, never on ``*``.
LIST_PACKAGES = "sagemaker:ListModelPackages"


def model_package_group_name(name_prefix: str, family: str) -> str:
    """A model family's package group: ``<name_prefix>-<family>`` (the trainer's grants name the prefix)."""
    return f"{name_prefix}-{family}"


# ---- the reviewer's pictures (verify/reports/diagram.py) ---------------------------------------------------------

#: ``baseline diagram --view`` choices, the default first (the view the Markdown report embeds). Here, not in the
#: diagram module, so the command line is parsed without importing the drawing code; the Makefile's list is checked
#: against it by a test.
DIAGRAM_VIEWS: tuple[str, ...] = ("dataflow", "encryption", "audit", "detection", "ai")

"""The components as a Pulumi component package, for TypeScript, Go, YAML, C# and Python programs.

``pulumi package add <this repository>/provider`` runs ``provider/__main__.py``, which calls :func:`serve`; the
SDK's analyzer turns the classes below into the package schema. The Python components take dataclasses, pydantic
models and resources, which a schema cannot carry, so each is wrapped here by a thin component with plain typed args
(the TypedDicts, whose attribute docstrings become the schema's descriptions) that builds the real one as its child.
No annotation in this module is postponed: the analyzer reads them at run time.
"""

from importlib import metadata
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
from pulumi.provider.experimental import component_provider_host

from ai_security_baseline.components import baseline, network, storage
from ai_security_baseline.components.config import NetworkConfig, parse_config, with_deployer
from ai_security_baseline.components.keys import AccountContext

#: The package name of the schema: every type token is ``ai-security-baseline:index:<class name>``.
PACKAGE = "ai-security-baseline"


def _token(component: str) -> str:
    return f"{PACKAGE}:index:{component}"


def _account(parent: pulumi.Resource) -> AccountContext:
    """The account, partition and region of the AWS provider the component runs with."""
    invoke = pulumi.InvokeOptions(parent=parent)
    return AccountContext(
        account_id=aws.get_caller_identity(opts=invoke).account_id,
        region=aws.get_region(opts=invoke).region,
        partition=aws.get_partition(opts=invoke).partition,
    )


class AiSecurityBaselineArgs(TypedDict):
    """Inputs of AiSecurityBaseline."""

    settings: dict[str, Any]
    """The stack file's `baseline:` keys without the namespace (environment, tags, network, ...), validated alike."""
    profile: NotRequired[str]
    """The AWS profile of the baseline's own AWS provider (default: the usual AWS environment)."""


class AiSecurityBaseline(pulumi.ComponentResource):
    """The whole baseline for one stack: identity, keys, isolated VPC, endpoints, storage and the audit trail."""

    vpc_id: pulumi.Output[str]
    """The isolated VPC's id."""
    private_subnet_ids: pulumi.Output[list[str]]
    """The VPC's private subnets, one per availability zone."""
    outputs: pulumi.Output[dict[str, Any]]
    """Everything an auditor needs (GOV-04), keyed as the Python program exports them (keys, buckets, roles, trail)."""

    def __init__(self, name: str, args: AiSecurityBaselineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(_token("AiSecurityBaseline"), name, {}, opts)
        account = _account(self)
        invoke = pulumi.InvokeOptions(parent=self)
        issuer = aws.iam.get_session_context(arn=aws.get_caller_identity(opts=invoke).arn, opts=invoke).issuer_arn
        config = with_deployer(parse_config(args["settings"]), issuer, applying=not pulumi.runtime.is_dry_run())
        provider = baseline.make_provider(config, account.region, args.get("profile"))
        built = baseline.AiSecurityBaseline(
            name, config, account, opts=pulumi.ResourceOptions(parent=self, providers=[provider])
        )
        self.vpc_id = built.network.vpc.id
        self.private_subnet_ids = built.network.private_subnet_ids
        self.outputs = pulumi.Output.all(**built.outputs())
        self.register_outputs(
            {"vpcId": self.vpc_id, "privateSubnetIds": self.private_subnet_ids, "outputs": self.outputs}
        )


class SecureBucketArgs(TypedDict):
    """Inputs of SecureBucket."""

    bucket_class: str
    """The bucket's data class (raw, curated, models, access-logs): its tag and its design waivers."""
    kms_key_arn: pulumi.Input[str]
    """The KMS key of its default SSE-KMS encryption (S3-03)."""
    noncurrent_version_days: NotRequired[int]
    """Days a noncurrent object version is kept (S3-12; default 90)."""
    abort_multipart_days: NotRequired[int]
    """Days before an incomplete multipart upload is aborted (S3-12; default 7)."""
    expiration_days: NotRequired[int]
    """Days before current objects expire (GOV-03; default: kept)."""
    vpc_endpoint_ids: NotRequired[list[pulumi.Input[str]]]
    """S3 gateway endpoints the bucket admits data requests through only (S3-07; default: a standalone bucket)."""
    access_log_bucket: NotRequired[pulumi.Input[str]]
    """The bucket its server access logs go to (S3-11; default: none)."""
    bucket_name: NotRequired[str]
    """The bucket's physical name (default: Pulumi autonames it)."""


class SecureBucket(pulumi.ComponentResource):
    """An S3 bucket with the baseline's guardrails: public access blocked, ACLs off, SSE-KMS, TLS-only policy."""

    bucket_name: pulumi.Output[str]
    """The bucket's physical name."""
    bucket_arn: pulumi.Output[str]
    """The bucket's ARN."""

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(_token("SecureBucket"), name, {}, opts)
        log_bucket = args.get("access_log_bucket")
        built = storage.SecureBucket(
            name,
            storage.SecureBucketArgs(
                bucket_class=args["bucket_class"],
                account=_account(self),
                lifecycle=storage.Lifecycle(
                    noncurrent_version_days=args.get("noncurrent_version_days", 90),
                    abort_multipart_days=args.get("abort_multipart_days", 7),
                    expiration_days=args.get("expiration_days"),
                ),
                kms_key_arn=args["kms_key_arn"],
                access_log_target=None if log_bucket is None else storage.AccessLogTarget(log_bucket, f"{name}/"),
                vpc_endpoint_ids=args.get("vpc_endpoint_ids", []),
                bucket_name=args.get("bucket_name"),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket_name = built.name
        self.bucket_arn = built.arn
        self.register_outputs({"bucketName": self.bucket_name, "bucketArn": self.bucket_arn})


class IsolatedVpcArgs(TypedDict):
    """Inputs of IsolatedVpc."""

    name_prefix: str
    """Prefix of every resource name, e.g. `aisb-dev`."""
    logs_key_arn: pulumi.Input[str]
    """The KMS key that encrypts the flow-log group (its key policy must admit CloudWatch Logs for that group)."""
    flow_log_group_name: str
    """The flow-log group's name, e.g. `/aisb/dev/vpc-flow-logs`."""
    retention_days: NotRequired[int]
    """Days the flow logs are kept (LOG-07; default 365)."""
    network: NotRequired[dict[str, Any]]
    """The stack file's `baseline:network` keys, e.g. `{"cidr": "10.42.0.0/16", "azCount": 3}` (default: defaults)."""


class IsolatedVpc(pulumi.ComponentResource):
    """A VPC without internet paths: private subnets only, locked default security group and NACL, flow logs."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    private_subnet_ids: pulumi.Output[list[str]]
    """The private subnets, one per availability zone."""
    flow_log_group_name: pulumi.Output[str]
    """The encrypted CloudWatch Logs group the flow logs go to."""

    def __init__(self, name: str, args: IsolatedVpcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(_token("IsolatedVpc"), name, {}, opts)
        built = network.IsolatedVpc(
            name,
            network.IsolatedVpcArgs(
                name_prefix=args["name_prefix"],
                network=NetworkConfig.model_validate(args.get("network", {})),
                account=_account(self),
                flow_log_group_name=args["flow_log_group_name"],
                logs_key_arn=args["logs_key_arn"],
                retention_days=args.get("retention_days", 365),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.vpc_id = built.vpc.id
        self.private_subnet_ids = built.private_subnet_ids
        self.flow_log_group_name = built.flow_log_group.name
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "flowLogGroupName": self.flow_log_group_name,
            }
        )


#: What the package exports, in schema order.
COMPONENTS: tuple[type[pulumi.ComponentResource], ...] = (AiSecurityBaseline, SecureBucket, IsolatedVpc)


def serve() -> None:
    """Host the component provider (the engine passes its address on the command line)."""
    component_provider_host(components=list(COMPONENTS), name=PACKAGE, version=metadata.version(PACKAGE))

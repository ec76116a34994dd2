"""A separate Pulumi program that installs the baseline as a package and builds on it.

It composes ``AiSecurityBaseline`` (which owns the ``IsolatedVpc`` and the ``SecureBucket``s of the access matrix),
uses its VPC and its curated bucket, and adds one resource of its own. A bucket or log group outside the baseline
would need its own grants: the scan reports one the matrix or the key policies do not cover.
"""

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components.baseline import AiSecurityBaseline, make_provider
from ai_security_baseline.components.config import load_config, parse_region, with_deployer
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.network import IsolatedVpc
from ai_security_baseline.components.storage import SecureBucket

config = load_config()
aws_config = pulumi.Config("aws")
region = parse_region(aws_config.get("region"))
provider = make_provider(config, region, aws_config.get("profile"))
invoke = pulumi.InvokeOptions(provider=provider)
caller = aws.get_caller_identity(opts=invoke)
account = AccountContext(
    account_id=caller.account_id, region=region, partition=aws.get_partition(opts=invoke).partition
)
issuer = aws.iam.get_session_context(arn=caller.arn, opts=invoke).issuer_arn
config = with_deployer(config, issuer, applying=not pulumi.runtime.is_dry_run())
resource_opts = pulumi.ResourceOptions(providers=[provider])

baseline = AiSecurityBaseline("baseline", config, account, opts=resource_opts)
network: IsolatedVpc = baseline.network
curated: SecureBucket = baseline.storage.buckets["curated"]

# The team's own resource: a security group for its feature-store service, inside the baseline's isolated VPC, with
# no rule of its own (the baseline's endpoints admit HTTPS from the VPC's CIDR).
app_security_group = aws.ec2.SecurityGroup(
    "feature-store",
    description="feature-store service (no ingress)",
    vpc_id=network.vpc.id,
    opts=pulumi.ResourceOptions(provider=provider),
)

for output_name, value in baseline.outputs().items():
    pulumi.export(output_name, value)
pulumi.export("featureStoreVpcId", network.vpc.id)
pulumi.export("featureStoreBucketName", curated.name)
pulumi.export("featureStoreSecurityGroupId", app_security_group.id)

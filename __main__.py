"""Pulumi entry point: validate config, build the baseline, export what an auditor needs."""

import pulumi
import pulumi_aws as aws

from components import AccountContext, AiSecurityBaseline, load_config, make_provider, parse_region, with_deployer

config = load_config()  # raises ConfigError before any resource exists
aws_config = pulumi.Config("aws")
region = parse_region(aws_config.get("region"))
provider = make_provider(config, region, aws_config.get("profile"))
invoke = pulumi.InvokeOptions(provider=provider)
caller = aws.get_caller_identity(opts=invoke)
account = AccountContext(
    account_id=caller.account_id,
    region=region,
    partition=aws.get_partition(opts=invoke).partition,
)
# The deployer (who writes the pseudonymization secret) is the caller's role or user unless configured.
issuer = aws.iam.get_session_context(arn=caller.arn, opts=invoke).issuer_arn
config = with_deployer(config, issuer, applying=not pulumi.runtime.is_dry_run())
baseline = AiSecurityBaseline("baseline", config, account, opts=pulumi.ResourceOptions(providers=[provider]))
for output_name, value in baseline.outputs().items():
    pulumi.export(output_name, value)

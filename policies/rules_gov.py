"""Governance rules (GOV-01, GOV-05): mandatory tags, production protection."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

from controls import kit
from controls.kms.common import KMS_ALIAS, KMS_KEY

MANDATORY_TAGS = ("owner", "environment", "data-classification")

#: GOV-04: what the live audit reads after `pulumi up` (`pulumi stack output --json`); a test keeps it in step.
AUDIT_OUTPUTS: tuple[str, ...] = (
    *(f"{c}Key{k}" for c in ("data", "models", "logs") for k in ("Arn", "Alias")),
    "vpcId",
    "privateSubnetIds",
    "endpointSecurityGroupId",
    "s3GatewayEndpointId",
    "interfaceEndpointIds",
    "flowLogGroupName",
    *(f"{b}Bucket{k}" for b in ("raw", "curated", "models", "accessLogs", "audit") for k in ("Name", "Arn")),
    "pseudonymizationSecretArn",
    "trailArn",
    "trailLogGroupName",
    "alarmTopicArn",
    "roleArns",
)


def _default_tags(provider: kit.Res) -> dict[str, str]:
    raw = kit.known(provider, "defaultTags")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise kit.Undecidable(f"{provider.name}: defaultTags is not valid JSON") from None
    tags = (raw or {}).get("tags") if isinstance(raw, Mapping) else None
    return dict(tags or {})


#: pulumi-aws types the baseline uses that take no tags (a test checks this list against the SDK).
NOT_TAGGABLE: frozenset[str] = frozenset(
    {
        KMS_ALIAS,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/networkAclAssociation:NetworkAclAssociation",
        "aws:ec2/networkAclRule:NetworkAclRule",
        "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
        "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "aws:sns/topicPolicy:TopicPolicy",
    }
)


def check_mandatory_tags(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """GOV-01: every taggable AWS resource gets the mandatory tags from its provider or itself."""
    providers = {r.urn: _default_tags(r) for r in resources if r.type == kit.AWS_PROVIDER}
    for res in resources:
        if not res.type.startswith("aws:") or res.type in NOT_TAGGABLE:
            continue
        tags = dict(providers.get(res.provider_urn, {}))
        own = res.props.get("tags")
        if isinstance(own, Mapping):
            tags.update(own)
        missing = [t for t in MANDATORY_TAGS if not tags.get(t)]
        yield res.urn, "GOV-01", not missing, f"missing tags {missing}" if missing else "mandatory tags present"


def check_audit_outputs(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """GOV-04: the stack exports every resource an auditor needs (values may be unknown until apply)."""
    stacks = [r for r in resources if r.type == kit.STACK]
    if not stacks:
        raise kit.Undecidable("the graph has no root stack resource, so its outputs cannot be read")
    exported = set(stacks[0].props)
    missing = [o for o in AUDIT_OUTPUTS if o not in exported]
    message = f"missing outputs {missing}" if missing else f"all {len(AUDIT_OUTPUTS)} audit outputs exported"
    yield stacks[0].urn, "GOV-04", not missing, message


def _environment(resources: Sequence[kit.Res]) -> str:
    envs = {_default_tags(r).get("environment", "") for r in resources if r.type == kit.AWS_PROVIDER}
    return "prod" if "prod" in envs else ""


STATEFUL_TYPES = (KMS_KEY, "aws:s3/bucket:Bucket", "aws:cloudtrail/trail:Trail")


def check_prod_protect(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """GOV-05: in a stack tagged environment=prod, keys, buckets and the trail are protected."""
    prod = _environment(resources) == "prod"
    for res in resources:
        if res.type in STATEFUL_TYPES:
            ok = res.protect or not prod
            yield res.urn, "GOV-05", ok, f"protect={res.protect} ({'prod' if prod else 'non-prod'} stack)"


GOV_RULES: tuple[kit.Rule, ...] = (
    kit.Rule(
        "gov-mandatory-tags",
        "Every AWS resource carries owner, environment and data-classification tags",
        ("GOV-01",),
        stack_check=check_mandatory_tags,
    ),
    kit.Rule(
        "gov-audit-outputs",
        "The stack exports every resource the live audit needs",
        ("GOV-04",),
        stack_check=check_audit_outputs,
    ),
    kit.Rule(
        "gov-prod-protect",
        "Production keys, buckets and trails are protected",
        ("GOV-05",),
        stack_check=check_prod_protect,
    ),
)

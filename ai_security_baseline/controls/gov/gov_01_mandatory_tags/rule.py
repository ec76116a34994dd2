"""GOV-01 preview rule: every taggable AWS resource gets the mandatory tags from its provider or itself."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.gov.common import default_tags
from ai_security_baseline.controls.vocabulary import KMS_ALIAS

MANDATORY_TAGS = ("owner", "environment", "data-classification")

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


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    providers = {r.urn: default_tags(r) for r in resources if r.type == kit.AWS_PROVIDER}
    for res in resources:
        if not res.type.startswith("aws:") or res.type in NOT_TAGGABLE:
            continue
        tags = dict(providers.get(res.provider_urn, {}))
        own = res.props.get("tags")
        if isinstance(own, Mapping):
            tags.update(own)
        missing = [t for t in MANDATORY_TAGS if not tags.get(t)]
        yield res.urn, "GOV-01", not missing, f"missing tags {missing}" if missing else "mandatory tags present"


RULE = kit.Rule(
    "gov-01-mandatory-tags",
    "Every AWS resource carries owner, environment and data-classification tags",
    ("GOV-01",),
    stack_check=check,
)

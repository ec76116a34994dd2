"""EP-05 mutations: endpoint policies without their principal or bucket limits, in the graph and in the account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ENDPOINT
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    drop_property,
    edit_document,
    without_condition,
)

ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


def allow_all_live(ctx: Any) -> Callable[[], None]:
    ec2 = ctx.client("ec2")
    endpoint = ctx.output("interfaceEndpointIds")["kms"]
    before = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["PolicyDocument"]
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, PolicyDocument=json.dumps(ALLOW_ALL))
    return lambda: ec2.modify_vpc_endpoint(VpcEndpointId=endpoint, PolicyDocument=before)


MUTATIONS = (
    Mutation(  # the access analysis judges EP-05 by the calls through the S3 gateway, not the interface endpoints
        "EP-05",
        "kms endpoint admits any principal",
        graph=edit_document(
            ENDPOINT, "endpoints-kms", "policy", changed_statement("AllowAccountPrincipals", without_condition)
        ),
        layers=("rule",),
    ),
    Mutation(
        "EP-05",
        "S3 gateway reaches any account's buckets",
        graph=edit_document(
            ENDPOINT,
            "endpoints-s3",
            "policy",
            changed_statement("AllowAccountPrincipalsToAccountBuckets", without_condition),
        ),
    ),
    Mutation(  # an interface endpoint: the access analysis does not judge it (above)
        "EP-05",
        "sts endpoint without a policy",
        graph=drop_property(ENDPOINT, "endpoints-sts", "policy"),
        layers=("rule",),
    ),
    Mutation("EP-05", "kms endpoint policy replaced by allow-all", live=allow_all_live),
)

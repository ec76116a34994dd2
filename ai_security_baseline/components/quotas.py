"""AWS size quotas of every policy kind the baseline creates, and each policy's size counted the way AWS counts it.

Mocks and moto accept a policy of any size; AWS refuses one over its quota at apply time, half-way through an
update. The table below is the one source of these limits (standard library only, so any checker can import it).

Every policy reaches AWS as the provider's compact JSON: terraform-provider-aws normalizes a policy argument with
Go's ``encoding/json`` (``structure.NormalizeJsonString``) before the API call, whatever spacing the program wrote.
``policy_size`` measures that serialization: IAM counts characters without white space; the other services count
the characters or bytes of the document as sent. Where a page says "KB", the stricter reading (1,000 bytes) holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ai_security_baseline.controls import vocabulary as v

IAM_QUOTAS_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"


class PolicyKind(Enum):
    """A kind of policy document with its own size quota."""

    MANAGED_POLICY = "managed-policy"
    ROLE_INLINE_POLICIES = "role-inline-policies"
    ROLE_TRUST_POLICY = "role-trust-policy"
    BUCKET_POLICY = "bucket-policy"
    VPC_ENDPOINT_POLICY = "vpc-endpoint-policy"
    KEY_POLICY = "key-policy"
    SECRET_POLICY = "secret-policy"
    TOPIC_POLICY = "topic-policy"


@dataclass(frozen=True)
class Quota:
    """One documented limit: ``limit`` ``unit`` per document (per role, summed, for inline policies)."""

    title: str
    limit: int
    unit: str  # "characters" or "bytes"
    whitespace_counts: bool
    counting: str
    url: str


QUOTAS: dict[PolicyKind, Quota] = {
    PolicyKind.MANAGED_POLICY: Quota(
        "IAM managed policy (the permissions boundary)",
        6_144,
        "characters",
        False,
        "characters, white space not counted",
        IAM_QUOTAS_URL,
    ),
    PolicyKind.ROLE_INLINE_POLICIES: Quota(
        "IAM role inline policies, summed per role",
        10_240,
        "characters",
        False,
        "characters of all the role's inline policies, white space not counted",
        IAM_QUOTAS_URL,
    ),
    PolicyKind.ROLE_TRUST_POLICY: Quota(
        "IAM role trust policy",
        2_048,
        "characters",
        True,
        "characters, white space counted (the page does not say); the default quota, raisable",
        IAM_QUOTAS_URL,
    ),
    PolicyKind.BUCKET_POLICY: Quota(
        "S3 bucket policy",
        20_000,
        "bytes",
        True,
        "bytes of the document: 20 KB, KB read as 1,000 bytes",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html",
    ),
    PolicyKind.VPC_ENDPOINT_POLICY: Quota(
        "VPC endpoint policy",
        20_480,
        "characters",
        True,
        "characters including white space",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html",
    ),
    PolicyKind.KEY_POLICY: Quota(
        "KMS key policy",
        32_768,
        "bytes",
        True,
        "bytes of the document (32 KB)",
        "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
    ),
    PolicyKind.SECRET_POLICY: Quota(
        "Secrets Manager resource policy",
        20_480,
        "characters",
        True,
        "characters of the document (the API's length limit)",
        "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html",
    ),
    PolicyKind.TOPIC_POLICY: Quota(
        "SNS topic policy",
        30_000,
        "bytes",
        True,
        "bytes of the document: 30 KB, KB read as 1,000 bytes",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html",
    ),
}

#: Where policies live in the resource graph: Pulumi type -> (property holding the JSON document, its kind).
#: Role policies count toward their role's inline total (the ``role`` property names the role).
GRAPH_POLICIES: dict[str, tuple[str, PolicyKind]] = {
    v.MANAGED_POLICY: ("policy", PolicyKind.MANAGED_POLICY),
    v.ROLE_POLICY: ("policy", PolicyKind.ROLE_INLINE_POLICIES),
    v.ROLE: ("assumeRolePolicy", PolicyKind.ROLE_TRUST_POLICY),
    v.BUCKET_POLICY: ("policy", PolicyKind.BUCKET_POLICY),
    v.ENDPOINT: ("policy", PolicyKind.VPC_ENDPOINT_POLICY),
    v.ENDPOINT_POLICY: ("policy", PolicyKind.VPC_ENDPOINT_POLICY),
    v.KMS_KEY: ("policy", PolicyKind.KEY_POLICY),
    v.KMS_KEY_POLICY: ("policy", PolicyKind.KEY_POLICY),
    v.SECRET_POLICY: ("policy", PolicyKind.SECRET_POLICY),
    v.TOPIC_POLICY: ("policy", PolicyKind.TOPIC_POLICY),
}

#: Go's encoding/json escapes these inside strings (HTML safety); each becomes six characters.
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_NO_WHITESPACE = str.maketrans("", "", " \t\n\r")


def wire_json(document: Mapping[str, Any] | str) -> str:
    """The document as the provider sends it: compact JSON with Go's escaping (the key order does not change size)."""
    value = json.loads(document) if isinstance(document, str) else document
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_GO_ESCAPES)


def policy_size(kind: PolicyKind, document: Mapping[str, Any] | str) -> int:
    """Size of one document in the unit and with the white-space rule of ``kind``'s quota."""
    quota = QUOTAS[kind]
    text = wire_json(document)
    if not quota.whitespace_counts:
        text = text.translate(_NO_WHITESPACE)
    return len(text.encode()) if quota.unit == "bytes" else len(text)


__all__ = [
    "GRAPH_POLICIES",
    "QUOTAS",
    "PolicyKind",
    "Quota",
    "policy_size",
    "wire_json",
]

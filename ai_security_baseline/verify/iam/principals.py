"""Every principal that acts, not only the workload roles: the calls AWS services make for the stack and the calls
the deployer makes, each with the request context AWS documents for it, evaluated against the rendered policies.

A workload role is proven by the access matrix (``verify.iam.analysis``); here the proofs are of the other actors:

- ``service``: CloudTrail, CloudWatch Logs, VPC Flow Logs, S3 log delivery, CloudWatch alarms, Secrets Manager (as
  the caller), EBS (for SageMaker volumes), SageMaker, and ECR layer downloads. Each call that must work is expected
  ``allow``; its confused-deputy sibling (the same service acting for another account, trail, group or topic) is
  expected ``deny``.
- ``deployer``: what ``pulumi up``/``refresh`` needs once the policies exist (rewrite a key or bucket policy, put the
  secret's value, read back what the provider refreshes). The deployer's own IAM is outside the stack, so it is
  modelled as allowed everything: what is proven is that no policy of the stack blocks it.

The builders are pure functions of ARNs and policy documents, so the moto deploy runs the very same calls as a
preflight before it creates what AWS would validate (``ai_security_baseline.verify.emulator.deploy``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ai_security_baseline.verify.iam.evaluator import (
    ContextValue,
    Decision,
    PolicyDocument,
    PolicyEvaluationError,
    PolicySet,
    Request,
    ResourceKind,
    evaluate,
)

Kind = Literal["workload", "service", "deployer", "attack"]
Expected = Literal["allow", "deny"]

#: The account every confused-deputy sibling acts for.
FOREIGN_ACCOUNT = "999999999999"
#: Stand-in for AWS's own permissions where the principal is AWS's (the deployer's IAM is outside the stack too).
ALLOW_ALL: Mapping[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
#: The AWS account ECR's presigned layer URLs are signed by, as far as the endpoint policy can tell: not ours.
ECR_LAYER_PRINCIPAL = "arn:aws:iam::000000000000:role/ecr-layer-delivery"


@dataclass(frozen=True)
class Call:
    """One request some principal makes for the stack, what it must yield, and every policy that decides it."""

    kind: Kind
    control: str
    name: str
    principal: str
    action: str
    resource: str
    expected: Expected
    policies: PolicySet
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    explicit: bool = False  # an expected deny must come from a Deny statement (a guardrail), not a missing grant


@dataclass(frozen=True)
class Outcome:
    call: Call
    decision: str  # allow, deny, implicit-deny, error
    statement: str | None
    error: str = ""
    context: Mapping[str, ContextValue] = field(default_factory=dict)  # as evaluated (with what AWS adds)

    @property
    def as_expected(self) -> bool:
        return self.decision == self.call.expected or (
            self.call.expected == "deny" and self.decision == "implicit-deny" and not self.call.explicit
        )

    def to_json(self) -> dict[str, Any]:
        """One entry of ``baseline access --json``."""
        call = self.call
        entry: dict[str, Any] = {
            "kind": call.kind,
            "control": call.control,
            "name": call.name,
            "principal": call.principal,
            "action": call.action,
            "resource": call.resource,
            "context": dict(self.context or call.context),
            "expected": call.expected,
            "decision": self.decision,
            "statement": self.statement,
        }
        if self.error:
            entry["error"] = self.error
        return entry


_DECISIONS = {"Allow": "allow", "ExplicitDeny": "deny", "ImplicitDeny": "implicit-deny"}


def decide(call: Call) -> Outcome:
    """Evaluate one call; a request the evaluator cannot decide is ``error``, never a pass."""
    is_iam = call.principal.startswith("arn:")
    account = call.principal.split(":")[4] if is_iam else ""
    context = dict(call.context)
    if not is_iam:  # AWS names the calling service in every request a service principal makes
        context.setdefault("aws:PrincipalServiceName", call.principal)
    try:
        decision: Decision = evaluate(
            Request(call.principal, account, call.action, call.resource, context), call.policies
        )
    except PolicyEvaluationError as exc:
        return Outcome(call, "error", None, str(exc), context)
    first = decision.statements[0] if decision.statements else None
    return Outcome(call, _DECISIONS[decision.outcome], first, "", context)


# ---- contexts -------------------------------------------------------------------------------------------------


def service_context(**keys: ContextValue) -> dict[str, ContextValue]:
    """What every request of a service principal carries, plus ``keys`` (AWS sends these on every request)."""
    return {"aws:PrincipalIsAWSService": True, "aws:ViaAWSService": False, "aws:SecureTransport": True, **keys}


def via_service_context(via: str, account: str, **keys: ContextValue) -> dict[str, ContextValue]:
    """What KMS sees when a service calls it with a caller's own credentials (forward access)."""
    return {
        "kms:ViaService": via,
        "kms:CallerAccount": account,
        "aws:ViaAWSService": True,
        "aws:PrincipalIsAWSService": False,
        "aws:SecureTransport": True,
        **keys,
    }


def _foreign(arn: str, account: str) -> str:
    return arn.replace(f":{account}:", f":{FOREIGN_ACCOUNT}:")


def _kms(account: str, key_policy: PolicyDocument) -> PolicySet:
    return PolicySet(resource_account=account, resource_kind="kms", resource=key_policy)


def _trust(account: str, trust: PolicyDocument) -> PolicySet:
    return PolicySet(resource_account=account, resource_kind="trust", resource=trust)


def _s3(account: str, bucket_policy: PolicyDocument) -> PolicySet:
    return PolicySet(resource_account=account, resource_kind="s3", resource=bucket_policy)


def _pair(call: Call, sibling: Mapping[str, ContextValue]) -> list[Call]:
    """The call that must work and its confused-deputy sibling (the same call in another account's context)."""
    return [call, replace(call, name=f"{call.name} (for another account)", expected="deny", context=dict(sibling))]


def _service(
    name: str, principal: str, action: str, resource: str, policies: PolicySet, *, control: str
) -> Callable[[Mapping[str, ContextValue], Mapping[str, ContextValue]], list[Call]]:
    """A service call that must be allowed in ``context`` and denied in ``sibling``."""

    def pair(context: Mapping[str, ContextValue], sibling: Mapping[str, ContextValue]) -> list[Call]:
        return _pair(
            Call("service", control, name, principal, action, resource, "allow", policies, dict(context)), sibling
        )

    return pair


# ---- CloudTrail (LOG-02, LOG-03, LOG-04) -----------------------------------------------------------------------

CLOUDTRAIL = "cloudtrail.amazonaws.com"


@dataclass(frozen=True)
class TrailFacts:
    """What CloudTrail checks at CreateTrail: the archive, the key, the delivery role."""

    account: str
    trail_arn: str
    bucket_arn: str
    bucket_policy: PolicyDocument
    key_arn: str
    key_policy: PolicyDocument
    role_arn: str
    role_trust: PolicyDocument


def trail_creation_calls(t: TrailFacts) -> list[Call]:
    """CloudTrail assumes the delivery role (no source keys: it sends none), checks the archive's ACL, writes a log
    file and a digest, and asks the key for a data key (with its context) and its description."""
    acct, trail = t.account, t.trail_arn
    foreign_trail = _foreign(trail, acct)
    source = {"aws:SourceArn": trail, "aws:SourceAccount": acct}
    foreign = {"aws:SourceArn": foreign_trail, "aws:SourceAccount": FOREIGN_ACCOUNT}
    log_file = f"{t.bucket_arn}/AWSLogs/{acct}/CloudTrail/log.json.gz"
    write = {
        "s3:x-amz-acl": "bucket-owner-full-control",
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": t.key_arn,
    }
    digest = {"s3:x-amz-acl": "bucket-owner-full-control", "s3:x-amz-server-side-encryption": "AES256"}
    context = {"kms:EncryptionContext:aws:cloudtrail:arn": trail}
    other_context = {"kms:EncryptionContext:aws:cloudtrail:arn": foreign_trail}
    bucket, key = _s3(acct, t.bucket_policy), _kms(acct, t.key_policy)
    assume = Call(
        "service",
        "LOG-04",
        "CloudTrail assumes its CloudWatch Logs delivery role",
        CLOUDTRAIL,
        "sts:AssumeRole",
        t.role_arn,
        "allow",
        _trust(acct, t.role_trust),
        service_context(),
    )
    other_service = Call(
        "service",
        "LOG-04",
        "VPC Flow Logs assumes the CloudTrail delivery role",
        "vpc-flow-logs.amazonaws.com",
        "sts:AssumeRole",
        t.role_arn,
        "deny",
        _trust(acct, t.role_trust),
        service_context(**{"aws:SourceAccount": acct}),
    )
    return [
        assume,
        other_service,
        *_service(
            "CloudTrail checks the archive ACL", CLOUDTRAIL, "s3:GetBucketAcl", t.bucket_arn, bucket, control="LOG-03"
        )(service_context(**source), service_context(**foreign)),
        *_service("CloudTrail writes a log file", CLOUDTRAIL, "s3:PutObject", log_file, bucket, control="LOG-03")(
            service_context(**source, **write), service_context(**foreign, **write)
        ),
        *_service(
            "CloudTrail writes a digest file (SSE-S3)",
            CLOUDTRAIL,
            "s3:PutObject",
            log_file.replace("/CloudTrail/", "/CloudTrail-Digest/"),
            bucket,
            control="LOG-03",
        )(service_context(**source, **digest), service_context(**foreign, **digest)),
        *_service(
            "CloudTrail generates a log file's data key",
            CLOUDTRAIL,
            "kms:GenerateDataKey",
            t.key_arn,
            key,
            control="LOG-02",
        )(service_context(**source, **context), service_context(**foreign, **other_context)),
        *_service(
            "CloudTrail describes the trail key", CLOUDTRAIL, "kms:DescribeKey", t.key_arn, key, control="LOG-02"
        )(service_context(**source), service_context(**foreign)),
    ]


# ---- CloudWatch Logs on the logs key (NET-05, LOG-04, KMS-05) ---------------------------------------------------


def log_group_key_calls(
    control: str, *, account: str, region: str, group_arn: str, key_arn: str, key_policy: PolicyDocument
) -> list[Call]:
    """CloudWatch Logs encrypts and reads one group's events: it sends only the ``aws:logs:arn`` context (checked
    at CreateLogGroup/AssociateKmsKey); the sibling is another account's group."""
    logs = f"logs.{region}.amazonaws.com"
    key = _kms(account, key_policy)
    mine = service_context(**{"kms:EncryptionContext:aws:logs:arn": group_arn})
    other = service_context(**{"kms:EncryptionContext:aws:logs:arn": _foreign(group_arn, account)})
    group = group_arn.rsplit(":", 1)[-1]
    calls: list[Call] = []
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        calls += _service(
            f"CloudWatch Logs {action.split(':')[1]} for {group}", logs, action, key_arn, key, control=control
        )(mine, other)
    return calls


def delivery_role_calls(
    control: str,
    *,
    account: str,
    role_arn: str,
    inline: Sequence[PolicyDocument],
    boundary: PolicyDocument | None,
    group_arn: str,
) -> list[Call]:
    """The delivery role, once assumed, writes its own group's streams and no other group's."""
    as_role = PolicySet(resource_account=account, identity=tuple(inline), boundary=boundary)
    context = {"aws:PrincipalIsAWSService": False, "aws:ViaAWSService": False}
    other_group = f"{group_arn.rsplit(':', 1)[0]}:/another/group"
    return [
        Call(
            "service",
            control,
            "the delivery role writes its group's events",
            role_arn,
            "logs:PutLogEvents",
            f"{group_arn}:log-stream:delivery",
            "allow",
            as_role,
            context,
        ),
        Call(
            "service",
            control,
            "the delivery role writes another group's events",
            role_arn,
            "logs:PutLogEvents",
            f"{other_group}:log-stream:delivery",
            "deny",
            as_role,
            context,
        ),
    ]


def assume_calls(
    control: str, service: str, *, account: str, role_arn: str, trust: PolicyDocument, source_arn: str
) -> list[Call]:
    """``service`` assumes a role for a resource of this account (``source_arn``), never for another account's."""
    mine = service_context(**{"aws:SourceArn": source_arn, "aws:SourceAccount": account})
    foreign = service_context(**{"aws:SourceArn": _foreign(source_arn, account), "aws:SourceAccount": FOREIGN_ACCOUNT})
    name = f"{service.split('.', maxsplit=1)[0]} assumes {role_arn.rsplit('/', 1)[-1]}"
    return _service(name, service, "sts:AssumeRole", role_arn, _trust(account, trust), control=control)(mine, foreign)


def flow_log_assume_calls(*, account: str, region: str, role_arn: str, trust: PolicyDocument) -> list[Call]:
    """VPC Flow Logs assumes its delivery role for this account's flow logs only."""
    flow_log = f"arn:aws:ec2:{region}:{account}:vpc-flow-log/fl-0123456789abcdef0"
    return assume_calls(
        "NET-05", "vpc-flow-logs.amazonaws.com", account=account, role_arn=role_arn, trust=trust, source_arn=flow_log
    )


# ---- S3 server access logs (S3-11) ------------------------------------------------------------------------------


def access_log_delivery_calls(
    *, account: str, log_bucket_arn: str, log_bucket_policy: PolicyDocument, source_bucket_arn: str
) -> list[Call]:
    """S3's logging service writes a source bucket's access logs into the log bucket, only for our buckets."""
    obj = f"{log_bucket_arn}/{source_bucket_arn.rsplit(':', 1)[-1]}/log"
    mine = service_context(**{"aws:SourceArn": source_bucket_arn, "aws:SourceAccount": account})
    other = service_context(
        **{"aws:SourceArn": "arn:aws:s3:::someone-elses-bucket", "aws:SourceAccount": FOREIGN_ACCOUNT}
    )
    return _service(
        "S3 delivers server access logs",
        "logging.s3.amazonaws.com",
        "s3:PutObject",
        obj,
        _s3(account, log_bucket_policy),
        control="S3-11",
    )(mine, other)


# ---- CloudWatch alarms -> encrypted SNS topic (LOG-06) ----------------------------------------------------------


def alarm_publish_calls(
    *,
    account: str,
    alarm_arn: str,
    topic_arn: str,
    topic_policy: PolicyDocument,
    key_arn: str,
    key_policy: PolicyDocument,
) -> list[Call]:
    """CloudWatch publishes an alarm to the topic (topic policy) and SNS gets the message's data key (key policy)."""
    return _topic_publish_calls(
        ("CloudWatch", "publishes an alarm"), "cloudwatch.amazonaws.com", "LOG-06",
        account=account, source_arn=alarm_arn, topic_arn=topic_arn, topic_policy=topic_policy, key_arn=key_arn,
        key_policy=key_policy,
    )  # fmt: skip


def finding_publish_calls(
    *,
    account: str,
    rule_arn: str,
    topic_arn: str,
    topic_policy: PolicyDocument,
    key_arn: str,
    key_policy: PolicyDocument,
) -> list[Call]:
    """EventBridge publishes a finding rule's match to the topic (topic policy) and SNS gets the message's data key
    (key policy); the same calls for another account's rule must be refused (DET-07)."""
    return _topic_publish_calls(
        ("EventBridge", "publishes a finding"), "events.amazonaws.com", "DET-07",
        account=account, source_arn=rule_arn, topic_arn=topic_arn, topic_policy=topic_policy, key_arn=key_arn,
        key_policy=key_policy,
    )  # fmt: skip


def _topic_publish_calls(
    who: tuple[str, str],
    service: str,
    control: str,
    *,
    account: str,
    source_arn: str,
    topic_arn: str,
    topic_policy: PolicyDocument,
    key_arn: str,
    key_policy: PolicyDocument,
) -> list[Call]:
    """``service`` publishes to the encrypted topic for ``source_arn`` of this account (the topic policy), and SNS
    gets the message's data key for it (the key policy); the same calls for another account's source are refused."""
    name, publishes = who
    source = {"aws:SourceArn": source_arn, "aws:SourceAccount": account}
    foreign = {"aws:SourceArn": _foreign(source_arn, account), "aws:SourceAccount": FOREIGN_ACCOUNT}
    topic = PolicySet(resource_account=account, resource=topic_policy)
    context = {"kms:EncryptionContext:aws:sns:topicArn": topic_arn}
    other = {"kms:EncryptionContext:aws:sns:topicArn": _foreign(topic_arn, account)}
    calls = _service(f"{name} {publishes}", service, "sns:Publish", topic_arn, topic, control=control)(
        service_context(**source), service_context(**foreign)
    )
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        calls += _service(
            f"{name} {action.split(':')[1]} for the encrypted topic",
            service,
            action,
            key_arn,
            _kms(account, key_policy),
            control=control,
        )(service_context(**source, **context), service_context(**foreign, **other))
    return calls


# ---- Resolver query logs delivered by CloudWatch Logs (NET-07) ----------------------------------------------------


def query_log_delivery_calls(
    *, account: str, partition: str, region: str, group_arn: str, resource_policy: PolicyDocument
) -> list[Call]:
    """CloudWatch Logs' delivery service writes a Resolver query log stream into the group for this account (its
    resource policy must allow it), and not for another account's delivery."""
    delivery = "delivery.logs.amazonaws.com"
    stream = f"{group_arn}:log-stream:vpc-dns"
    logs = PolicySet(resource_account=account, resource=resource_policy)
    source = {
        "aws:SourceAccount": account,
        "aws:SourceArn": f"arn:{partition}:logs:{region}:{account}:delivery-source:x",
    }
    foreign = {
        "aws:SourceAccount": FOREIGN_ACCOUNT,
        "aws:SourceArn": f"arn:{partition}:logs:{region}:{FOREIGN_ACCOUNT}:delivery-source:x",
    }
    calls: list[Call] = []
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        calls += _service(f"Logs delivery {action.split(':')[1]}", delivery, action, stream, logs, control="NET-07")(
            service_context(**source), service_context(**foreign)
        )
    return calls


# ---- Secrets Manager as the caller (GOV-02) --------------------------------------------------------------------


def secret_creation_calls(
    *,
    account: str,
    region: str,
    deployer_arn: str,
    other_principal: str,
    secret_arn: str,
    key_arn: str,
    key_policy: PolicyDocument,
) -> list[Call]:
    """CreateSecret and PutSecretValue with a customer key: Secrets Manager calls GenerateDataKey and Decrypt *as the
    caller*, via ``secretsmanager.<region>``, with the ``SecretARN`` context. Only the deployer may; another
    principal of the account, or the deployer for another secret, may not."""
    via = f"secretsmanager.{region}.amazonaws.com"
    identity = PolicySet(resource_account=account, resource_kind="kms", identity=(ALLOW_ALL,), resource=key_policy)
    calls: list[Call] = []
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        mine = via_service_context(via, account, **{"kms:EncryptionContext:SecretARN": secret_arn})
        other = via_service_context(via, account, **{"kms:EncryptionContext:SecretARN": f"{secret_arn[:-7]}x-AbCdEf"})
        verb = action.split(":")[1]
        calls += [
            Call(
                "service",
                "GOV-02",
                f"Secrets Manager {verb} as the deployer (CreateSecret, PutSecretValue)",
                deployer_arn,
                action,
                key_arn,
                "allow",
                identity,
                mine,
            ),
            Call(
                "service",
                "GOV-02",
                f"Secrets Manager {verb} as the deployer for another secret",
                deployer_arn,
                action,
                key_arn,
                "deny",
                identity,
                other,
            ),
            Call(
                "service",
                "GOV-02",
                f"Secrets Manager {verb} as a principal that is not a writer",
                other_principal,
                action,
                key_arn,
                "deny",
                identity,
                mine,
            ),
        ]
    return calls


# ---- EFS for the Studio domain's home file system (AI-03, KMS-06) ----------------------------------------------


def guardrail_creation_calls(
    *, account: str, region: str, deployer_arn: str, key_arn: str, key_policy: PolicyDocument
) -> list[Call]:
    """CreateGuardrail and CreateGuardrailVersion with ``kmsKeyId``: Bedrock calls DescribeKey, GenerateDataKey,
    Decrypt and CreateGrant (for itself, an AWS resource) *as the caller*, via ``bedrock.<region>`` (Bedrock User
    Guide, https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html)."""
    via = via_service_context(f"bedrock.{region}.amazonaws.com", account)
    identity = PolicySet(resource_account=account, resource_kind="kms", identity=(ALLOW_ALL,), resource=key_policy)
    grant = {**via, "kms:GrantIsForAWSResource": True}
    actions = ("kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt", "kms:CreateGrant")
    return [
        Call(
            "service",
            "AI-02",
            f"Bedrock {a.split(':')[1]} as the deployer (CreateGuardrail)",
            deployer_arn,
            a,
            key_arn,
            "allow",
            identity,
            grant if a == "kms:CreateGrant" else via,
        )
        for a in actions
    ]


def home_efs_creation_calls(
    *, account: str, region: str, deployer_arn: str, key_arn: str, key_policy: PolicyDocument
) -> list[Call]:
    """CreateDomain with ``KmsKeyId``: the home EFS is created with the caller's permissions, so EFS calls
    DescribeKey, Decrypt, GenerateDataKeyWithoutPlaintext and CreateGrant (for itself, an AWS resource) *as the
    deployer*, via ``elasticfilesystem.<region>``. The deployer's direct use, or a grant not for an AWS resource,
    is refused."""
    via = via_service_context(f"elasticfilesystem.{region}.amazonaws.com", account)
    identity = PolicySet(resource_account=account, resource_kind="kms", identity=(ALLOW_ALL,), resource=key_policy)
    calls = [
        Call(
            "service",
            "AI-03",
            f"EFS {a.split(':')[1]} as the deployer (CreateDomain)",
            deployer_arn,
            a,
            key_arn,
            "allow",
            identity,
            via,
        )
        for a in ("kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext")
    ]
    grant = {**via, "kms:GrantIsForAWSResource": True}
    return [
        *calls,
        Call(
            "service",
            "AI-03",
            "EFS creates its grant as the deployer (CreateDomain)",
            deployer_arn,
            "kms:CreateGrant",
            key_arn,
            "allow",
            identity,
            grant,
        ),
        Call(
            "service",
            "AI-03",
            "the deployer decrypts with the domain key directly (not via EFS)",
            deployer_arn,
            "kms:Decrypt",
            key_arn,
            "deny",
            identity,
            {"kms:CallerAccount": account, "aws:SecureTransport": True},
        ),
        Call(
            "service",
            "AI-03",
            "the deployer creates a grant not for an AWS resource",
            deployer_arn,
            "kms:CreateGrant",
            key_arn,
            "deny",
            identity,
            {**grant, "kms:GrantIsForAWSResource": False},
        ),
    ]


# ---- EBS for SageMaker volumes (IAM-06, KMS-06) -----------------------------------------------------------------


def volume_grant_calls(
    *,
    account: str,
    region: str,
    role_arn: str,
    identity: Sequence[PolicyDocument],
    boundary: PolicyDocument | None,
    key_arn: str,
    key_policy: PolicyDocument,
    key_aliases: Sequence[str] = (),
) -> list[Call]:
    """EBS creates a grant on the volume key for the job's role (via ``ec2.<region>``, for an AWS resource); the
    same grant for a non-AWS resource, or outside EBS, is refused."""
    policies = PolicySet(
        resource_account=account, resource_kind="kms", identity=tuple(identity), boundary=boundary, resource=key_policy
    )
    grant: dict[str, ContextValue] = {"kms:GrantIsForAWSResource": True, "kms:ResourceAliases": list(key_aliases)}
    ebs = via_service_context(f"ec2.{region}.amazonaws.com", account, **grant)
    return [
        Call(
            "service",
            "KMS-06",
            "EBS creates a grant for a SageMaker volume",
            role_arn,
            "kms:CreateGrant",
            key_arn,
            "allow",
            policies,
            ebs,
        ),
        Call(
            "service",
            "KMS-06",
            "the role creates a grant for itself (not for an AWS resource)",
            role_arn,
            "kms:CreateGrant",
            key_arn,
            "deny",
            policies,
            {**ebs, "kms:GrantIsForAWSResource": False},
        ),
    ]


# ---- SageMaker assumes the execution roles (IAM-01) -------------------------------------------------------------


def sagemaker_assume_calls(*, account: str, region: str, role_arn: str, trust: PolicyDocument) -> list[Call]:
    """SageMaker assumes an execution role for a job of this account, never for another account's job."""
    job = f"arn:aws:sagemaker:{region}:{account}:training-job/job"
    return assume_calls(
        "IAM-01", "sagemaker.amazonaws.com", account=account, role_arn=role_arn, trust=trust, source_arn=job
    )


# ---- ECR image layers through the S3 gateway endpoint (EP-05) ---------------------------------------------------


def ecr_layer_calls(*, region: str, gateway_policy: PolicyDocument) -> list[Call]:
    """A layer download follows ECR's presigned URL: the S3 request is signed by ECR, not by our principals, so only
    the endpoint policy can refuse it. It must pass for ECR's layer bucket and fail for any other foreign bucket."""
    account = ECR_LAYER_PRINCIPAL.split(":")[4]
    through = PolicySet(resource_account=account, resource_kind="s3", identity=(ALLOW_ALL,), vpce=(gateway_policy,))
    context: dict[str, ContextValue] = {
        "aws:SecureTransport": True,
        "aws:ViaAWSService": False,
        "aws:ResourceAccount": account,
    }
    return [
        Call(
            "service",
            "EP-05",
            "ECR serves an image layer through the S3 gateway endpoint",
            ECR_LAYER_PRINCIPAL,
            "s3:GetObject",
            f"arn:aws:s3:::prod-{region}-starport-layer-bucket/layer",
            "allow",
            through,
            context,
        ),
        Call(
            "service",
            "EP-05",
            "a foreign bucket read through the S3 gateway endpoint",
            ECR_LAYER_PRINCIPAL,
            "s3:GetObject",
            "arn:aws:s3:::exfiltration-bucket/data",
            "deny",
            through,
            context,
        ),
    ]


# ---- the deployer (pulumi up / refresh) -------------------------------------------------------------------------

#: What the provider reads back on refresh, per resource kind, and what an update rewrites.
DEPLOYER_BUCKET_ACTIONS: tuple[str, ...] = (
    "s3:PutBucketPolicy",
    "s3:GetBucketPolicy",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketVersioning",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketPublicAccessBlock",
)
DEPLOYER_KEY_ACTIONS: tuple[str, ...] = ("kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:DescribeKey")
DEPLOYER_SECRET_ACTIONS: tuple[str, ...] = (
    "secretsmanager:PutSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutResourcePolicy",
)


def deployer_calls(
    *,
    account: str,
    deployer_arn: str,
    buckets: Mapping[str, PolicyDocument],
    keys: Mapping[str, PolicyDocument],
    secret: tuple[str, PolicyDocument] | None,
    org_id: str | None = None,
) -> list[Call]:
    """The deployer, with its own IAM allowing everything, is not locked out by any policy of the stack: a later
    PutBucketPolicy or PutKeyPolicy (which must pass the key's lock-out safety check: the caller keeps
    PutKeyPolicy), PutSecretValue, and the reads a refresh makes. Requests come over TLS from outside the VPC, from
    a principal of the stack's organization (``org_id``) when it declares one."""
    context: dict[str, ContextValue] = {
        **({"aws:PrincipalOrgID": org_id} if org_id else {}),
        "aws:SecureTransport": True,
        "aws:ViaAWSService": False,
        "aws:PrincipalIsAWSService": False,
        "s3:TlsVersion": "1.2",
    }
    kinds: list[tuple[str, ResourceKind, Mapping[str, PolicyDocument], tuple[str, ...]]] = [
        ("S3-13", "s3", buckets, DEPLOYER_BUCKET_ACTIONS),
        ("KMS-04", "kms", keys, DEPLOYER_KEY_ACTIONS),
    ]
    if secret is not None:
        kinds.append(("GOV-02", "secret", dict([secret]), DEPLOYER_SECRET_ACTIONS))
    calls: list[Call] = []
    for control, kind, resources, actions in kinds:
        for arn, policy in sorted(resources.items()):
            policies = PolicySet(resource_account=account, resource_kind=kind, identity=(ALLOW_ALL,), resource=policy)
            name = arn.rsplit("/" if kind == "kms" else ":", 1)[-1]
            calls += [
                Call(
                    "deployer",
                    control,
                    f"the deployer {a.split(':')[1]} on {name}",
                    deployer_arn,
                    a,
                    arn,
                    "allow",
                    policies,
                    context,
                )
                for a in actions
            ]
            if kind == "secret":
                calls.append(
                    Call(
                        "deployer",
                        control,
                        "the deployer cannot read the secret's value",
                        deployer_arn,
                        "secretsmanager:GetSecretValue",
                        arn,
                        "deny",
                        policies,
                        context,
                    )
                )
    return calls

"""The storage units' literal fixture: a small compliant stack (keys, an S3 endpoint, the log bucket, a data bucket,
the model registry and the pseudonymization secret) built with the project's own policy builders
(``components.documents``), so a rule and the component agree on meaning; a violation is one edit of it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ai_security_baseline.components import documents
from ai_security_baseline.controls import kit, registry
from ai_security_baseline.controls.s3 import common as s3
from ai_security_baseline.controls.testing import ACCOUNT, REGION, res
from ai_security_baseline.controls.vocabulary import BUCKET, BUCKET_POLICY, KMS_ALIAS, KMS_KEY, SECRET, SECRET_POLICY

ENDPOINT = "vpce-0123456789abcdef0"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
PROCESSOR = f"arn:aws:iam::{ACCOUNT}:role/data-processor"
#: A minimal hand-written preview file (a real ``pulumi preview --json`` shape).
PREVIEW = Path(__file__).resolve().parents[3] / "tests" / "data" / "preview-minimal.json"

Statement = dict[str, Any]
Graph = list[kit.Res]

#: The storage rules: the S3 units' rules and the two GOV rules that judge storage (GOV-02 secret, GOV-03 retention).
STORAGE_RULES = tuple(r for r in registry.rules() if r.controls[0].startswith(("S3-", "GOV-02", "GOV-03")))


def key_arn(data_class: str) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-{data_class}"


def kms_key(data_class: str) -> Graph:
    """The class's key and its alias."""
    key = res(KMS_KEY, data_class, arn=key_arn(data_class), keyId=f"k-{data_class}")
    alias = res(
        KMS_ALIAS,
        data_class,
        deps={"targetKeyId": [key.urn]},
        name=f"alias/aisb-dev-{data_class}",
        targetKeyId=f"k-{data_class}",
    )
    return [key, alias]


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}-1a2b3c4"


def bucket_policy(name: str, data_class: str | None, extra: Sequence[Statement] = ()) -> str:
    document = documents.bucket_policy(
        bucket_arn(name),
        account_id=ACCOUNT,
        kms_key_arn=key_arn(data_class) if data_class else None,
        vpc_endpoint_ids=[ENDPOINT] if data_class else [],
        exempt_principal_arns=[DEPLOYER],
        extra_statements=extra,
    )
    return json.dumps(document)


def secure_bucket(
    name: str, data_class: str | None, *, policy_extra: Sequence[Statement] = (), log_to: str = "", lock: bool = False
) -> Graph:
    """A bucket and its v7 side resources as the engine records them (property dependencies on ``bucket``)."""
    physical = f"{name}-1a2b3c4"
    bucket = res(
        BUCKET,
        name,
        retain_on_delete=True,
        bucket=physical,
        arn=bucket_arn(name),
        forceDestroy=False,
        objectLockEnabled=lock,
    )

    def side(type_token: str, *after: kit.Res, **props: Any) -> kit.Res:
        return res(
            type_token,
            name,
            deps={"bucket": [bucket.urn]},
            depends_on=[d.urn for d in after],
            retain_on_delete=True,
            bucket=physical,
            **props,
        )

    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    pab = side(s3.PUBLIC_ACCESS_BLOCK, **dict.fromkeys(flags, True))
    ownership = side(s3.OWNERSHIP, rule={"objectOwnership": "BucketOwnerEnforced"})
    sse = (
        {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn(data_class)} if data_class else {"sseAlgorithm": "AES256"}
    )
    rule: dict[str, Any] = {"applyServerSideEncryptionByDefault": sse, "blockedEncryptionTypes": ["SSE-C"]}
    if data_class:
        rule["bucketKeyEnabled"] = True
    lifecycle_rules = [
        {
            "id": "abort",
            "status": "Enabled",
            "filter": {},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        },
        {"id": "noncurrent", "status": "Enabled", "filter": {}, "noncurrentVersionExpiration": {"noncurrentDays": 90}},
    ]
    graph = [
        bucket,
        pab,
        ownership,
        side(s3.ENCRYPTION, rules=[rule]),
        side(s3.VERSIONING, versioningConfiguration={"status": "Enabled"}),
        side(s3.LIFECYCLE, rules=lifecycle_rules),
        side(BUCKET_POLICY, pab, ownership, policy=bucket_policy(name, data_class, policy_extra)),
    ]
    if log_to:
        graph.append(side(s3.LOGGING, targetBucket=f"{log_to}-1a2b3c4", targetPrefix=f"{name}/"))
    if lock:
        retention = {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}
        graph.append(side(s3.OBJECT_LOCK, objectLockEnabled="Enabled", rule=retention))
    return graph


def log_grant(*sources: str) -> Statement:
    """The log bucket's statement admitting server access logs from the ``sources`` buckets."""
    return documents.allow_server_access_logs_statement(bucket_arn("logs"), [bucket_arn(s) for s in sources], ACCOUNT)


def secret(data_class: str = "data", readers: Sequence[str] = (PROCESSOR,)) -> Graph:
    """The pseudonymization secret, encrypted with the class's key, and its resource policy."""
    arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:aisb-dev/pseudonymization-key-a1b2c3"
    return [
        res(SECRET, "pseudonymization", name="aisb-dev/pseudonymization-key", kmsKeyId=key_arn(data_class), arn=arn),
        res(
            SECRET_POLICY,
            "pseudonymization",
            secretArn=arn,
            blockPublicPolicy=True,
            policy=json.dumps(documents.secret_read_policy(readers)),
        ),
    ]


def compliant() -> Graph:
    """Keys, one VPC endpoint, the log bucket (SSE-S3), a data bucket and the model registry, and the secret."""
    return [
        res("pulumi:pulumi:Stack", "p-dev"),
        *kms_key("data"),
        *kms_key("models"),
        res(s3.VPC_ENDPOINT, "s3", id=ENDPOINT),
        *secure_bucket("logs", None, policy_extra=[log_grant("raw", "models")]),
        *secure_bucket("raw", "data", log_to="logs"),
        *secure_bucket("models", "models", log_to="logs", lock=True),
        *secret(),
    ]


def find(graph: Graph, type_token: str, name: str) -> kit.Res:
    return next(r for r in graph if r.type == type_token and r.name == name)


def edited(graph: Graph, type_token: str, name: str, **changes: Any) -> Graph:
    """The graph with one resource's props (and, via ``_fields``, its other fields) changed."""
    fields = changes.pop("_fields", {})
    target = find(graph, type_token, name)
    new = dataclasses.replace(target, props={**target.props, **changes}, **fields)
    return [new if r is target else r for r in graph]


def without(graph: Graph, type_token: str, name: str) -> Graph:
    target = find(graph, type_token, name)
    return [r for r in graph if r is not target]


def with_policy(graph: Graph, name: str, edit: Callable[[list[Statement]], list[Statement]]) -> Graph:
    """The graph with bucket ``name``'s policy statements rewritten by ``edit``."""
    document = json.loads(find(graph, BUCKET_POLICY, name).props["policy"])
    document["Statement"] = edit(document["Statement"])
    return edited(graph, BUCKET_POLICY, name, policy=json.dumps(document))


def drop_sid(sid: str) -> Callable[[list[Statement]], list[Statement]]:
    return lambda sts: [st for st in sts if st["Sid"] != sid]


def change_sid(sid: str, **fields: Any) -> Callable[[list[Statement]], list[Statement]]:
    return lambda sts: [{**st, **fields} if st["Sid"] == sid else st for st in sts]


def _rule(rule: kit.Rule | str) -> kit.Rule:
    return rule if isinstance(rule, kit.Rule) else next(r for r in STORAGE_RULES if r.name == rule)


def results(rule: kit.Rule | str, graph: Graph) -> dict[tuple[str, str], str]:
    """(control, resource name) -> status of one storage rule (or its name) over the graph (the last outcome per
    pair)."""
    return {(o.control, o.urn.split("::")[-1]): o.status for o in _rule(rule).evaluate(graph)}


def messages(rule: kit.Rule | str, graph: Graph) -> dict[tuple[str, str], str]:
    """(control, resource name) -> message of one storage rule (or its name) over the graph."""
    return {(o.control, o.urn.split("::")[-1]): o.message for o in _rule(rule).evaluate(graph)}

"""Storage rules (S3-01…S3-14, GOV-02): a small literal stack passes; each violation fails with its control id.

The compliant fixture is built with the project's own pure policy builders (``components.documents``), so a rule
and the component agree on meaning; violations are single edits of that fixture.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from components import documents
from controls import registry, vocabulary
from controls.kit import Res
from controls.s3 import common as s3
from controls.vocabulary import KMS_ALIAS, KMS_KEY
from verify.checkers.rules import scan_rules, to_rule_resource
from verify.engine.graph import ResourceGraph
from verify.findings.catalog import load_catalog
from verify.findings.waivers import WAIVERS_PATH, apply_waivers, load_waivers

ACCOUNT = "111122223333"
ENDPOINT = "vpce-0123456789abcdef0"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
PROCESSOR = f"arn:aws:iam::{ACCOUNT}:role/data-processor"
STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
PREVIEW = Path(__file__).parent / "data" / "preview-minimal.json"

Statement = dict[str, Any]
Graph = list[Res]


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:dev::p::{type_token}::{name}"


def key_arn(data_class: str) -> str:
    return f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k-{data_class}"


def kms_key(data_class: str) -> list[Res]:
    key = Res(urn(KMS_KEY, data_class), KMS_KEY, {"arn": key_arn(data_class), "keyId": f"k-{data_class}"})
    alias = Res(
        urn(KMS_ALIAS, data_class),
        KMS_ALIAS,
        {"name": f"alias/aisb-dev-{data_class}", "targetKeyId": f"k-{data_class}"},
        property_dependencies={"targetKeyId": (key.urn,)},
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
    bucket = Res(
        urn(vocabulary.BUCKET, name),
        vocabulary.BUCKET,
        {"bucket": f"{name}-1a2b3c4", "arn": bucket_arn(name), "forceDestroy": False, "objectLockEnabled": lock},
        retain_on_delete=True,
    )

    def side(type_token: str, *depends_on: Res, **props: Any) -> Res:
        return Res(
            urn(type_token, name),
            type_token,
            {"bucket": bucket.props["bucket"], **props},
            dependencies=(bucket.urn, *(d.urn for d in depends_on)),
            property_dependencies={"bucket": (bucket.urn,)},
            retain_on_delete=True,
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
        side(vocabulary.BUCKET_POLICY, pab, ownership, policy=bucket_policy(name, data_class, policy_extra)),
    ]
    if log_to:
        graph.append(side(s3.LOGGING, targetBucket=f"{log_to}-1a2b3c4", targetPrefix=f"{name}/"))
    if lock:
        retention = {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}
        graph.append(side(s3.OBJECT_LOCK, objectLockEnabled="Enabled", rule=retention))
    return graph


def log_grant(*sources: str) -> Statement:
    return documents.allow_server_access_logs_statement(bucket_arn("logs"), [bucket_arn(s) for s in sources], ACCOUNT)


def secret(data_class: str = "data", readers: Sequence[str] = (PROCESSOR,)) -> Graph:
    arn = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:aisb-dev/pseudonymization-key-a1b2c3"
    props = {"name": "aisb-dev/pseudonymization-key", "kmsKeyId": key_arn(data_class), "arn": arn}
    the_secret = Res(urn(vocabulary.SECRET, "pseudonymization"), vocabulary.SECRET, props)
    policy_props = {
        "secretArn": arn,
        "blockPublicPolicy": True,
        "policy": json.dumps(documents.secret_read_policy(readers)),
    }
    return [the_secret, Res(urn(vocabulary.SECRET_POLICY, "pseudonymization"), vocabulary.SECRET_POLICY, policy_props)]


def compliant() -> Graph:
    """Keys, one VPC endpoint, the log bucket (SSE-S3), a data bucket and the model registry, and the secret."""
    endpoint = Res(urn(s3.VPC_ENDPOINT, "s3"), s3.VPC_ENDPOINT, {"id": ENDPOINT})
    return [
        Res(STACK, "pulumi:pulumi:Stack", {}),
        *kms_key("data"),
        *kms_key("models"),
        endpoint,
        *secure_bucket("logs", None, policy_extra=[log_grant("raw", "models")]),
        *secure_bucket("raw", "data", log_to="logs"),
        *secure_bucket("models", "models", log_to="logs", lock=True),
        *secret(),
    ]


# ---- editing the fixture ------------------------------------------------------------------------------------------


def find(graph: Graph, type_token: str, name: str) -> Res:
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
    document = json.loads(find(graph, vocabulary.BUCKET_POLICY, name).props["policy"])
    document["Statement"] = edit(document["Statement"])
    return edited(graph, vocabulary.BUCKET_POLICY, name, policy=json.dumps(document))


def drop_sid(sid: str) -> Callable[[list[Statement]], list[Statement]]:
    return lambda sts: [st for st in sts if st["Sid"] != sid]


def change_sid(sid: str, **fields: Any) -> Callable[[list[Statement]], list[Statement]]:
    return lambda sts: [{**st, **fields} if st["Sid"] == sid else st for st in sts]


#: The storage rules: the S3 units' rules and the two GOV rules that judge storage (GOV-02 secret, GOV-03 retention).
STORAGE_RULES = tuple(r for r in registry.rules() if r.controls[0].startswith(("S3-", "GOV-02", "GOV-03")))


def results(rule_name: str, graph: Graph) -> dict[tuple[str, str], str]:
    """(control, resource name) -> status of one storage rule over the graph."""
    rule = next(r for r in STORAGE_RULES if r.name == rule_name)
    return {(o.control, o.urn.split("::")[-1]): o.status for o in rule.evaluate(graph)}


def messages(rule_name: str, graph: Graph) -> dict[tuple[str, str], str]:
    rule = next(r for r in STORAGE_RULES if r.name == rule_name)
    return {(o.control, o.urn.split("::")[-1]): o.message for o in rule.evaluate(graph)}


# ---- every rule passes the compliant fixture ----------------------------------------------------------------------

#: The one documented non-pass of the compliant fixture: the log target is SSE-S3 by design (waiver).
BY_DESIGN = {("S3-03", "logs"): "fail"}


@pytest.mark.parametrize("rule_name", [r.name for r in STORAGE_RULES])
def test_storage_rule_passes_the_compliant_fixture(rule_name: str) -> None:
    found = results(rule_name, compliant())
    assert found, "the rule produced no outcome"
    assert {k: v for k, v in found.items() if v != "pass"} == {k: v for k, v in BY_DESIGN.items() if k in found}


# ---- the dev stack, mutated -------------------------------------------------------------------------------------


def dev_resources(graph: ResourceGraph) -> Graph:
    return [to_rule_resource(r) for r in graph]


def test_dev_stack_only_non_pass_storage_findings_are_the_two_by_design_waivers(dev_graph: ResourceGraph) -> None:
    findings = scan_rules(dev_graph, STORAGE_RULES)
    control_waivers = [w for w in load_waivers(WAIVERS_PATH, load_catalog()) if w.control]
    outcome = apply_waivers(findings, control_waivers, date.today())
    assert sorted((f.control, f.resource_name, f.status) for f in outcome.findings if f.status != "pass") == [
        ("S3-03", "aisb-dev-access-logs", "waived"),
        ("S3-03", "aisb-dev-audit", "waived"),
    ]
    assert outcome.warnings == ()


def test_s3_01_fails_the_dev_curated_bucket_without_its_public_access_block(dev_graph: ResourceGraph) -> None:
    graph = without(dev_resources(dev_graph), s3.PUBLIC_ACCESS_BLOCK, "aisb-dev-curated")
    assert results("s3-01-public-access-block", graph)[("S3-01", "aisb-dev-curated")] == "fail"

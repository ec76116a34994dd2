"""Mutations prove the sweep has teeth: each weakens one policy-shaped control in the rendered dev graph (drops a
Deny, widens a resource or a principal, removes a condition) and the exhaustive sweep must report a mismatch with
the access matrix, naming the request. A control whose mutation the sweep did not notice would be a proof that
proves nothing."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.iam.sweep import Mismatch, SweepResult, run_sweep, sweep_stack

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BOUNDARY = "aws:iam/policy:Policy"

Document = dict[str, Any]


@pytest.fixture(scope="module")
def dev(dev_graph: ResourceGraph) -> ResourceGraph:
    return dev_graph


def mutate(graph: ResourceGraph, type_token: str, name: str, field: str, edit: Callable[[Any], Any]) -> ResourceGraph:
    """The graph with one resource's ``field`` edited (a JSON policy is decoded for ``edit`` and encoded back)."""
    changed = []
    found = False
    for resource in graph:
        if resource.type != type_token or resource.name != name:
            changed.append(resource)
            continue
        found = True
        value = resource.inputs[field]
        new = json.dumps(edit(json.loads(value))) if isinstance(value, str) and value[:1] == "{" else edit(value)
        changed.append(dataclasses.replace(resource, inputs={**resource.inputs, field: new}))
    assert found, f"no {type_token} {name}"
    return type(graph)(changed, stack=graph.stack, project=graph.project)


def without(sid: str) -> Callable[[Document], Document]:
    def edit(doc: Document) -> Document:
        kept = [s for s in doc["Statement"] if s.get("Sid") != sid]
        assert len(kept) == len(doc["Statement"]) - 1, sid
        return {**doc, "Statement": kept}

    return edit


def changed(sid: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Document], Document]:
    def edit(doc: Document) -> Document:
        assert any(s.get("Sid") == sid for s in doc["Statement"]), sid
        return {**doc, "Statement": [change(dict(s)) if s.get("Sid") == sid else s for s in doc["Statement"]]}

    return edit


def no_condition(statement: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k != "Condition"}


def without_condition_key(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(statement: dict[str, Any]) -> dict[str, Any]:
        condition = {op: {k: v for k, v in keys.items() if k != key} for op, keys in statement["Condition"].items()}
        return {**statement, "Condition": {op: keys for op, keys in condition.items() if keys}}

    return change


def sweep(graph: ResourceGraph, *services: str, owner: str | None = None) -> SweepResult:
    """The sweep of ``services``; with ``owner``, only the requests on that bucket or key (``""``: the other
    account's resources). Each request is decided on its own, so the slice is decided exactly as in the whole sweep."""
    where = None if owner is None else (lambda t: t.owner == owner)
    return run_sweep(sweep_stack(graph), services=services, where=where)


def extra(result: SweepResult, matches: Callable[[Mismatch], bool]) -> list[str]:
    """The messages of the IAM-03 mismatches (extra Allows) that ``matches`` picks."""
    return [m.message for m in result.mismatches if m.control == "IAM-03" and matches(m)]


def test_s3_04_dropping_the_plain_http_deny_is_caught(dev: ResourceGraph) -> None:
    graph = mutate(dev, BUCKET_POLICY, "aisb-dev-raw", "policy", without("DenyInsecureTransport"))
    assert extra(sweep(graph, "s3", owner="raw"), lambda m: "no TLS" in m.request.label)


def test_s3_05_dropping_the_old_tls_deny_is_caught(dev: ResourceGraph) -> None:
    graph = mutate(dev, BUCKET_POLICY, "aisb-dev-raw", "policy", without("DenyOutdatedTls"))
    assert extra(sweep(graph, "s3", owner="raw"), lambda m: "TLS 1.0" in m.request.label)


def test_s3_06_dropping_the_kms_without_key_id_deny_is_caught(dev: ResourceGraph) -> None:
    graph = mutate(dev, BUCKET_POLICY, "aisb-dev-curated", "policy", without("DenyKmsWithoutKeyId"))
    assert extra(sweep(graph, "s3", owner="curated"), lambda m: m.request.action == "s3:PutObject")


def test_s3_07_dropping_the_vpc_only_deny_is_caught(dev: ResourceGraph) -> None:
    graph = mutate(dev, BUCKET_POLICY, "aisb-dev-raw", "policy", without("DenyAccessOutsideVpcEndpoints"))
    assert extra(sweep(graph, "s3", owner="raw"), lambda m: "internet" in m.request.label)


def test_s3_08_dropping_the_foreign_principal_deny_lets_a_mistaken_public_grant_through(dev: ResourceGraph) -> None:
    """S3-08 is the wall behind a mistaken grant: with a public read added, only the Deny keeps other accounts out."""

    def public_read(doc: Document) -> Document:
        arn = doc["Statement"][0]["Resource"][0]
        grant = {
            "Sid": "Mistake",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{arn}/*",
        }
        return {**doc, "Statement": [grant, *doc["Statement"]]}

    mistaken = mutate(dev, BUCKET_POLICY, "aisb-dev-raw", "policy", public_read)
    weakened = mutate(mistaken, BUCKET_POLICY, "aisb-dev-raw", "policy", without("DenyPrincipalsOutsideAccount"))

    def foreign(m: Mismatch) -> bool:
        return m.request.principal.name in ("foreign-admin", "anonymous")

    assert extra(sweep(mistaken, "s3", owner="raw"), foreign) == []
    assert extra(sweep(weakened, "s3", owner="raw"), foreign)


def test_kms_04_giving_the_account_root_decrypt_is_caught(dev: ResourceGraph) -> None:
    def root_decrypts(statement: dict[str, Any]) -> dict[str, Any]:
        return {**statement, "Action": [*statement["Action"], "kms:Decrypt"]}

    graph = mutate(dev, KEY, "keys-data", "policy", changed("AccountRootManagesKeyOnly", root_decrypts))
    assert extra(sweep(graph, "kms"), lambda m: m.request.action == "kms:Decrypt")


def test_kms_05_unbinding_cloudwatch_logs_from_its_group_is_caught(dev: ResourceGraph) -> None:
    graph = mutate(dev, KEY, "keys-logs", "policy", changed("LogsEncryptCloudTrailGroup", no_condition))
    assert extra(sweep(graph, "kms"), lambda m: m.request.principal.name.startswith("logs."))


def test_kms_06_letting_a_writer_use_the_data_key_outside_s3_is_caught(dev: ResourceGraph) -> None:
    change = without_condition_key("kms:ViaService")
    graph = mutate(dev, KEY, "keys-data", "policy", changed("RolesWriteDataKeyViaS3", change))
    assert extra(sweep(graph, "kms"), lambda m: m.request.principal.name == vocabulary.PROCESSOR)


def test_kms_07_an_alias_outside_the_baselines_names_is_caught(dev: ResourceGraph) -> None:
    """The boundary binds key use to ``alias/<prefix>-*``: a key aliased otherwise is no key of the baseline."""
    graph = mutate(dev, ALIAS, "keys-data", "name", lambda _: "alias/someone-else-data")
    result = sweep(graph, "kms")
    assert [m for m in result.mismatches if m.control == "IAM-04" and m.request.target.name == "data key"]


def test_ep_05_dropping_the_gateways_account_condition_is_caught(dev: ResourceGraph) -> None:
    def open_to_any_bucket(doc: Document) -> Document:
        return changed(doc["Statement"][0]["Sid"], without_condition_key("aws:ResourceAccount"))(doc)

    graph = mutate(dev, ENDPOINT, "endpoints-s3", "policy", open_to_any_bucket)
    assert extra(sweep(graph, "s3", owner=""), lambda m: m.request.target.account != m.request.principal.account)


def test_iam_03_widening_the_processors_read_to_every_bucket_is_caught(dev: ResourceGraph) -> None:
    def every_bucket(statement: dict[str, Any]) -> dict[str, Any]:
        return {**statement, "Resource": "arn:aws:s3:::*/*"}

    policy = changed("ReadRawObjects", every_bucket)
    graph = mutate(dev, ROLE_POLICY, "identity-policies-data-processor", "policy", policy)
    assert extra(sweep(graph, "s3", owner="models"), lambda m: m.request.principal.name == vocabulary.PROCESSOR)


def test_iam_04_naming_inference_a_writer_of_the_data_key_is_caught(dev: ResourceGraph) -> None:
    def and_inference(statement: dict[str, Any]) -> dict[str, Any]:
        writers = statement["Principal"]["AWS"]
        inference = writers[0].replace(vocabulary.PROCESSOR, vocabulary.INFERENCE)
        return {**statement, "Principal": {"AWS": [*writers, inference]}}

    graph = mutate(dev, KEY, "keys-data", "policy", changed("RolesWriteDataKeyViaS3", and_inference))
    assert extra(sweep(graph, "kms"), lambda m: m.request.principal.name == vocabulary.INFERENCE)


def test_iam_05_removing_the_boundarys_key_binding_is_caught(dev: ResourceGraph) -> None:
    graph = mutate(dev, BOUNDARY, "identity-boundary", "policy", changed("CapKms", no_condition))
    assert extra(sweep(graph, "kms"), lambda m: m.request.principal.kind == "boundary")


def test_iam_06_dropping_network_isolation_from_the_job_guardrail_is_caught(dev: ResourceGraph) -> None:
    change = without_condition_key("sagemaker:NetworkIsolation")
    graph = mutate(
        dev,
        ROLE_POLICY,
        "identity-policies-model-trainer",
        "policy",
        changed("CreateJobsInsideBaselineGuardrails", change),
    )
    assert extra(sweep(graph, "sagemaker"), lambda m: m.request.principal.name == vocabulary.TRAINER)


def test_iam_07_passing_the_trainer_role_to_any_service_is_caught(dev: ResourceGraph) -> None:
    change = without_condition_key("iam:PassedToService")
    graph = mutate(
        dev, ROLE_POLICY, "identity-policies-model-trainer", "policy", changed("PassTrainerRoleToJobsOnly", change)
    )
    assert extra(sweep(graph, "iam"), lambda m: m.request.action == "iam:PassRole")


def test_log_03_dropping_the_audit_deletion_deny_is_caught(dev: ResourceGraph) -> None:
    audit = next(p.name for p in dev.by_type(BUCKET_POLICY) if p.name.endswith("-audit"))
    graph = mutate(dev, BUCKET_POLICY, audit, "policy", without("DenyAuditLogDeletion"))
    assert extra(sweep(graph, "s3", owner="audit"), lambda m: m.request.action.startswith("s3:DeleteObject"))

"""The checkov bridge: Pulumi names -> Terraform names, references from property dependencies, and checkov's
verdicts on small hand-built graphs (one checkov run for the whole module, on one combined graph)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.verify.checkers import checkov
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph, load_preview_file

DATA = Path(__file__).parent / "data"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/0000-good"


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:test::bridge::{type_token}::{name}"


def res(type_token: str, name: str, inputs: Mapping[str, Any], deps: Mapping[str, list[str]] | None = None) -> Resource:
    """A managed resource as the engine records it; ``deps`` maps input property -> URNs it came from."""
    prop_deps = {k: tuple(v) for k, v in (deps or {}).items()}
    return Resource(
        urn=urn(type_token, name),
        type=type_token,
        custom=True,
        inputs=dict(inputs),
        outputs={**inputs, "id": f"{name}-id"},
        dependencies=tuple(u for v in prop_deps.values() for u in v),
        property_dependencies=prop_deps,
    )


def graph(*resources: Resource) -> ResourceGraph:
    return ResourceGraph(resources, stack="test", project="bridge")


def plan_resource(plan: checkov.TfPlan, address: str) -> dict[str, Any]:
    [found] = [r for r in plan.document["planned_values"]["root_module"]["resources"] if r["address"] == address]
    return dict(found)


def expressions(plan: checkov.TfPlan, address: str) -> dict[str, Any]:
    [found] = [
        r for r in plan.document["configuration"]["root_module"]["resources"] if f"{r['type']}.{r['name']}" == address
    ]
    return dict(found["expressions"])


BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
KEY = "aws:kms/key:Key"
TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def split_bucket(prefix: str) -> list[Resource]:
    """A bucket whose encryption, public access block, versioning and logging are separate v7 resources."""
    key = res(KEY, f"{prefix}-key", {"enableKeyRotation": True, "arn": KEY_ARN})
    data = res(BUCKET, f"{prefix}-data", {"bucket": f"{prefix}-data-bucket"})
    logs = res(BUCKET, f"{prefix}-logs", {"bucket": f"{prefix}-logs-bucket"})
    on_data = {"bucket": [data.urn]}
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}}
    return [
        key,
        data,
        logs,
        res(
            SSE,
            f"{prefix}-sse",
            {"bucket": f"{prefix}-data-bucket", "rules": [{**rule, "bucketKeyEnabled": True}]},
            {**on_data, "rules": [key.urn]},
        ),
        res(PAB, f"{prefix}-pab", {"bucket": f"{prefix}-data-bucket", **dict.fromkeys(PAB_FLAGS, True)}, on_data),
        res(
            VERSIONING,
            f"{prefix}-versioning",
            {"bucket": f"{prefix}-data-bucket", "versioningConfiguration": {"status": "Enabled"}},
            on_data,
        ),
        res(
            LOGGING,
            f"{prefix}-logging",
            {"bucket": f"{prefix}-data-bucket", "targetBucket": f"{prefix}-logs-bucket", "targetPrefix": "data/"},
            {**on_data, "targetBucket": [logs.urn]},
        ),
    ]


PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::bad-public/*"}],
}


def insecure_stack() -> list[Resource]:
    """A public bucket, a key without rotation, a trail without log file validation."""
    bucket = res(BUCKET, "bad-public", {"bucket": "bad-public"})
    on_bucket = {"bucket": [bucket.urn]}
    return [
        bucket,
        res(PAB, "bad-public-pab", {"bucket": "bad-public", **dict.fromkeys(PAB_FLAGS, False)}, on_bucket),
        res(BUCKET_POLICY, "bad-public-policy", {"bucket": "bad-public", "policy": json.dumps(PUBLIC_READ)}, on_bucket),
        res(KEY, "bad-key", {"enableKeyRotation": False}),
        res(
            TRAIL,
            "bad-trail",
            {"name": "bad-trail", "s3BucketName": "bad-public", "enableLogFileValidation": False},
            {"s3BucketName": [bucket.urn]},
        ),
    ]


def without_references(resources: list[Resource], suffix: str) -> list[Resource]:
    """The same resources under other names with their property dependencies removed."""
    return [
        dataclasses.replace(r, urn=f"{r.urn}{suffix}", property_dependencies={}, dependencies=()) for r in resources
    ]


def unknown_where(value: Any, derived: set[str]) -> Any:
    """``value`` with every leaf that another resource's output supplies replaced by the unknown sentinel."""
    if isinstance(value, Mapping):
        return {k: unknown_where(v, derived) for k, v in value.items()}
    if isinstance(value, list):
        return [unknown_where(v, derived) for v in value]
    return UNKNOWN if value in derived else value


def as_first_preview(resources: list[Resource]) -> list[Resource]:
    """A first-time ``pulumi preview``: no outputs yet, every value derived from another resource unknown."""
    derived = {"good-data-bucket", "good-logs-bucket", KEY_ARN}
    renamed = {r.urn: r.urn.replace("::good-", "::new-") for r in resources}
    return [
        dataclasses.replace(
            r,
            urn=renamed[r.urn],
            inputs=unknown_where(dict(r.inputs), derived),
            outputs={},
            property_dependencies={k: tuple(renamed[u] for u in v) for k, v in r.property_dependencies.items()},
            dependencies=tuple(renamed[u] for u in r.dependencies),
        )
        for r in resources
    ]


NACL = "aws:ec2/networkAcl:NetworkAcl"


def nacl_attachments() -> list[Resource]:
    """One NACL listing its subnet inline, one attached by an association resource (as the baseline does)."""
    vpc = res("aws:ec2/vpc:Vpc", "att-vpc", {"cidrBlock": "10.0.0.0/16"})
    subnet = res(
        "aws:ec2/subnet:Subnet", "att-subnet", {"vpcId": "v", "cidrBlock": "10.0.0.0/24"}, {"vpcId": [vpc.urn]}
    )
    inline = res(
        NACL, "att-inline", {"vpcId": "v", "subnetIds": ["s"]}, {"vpcId": [vpc.urn], "subnetIds": [subnet.urn]}
    )
    associated = res(NACL, "att-associated", {"vpcId": "v"}, {"vpcId": [vpc.urn]})
    association = res(
        "aws:ec2/networkAclAssociation:NetworkAclAssociation",
        "att-association",
        {"subnetId": "s", "networkAclId": "n"},
        {"subnetId": [subnet.urn], "networkAclId": [associated.urn]},
    )
    return [vpc, subnet, inline, associated, association]


@pytest.fixture(scope="module")
def combined() -> ResourceGraph:
    """Every scenario of this module in one graph, so checkov runs once (about 10 s) for all of them."""
    return graph(
        *split_bucket("good"),
        *without_references(split_bucket("good"), "-norefs"),
        *as_first_preview(split_bucket("good")),
        *insecure_stack(),
        *nacl_attachments(),
    )


@pytest.fixture(scope="module")
def run(combined: ResourceGraph) -> checkov.CheckovRun:
    return checkov.scan_checkov(combined)


def verdict(run: checkov.CheckovRun, check: str, resource_urn: str) -> str:
    """PASSED/FAILED of one check on one resource; KeyError (naming both) when checkov did not evaluate it."""
    found = [
        r["check_result"]["result"]
        for r in run.results
        if r["check_id"] == check and run.plan.urn_of(r["resource"]) == resource_urn
    ]
    if len(found) != 1:
        raise KeyError(f"{check} on {resource_urn}: {found}")
    return str(found[0])


# ---- type tokens -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
        ("aws:ec2/flowLog:FlowLog", "aws_flow_log"),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "aws_vpc_endpoint"),
        ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws_vpc_security_group_ingress_rule"),
        ("aws:cfg/rule:Rule", "aws_config_config_rule"),
        ("aws:rds/instance:Instance", "aws_db_instance"),
        ("aws:rds/cluster:Cluster", "aws_rds_cluster"),
        ("aws:ec2/spotFleetRequest:SpotFleetRequest", "aws_spot_fleet_request"),
        ("aws:s3/bucketObjectv2:BucketObjectv2", "aws_s3_object"),
    ],
)
def test_tf_type_maps_irregular_tokens_from_the_table(token: str, expected: str) -> None:
    assert checkov.tf_type(token) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("aws:s3/bucketV2:BucketV2", "aws_s3_bucket"),
        ("aws:s3/bucketVersioningV2:BucketVersioningV2", "aws_s3_bucket_versioning"),
        ("aws:ec2/transitGatewayRoute:TransitGatewayRoute", "aws_transit_gateway_route"),
        ("aws:apigateway/restApi:RestApi", "aws_api_gateway_rest_api"),
        ("aws:sagemaker/featureGroup:FeatureGroup", "aws_sagemaker_feature_group"),
        ("aws:lambda/function:Function", "aws_lambda_function"),
        ("aws:ecr/repository:Repository", "aws_ecr_repository"),
    ],
)
def test_tf_type_rule_covers_tokens_outside_the_table(token: str, expected: str) -> None:
    assert token not in checkov.TYPE_TABLE
    assert checkov.tf_type(token) == expected


@pytest.mark.parametrize(
    "token",
    [
        "aws:cloudtrail/trail:Trail",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
    ],
)
def test_tf_type_table_lists_the_audit_and_identity_types(token: str) -> None:
    assert token in checkov.TYPE_TABLE


def test_tf_type_refuses_a_token_that_is_not_pulumi_aws() -> None:
    with pytest.raises(checkov.UnmappableTypeError, match="random:index/randomId"):
        checkov.tf_type("random:index/randomId:RandomId")


# ---- attributes --------------------------------------------------------------------------------------------------


def test_values_singularise_pluralised_blocks_and_snake_case_nested_keys() -> None:
    sse = split_bucket("x")[3]
    values, _ = checkov.tf_values(sse)
    assert values["rule"] == [
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN},
            "bucket_key_enabled": True,
        }
    ]
    assert "rules" not in values


def test_values_keep_terraform_blocks_whose_name_is_plural() -> None:
    bucket = res(BUCKET, "replicated", {"replicationConfiguration": {"role": "r", "rules": [{"status": "Enabled"}]}})
    values, _ = checkov.tf_values(bucket)
    assert values["replication_configuration"] == {"role": "r", "rules": [{"status": "Enabled"}]}


@pytest.mark.parametrize(
    ("token", "prop", "expected"),
    [
        ("aws:sns/topicSubscription:TopicSubscription", "topic", "topic_arn"),
        ("aws:lambda/permission:Permission", "function", "function_name"),
        ("aws:apigateway/stage:Stage", "deployment", "deployment_id"),
        ("aws:apigateway/basePathMapping:BasePathMapping", "restApi", "api_id"),
        ("aws:ec2/vpc:Vpc", "ipv6CidrBlock", "ipv6_cidr_block"),
        ("aws:cloudtrail/trail:Trail", "s3BucketName", "s3_bucket_name"),
    ],
)
def test_attribute_names_apply_pulumi_renames_and_keep_digits(token: str, prop: str, expected: str) -> None:
    assert checkov.tf_attribute(token, checkov.tf_type(token), prop, "x") == expected


def test_values_keep_tag_keys_verbatim() -> None:
    tags = {"dataClassification": "confidential", "Name": "raw", "cost-center": "ml"}
    values, _ = checkov.tf_values(res(BUCKET, "tagged", {"tags": tags, "tagsAll": tags}))
    assert values["tags"] == tags
    assert values["tags_all"] == tags


def test_values_json_encode_policy_documents_given_as_objects() -> None:
    values, _ = checkov.tf_values(res(BUCKET_POLICY, "p", {"bucket": "b", "policy": PUBLIC_READ}))
    assert isinstance(values["policy"], str)
    assert json.loads(values["policy"]) == PUBLIC_READ


def test_values_keep_policy_json_strings_untouched() -> None:
    text = json.dumps(PUBLIC_READ)
    values, _ = checkov.tf_values(res(BUCKET_POLICY, "p", {"bucket": "b", "policy": text}))
    assert values["policy"] == text


def test_values_drop_unknown_and_secret_placeholders_and_mark_them_unknown() -> None:
    secret = {checkov.SIG_KEY: checkov.SECRET_SIG, "ciphertext": "abc"}
    trail = res(TRAIL, "t", {"kmsKeyId": UNKNOWN, "name": "[secret]", "snsTopicName": secret, "x": 1})
    values, unknown = checkov.tf_values(dataclasses.replace(trail, outputs={}))
    assert values == {"x": 1}
    assert unknown == {"kms_key_id": True, "name": True, "sns_topic_name": True}


def test_values_decode_plaintext_secrets_and_integral_floats() -> None:
    group = res("aws:cloudwatch/logGroup:LogGroup", "g", {"retentionInDays": 365.0})
    secret = {checkov.SIG_KEY: checkov.SECRET_SIG, "plaintext": '"alias/logs"'}
    values, _ = checkov.tf_values(dataclasses.replace(group, inputs={**group.inputs, "kmsKeyId": secret}))
    assert values["retention_in_days"] == 365
    assert isinstance(values["retention_in_days"], int)
    assert values["kms_key_id"] == "alias/logs"


def test_values_merge_outputs_under_inputs() -> None:
    bucket = dataclasses.replace(
        res(BUCKET, "m", {"bucket": "wanted"}),
        outputs={"bucket": "stale", "arn": "arn:aws:s3:::wanted", "__meta": "{}"},
        inputs={"bucket": "wanted", "__defaults": []},
    )
    values, _ = checkov.tf_values(bucket)
    assert values == {"bucket": "wanted", "arn": "arn:aws:s3:::wanted"}


def test_values_keep_a_known_output_when_the_input_is_unknown() -> None:
    bucket = dataclasses.replace(res(BUCKET, "u", {}), inputs={"bucket": UNKNOWN}, outputs={"bucket": "b-1"})
    values, unknown = checkov.tf_values(bucket)
    assert values["bucket"] == "b-1"
    assert unknown == {}


# ---- plan document -----------------------------------------------------------------------------------------------


def test_plan_emits_references_for_property_dependencies() -> None:
    plan = checkov.graph_to_plan(graph(*split_bucket("g")))
    exprs = expressions(plan, "aws_s3_bucket_server_side_encryption_configuration.g-sse")
    assert exprs == {
        "bucket": {"references": ["aws_s3_bucket.g-data.id", "aws_s3_bucket.g-data"]},
        "rule": {"references": ["aws_kms_key.g-key.id", "aws_kms_key.g-key"]},
    }


def test_plan_without_references_has_no_expressions() -> None:
    plan = checkov.graph_to_plan(graph(*split_bucket("g")), references=False)
    assert all(not r["expressions"] for r in plan.document["configuration"]["root_module"]["resources"])


def test_plan_has_only_managed_aws_resources() -> None:
    plan = checkov.graph_to_plan(load_preview_file(DATA / "preview-minimal.json"))
    addresses = [r["address"] for r in plan.document["planned_values"]["root_module"]["resources"]]
    assert addresses == ["aws_s3_bucket.raw", "aws_s3_bucket_public_access_block.raw-pab"]
    assert {r["mode"] for r in plan.document["planned_values"]["root_module"]["resources"]} == {"managed"}


def test_plan_deduplicates_names_and_maps_every_address_back_to_its_urn() -> None:
    first = res(BUCKET, "bucket", {"bucket": "a"})
    second = dataclasses.replace(first, urn="urn:pulumi:test::bridge::acme:x:Y$aws:s3/bucket:Bucket::bucket")
    odd = dataclasses.replace(first, urn=urn(BUCKET, "my.bucket"))
    plan = checkov.graph_to_plan(graph(first, second, odd))
    assert sorted(plan.address_to_urn.values()) == sorted([first.urn, second.urn, odd.urn])
    assert len(set(plan.address_to_urn)) == 3
    assert all(address.count(".") == 1 for address in plan.address_to_urn)
    assert plan.document["pulumi_bridge"]["address_to_urn"] == plan.address_to_urn


# ---- checkov on the combined graph -------------------------------------------------------------------------------


@pytest.mark.checkov
@pytest.mark.parametrize("check", ["CKV2_AWS_6", "CKV_AWS_145", "CKV_AWS_21", "CKV_AWS_18"])
def test_linked_s3_checks_pass_with_references(run: checkov.CheckovRun, check: str) -> None:
    assert verdict(run, check, urn(BUCKET, "good-data")) == "PASSED"


@pytest.mark.checkov
@pytest.mark.parametrize("check", ["CKV2_AWS_6", "CKV_AWS_145", "CKV_AWS_21", "CKV_AWS_18"])
def test_linked_s3_checks_fail_without_references(run: checkov.CheckovRun, check: str) -> None:
    assert verdict(run, check, urn(BUCKET, "good-data") + "-norefs") == "FAILED"


@pytest.mark.checkov
@pytest.mark.parametrize("check", ["CKV2_AWS_6", "CKV_AWS_145", "CKV_AWS_21", "CKV_AWS_18"])
def test_linked_s3_checks_pass_on_a_first_preview_full_of_unknowns(run: checkov.CheckovRun, check: str) -> None:
    assert verdict(run, check, urn(BUCKET, "new-data")) == "PASSED"


@pytest.mark.checkov
def test_ckv2_aws_1_accepts_inline_subnet_ids_only_as_its_waiver_says(run: checkov.CheckovRun) -> None:
    verdicts = {name: verdict(run, "CKV2_AWS_1", urn(NACL, name)) for name in ("att-inline", "att-associated")}
    assert verdicts == {"att-inline": "PASSED", "att-associated": "FAILED"}


@pytest.mark.checkov
@pytest.mark.parametrize(
    ("check", "resource_urn", "control"),
    [
        ("CKV_AWS_53", urn(PAB, "bad-public-pab"), "S3-01"),
        ("CKV_AWS_56", urn(PAB, "bad-public-pab"), "S3-01"),
        ("CKV_AWS_70", urn(BUCKET_POLICY, "bad-public-policy"), "checkov:CKV_AWS_70"),
        ("CKV_AWS_7", urn(KEY, "bad-key"), "KMS-02"),
        ("CKV_AWS_36", urn(TRAIL, "bad-trail"), "LOG-01"),
    ],
)
def test_insecure_stack_fails_with_the_check_mapped_to_urn_and_control(
    run: checkov.CheckovRun, check: str, resource_urn: str, control: str
) -> None:
    failed = {(f.tool_id, f.urn, f.control) for f in run.findings() if f.status == "fail"}
    assert (check, resource_urn, control) in failed


@pytest.mark.checkov
def test_secure_key_passes_rotation(run: checkov.CheckovRun) -> None:
    assert verdict(run, "CKV_AWS_7", urn(KEY, "good-key")) == "PASSED"


@pytest.mark.checkov
def test_every_checkov_result_maps_to_a_urn_of_the_graph(run: checkov.CheckovRun, combined: ResourceGraph) -> None:
    assert len(run.results) > 40
    assert all(f.urn in combined for f in run.findings())


@pytest.mark.checkov
def test_checkov_run_made_no_network_attempt(run: checkov.CheckovRun) -> None:
    assert run.version == checkov.CHECKOV_VERSION
    assert run.blocked_connections == ()


@pytest.mark.checkov
def test_checkov_findings_hook_reads_a_real_preview_file() -> None:
    preview = load_preview_file(DATA / "preview-minimal.json")
    findings = checkov.checkov_findings(preview)
    raw = preview.one(BUCKET, "raw").urn
    assert ("CKV2_AWS_6", raw, "S3-01", "pass") in {(f.tool_id, f.urn, f.control, f.status) for f in findings}
    assert {f.source for f in findings} == {"checkov"}


# ---- runner ------------------------------------------------------------------------------------------------------


def test_missing_checkov_binary_raises_naming_the_make_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(checkov.CHECKOV_ENV, str(tmp_path / "no-checkov"))
    with pytest.raises(checkov.CheckovUnavailableError, match=r"make \.tools/checkov/bin/checkov"):
        checkov.checkov_findings(graph(*insecure_stack()))


def test_offline_env_removes_platform_credentials_and_proxies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BC_API_KEY", "leak")
    monkeypatch.setenv("PRISMA_API_URL", "https://example.invalid")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    env = checkov.offline_env(tmp_path / "log")
    assert not {"BC_API_KEY", "PRISMA_API_URL", "HTTPS_PROXY"} & set(env)
    assert env["CHECKOV_RUN_SCA_PACKAGE_SCAN_V2"] == "false"
    assert env["PYTHONPATH"] == str(checkov.NETGUARD_DIR)


@pytest.mark.checkov
def test_network_guard_refuses_and_logs_outbound_connections(tmp_path: Path) -> None:
    log = tmp_path / "netguard.log"
    python = checkov.find_checkov().parent / "python"
    probe = """
import socket
for host in ("192.0.2.1", "pypi.org"):
    try:
        socket.create_connection((host, 443), timeout=2)
    except OSError as exc:
        print("refused", exc)
"""
    env = {**checkov.offline_env(log), "PATH": os.environ.get("PATH", "")}
    out = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    assert out.count("refused") == 2
    logged = log.read_text()
    assert "192.0.2.1" in logged
    assert "pypi.org" in logged


def recorded_run(check: str, address: str, result: str = "FAILED") -> checkov.CheckovRun:
    """A CheckovRun holding one recorded checkov result (no checkov process)."""
    plan = checkov.TfPlan(
        document={}, address_to_urn={"aws_cloudwatch_log_group.g": urn("aws:cloudwatch/logGroup:LogGroup", "g")}
    )
    record = {"check_id": check, "check_name": "n", "resource": address, "check_result": {"result": result}}
    return checkov.CheckovRun(plan=plan, results=(record,), blocked_connections=(), version=checkov.CHECKOV_VERSION)


def test_findings_name_every_catalog_control_that_lists_the_check() -> None:
    findings = recorded_run("CKV_AWS_338", "aws_cloudwatch_log_group.g").findings()
    assert sorted(f.control for f in findings) == ["LOG-07", "NET-05"]
    assert {(f.status, f.tool_id, f.source) for f in findings} == {("fail", "CKV_AWS_338", "checkov")}


def test_findings_refuse_an_address_the_plan_does_not_contain() -> None:
    with pytest.raises(KeyError, match=r"aws_s3_bucket\.ghost"):
        recorded_run("CKV_AWS_18", "aws_s3_bucket.ghost").findings()


def test_report_with_parsing_errors_is_an_error_not_a_pass() -> None:
    report = {"check_type": "terraform_plan", "results": {"parsing_errors": ["plan.json"]}, "summary": {}}
    with pytest.raises(checkov.CheckovRunError, match="could not parse"):
        checkov.parse_report(json.dumps(report), resources=1)


def test_report_without_plan_results_for_a_nonempty_plan_is_an_error() -> None:
    empty = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
    with pytest.raises(checkov.CheckovRunError, match="none of the 3 resources"):
        checkov.parse_report(json.dumps(empty), resources=3)

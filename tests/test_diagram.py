"""The data-flow diagram: valid Mermaid, complete against the graph, deterministic, edges from graph facts."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.engine.graph import STACK_TYPE, Resource, ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.reports import report
from ai_security_baseline.verify.reports.diagram import escape_label, mermaid_diagram, sanitize_id

ROOT = Path(__file__).resolve().parent.parent
MMDC = ROOT / ".tools" / "mermaid" / "node_modules" / ".bin" / "mmdc"
CHROMIUM = Path("/usr/bin/chromium")
PUPPETEER_CONFIG = ROOT / "docs" / "puppeteer-config.json"
ID = r"[A-Za-z0-9_]+"
NODE = re.compile(rf'^({ID})(\(\[|\[\(|\{{\{{|\[\[|\[)"([^"]*)"(\]\)|\)\]|\}}\}}|\]\]|\])$')
EDGE = re.compile(rf'^({ID}) (-->|-\.->)(?:\|"([^"]*)"\|)? ({ID})$')
SUBGRAPH = re.compile(rf'^subgraph ({ID})\["([^"]*)"\]$')
CLASS = re.compile(rf"^class ({ID}(?:,{ID})*) ({ID})$")
NODE_TYPES = ("aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:iam/role:Role", "aws:ec2/vpcEndpoint:VpcEndpoint")


@dataclass
class Parsed:
    """A Mermaid flowchart read line by line; ``errors`` lists every line that breaks the grammar we emit."""

    nodes: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    subgraphs: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse(text: str) -> Parsed:
    parsed = Parsed()
    stack: list[str] = []
    lines = text.splitlines()
    if lines[:2] != [lines[0], "flowchart LR"] or not lines[0].startswith("%% "):
        parsed.errors.append("header is not a %% comment then flowchart LR")
    declared: set[str] = set()
    edges: list[tuple[str, str]] = []
    for number, raw in enumerate(lines[2:], start=3):
        line = raw.strip()
        if match := SUBGRAPH.match(line):
            parsed.subgraphs.append(match.group(1))
            if match.group(1) in declared:
                parsed.errors.append(f"line {number}: {match.group(1)} declared twice")
            declared.add(match.group(1))
            stack.append(match.group(1))
        elif line == "end":
            if not stack:
                parsed.errors.append(f"line {number}: end without subgraph")
            else:
                stack.pop()
        elif match := NODE.match(line):
            if match.group(1) in declared:
                parsed.errors.append(f"line {number}: {match.group(1)} declared twice")
            declared.add(match.group(1))
            parsed.nodes[match.group(1)] = match.group(3)
            parsed.groups[match.group(1)] = stack[-1] if stack else ""
        elif match := EDGE.match(line):
            edges.append((match.group(1), match.group(4)))
            parsed.edges.append(line)
        elif match := CLASS.match(line):
            edges += [(n, n) for n in match.group(1).split(",")]
        elif not line.startswith("classDef "):
            parsed.errors.append(f"line {number}: not Mermaid we emit: {line!r}")
    if stack:
        parsed.errors.append(f"unclosed subgraphs {stack}")
    parsed.errors += [f"edge {a} -> {b}: endpoint not declared" for a, b in edges if {a, b} - set(parsed.nodes)]
    return parsed


@pytest.fixture(scope="module")
def dev_diagram(dev_graph: ResourceGraph) -> str:
    return mermaid_diagram(dev_graph)


# --- the dev stack -------------------------------------------------------------------------------------------


def test_dev_diagram_is_valid_mermaid_at_parse_level(dev_diagram: str) -> None:
    parsed = parse(dev_diagram)
    assert parsed.errors == []
    assert parsed.edges, "no edges"


def test_dev_diagram_shows_every_bucket_key_role_and_endpoint(dev_graph: ResourceGraph, dev_diagram: str) -> None:
    shown = {label.split("<br/>")[0] for label in parse(dev_diagram).nodes.values()}
    expected = {escape_label(r.name) for t in NODE_TYPES for r in dev_graph.by_type(t)}
    assert len(expected) >= 18
    assert expected - shown == set()


def test_dev_diagram_is_byte_identical_across_two_runs(dev_diagram: str) -> None:
    assert mermaid_diagram(run_stack("dev").graph) == dev_diagram


def test_diagram_does_not_depend_on_resource_order(dev_graph: ResourceGraph, dev_diagram: str) -> None:
    shuffled = list(dev_graph)
    random.Random(11).shuffle(shuffled)
    assert mermaid_diagram(ResourceGraph(shuffled, stack="dev", project=dev_graph.project)) == dev_diagram


def test_dev_diagram_routes_the_data_buckets_through_the_s3_endpoint_with_tls_and_their_keys(dev_diagram: str) -> None:
    edges = parse(dev_diagram).edges
    assert 'endpoint_endpoints_s3 -->|"via VPC endpoint; TLS-only (1.2+)"| bucket_aisb_dev_raw' in edges
    assert (
        'endpoint_endpoints_s3 -->|"via VPC endpoint; TLS-only (1.2+); object lock GOVERNANCE 365d"| '
        "bucket_aisb_dev_models"
    ) in edges
    assert 'bucket_aisb_dev_raw -.->|"SSE-KMS with key keys-data; bucket key"| key_keys_data' in edges
    assert 'loggroup_network_flow_logs -.->|"SSE-KMS with key keys-logs"| key_keys_logs' in edges


def test_dev_diagram_groups_nodes_by_parent_component(dev_diagram: str) -> None:
    groups = parse(dev_diagram).groups
    assert groups["key_keys_data"] == "cmp_keys"
    assert groups["endpoint_endpoints_s3"] == "cmp_endpoints"
    assert groups["bucket_aisb_dev_raw"] == "cmp_storage", "a one-node wrapper of the same name is not drawn"
    assert groups["flowlog_network_flow_logs"] == "cmp_network"


def test_preview_with_unknown_values_still_shows_every_node_and_endpoint_links_from_dependencies(
    dev_graph: ResourceGraph, dev_diagram: str
) -> None:
    unknown = ResourceGraph(
        [
            Resource(**{**vars(r), "inputs": dict.fromkeys(r.inputs, UNKNOWN), "outputs": {}}) if r.custom else r
            for r in dev_graph
        ],
        stack="dev",
        project=dev_graph.project,
    )
    parsed = parse(mermaid_diagram(unknown))
    assert parsed.errors == []
    assert set(parsed.nodes) == set(parse(dev_diagram).nodes)
    assert (
        'endpoint_endpoints_s3 -->|"bucket policy depends on endpoint (policy unknown until apply)"| '
        "bucket_aisb_dev_raw"
    ) in parsed.edges


def test_committed_dev_diagram_is_current(dev_diagram: str) -> None:
    committed = (ROOT / "docs" / "diagram-dev.mmd").read_text(encoding="utf-8")
    assert committed == dev_diagram, "docs/diagram-dev.mmd is stale: run `make diagram` and commit both files"


@pytest.mark.skipif(
    not (MMDC.exists() and CHROMIUM.exists()),
    reason="rendering needs mermaid-cli in .tools/mermaid (make .tools/mermaid/node_modules/.bin/mmdc) and "
    "/usr/bin/chromium (apt-get install -y chromium); the parse-level tests above still check the diagram",
)
def test_dev_diagram_renders_to_png_with_mermaid_cli(dev_diagram: str, tmp_path: Path) -> None:
    source = tmp_path / "dev.mmd"
    source.write_text(dev_diagram)
    target = tmp_path / "dev.png"
    done = subprocess.run(
        [str(MMDC), "--quiet", "-p", str(PUPPETEER_CONFIG), "-i", str(source), "-o", str(target), "-b", "white"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- a synthetic graph with the audit and identity components ------------------------------------------------

ACCOUNT = "111122223333"
LOGS_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/logs-1"
MODELS_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/models-1"
LOG_GROUP = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aisb/test/trail"
TRAIL = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/aisb-test"


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:test::baseline::{type_token}::{name}"


STACK_URN = urn(STACK_TYPE, "baseline-test")
ROOT_URN = urn("baseline:index:AiSecurityBaseline", "baseline")


def component(type_token: str, name: str, parent: str = ROOT_URN) -> Resource:
    return Resource(urn=urn(type_token, name), type=type_token, custom=False, parent=parent)


def resource(
    type_token: str,
    name: str,
    parent: Resource,
    props: Mapping[str, Any],
    deps: Mapping[str, tuple[str, ...]] | None = None,
) -> Resource:
    return Resource(
        urn=urn(type_token, name),
        type=type_token,
        custom=True,
        id=str(props.get("id", name)),
        parent=parent.urn,
        inputs=dict(props),
        outputs=dict(props),
        property_dependencies=dict(deps or {}),
    )


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions: list[str], resources: list[str], **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources}
    return {**statement, "Condition": condition} if condition else statement


DENY_HTTP = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": False}},
}


def synthetic_graph() -> ResourceGraph:
    """Keys, an S3 endpoint, a VPC-only models bucket, and the audit (trail, bucket, log group) and identity parts."""
    audit = component("baseline:audit:AuditTrail", "audit")
    identity = component("baseline:identity:Identity", "identity")
    keys = component("baseline:keys:EncryptionKeys", "keys")
    endpoints = component("baseline:network:PrivateEndpoints", "endpoints")
    storage = component("baseline:storage:Storage", "storage")
    models_key = resource("aws:kms/key:Key", "keys-models", keys, {"arn": MODELS_KEY, "keyId": "models-1"})
    logs_key = resource("aws:kms/key:Key", "keys-logs", keys, {"arn": LOGS_KEY, "keyId": "logs-1"})
    s3 = resource(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "endpoints-s3",
        endpoints,
        {"id": "vpce-1", "vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.eu-west-1.s3"},
    )
    models = resource("aws:s3/bucket:Bucket", "models", storage, {"bucket": "models-1", "arn": "arn:aws:s3:::models-1"})
    audit_bucket = resource(
        "aws:s3/bucket:Bucket", "audit-logs", audit, {"bucket": "audit-1", "arn": "arn:aws:s3:::audit-1"}
    )
    trail_role_arn = f"arn:aws:iam::{ACCOUNT}:role/aisb-test-trail-logs"
    trail_logs = resource(
        "aws:iam/role:Role", "aisb-test-trail-logs", identity, {"name": "aisb-test-trail-logs", "arn": trail_role_arn}
    )
    deliver = resource(
        "aws:iam/policy:Policy",
        "deliver-trail-logs",
        identity,
        {
            "arn": f"arn:aws:iam::{ACCOUNT}:policy/deliver",
            "policy": policy(allow(["logs:PutLogEvents"], [f"{LOG_GROUP}:*"])),
        },
    )
    trainer = resource("aws:iam/role:Role", "aisb-test-model-trainer", identity, {"name": "aisb-test-model-trainer"})
    auditor_policy = policy(allow(["s3:GetObject"], ["arn:aws:s3:::audit-1/*"]), allow(["s3:ListBucket"], ["*"]))
    auditor = resource(
        "aws:iam/role:Role",
        "aisb-test-auditor",
        identity,
        {"name": "aisb-test-auditor", "inlinePolicies": [{"name": "read-audit", "policy": auditor_policy}]},
    )
    via_s3 = {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    trainer_policy = policy(
        allow(["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::models-1/*"]),
        allow(["kms:Decrypt", "kms:GenerateDataKey"], [MODELS_KEY], **via_s3),
    )
    return ResourceGraph(
        [
            Resource(urn=STACK_URN, type=STACK_TYPE, custom=False),
            Resource(urn=ROOT_URN, type="baseline:index:AiSecurityBaseline", custom=False, parent=STACK_URN),
            audit,
            identity,
            keys,
            endpoints,
            storage,
            models_key,
            logs_key,
            s3,
            models,
            audit_bucket,
            trail_logs,
            deliver,
            trainer,
            auditor,
            resource(
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "trail-logs",
                identity,
                {"role": "aisb-test-trail-logs", "policyArn": f"arn:aws:iam::{ACCOUNT}:policy/deliver"},
            ),
            resource(
                "aws:iam/rolePolicy:RolePolicy",
                "trainer",
                identity,
                {"role": UNKNOWN, "policy": trainer_policy},
                {"role": (trainer.urn,)},
            ),
            resource(
                "aws:kms/alias:Alias", "keys-logs", keys, {"name": "alias/aisb-test-logs", "targetKeyId": "logs-1"}
            ),
            resource(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "models",
                storage,
                {
                    "bucket": "models-1",
                    "rules": [
                        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}}
                    ],
                },
                {"rules": (models_key.urn,)},
            ),
            resource(
                "aws:s3/bucketPolicy:BucketPolicy",
                "models",
                storage,
                {
                    "bucket": "models-1",
                    "policy": policy(
                        DENY_HTTP,
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Condition": {
                                "StringNotEquals": {"aws:SourceVpce": ["vpce-1"]},
                                "Bool": {"aws:ViaAWSService": "false"},
                            },
                        },
                    ),
                },
            ),
            resource(
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                "models",
                storage,
                {"bucket": "models-1", "rule": {"defaultRetention": {"mode": "COMPLIANCE", "days": 30}}},
            ),
            resource(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "audit-logs",
                audit,
                {
                    "bucket": "audit-1",
                    "rules": [
                        {
                            "applyServerSideEncryptionByDefault": {
                                "sseAlgorithm": "aws:kms",
                                "kmsMasterKeyId": LOGS_KEY,
                            },
                            "bucketKeyEnabled": True,
                        }
                    ],
                },
            ),
            resource(
                "aws:s3/bucketPolicy:BucketPolicy",
                "audit-logs",
                audit,
                {
                    "bucket": "audit-1",
                    "policy": policy(
                        DENY_HTTP,
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "s3:PutObject",
                            "Resource": "arn:aws:s3:::audit-1/*",
                            "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}},
                        },
                    ),
                },
            ),
            resource(
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
                "audit-logs",
                audit,
                {"bucket": "audit-1", "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 365}}},
            ),
            resource(
                "aws:cloudwatch/logGroup:LogGroup",
                "trail-events",
                audit,
                {"arn": LOG_GROUP, "kmsKeyId": LOGS_KEY, "retentionInDays": 365},
            ),
            resource(
                "aws:cloudtrail/trail:Trail",
                "trail",
                audit,
                {
                    "arn": TRAIL,
                    "s3BucketName": "audit-1",
                    "kmsKeyId": "alias/aisb-test-logs",
                    "cloudWatchLogsGroupArn": f"{LOG_GROUP}:*",
                    "cloudWatchLogsRoleArn": trail_role_arn,
                    "enableLogFileValidation": True,
                    "isMultiRegionTrail": True,
                    "advancedEventSelectors": [
                        {
                            "name": "data events",
                            "fieldSelectors": [
                                {"field": "eventCategory", "equals": ["Data"]},
                                {"field": "resources.ARN", "startsWiths": ["arn:aws:s3:::models-1/"]},
                            ],
                        }
                    ],
                },
            ),
        ],
        stack="test",
        project="baseline",
    )


TRAIL_EDGES = [
    'trail_trail -->|"log files (validated); TLS-only; object lock GOVERNANCE 365d; SourceArn-bound"| '
    "bucket_audit_logs",
    'trail_trail -->|"events; delivered by role aisb-test-trail-logs"| loggroup_trail_events',
    'trail_trail -.->|"SSE-KMS with key keys-logs"| key_keys_logs',
    'bucket_models -->|"S3 data events"| trail_trail',
]
ROLE_EDGES = [
    'role_aisb_test_model_trainer -->|"read models; write models"| endpoint_endpoints_s3',
    'role_aisb_test_model_trainer -->|"decrypt, encrypt; via S3 only"| key_keys_models',
    'role_aisb_test_auditor -->|"read; TLS-only"| bucket_audit_logs',
    'role_aisb_test_trail_logs -->|"write"| loggroup_trail_events',
]
STORAGE_EDGES = [
    'endpoint_endpoints_s3 -->|"via VPC endpoint; TLS-only; object lock COMPLIANCE 30d"| bucket_models',
    'bucket_models -.->|"SSE-KMS with key keys-models"| key_keys_models',
    'bucket_audit_logs -.->|"SSE-KMS with key keys-logs; bucket key"| key_keys_logs',
    'loggroup_trail_events -.->|"SSE-KMS with key keys-logs"| key_keys_logs',
]


@pytest.fixture(scope="module")
def synthetic() -> Parsed:
    return parse(mermaid_diagram(synthetic_graph()))


def test_synthetic_diagram_is_valid_mermaid_at_parse_level(synthetic: Parsed) -> None:
    assert synthetic.errors == []


def test_trail_writes_to_the_locked_audit_bucket_its_log_group_and_logs_key(synthetic: Parsed) -> None:
    assert [e for e in TRAIL_EDGES if e not in synthetic.edges] == []


def test_roles_reach_buckets_through_the_endpoint_keys_via_s3_and_log_groups_from_their_policies(
    synthetic: Parsed,
) -> None:
    assert [e for e in ROLE_EDGES if e not in synthetic.edges] == []


def test_buckets_and_log_groups_point_at_their_keys_from_property_dependencies_and_values(synthetic: Parsed) -> None:
    assert [e for e in STORAGE_EDGES if e not in synthetic.edges] == []


def test_synthetic_diagram_has_exactly_the_fact_derived_edges(synthetic: Parsed) -> None:
    assert sorted(synthetic.edges) == sorted(TRAIL_EDGES + ROLE_EDGES + STORAGE_EDGES)


def test_audit_and_identity_components_become_subgraphs(synthetic: Parsed) -> None:
    groups = synthetic.groups
    assert {n: groups[n] for n in ("trail_trail", "bucket_audit_logs", "loggroup_trail_events")} == dict.fromkeys(
        ("trail_trail", "bucket_audit_logs", "loggroup_trail_events"), "cmp_audit"
    )
    assert groups["role_aisb_test_auditor"] == "cmp_identity"
    assert groups["bucket_models"] == "cmp_storage"
    assert groups["endpoint_endpoints_s3"] == "cmp_endpoints"


# --- ids and labels ------------------------------------------------------------------------------------------


def test_node_ids_are_sanitised_and_names_that_collide_after_sanitising_stay_distinct() -> None:
    parent = component("baseline:network:PrivateEndpoints", "endpoints")
    endpoints = [
        resource("aws:ec2/vpcEndpoint:VpcEndpoint", name, parent, {"id": name}) for name in ("ecr.api", "ecr-api")
    ]
    parsed = parse(mermaid_diagram(ResourceGraph([parent, *endpoints], stack="t", project="p")))
    assert parsed.errors == []
    assert len(parsed.nodes) == 2
    assert all(re.fullmatch(r"endpoint_ecr_api_[0-9a-f]{8}", n) for n in parsed.nodes)


def test_sanitize_id_keeps_only_word_characters_and_never_starts_with_a_digit() -> None:
    assert sanitize_id('bucket_a"b]c-d.e') == "bucket_a_b_c_d_e"
    assert sanitize_id("9lives") == "n_9lives"


def test_labels_escape_quotes_brackets_and_markup_as_mermaid_entities() -> None:
    assert escape_label('a "b" [c] <d> #e') == "a #34;b#34; #91;c#93; #60;d#62; #35;e"


# --- CLI and report ------------------------------------------------------------------------------------------


def test_cli_diagram_prints_the_dev_diagram_to_stdout(dev_diagram: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "--stack", "dev"]) == 0
    assert capsys.readouterr().out == dev_diagram


def test_cli_diagram_reads_a_stack_export_and_writes_the_out_file(dev_diagram: str, tmp_path: Path) -> None:
    assert main(["preview", "--out", str(tmp_path / "graph")]) == 0
    out = tmp_path / "docs" / "flow.mmd"
    assert main(["diagram", "--stack-export", str(tmp_path / "graph" / "stack-export.json"), "--out", str(out)]) == 0
    assert out.read_text() == dev_diagram


@pytest.mark.parametrize(
    "args",
    [["--stack", "nope"], ["--stack-export", "missing.json"], ["--out", "/proc/no/such/dir/x.mmd"]],
    ids=["unknown-stack", "missing-export", "unwritable-out"],
)
def test_cli_diagram_bad_input_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", *args]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_markdown_report_embeds_the_diagram_after_the_summary() -> None:
    meta = report.ReportMeta(stack="dev", source="test", tool_version="0.1.0", diagram="flowchart LR\n  a --> b\n")
    text = report.render_markdown([], load_catalog(), meta)
    block = "### Secure data flow\n\n```mermaid\nflowchart LR\n  a --> b\n```"
    assert block in text
    assert text.index("| **Total**") < text.index(block)


def test_markdown_report_without_a_diagram_has_no_mermaid_block() -> None:
    meta = report.ReportMeta(stack="dev", source="test", tool_version="0.1.0")
    assert "```mermaid" not in report.render_markdown([], load_catalog(), meta)


def test_scan_report_carries_the_scanned_stacks_diagram(dev_diagram: str, dev_scan: tuple[int, Path]) -> None:
    code, out = dev_scan
    assert code == 0
    assert f"```mermaid\n{dev_diagram}```" in (out / "report.md").read_text()

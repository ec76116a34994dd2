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
from ai_security_baseline.controls.vocabulary import (
    BEDROCK_LOGGING_TYPE,
    DIAGRAM_VIEWS,
    GUARDRAIL_TYPE,
    GUARDRAIL_VERSION_TYPE,
    MODEL_PACKAGE_GROUP,
    SAGEMAKER_DOMAIN,
)
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.engine.graph import STACK_TYPE, Resource, ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.findings.catalog import load_catalog
from ai_security_baseline.verify.reports import report
from ai_security_baseline.verify.reports.diagram import VIEWS, escape_label, mermaid_diagram, sanitize_id

ROOT = Path(__file__).resolve().parent.parent
MMDC = ROOT / ".tools" / "mermaid" / "node_modules" / ".bin" / "mmdc"
CHROMIUM = Path("/usr/bin/chromium")
PUPPETEER_CONFIG = ROOT / "docs" / "puppeteer-config.json"
MERMAID_CONFIG = ROOT / "docs" / "mermaid-config.json"
ID = r"[A-Za-z0-9_]+"
NODE = re.compile(rf'^({ID})(\(\[|\[\(|\{{\{{|\[\[|\[)"([^"]*)"(\]\)|\)\]|\}}\}}|\]\]|\])$')
EDGE = re.compile(rf'^({ID}) (-->|-\.->)(?:\|"([^"]*)"\|)? ({ID})$')
SUBGRAPH = re.compile(rf'^subgraph ({ID})\["([^"]*)"\]$')
CLASS = re.compile(rf"^class ({ID}(?:,{ID})*) ({ID})$")
#: (source kind, target kind) pairs each view may draw: anything else joins unrelated classes.
#: The views that draw every bucket (the detection view draws only the scanned ones and the Config bucket).
BUCKET_VIEWS = ("dataflow", "encryption", "audit")
VIEW_EDGE_KINDS: dict[str, set[tuple[str, str]]] = {
    "dataflow": {("role", "endpoint"), ("endpoint", "bucket"), ("role", "bucket")},
    "encryption": {(k, "key") for k in ("bucket", "loggroup", "secret", "trail", "guardrail")} | {("bucket", "sse")},
    "audit": {
        ("trail", "bucket"),
        ("trail", "loggroup"),
        ("bucket", "trail"),
        ("bucket", "bucket"),
        ("vpc", "flowlog"),
        ("flowlog", "loggroup"),
        ("flowlog", "bucket"),
    },
    "detection": {
        ("scanner", "bucket"),
        ("recorder", "bucket"),
        ("vpc", "querylog"),
        ("querylog", "loggroup"),
        ("vpc", "dnsfirewall"),
        ("detector", "eventrule"),
        ("hub", "eventrule"),
        ("eventrule", "topic"),
    },
    "ai": {
        ("role", "guardrailversion"),
        ("guardrailversion", "fmodel"),
        ("role", "fmodel"),
        ("guardrailversion", "guardrail"),
        ("guardrail", "key"),
        ("invocationlog", "bucket"),
        ("invocationlog", "loggroup"),
        ("studio", "subnet"),
        ("studio", "key"),
        ("studio", "role"),
        ("role", "packagegroup"),
    },
}
#: Node kinds only a stack with Bedrock or Studio draws (the model registry is in every stack).
BEDROCK_AND_STUDIO_KINDS = {"guardrail", "guardrailversion", "fmodel", "invocationlog", "studio", "subnet"}


@dataclass
class Parsed:
    """A Mermaid flowchart read line by line; ``errors`` lists every line that breaks the grammar we emit."""

    nodes: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    subgraphs: list[str] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
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
            parsed.pairs.append((match.group(1), match.group(4)))
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
def dev_views(dev_graph: ResourceGraph) -> dict[str, str]:
    return {view: mermaid_diagram(dev_graph, view) for view in VIEWS}


@pytest.fixture(scope="module")
def dev_diagram(dev_views: dict[str, str]) -> str:
    return dev_views["dataflow"]


def kinds_of(node_id: str) -> str:
    """A node's kind from its id (``<kind>_<name>``; ``sse_s3`` stands for S3-managed keys)."""
    return node_id.split("_", 1)[0]


def names_shown(parsed: Parsed) -> set[str]:
    """Every resource name a view shows: a box's first line, or each member line of a box standing for several."""
    names: set[str] = set()
    for label in parsed.nodes.values():
        first, *rest = label.split("<br/>")
        names |= {line.split(" (", 1)[0] for line in rest} if re.match(r"\d+ ", first) else {first}
    return names


# --- the dev stack -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
def test_dev_view_is_valid_mermaid_at_parse_level(view: str, dev_views: dict[str, str]) -> None:
    parsed = parse(dev_views[view])
    assert parsed.errors == []
    assert parsed.edges, "no edges"


@pytest.fixture(scope="module")
def second_dev_graph() -> ResourceGraph:
    """The dev stack rendered by a second, separate offline run (one run serves every view's comparison)."""
    return run_stack("dev").graph


@pytest.mark.parametrize("view", VIEWS)
def test_dev_view_is_byte_identical_across_two_runs(
    view: str, dev_views: dict[str, str], second_dev_graph: ResourceGraph
) -> None:
    assert mermaid_diagram(second_dev_graph, view) == dev_views[view]


@pytest.mark.parametrize("view", VIEWS)
def test_dev_view_does_not_depend_on_resource_order(
    view: str, dev_graph: ResourceGraph, dev_views: dict[str, str]
) -> None:
    shuffled = list(dev_graph)
    random.Random(11).shuffle(shuffled)
    assert mermaid_diagram(ResourceGraph(shuffled, stack="dev", project=dev_graph.project), view) == dev_views[view]


@pytest.mark.parametrize(
    ("view", "types"),
    [
        ("dataflow", ("aws:iam/role:Role", "aws:s3/bucket:Bucket")),
        ("encryption", ("aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup")),
        ("audit", ("aws:cloudtrail/trail:Trail", "aws:cloudwatch/logGroup:LogGroup", "aws:ec2/flowLog:FlowLog")),
        ("ai", (GUARDRAIL_TYPE, GUARDRAIL_VERSION_TYPE, BEDROCK_LOGGING_TYPE, SAGEMAKER_DOMAIN, MODEL_PACKAGE_GROUP)),
    ],
)
def test_dev_view_shows_every_resource_of_its_classes(
    view: str, types: tuple[str, ...], dev_graph: ResourceGraph, dev_views: dict[str, str]
) -> None:
    expected = {escape_label(r.name) for t in types for r in dev_graph.by_type(t)}
    assert len(expected) >= 3
    assert expected - names_shown(parse(dev_views[view])) == set()


@pytest.mark.parametrize("view", VIEWS)
def test_dev_view_draws_only_edges_between_its_own_classes(view: str, dev_views: dict[str, str]) -> None:
    edges = {(kinds_of(a), kinds_of(b)) for a, b in parse(dev_views[view]).pairs}
    assert edges, "no edges"
    assert edges - VIEW_EDGE_KINDS[view] == set()


def test_dev_data_flow_has_no_key_log_or_trail_nodes(dev_views: dict[str, str]) -> None:
    assert {kinds_of(n) for n in parse(dev_views["dataflow"]).nodes} == {"role", "endpoint", "bucket"}


@pytest.mark.parametrize("view", VIEWS)
def test_dev_view_aggregates_alike_edges_into_a_readable_number(view: str, dev_views: dict[str, str]) -> None:
    parsed = parse(dev_views[view])
    assert len(parsed.edges) < 12
    assert len(parsed.nodes) < 20  # every role and bucket is drawn (16 in the dev stack), plus the S3 endpoint


def test_dev_data_flow_routes_each_role_through_the_s3_endpoint_to_its_buckets(dev_views: dict[str, str]) -> None:
    edges = parse(dev_views["dataflow"]).edges
    assert (
        'role_identity_data_processor -->|"read aisb-dev-raw<br/>write aisb-dev-curated"| endpoint_endpoints_s3'
        in edges
    )
    assert 'role_identity_inference -->|"read aisb-dev-models"| endpoint_endpoints_s3' in edges
    assert 'endpoint_endpoints_s3 -->|"only via this endpoint<br/>TLS-only (1.2+)"| bucket_aisb_dev_raw' in edges
    assert 'role_identity_auditor -->|"read<br/>TLS-only (1.2+)"| bucket_aisb_dev_audit' in edges


def test_dev_encryption_view_points_buckets_log_groups_and_trail_at_their_keys(dev_views: dict[str, str]) -> None:
    edges = parse(dev_views["encryption"]).edges
    assert 'bucket_aisb_dev_raw -.->|"SSE-KMS<br/>bucket key"| key_keys_data' in edges
    assert 'loggroup_aisb_dev_bedrock_invocations_and_3_more -.->|"SSE-KMS"| key_keys_logs' in edges
    assert 'trail_aisb_dev_trail -.->|"SSE-KMS (log files)"| key_keys_logs' in edges
    assert 'bucket_aisb_dev_access_logs -.->|"SSE-S3"| sse_s3' in edges


def test_dev_audit_view_draws_the_three_data_buckets_as_one_box_with_one_edge_per_archive(
    dev_views: dict[str, str],
) -> None:
    parsed = parse(dev_views["audit"])
    merged = "bucket_aisb_dev_curated_and_2_more"
    assert parsed.nodes[merged].startswith("3 S3 buckets<br/>")
    assert [e for e in parsed.edges if e.startswith(merged)] == [
        f'{merged} -->|"server access logs<br/>TLS-only (1.2+)<br/>SourceArn-bound"| bucket_aisb_dev_access_logs',
        f'{merged} -->|"S3 data events"| trail_aisb_dev_trail',
    ]
    assert (
        'trail_aisb_dev_trail -->|"log files (validated)<br/>TLS-only (1.2+)<br/>SourceArn-bound"| '
        "bucket_aisb_dev_audit" in parsed.edges
    )


def test_dev_detection_view_draws_the_malware_scans_of_raw_and_models_only(dev_views: dict[str, str]) -> None:
    scans = [e for e in parse(dev_views["detection"]).edges if e.startswith("scanner_")]
    assert scans == [
        f'scanner_detection_malware_{b} -->|"malware scan of new objects, result tagged"| bucket_aisb_dev_{b}'
        for b in ("models", "raw")
    ]


def test_dev_detection_view_routes_guardduty_and_security_hub_findings_to_the_alarm_topic(
    dev_views: dict[str, str],
) -> None:
    edges = parse(dev_views["detection"]).edges
    for source, rule in (("detector_detection_guardduty", "guardduty"), ("hub_detection_securityhub", "securityhub")):
        assert f'{source} -->|"findings"| eventrule_aisb_dev_{rule}_findings' in edges
        assert (
            f'eventrule_aisb_dev_{rule}_findings -->|"high-severity findings"| topic_aisb_dev_security_alarms' in edges
        )


def test_dev_detection_view_draws_the_vpcs_dns_firewall_query_logging_and_config_history(
    dev_views: dict[str, str],
) -> None:
    edges = parse(dev_views["detection"]).edges
    assert 'vpc_network_vpc -->|"every DNS query filtered"| dnsfirewall_dns_firewall' in edges
    assert 'vpc_network_vpc -->|"DNS queries"| querylog_dns_query_logs' in edges
    assert 'recorder_config_recorder -->|"configuration history"| bucket_aisb_dev_config' in edges


def test_ai_02_inference_role_invokes_bedrock_models_only_through_the_guardrail_version(
    dev_views: dict[str, str],
) -> None:
    parsed = parse(dev_views["ai"])
    version = "guardrailversion_aisb_dev_guardrail"
    assert (
        f'role_identity_inference -->|"invokes models only with this version<br/>any other guardrail or none: denied"| '
        f"{version}" in parsed.edges
    )
    assert f'{version} -->|"filters prompts and completions"| fmodel_bedrock' in parsed.edges
    assert not [pair for pair in parsed.pairs if pair[1] == "fmodel_bedrock" and pair[0] != version]


def test_ai_02_bedrock_models_box_lists_the_allowlisted_models(dev_views: dict[str, str]) -> None:
    assert parse(dev_views["ai"]).nodes["fmodel_bedrock"] == (
        "Bedrock models<br/>allowlisted<br/>amazon.titan-embed-text-v2:0<br/>anthropic.claude-3-haiku-20240307-v1:0"
    )


def test_ai_02_guardrail_version_is_a_published_version_of_the_guardrail(dev_views: dict[str, str]) -> None:
    parsed = parse(dev_views["ai"])
    assert parsed.nodes["guardrailversion_aisb_dev_guardrail"] == "aisb-dev-guardrail<br/>guardrail version 1"
    assert (
        'guardrailversion_aisb_dev_guardrail -->|"published version of"| guardrail_aisb_dev_guardrail' in parsed.edges
    )


@pytest.mark.parametrize("view", ["encryption", "ai"])
def test_ai_02_guardrail_is_encrypted_by_the_models_key(view: str, dev_views: dict[str, str]) -> None:
    assert 'guardrail_aisb_dev_guardrail -.->|"SSE-KMS"| key_keys_models' in parse(dev_views[view]).edges


def test_ai_02_guardrail_box_names_its_filters(dev_views: dict[str, str]) -> None:
    assert parse(dev_views["ai"]).nodes["guardrail_aisb_dev_guardrail"] == (
        "aisb-dev-guardrail<br/>Bedrock guardrail, content filters, prompt attack filter, PII, grounding"
    )


def test_ai_01_invocation_logs_land_in_the_locked_archive_and_the_encrypted_group(dev_views: dict[str, str]) -> None:
    parsed = parse(dev_views["ai"])
    logging = "invocationlog_aisb_dev_invocation_logging"
    assert (
        f'{logging} -->|"invocation logs (text)<br/>TLS-only (1.2+)<br/>SourceArn-bound<br/>'
        'SSE-KMS keys-logs"| bucket_aisb_dev_bedrock_logs' in parsed.edges
    )
    assert "object lock GOVERNANCE 365d" in parsed.nodes["bucket_aisb_dev_bedrock_logs"]
    assert (
        f'{logging} -->|"invocation logs (text)<br/>delivered by role aisb-dev-bedrock-logs<br/>'
        'SSE-KMS keys-logs"| loggroup_aisb_dev_bedrock_invocations' in parsed.edges
    )


def test_ai_03_studio_domain_runs_vpc_only_in_the_isolated_subnets(dev_views: dict[str, str]) -> None:
    parsed = parse(dev_views["ai"])
    subnets = "subnet_network_private_0_and_2_more"
    assert parsed.nodes["studio_studio"] == "studio<br/>SageMaker Studio domain, VpcOnly, auth IAM"
    assert parsed.nodes[subnets].startswith(
        "3 subnets<br/>all isolated (no route out of the VPC)<br/>network-private-0"
    )
    assert f'studio_studio -->|"VpcOnly apps<br/>security group workloads-sg"| {subnets}' in parsed.edges


def test_ai_03_studio_domain_is_encrypted_by_the_data_key(dev_views: dict[str, str]) -> None:
    assert 'studio_studio -.->|"SSE-KMS (home EFS)"| key_keys_data' in parse(dev_views["ai"]).edges


def test_ai_03_studio_apps_run_as_the_trainer_under_the_profile_name(dev_views: dict[str, str]) -> None:
    assert (
        'studio_studio -->|"apps run as (domain default, profile data-scientist)<br/>sourceIdentity = profile name"| '
        "role_identity_model_trainer" in parse(dev_views["ai"]).edges
    )


def test_ai_04_trainer_registers_pending_versions_and_only_the_approver_approves(dev_views: dict[str, str]) -> None:
    into_registry = [e for e in parse(dev_views["ai"]).edges if e.endswith("| packagegroup_registry_default")]
    assert into_registry == [
        'role_identity_model_approver -->|"approves or rejects versions"| packagegroup_registry_default',
        'role_identity_model_trainer -->|"registers versions as PendingManualApproval only<br/>'
        'setting Approved denied"| packagegroup_registry_default',
    ]


@pytest.fixture(scope="module")
def prod_views() -> dict[str, str]:
    graph = run_stack("prod").graph
    return {view: mermaid_diagram(graph, view) for view in VIEWS}


@pytest.mark.parametrize("view", VIEWS)
def test_stack_without_bedrock_or_studio_draws_no_ai_layer_nodes(view: str, prod_views: dict[str, str]) -> None:
    parsed = parse(prod_views[view])
    assert parsed.errors == []
    assert {kinds_of(n) for n in parsed.nodes} & BEDROCK_AND_STUDIO_KINDS == set()


def test_stack_without_bedrock_or_studio_draws_only_the_model_registry_in_the_ai_view(
    prod_views: dict[str, str],
) -> None:
    assert sorted(parse(prod_views["ai"]).nodes) == [
        "packagegroup_registry_default",
        "role_identity_model_approver",
        "role_identity_model_trainer",
    ]


@pytest.fixture(scope="module")
def many_buckets() -> ResourceGraph:
    return run_stack("dev", overrides={"baseline:storage": {"extraDataBuckets": 12}}).graph


@pytest.mark.parametrize("view", BUCKET_VIEWS)
def test_many_alike_buckets_collapse_into_one_box_so_edges_stay_bounded(view: str, many_buckets: ResourceGraph) -> None:
    parsed = parse(mermaid_diagram(many_buckets, view))
    assert parsed.errors == []
    assert len(parsed.edges) < 12
    assert any(label.startswith(("14 S3 buckets", "15 S3 buckets")) for label in parsed.nodes.values())


@pytest.fixture(scope="module")
def unknown_dev(dev_graph: ResourceGraph) -> ResourceGraph:
    """The dev graph as a preview before any create: every input unknown, no outputs."""
    return ResourceGraph(
        [
            Resource(**{**vars(r), "inputs": dict.fromkeys(r.inputs, UNKNOWN), "outputs": {}}) if r.custom else r
            for r in dev_graph
        ],
        stack="dev",
        project=dev_graph.project,
    )


def test_preview_with_unknown_values_still_shows_every_bucket_and_endpoint_links_from_dependencies(
    unknown_dev: ResourceGraph, dev_diagram: str
) -> None:
    parsed = parse(mermaid_diagram(unknown_dev))
    assert parsed.errors == []
    assert {n for n in parse(dev_diagram).nodes if n.startswith("bucket_")} <= set(parsed.nodes)
    assert (
        'endpoint_endpoints_s3 -->|"bucket policy depends on endpoint (policy unknown until apply)"| '
        "bucket_aisb_dev_raw"
    ) in parsed.edges


@pytest.mark.parametrize("view", VIEWS)
def test_preview_with_unknown_values_shows_no_placeholder(view: str, unknown_dev: ResourceGraph) -> None:
    text = mermaid_diagram(unknown_dev, view)
    assert parse(text).errors == []
    assert UNKNOWN not in text


def test_preview_with_unknown_values_links_nothing_through_the_placeholder(unknown_dev: ResourceGraph) -> None:
    edges = parse(mermaid_diagram(unknown_dev, "ai")).edges
    assert (
        'invocationlog_aisb_dev_invocation_logging -->|"invocation logs<br/>'
        'delivered by role aisb-dev-bedrock-logs<br/>SSE-KMS keys-logs"| loggroup_aisb_dev_bedrock_invocations' in edges
    )
    assert (
        'studio_studio -->|"apps run as (domain default, profile studio-user-data-scientist)"| '
        "role_identity_model_trainer" in edges
    )


@pytest.mark.parametrize("view", VIEWS)
def test_committed_dev_view_is_current(view: str, dev_views: dict[str, str]) -> None:
    committed = (ROOT / "docs" / f"diagram-dev-{view}.mmd").read_text(encoding="utf-8")
    assert committed == dev_views[view], f"docs/diagram-dev-{view}.mmd is stale: run `make diagram`, commit the files"


def test_the_single_all_edges_diagram_is_gone() -> None:
    assert not (ROOT / "docs" / "diagram-dev.mmd").exists()
    assert not (ROOT / "docs" / "diagram-dev.png").exists()


@pytest.mark.skipif(
    not (MMDC.exists() and CHROMIUM.exists()),
    reason="rendering needs mermaid-cli in .tools/mermaid (make .tools/mermaid/node_modules/.bin/mmdc) and "
    "/usr/bin/chromium (apt-get install -y chromium); the parse-level tests above still check the diagram",
)
@pytest.mark.parametrize("view", VIEWS)
def test_dev_view_renders_to_png_with_mermaid_cli(view: str, dev_views: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "dev.mmd"
    source.write_text(dev_views[view])
    target = tmp_path / "dev.png"
    done = subprocess.run(
        [
            str(MMDC),
            "--quiet",
            *("-p", str(PUPPETEER_CONFIG), "-c", str(MERMAID_CONFIG)),
            *("-i", str(source), "-o", str(target), "-b", "white"),
        ],
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


EXPECTED_EDGES: dict[str, list[str]] = {
    "dataflow": [
        'endpoint_endpoints_s3 -->|"only via this endpoint<br/>TLS-only"| bucket_models',
        'role_aisb_test_auditor -->|"read<br/>TLS-only"| bucket_audit_logs',
        'role_aisb_test_model_trainer -->|"read models<br/>write models"| endpoint_endpoints_s3',
    ],
    "encryption": [
        'bucket_audit_logs -.->|"SSE-KMS<br/>bucket key"| key_keys_logs',
        'bucket_models -.->|"SSE-KMS"| key_keys_models',
        'loggroup_trail_events -.->|"SSE-KMS"| key_keys_logs',
        'trail_trail -.->|"SSE-KMS (log files)"| key_keys_logs',
    ],
    "audit": [
        'bucket_models -->|"S3 data events"| trail_trail',
        'trail_trail -->|"log files (validated)<br/>TLS-only<br/>SourceArn-bound"| bucket_audit_logs',
        'trail_trail -->|"events<br/>delivered by role aisb-test-trail-logs"| loggroup_trail_events',
    ],
    "detection": [],  # the synthetic graph has no detection resources: nothing is invented
    "ai": [],  # nor Bedrock, Studio or registry resources
}


@pytest.fixture(scope="module")
def synthetic() -> dict[str, Parsed]:
    return {view: parse(mermaid_diagram(synthetic_graph(), view)) for view in VIEWS}


@pytest.mark.parametrize("view", VIEWS)
def test_synthetic_view_is_valid_mermaid_at_parse_level(view: str, synthetic: dict[str, Parsed]) -> None:
    assert synthetic[view].errors == []


@pytest.mark.parametrize("view", VIEWS)
def test_synthetic_view_has_exactly_the_fact_derived_edges(view: str, synthetic: dict[str, Parsed]) -> None:
    assert synthetic[view].edges == EXPECTED_EDGES[view]


def test_synthetic_locked_buckets_show_their_object_lock_on_the_box(synthetic: dict[str, Parsed]) -> None:
    nodes = synthetic["dataflow"].nodes
    assert nodes["bucket_models"] == "models<br/>S3 bucket, object lock COMPLIANCE 30d"
    assert nodes["bucket_audit_logs"] == "audit-logs<br/>S3 bucket, object lock GOVERNANCE 365d"


GUARDRAIL_ARN = f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:guardrail/g1"
MODEL_ARN = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"


def bedrock_graph(*statements: dict[str, Any]) -> ResourceGraph:
    """A guardrail at version 1 and a role whose inline policy holds ``statements``."""
    ai = component("baseline:ai:BedrockGuardrail", "guardrail")
    identity = component("baseline:identity:Identity", "identity")
    guardrail = resource(GUARDRAIL_TYPE, "guardrail", ai, {"guardrailArn": GUARDRAIL_ARN, "id": "g1,DRAFT"})
    version = resource(GUARDRAIL_VERSION_TYPE, "guardrail-v", ai, {"guardrailArn": GUARDRAIL_ARN, "version": "1"})
    role = resource(
        "aws:iam/role:Role", "caller", identity, {"inlinePolicies": [{"name": "p", "policy": policy(*statements)}]}
    )
    return ResourceGraph([ai, identity, guardrail, version, role], stack="test", project="baseline")


def test_ai_02_role_invoking_without_a_guardrail_condition_is_drawn_straight_to_the_models() -> None:
    edges = parse(mermaid_diagram(bedrock_graph(allow(["bedrock:InvokeModel"], [MODEL_ARN])), "ai")).edges
    assert 'role_caller -->|"invokes with no guardrail"| fmodel_bedrock' in edges
    assert not [e for e in edges if e.startswith("role_caller") and "guardrailversion" in e]


def test_ai_02_guardrail_condition_without_the_deny_draws_no_denial() -> None:
    pinned = {"StringEquals": {"bedrock:GuardrailIdentifier": f"{GUARDRAIL_ARN}:1"}}
    edges = parse(mermaid_diagram(bedrock_graph(allow(["bedrock:Invoke*"], [MODEL_ARN], **pinned)), "ai")).edges
    assert 'role_caller -->|"invokes models only with this version"| guardrailversion_guardrail_v' in edges


def subnet_graph(routes: list[dict[str, str]], **access: str) -> ResourceGraph:
    """A Studio domain (``appNetworkAccessType`` as given) in one subnet whose route table holds ``routes``."""
    network = component("baseline:network:IsolatedVpc", "network")
    subnet = resource("aws:ec2/subnet:Subnet", "private", network, {"id": "subnet-1", "cidrBlock": "10.0.0.0/24"})
    table = resource("aws:ec2/routeTable:RouteTable", "private", network, {"id": "rtb-1", "routes": routes})
    association = resource(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "private",
        network,
        {"subnetId": "subnet-1", "routeTableId": "rtb-1"},
    )
    domain = resource(SAGEMAKER_DOMAIN, "studio", network, {**access, "subnetIds": ["subnet-1"]})
    return ResourceGraph([network, subnet, table, association, domain], stack="test", project="baseline")


def test_ai_03_subnet_with_only_local_routes_is_drawn_isolated() -> None:
    nodes = parse(
        mermaid_diagram(
            subnet_graph([{"cidrBlock": "10.0.0.0/16", "gatewayId": "local"}], appNetworkAccessType="VpcOnly"), "ai"
        )
    ).nodes
    assert nodes["subnet_private"] == "private<br/>subnet, 10.0.0.0/24, isolated (no route out of the VPC)"


def test_ai_03_subnet_with_an_internet_route_is_not_drawn_isolated() -> None:
    nodes = parse(mermaid_diagram(subnet_graph([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]), "ai")).nodes
    assert nodes["subnet_private"] == "private<br/>subnet, 10.0.0.0/24"


def test_ai_03_domain_without_a_network_access_type_is_drawn_on_aws_default_internet_path() -> None:
    edges = parse(mermaid_diagram(subnet_graph([]), "ai")).edges
    assert 'studio_studio -->|"PublicInternetOnly apps"| subnet_private' in edges


def test_unknown_view_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown diagram view"):
        mermaid_diagram(synthetic_graph(), "network")


# --- ids and labels ------------------------------------------------------------------------------------------


def test_node_ids_are_sanitised_and_names_that_collide_after_sanitising_stay_distinct() -> None:
    parent = component("baseline:storage:Storage", "storage")
    buckets = [resource("aws:s3/bucket:Bucket", name, parent, {"bucket": name}) for name in ("raw.data", "raw-data")]
    parsed = parse(mermaid_diagram(ResourceGraph([parent, *buckets], stack="t", project="p")))
    assert parsed.errors == []
    assert len(parsed.nodes) == 2
    assert all(re.fullmatch(r"bucket_raw_data_[0-9a-f]{8}", n) for n in parsed.nodes)


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


@pytest.mark.parametrize("view", ["encryption", "audit"])
def test_cli_diagram_view_prints_that_view(
    view: str, dev_views: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diagram", "--stack", "dev", "--view", view]) == 0
    assert capsys.readouterr().out == dev_views[view]


def test_cli_diagram_views_are_the_vocabularys_views_with_dataflow_first() -> None:
    assert VIEWS is DIAGRAM_VIEWS
    assert VIEWS[0] == "dataflow"


def test_makefile_renders_exactly_the_vocabularys_diagram_views() -> None:
    lines = (ROOT / "Makefile").read_text().splitlines()
    declared = next(line for line in lines if line.startswith("DIAGRAM_VIEWS :="))
    assert tuple(declared.split(":=", 1)[1].split()) == DIAGRAM_VIEWS


def test_cli_diagram_unknown_view_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "--view", "network"]) == 2
    assert capsys.readouterr().err == f"error: --view network: unknown view (one of {', '.join(DIAGRAM_VIEWS)})\n"


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

"""The component package: the schema other languages get, the wrappers it hosts, and the entry point that serves it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped]
import pulumi
import pytest
import yaml
from pulumi.provider.experimental.analyzer import Analyzer, ComponentDefinition
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from ai_security_baseline import provider
from ai_security_baseline.components.config import parse_config
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.engine.offline import run_program

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"environment": "dev", "tags": {"owner": "ml-platform-team", "dataClassification": "confidential"}}


def component_definitions() -> dict[str, ComponentDefinition]:
    return Analyzer(provider.PACKAGE).analyze(list(provider.COMPONENTS))["component_definitions"]


def test_provider_schema_exports_the_baseline_bucket_and_vpc() -> None:
    assert set(component_definitions()) == {"AiSecurityBaseline", "SecureBucket", "IsolatedVpc"}


@pytest.mark.parametrize("name", ["AiSecurityBaseline", "SecureBucket", "IsolatedVpc"])
def test_provider_schema_describes_every_component_input_and_output(name: str) -> None:
    component = component_definitions()[name]
    assert component.description
    assert component.inputs
    assert component.outputs
    undescribed = [p for p, d in {**component.inputs, **component.outputs}.items() if not d.description]
    assert undescribed == []


def test_provider_schema_requires_the_inputs_without_defaults() -> None:
    required = {n: {p for p, d in c.inputs.items() if not d.optional} for n, c in component_definitions().items()}
    assert required == {
        "AiSecurityBaseline": {"settings"},
        "SecureBucket": {"bucketClass", "kmsKeyArn"},
        "IsolatedVpc": {"namePrefix", "logsKeyArn", "flowLogGroupName"},
    }


def test_provider_components_build_the_real_components_under_the_offline_engine() -> None:
    def program() -> None:
        baseline = provider.AiSecurityBaseline("baseline", {"settings": SETTINGS})
        keys = baseline.outputs
        vpc = provider.IsolatedVpc(
            "team",
            {
                "name_prefix": "team",
                "logs_key_arn": keys.apply(lambda o: o["logsKeyArn"]),
                "flow_log_group_name": "/team/vpc-flow-logs",
            },
        )
        bucket = provider.SecureBucket(
            "scratch", {"bucket_class": "curated", "kms_key_arn": keys.apply(lambda o: o["dataKeyArn"])}
        )
        pulumi.export("baselineVpc", baseline.vpc_id)
        pulumi.export("teamVpc", vpc.vpc_id)
        pulumi.export("bucket", bucket.bucket_name)

    run = run_program(program, config={"aws:region": "eu-west-1"})
    assert run.exports["baselineVpc"] != run.exports["teamVpc"]
    urns = [step["urn"] for step in run.graph.to_preview_json()["steps"]]
    package = "ai-security-baseline:index"
    assert any(f"{package}:SecureBucket$baseline:storage:SecureBucket$aws:s3/bucket:Bucket::" in u for u in urns)
    assert any(f"{package}:IsolatedVpc$baseline:network:IsolatedVpc$aws:ec2/vpc:Vpc::" in u for u in urns)
    assert any(f"{package}:AiSecurityBaseline$baseline:index:AiSecurityBaseline::baseline" in u for u in urns)


def test_plugin_manifest_runs_the_provider_folder_with_python_and_installs_this_project() -> None:
    assert yaml.safe_load((ROOT / "provider" / "PulumiPlugin.yaml").read_text()) == {"runtime": "python"}
    lines = (ROOT / "provider" / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == [".."]


def test_the_pulumi_program_never_serves_the_provider() -> None:
    """``pulumi up`` runs the repository's __main__.py: it must deploy, whatever the engine connection looks like."""
    program = (ROOT / "__main__.py").read_text()
    assert ("ai_security_baseline.provider" in program, "serve(" in program) == (False, False)


def served_schema(port: str) -> dict[str, Any]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        response = stub.GetSchema(provider_pb2.GetSchemaRequest(), timeout=30)
    schema: dict[str, Any] = json.loads(response.schema)
    return schema


def test_provider_entry_point_serves_the_component_schema() -> None:
    """As the plugin host starts it: ``python __main__.py <engine address>`` in the plugin folder, the port on its
    first line."""
    process = subprocess.Popen(
        [sys.executable, "__main__.py", "127.0.0.1:1"],
        cwd=ROOT / "provider",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else ""
        schema = served_schema(port)
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert schema["name"] == "ai-security-baseline"
    assert set(schema["resources"]) == {
        "ai-security-baseline:index:AiSecurityBaseline",
        "ai-security-baseline:index:SecureBucket",
        "ai-security-baseline:index:IsolatedVpc",
    }


YAML_PROGRAM = ROOT / "examples" / "yaml-consumer" / "Pulumi.yaml"
REFERENCE = re.compile(r"\$\{([\w-]+)\.(\w+)(?:\[\"(\w+)\"\])?\}")


def yaml_references(value: object) -> list[tuple[str, str, str | None]]:
    """Every ``${resource.output}`` / ``${resource.output["key"]}`` in a YAML program value."""
    text = json.dumps(value)
    return [(m[1], m[2], m[3] or None) for m in REFERENCE.finditer(text.replace('\\"', '"'))]


def test_yaml_example_uses_only_schema_components_and_their_inputs() -> None:
    program = yaml.safe_load(YAML_PROGRAM.read_text())
    components = component_definitions()
    for name, resource in program["resources"].items():
        package, module, kind = resource["type"].split(":")
        assert (package, module) == (provider.PACKAGE, "index"), name
        inputs = components[kind].inputs
        properties = set(resource.get("properties", {}))
        assert properties <= set(inputs), name
        assert {p for p, d in inputs.items() if not d.optional} <= properties, name


def test_yaml_example_reads_only_outputs_the_components_have() -> None:
    program = yaml.safe_load(YAML_PROGRAM.read_text())
    components = component_definitions()
    kinds = {name: resource["type"].split(":")[-1] for name, resource in program["resources"].items()}
    references = yaml_references(program)
    assert references
    baseline_outputs = set(vocabulary.AUDIT_OUTPUTS) | {
        vocabulary.key_output(c, "Arn") for c in vocabulary.DATA_CLASSES
    }
    for resource, output, key in references:
        assert output in components[kinds[resource]].outputs, (resource, output)
        assert key is None or key in baseline_outputs, key


def test_yaml_example_settings_are_a_valid_baseline_configuration() -> None:
    program = yaml.safe_load(YAML_PROGRAM.read_text())
    settings = program["resources"]["baseline"]["properties"]["settings"]
    assert parse_config(settings).environment == "dev"

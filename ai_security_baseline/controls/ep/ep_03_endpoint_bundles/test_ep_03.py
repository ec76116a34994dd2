"""EP-03: the opt-in bundles in the rendered network and the preview rule on literal graphs (no live probe)."""

from __future__ import annotations

import json

from ai_security_baseline.components import documents
from ai_security_baseline.controls.net import common as net
from ai_security_baseline.controls.net.testing import (
    ACCOUNT,
    REGION,
    failure,
    interface_endpoint,
    interface_endpoints_in,
    network,
    statuses,
)
from ai_security_baseline.controls.vocabulary import ENDPOINT_BUNDLES
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack


def test_ep_03_bedrock_bundle_and_single_services_are_opt_in() -> None:
    run = run_stack(
        "dev", overrides={"baseline:network": {"endpointBundles": ["ml-core", "bedrock"], "endpointServices": ["ssm"]}}
    )
    names = {
        e.inputs["serviceName"].removeprefix(f"com.amazonaws.{REGION}.") for e in interface_endpoints_in(run.graph)
    }
    assert names == {*ENDPOINT_BUNDLES["ml-core"], *ENDPOINT_BUNDLES["bedrock"], "ssm"}
    assert set(run.exports["interfaceEndpointIds"]) == names


def test_ep_03_bedrock_not_on_by_default() -> None:
    # the dev stack without its network and identity settings: the defaults (ml-core only, no Bedrock allowlist)
    graph = run_stack("dev", overrides={"baseline:network": {}, "baseline:identity": {}}).graph
    names = {e.inputs["serviceName"] for e in interface_endpoints_in(graph)}
    assert not {n for n in names if ".bedrock" in n}


def test_ep_03_dev_stack_has_the_whole_bedrock_bundle(dev_graph: ResourceGraph) -> None:
    names = {e.inputs["serviceName"] for e in interface_endpoints_in(dev_graph)}
    assert {n for n in names if ".bedrock" in n} == {f"com.amazonaws.{REGION}.{s}" for s in ENDPOINT_BUNDLES["bedrock"]}


def test_ep_03_rule_fails_an_unknown_service() -> None:
    sts_policy = json.dumps(documents.interface_endpoint_policy("sts", account_id=ACCOUNT))
    graph = [*network(), interface_endpoint("sagemaker.apii", policy=sts_policy)]
    assert failure("ep-03-endpoint-bundles", graph, "EP-03") == "unknown service(s) ['sagemaker.apii']"


def test_ep_03_rule_fails_a_partial_bedrock_bundle() -> None:
    graph = [*network(), interface_endpoint("bedrock-runtime")]
    message = failure("ep-03-endpoint-bundles", graph, "EP-03")
    assert message == "bedrock bundle incomplete, missing ['bedrock', 'bedrock-agent', 'bedrock-agent-runtime']"


def test_ep_03_rule_passes_the_complete_bedrock_bundle() -> None:
    graph = [*network(), *[interface_endpoint(s) for s in net.BEDROCK]]
    assert statuses("ep-03-endpoint-bundles", graph, "EP-03") == {"pass"}

"""The real __main__.py: provider, default tags (GOV-01) and stack outputs (GOV-04)."""

from __future__ import annotations

import json

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack

PROVIDER = "pulumi:providers:aws"


def test_gov_01_mandatory_tags_are_the_providers_default_tags(dev_graph: ResourceGraph) -> None:
    provider = dev_graph.one(PROVIDER, "aws")
    assert json.loads(provider.inputs["defaultTags"]) == {
        "tags": {
            "owner": "ml-platform-team",
            "environment": "dev",
            "data-classification": "confidential",
            "managed-by": "ai-security-baseline",
        }
    }


def test_gov_01_ai_act_risk_tag_is_added_when_configured(prod_run: OfflineRun) -> None:
    provider = prod_run.graph.one(PROVIDER, "aws")
    assert json.loads(provider.inputs["defaultTags"])["tags"]["ai-act-risk"] == "high"


def test_every_managed_resource_uses_the_tagging_provider(dev_graph: ResourceGraph) -> None:
    graph = dev_graph
    provider = graph.one(PROVIDER, "aws")
    assert {r.provider for r in graph.custom_resources()} == {f"{provider.urn}::{provider.id}"}


def test_provider_region_comes_from_aws_region() -> None:
    provider = run_stack("dev", overrides={"aws:region": "eu-central-1"}).graph.one(PROVIDER, "aws")
    assert provider.inputs["region"] == "eu-central-1"


def test_gov_04_outputs_name_every_key_and_alias(dev_run: OfflineRun) -> None:
    run = dev_run
    keys = {k.name.removeprefix("keys-"): k.outputs["arn"] for k in run.graph.by_type("aws:kms/key:Key")}
    assert {k: v for k, v in run.exports.items() if k.endswith("KeyArn")} == {
        f"{c}KeyArn": arn for c, arn in keys.items()
    }
    assert {k: v for k, v in run.exports.items() if k.endswith("KeyAlias")} == {
        f"{c}KeyAlias": f"alias/aisb-dev-{c}" for c in vocabulary.DATA_CLASSES
    }

"""EP-05: the rendered network, the preview rule on literal graphs and the dev stack, and the live probe."""

from __future__ import annotations

import dataclasses
import json

import pytest
from pulumi_policy import PolicyResource, StackValidationArgs

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import ConfigError
from ai_security_baseline.components.network import interface_policy
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.ep.ep_05_endpoint_policies import mutation
from ai_security_baseline.controls.ep.ep_05_endpoint_policies.probe import ENDPOINT_ACTIONS
from ai_security_baseline.controls.net.testing import (
    ACCOUNT,
    AWS_OWNED_SIDS,
    NETWORK_RULES,
    REGION,
    codeartifact_gateway,
    dev_network,
    failed_controls,
    failure,
    interface_endpoint,
    interface_endpoints_in,
    mutated,
    network,
    outcomes,
    policy_document,
    s3_gateway,
    s3_policy,
    statuses,
)
from ai_security_baseline.controls.testing import changed
from ai_security_baseline.controls.vocabulary import (
    ENDPOINT,
    ENDPOINT_BUNDLES,
    ENDPOINT_POLICY_UNSUPPORTED,
    KNOWN_ENDPOINT_SERVICES,
)
from ai_security_baseline.verify.checkers.audit.core import CHECKS, AuditContext, run_checks
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.mocks import BaselineMocks
from ai_security_baseline.verify.engine.offline import GraphRecorder, run_stack
from conftest import LiveAccount
from tests.test_crossguard import options, policy, violations


def test_ep_05_every_endpoint_has_a_policy_limited_to_this_account(dev_graph: ResourceGraph) -> None:
    """Every statement but the AWS-owned bucket ones, which AWS documents without a principal condition."""
    endpoints = dev_graph.by_type(ENDPOINT)
    # the dev stack's two bundles (ml-core, bedrock) and the S3 gateway
    assert len(endpoints) == len(ENDPOINT_BUNDLES["ml-core"]) + len(ENDPOINT_BUNDLES["bedrock"]) + 1
    for endpoint in endpoints:
        statements = [s for s in policy_document(endpoint)["Statement"] if s["Sid"] not in AWS_OWNED_SIDS]
        assert statements
        for statement in statements:
            assert statement["Condition"]["StringEquals"]["aws:PrincipalAccount"] == ACCOUNT, endpoint.name


def test_ep_05_s3_gateway_limits_buckets_to_account_and_allowlist(dev_graph: ResourceGraph) -> None:
    statements = policy_document(s3_gateway(dev_graph))["Statement"]
    account_wide = statements[0]
    assert account_wide["Resource"] == "*"
    assert account_wide["Condition"]["StringEquals"]["aws:ResourceAccount"] == ACCOUNT
    others = {s["Sid"]: s["Resource"] for s in statements[1:]}
    assert others == {"AllowEcrImageLayers": f"arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*"}


def test_ep_05_s3_gateway_lets_ecr_layers_through_without_a_principal_condition(dev_graph: ResourceGraph) -> None:
    """ECR hands out presigned URLs: the layer request is not made by this account's principals."""
    statements = {s["Sid"]: s for s in policy_document(s3_gateway(dev_graph))["Statement"]}
    assert statements["AllowEcrImageLayers"] == {
        "Sid": "AllowEcrImageLayers",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject"],
        "Resource": f"arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*",
    }


def test_ep_05_s3_gateway_admits_codeartifact_assets_only_with_codeartifact_endpoints(dev_graph: ResourceGraph) -> None:
    run = run_stack("dev", overrides=dev_network(endpointServices=["codeartifact.repositories"]))
    statements = {s["Sid"]: s for s in policy_document(s3_gateway(run.graph))["Statement"]}
    assert statements["AllowCodeArtifactAssets"]["Resource"] == "arn:aws:s3:::assets-438097961670-eu-west-1/*"
    assert "Condition" not in statements["AllowCodeArtifactAssets"]
    assert "AllowCodeArtifactAssets" not in {s["Sid"] for s in policy_document(s3_gateway(dev_graph))["Statement"]}


def test_ep_05_codeartifact_in_a_region_without_documented_asset_bucket_fails_before_any_resource() -> None:
    recorder = GraphRecorder(BaselineMocks())
    overrides = {"aws:region": "ca-central-1", **dev_network(endpointServices=["codeartifact.api"])}
    with pytest.raises(
        ConfigError, match=r'baseline:network\.endpointServices = \["codeartifact\.api"\]: .*ca-central-1'
    ):
        run_stack("dev", overrides=overrides, recorder=recorder)
    assert [r.type for r in recorder.records.values() if r.custom and not r.is_provider] == []


def test_ep_05_org_id_switches_endpoint_principals_to_the_organization() -> None:
    run = run_stack("dev", overrides={"baseline:identity": {"orgId": "o-abcdefghij"}})
    for endpoint in run.graph.by_type(ENDPOINT):
        for statement in [s for s in policy_document(endpoint)["Statement"] if s["Sid"] not in AWS_OWNED_SIDS]:
            condition = statement["Condition"]["StringEquals"]
            assert condition["aws:PrincipalOrgID"] == "o-abcdefghij"
            assert "aws:PrincipalAccount" not in condition


def test_ep_05_endpoints_of_services_without_policy_support_carry_no_policy() -> None:
    run = run_stack("dev", overrides=dev_network(endpointServices=["ssm", "ssmmessages", "ec2messages"]))
    by_service = {e.inputs["serviceName"].rsplit(".", 1)[-1]: e for e in interface_endpoints_in(run.graph)}
    assert "policy" not in by_service["ssmmessages"].inputs
    assert "policy" not in by_service["ec2messages"].inputs
    assert policy_document(by_service["ssm"])["Statement"][0]["Action"] == ["ssm:*"]


def test_ep_05_policy_builder_returns_none_only_for_services_without_policy_support() -> None:
    assert interface_policy("ssmmessages", account_id=ACCOUNT, org_id=None) is None
    assert interface_policy("ec2messages", account_id=ACCOUNT, org_id=None) is None
    supported = sorted(KNOWN_ENDPOINT_SERVICES - set(ENDPOINT_POLICY_UNSUPPORTED))
    assert all(interface_policy(s, account_id=ACCOUNT, org_id=None) for s in supported)


def test_ep_05_probe_knows_an_action_for_every_service_that_takes_a_policy() -> None:
    supported = KNOWN_ENDPOINT_SERVICES - set(ENDPOINT_POLICY_UNSUPPORTED)
    assert sorted(supported - set(ENDPOINT_ACTIONS)) == []


def test_ep_05_probe_action_of_each_service_is_one_its_endpoint_policy_admits() -> None:
    for service, action in ENDPOINT_ACTIONS.items():
        if service == "s3":
            continue  # the gateway's policy is tested above, bucket by bucket
        admitted = documents.endpoint_actions(service)
        assert action in admitted or f"{action.split(':')[0]}:*" in admitted, service


def test_ep_05_rule_fails_an_endpoint_without_policy() -> None:
    message = failure("ep-05-endpoint-policies", changed(network(), "ep-sts", policy=None), "EP-05")
    assert message == "no policy (AWS's default allows full access)"


def test_ep_05_rule_fails_a_statement_without_principal_limit() -> None:
    wide = {"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Principal": "*", "Action": "*"}]}
    message = failure("ep-05-endpoint-policies", changed(network(), "ep-sts", policy=json.dumps(wide)), "EP-05")
    assert message.startswith("All does not limit principals")


def test_ep_05_rule_fails_a_foreign_principal_account() -> None:
    foreign = json.dumps(documents.interface_endpoint_policy("sts", account_id="999988887777"))
    message = failure("ep-05-endpoint-policies", changed(network(), "ep-sts", policy=foreign), "EP-05")
    assert message == "AllowAccountPrincipals admits account 999988887777, the VPC belongs to 111122223333"


def test_ep_05_rule_fails_an_s3_gateway_reaching_any_bucket() -> None:
    doc = json.loads(s3_policy())
    doc["Statement"][1]["Resource"] = "arn:aws:s3:::attacker-bucket/*"
    message = failure("ep-05-endpoint-policies", changed(network(), "ep-s3", policy=json.dumps(doc)), "EP-05")
    assert "reaches arn:aws:s3:::attacker-bucket/* with ['s3:getobject']" in message


def test_ep_05_rule_passes_ecr_layers_without_a_principal_condition() -> None:
    statement = json.loads(s3_policy())["Statement"][1]
    assert statement["Sid"] == "AllowEcrImageLayers"
    assert "Condition" not in statement
    assert statuses("ep-05-endpoint-policies", network(), "EP-05") == {"pass"}


def test_ep_05_rule_fails_an_unconditioned_statement_beyond_the_aws_owned_buckets() -> None:
    doc = json.loads(s3_policy())
    doc["Statement"][1]["Action"] = ["s3:GetObject", "s3:PutObject"]
    message = failure("ep-05-endpoint-policies", changed(network(), "ep-s3", policy=json.dumps(doc)), "EP-05")
    assert message.startswith("AllowEcrImageLayers does not limit principals")


def test_ep_05_rule_passes_the_documented_codeartifact_asset_bucket() -> None:
    graph = codeartifact_gateway(REGION, "assets-438097961670-eu-west-1")
    assert {o.status for o in outcomes("ep-05-endpoint-policies", graph) if o.urn.endswith("ep-s3")} == {"pass"}


@pytest.mark.parametrize(
    ("region", "bucket"),
    [
        (REGION, "assets-999988887777-eu-west-1"),  # another account's bucket of the same form
        ("ca-central-1", "assets-438097961670-ca-central-1"),  # no documented owner in this region
    ],
)
def test_ep_05_rule_fails_an_asset_bucket_that_is_not_codeartifacts(region: str, bucket: str) -> None:
    message = failure("ep-05-endpoint-policies", codeartifact_gateway(region, bucket), "EP-05")
    assert f"AllowCodeArtifactAssets reaches arn:aws:s3:::{bucket}/*" in message


def test_ep_05_rule_reports_a_service_without_policy_support_as_waived_with_the_reason() -> None:
    graph = [*network(), interface_endpoint("ssmmessages", policy=None)]
    [found] = [o for o in outcomes("ep-05-endpoint-policies", graph) if o.urn.endswith("ep-ssmmessages")]
    assert found.status == "waived"
    assert found.message.startswith("not applicable: AWS documents no VPC endpoint policy for the Systems Manager")


def test_ep_05_rule_fails_a_policy_on_a_service_that_takes_none() -> None:
    graph = [*network(), interface_endpoint("ec2messages")]
    message = failure("ep-05-endpoint-policies", graph, "EP-05")
    assert message.startswith("sets a policy on ec2messages, which takes none")


def test_ep_05_scan_carries_the_by_design_reason_as_the_waiver() -> None:
    graph = run_stack("dev", overrides=dev_network(endpointServices=["ssmmessages"])).graph
    found = [f for f in scan_rules(graph, NETWORK_RULES) if f.control == "EP-05" and f.status != "pass"]
    assert [(f.resource_name, f.status, f.waiver) for f in found] == [
        ("endpoints-ssmmessages", "waived", found[0].message)
    ]
    assert vocabulary.ENDPOINT_POLICY_UNSUPPORTED["ssmmessages"] in found[0].waiver


def test_ep_05_stack_policy_does_not_block_a_service_without_policy_support() -> None:
    endpoint = interface_endpoint("ssmmessages", policy=None)
    resources = [
        PolicyResource(r.type, dict(r.props), r.urn, r.name, options(), None, None, [], {})
        for r in [*network(), endpoint]
    ]
    assert violations(policy("ep-05-endpoint-policies"), StackValidationArgs(resources, {})) == []


def test_ep_05_rule_passes_policies_limited_to_the_organization() -> None:
    org = "o-a1b2c3d4e5"
    graph = changed(network(), "ep-s3", policy=s3_policy(org))
    graph = changed(
        graph, "ep-sts", policy=json.dumps(documents.interface_endpoint_policy("sts", account_id=ACCOUNT, org_id=org))
    )
    assert statuses("ep-05-endpoint-policies", graph, "EP-05") == {"pass"}


def test_ep_05_scan_fails_the_dev_stack_with_an_endpoint_policy_removed(dev_graph: ResourceGraph) -> None:
    endpoint = dev_graph.one(vocabulary.ENDPOINT, "endpoints-sts")
    bare = dataclasses.replace(
        endpoint,
        inputs={k: v for k, v in endpoint.inputs.items() if k != "policy"},
        outputs={k: v for k, v in endpoint.outputs.items() if k != "policy"},
    )
    graph = mutated(
        dev_graph,
        drop=vocabulary.ENDPOINT,
        add=[*(e for e in dev_graph.by_type(vocabulary.ENDPOINT) if e.urn != endpoint.urn), bare],
    )
    assert failed_controls(graph) == {"EP-05"}


def test_ep_05_probe_passes_every_endpoint_as_deployed(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("EP-05")
    assert len(findings) == len(live_dev.exports["interfaceEndpointIds"]) + 1
    assert {f.status for f in findings} == {"pass"}, findings


def test_ep_05_probe_fails_the_endpoint_whose_policy_allows_all(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("EP-05", mutation.allow_all_live)
    assert failed == [live_dev.exports["interfaceEndpointIds"]["kms"]]


def test_ep_05_probe_waives_an_endpoint_of_a_service_without_policy_support(live_dev: LiveAccount) -> None:
    """An ssmmessages endpoint carries AWS's default policy (it takes no other): waived with the reason, not failed."""
    exports = live_dev.exports
    ec2 = live_dev.context().client("ec2")
    endpoint = ec2.create_vpc_endpoint(
        VpcId=exports["vpcId"],
        ServiceName=f"com.amazonaws.{live_dev.server.region}.ssmmessages",
        VpcEndpointType="Interface",
        SubnetIds=list(exports["privateSubnetIds"]),
    )["VpcEndpoint"]["VpcEndpointId"]
    try:
        outputs = {**exports, "interfaceEndpointIds": {**exports["interfaceEndpointIds"], "ssmmessages": endpoint}}
        ctx = AuditContext(outputs, live_dev.server.region, live_dev.server.endpoint_url, live_dev.context().session)
        findings = run_checks(ctx, [c for c in CHECKS if c.control == "EP-05"])
    finally:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    [finding] = [f for f in findings if f.urn == endpoint]
    assert (finding.status, finding.waiver) == ("waived", vocabulary.ENDPOINT_POLICY_UNSUPPORTED["ssmmessages"])
    assert {f.status for f in findings if f.urn != endpoint} == {"pass"}

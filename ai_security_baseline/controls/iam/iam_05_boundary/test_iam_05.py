"""IAM-05: every role carries a permissions boundary that denies tampering, checked on the boundary's content by
the preview rule and the live probe alike (``TAMPERING_DENIALS``, the list the boundary builder writes)."""

from __future__ import annotations

import json
from typing import Any

from ai_security_baseline.components import documents, identity
from ai_security_baseline.components.config import BucketNamesConfig
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls import kit, vocabulary
from ai_security_baseline.controls.iam.common import IAM_POLICY, IAM_ROLE, TAMPERING_ACTIONS, undenied_tampering
from ai_security_baseline.controls.iam.iam_05_boundary import mutation, rule
from ai_security_baseline.controls.iam.testing import KEY, ROLE_POLICY
from ai_security_baseline.controls.kit import UNKNOWN, Res
from ai_security_baseline.controls.testing import ACCOUNT
from ai_security_baseline.verify.checkers.mutation import without_statement
from ai_security_baseline.verify.checkers.rules import scan_rules
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import run_stack
from ai_security_baseline.verify.iam.analysis import analyze
from ai_security_baseline.verify.iam.evaluator import PolicySet, Request, evaluate
from ai_security_baseline.verify.iam.sweep import _workload_targets
from conftest import LiveAccount

ROLE_URN = "urn:pulumi:dev::p::aws:iam/role:Role::trainer"
BOUNDARY_URN = "urn:pulumi:dev::p::aws:iam/policy:Policy::boundary"
BOUNDARY = documents.permissions_boundary_policy([])
ARN = "arn:aws:iam::111122223333:role/aisb-dev-"


def role(**props: Any) -> Res:
    return Res(
        urn=ROLE_URN,
        type=IAM_ROLE,
        props={"assumeRolePolicy": "{}", "permissionsBoundary": UNKNOWN, **props},
        property_dependencies={"permissionsBoundary": (BOUNDARY_URN,)},
    )


def boundary(document: dict[str, Any] = BOUNDARY) -> Res:
    return Res(urn=BOUNDARY_URN, type=IAM_POLICY, props={"policy": json.dumps(document)})


def statuses(resources: list[Res]) -> list[str]:
    return [o.status for o in rule.RULE.evaluate(resources) if o.control == "IAM-05"]


def test_iam_05_rule_requires_exactly_the_tampering_the_boundary_builder_denies() -> None:
    denied = {a.lower() for s in BOUNDARY["Statement"] if s["Effect"] == "Deny" for a in s["Action"]}
    assert denied == TAMPERING_ACTIONS
    assert undenied_tampering(BOUNDARY) == []


def test_iam_05_rule_accepts_a_boundary_unknown_until_apply_and_fails_a_missing_one() -> None:
    assert statuses([role(), boundary()]) == ["pass"]
    assert statuses([role(permissionsBoundary=None), boundary()]) == ["fail"]


def test_iam_05_rule_fails_a_boundary_without_the_trail_tampering_deny() -> None:
    [outcome] = rule.RULE.evaluate([role(), boundary(without_statement("DenyTrailTampering")(BOUNDARY))])
    assert outcome.status == "fail"
    assert "cloudtrail:stoplogging" in outcome.message


def test_iam_05_rule_fails_a_tampering_deny_narrowed_by_a_condition() -> None:
    def conditioned(statement: dict[str, Any]) -> dict[str, Any]:
        if statement.get("Sid") != "DenyKeyTampering":
            return statement
        return {**statement, "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}

    narrowed = {**BOUNDARY, "Statement": [conditioned(s) for s in BOUNDARY["Statement"]]}
    assert statuses([role(), boundary(narrowed)]) == ["fail"]


def test_iam_05_rule_accepts_a_wildcard_deny_covering_the_tampering_actions() -> None:
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    assert statuses([role(), boundary(deny_all)]) == ["pass"]


def test_iam_05_rule_errors_on_a_boundary_outside_the_stack() -> None:
    external = Res(urn=ROLE_URN, type=IAM_ROLE, props={"permissionsBoundary": "arn:aws:iam::1:policy/elsewhere"})
    assert statuses([external]) == ["error"]


def test_iam_05_every_role_of_the_rendered_stack_passes_and_each_mutant_fails(dev_graph: ResourceGraph) -> None:
    def verdicts(graph: ResourceGraph) -> set[str]:
        return {f.status for f in scan_rules(graph, [rule.RULE]) if f.control == "IAM-05"}

    assert verdicts(dev_graph) == {"pass"}
    for mutant in mutation.MUTATIONS:
        if mutant.graph is not None:
            assert "fail" in verdicts(mutant.graph(dev_graph)), mutant.name


def test_iam_05_probe_passes_every_role_as_deployed(live_dev: LiveAccount) -> None:
    findings = live_dev.probe("IAM-05")
    assert len(findings) == len(live_dev.exports["roleArns"])
    assert all(f.status == "pass" and "denies every tampering action" in f.message for f in findings), findings


def test_iam_05_probe_fails_the_role_whose_boundary_was_detached(live_dev: LiveAccount) -> None:
    failed = live_dev.failing_under("IAM-05", mutation.boundary_detached_live)
    assert failed == [live_dev.exports["roleArns"]["inference"]]


def test_iam_05_probe_fails_every_role_when_the_boundary_stops_denying_key_tampering(live_dev: LiveAccount) -> None:
    findings = live_dev.probe_mutated("IAM-05", mutation.tamper_deny_dropped_live)
    assert {f.status for f in findings} == {"fail"}
    assert all("kms:schedulekeydeletion" in f.message for f in findings)
    assert {f.status for f in live_dev.probe("IAM-05")} == {"pass"}


ROLE = "aws:iam/role:Role"


POLICY = "aws:iam/policy:Policy"


MALWARE_ROLE = "detection-malware-protection"


def test_iam_05_every_role_has_the_boundary(dev_graph: ResourceGraph) -> None:
    boundary = dev_graph.one(POLICY, "identity-boundary")
    recorder = dev_graph.one(POLICY, "config-recorder-boundary")  # AWS Config's reads: a boundary of its own
    scanner = dev_graph.one(POLICY, "detection-malware-protection-boundary")  # DET-02: the scanner's own
    bounds = {r.name: r.inputs.get("permissionsBoundary") for r in dev_graph.by_type(ROLE)}
    # five workload roles (the model approver the fifth), three delivery roles (trail, flow logs, Bedrock), the Config
    # recorder, the malware scanner
    assert len(bounds) == 10
    assert bounds.pop("config-recorder") == recorder.outputs["arn"]
    assert bounds.pop(MALWARE_ROLE) == scanner.outputs["arn"]
    assert set(bounds.values()) == {boundary.outputs["arn"]}
    assert boundary.inputs["name"] == "aisb-dev-workload-boundary"
    assert undenied_tampering(json.loads(recorder.inputs["policy"])) == []


def test_iam_05_boundary_denies_trail_key_bucket_policy_and_boundary_tampering(dev_graph: ResourceGraph) -> None:
    statements = json.loads(dev_graph.one(POLICY, "identity-boundary").inputs["policy"])["Statement"]
    denies = {s["Sid"]: set(s["Action"]) for s in statements if s["Effect"] == "Deny"}
    assert {s["Resource"] for s in statements if s["Effect"] == "Deny"} == {"*"}
    assert {"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"} <= denies[
        "DenyTrailTampering"
    ]
    assert {"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"} <= denies["DenyKeyTampering"]
    assert {"s3:PutBucketPolicy", "s3:DeleteBucketPolicy"} <= denies["DenyBucketPolicyChanges"]
    assert {"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:CreatePolicyVersion"} <= (
        denies["DenyBoundaryAndRoleChanges"]
    )


def test_iam_05_boundary_caps_to_the_baselines_services(dev_graph: ResourceGraph) -> None:
    statements = json.loads(dev_graph.one(POLICY, "identity-boundary").inputs["policy"])["Statement"]
    services = {a.split(":")[0] for s in statements if s["Effect"] == "Allow" for a in s["Action"]}
    # bedrock: the dev stack allowlists Bedrock models for inference (identity.bedrockModelArns)
    assert services == {"bedrock", "ec2", "ecr", "iam", "kms", "logs", "s3", "sagemaker", "secretsmanager"}
    conditioned = {s["Sid"]: s["Condition"] for s in statements if "Condition" in s and s["Effect"] == "Allow"}
    alias = {"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/aisb-dev-*"}}
    assert conditioned
    assert all(sid.startswith("CapKms") and c == alias for sid, c in conditioned.items())


def test_iam_05_boundary_admits_every_grant_of_every_role_no_lock_out(dev_graph: ResourceGraph) -> None:
    boundaries = {str(p.outputs["arn"]): p.inputs["policy"] for p in dev_graph.by_type(POLICY)}
    role_boundary = {r.id: boundaries[r.inputs["permissionsBoundary"]] for r in dev_graph.by_type(ROLE)}
    refused = []
    for policy in dev_graph.by_type(ROLE_POLICY):
        boundary = role_boundary[policy.inputs["role"]]  # each role's grants within its own boundary
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            if statement["Effect"] != "Allow":  # a Deny grants nothing the boundary must admit
                continue
            resources = statement["Resource"]
            for resource in [resources] if isinstance(resources, str) else resources:
                concrete = resource.replace("*", "x").replace("?", "x")
                for action in statement["Action"]:
                    aliases = {"kms:ResourceAliases": ["alias/aisb-dev-data"]} if action.startswith("kms:") else {}
                    # a request the grant admits carries what its StringEquals names: a registration states the
                    # pending status, an invocation names the guardrail version (the boundary denies any other)
                    admitted = statement.get("Condition", {}).get("StringEquals", {})
                    context = {**aliases, **admitted}
                    request = Request(f"{ARN}probe", ACCOUNT, action, concrete, context)
                    if evaluate(request, PolicySet(resource_account=ACCOUNT, identity=[boundary])).outcome != "Allow":
                        refused.append((policy.name, action, resource))
    assert refused == []


def test_iam_05_boundary_caps_the_ebs_volume_grant_to_this_accounts_keys(dev_graph: ResourceGraph) -> None:
    boundary = dev_graph.one(POLICY, "identity-boundary").inputs["policy"]
    own = str(dev_graph.one(KEY, "keys-data").outputs["arn"])
    foreign = own.replace(ACCOUNT, "444455556666")

    def grant(key: str, alias: str = "alias/aisb-dev-data") -> str:
        request = Request(f"{ARN}model-trainer", ACCOUNT, "kms:CreateGrant", key, {"kms:ResourceAliases": [alias]})
        return evaluate(request, PolicySet(resource_account=ACCOUNT, identity=[boundary])).outcome

    assert (grant(own), grant(foreign), grant(own, "alias/other")) == ("Allow", "ImplicitDeny", "ImplicitDeny")


def test_iam_05_configured_bucket_names_enter_the_boundary_and_the_matrix_still_holds() -> None:
    graph = run_stack("dev", overrides={"baseline:storage": {"bucketNames": {"raw": "acme-training-raw"}}}).graph
    boundary = json.dumps(json.loads(graph.one(POLICY, "identity-boundary").inputs["policy"]))
    assert "arn:aws:s3:::acme-training-raw/*" in boundary
    report = analyze(graph)
    assert report.model.buckets["raw"].arn == "arn:aws:s3:::acme-training-raw"
    assert [f.message for f in report.findings() if f.status == "fail"] == []


#: The resource types each granted SageMaker action names (Service Authorization Reference, SageMaker: "Resource
#: types" of each action); a request never names another type, so pairs of other types are not requests.
SAGEMAKER_ACTION_TYPES: dict[str, tuple[str, ...]] = {
    "sagemaker:CreateModel": ("model",),
    "sagemaker:CreateProcessingJob": ("processing-job",),
    "sagemaker:CreateTrainingJob": ("training-job",),
    "sagemaker:InvokeEndpoint": ("endpoint",),
    "sagemaker:InvokeEndpointWithResponseStream": ("endpoint",),
    "sagemaker:CreateModelPackage": ("model-package",),
    "sagemaker:UpdateModelPackage": ("model-package",),
    "sagemaker:DescribeModelPackage": ("model-package",),
    "sagemaker:DescribeModelPackageGroup": ("model-package-group",),
    "sagemaker:ListModelPackages": ("model-package",),
}


def _requested(action: str, resource: str) -> bool:
    """Whether AWS ever authorizes ``action`` on ``resource``: for SageMaker, only on the action's own types."""
    if not action.startswith("sagemaker:"):
        return True
    rtype = resource.split(":", 5)[-1].split("/", maxsplit=1)[0]
    return rtype in SAGEMAKER_ACTION_TYPES[action]


def test_iam_05_compacted_cap_admits_exactly_the_requests_the_grants_admit() -> None:
    """SageMaker's any-type names and the dropped covered patterns admit no (action, resource) request the role
    grants, conditions aside, refuse: over every grant pattern made concrete, near misses and the sweep's workload
    resources."""
    account = AccountContext(ACCOUNT, "eu-central-1", "aws")
    targets = identity.boundary_targets(account, "aisb-dev", bucket_names=BucketNamesConfig())
    grants = [s for role in vocabulary.ROLES for s in identity.role_policy_statements(role, targets)]
    allows = [{k: v for k, v in s.items() if k != "Condition"} for s in grants if s["Effect"] == "Allow"]
    unconditioned = {"Version": "2012-10-17", "Statement": allows}
    cap = documents.finish_document(documents.boundary_cap_statements(grants))
    patterns = {r for s in allows for r in kit.as_list(s["Resource"])}
    head = f"arn:aws:sagemaker:{account.region}:{ACCOUNT}"
    # an unversioned package carrying the prefix: the versions' pattern never matched it (SageMaker names have no
    # "/", so a one-segment name pattern of any type matches exactly the names the typed one did)
    near_misses = {f"{head}:model-package/aisb-dev-x"}
    resources = {p.replace("*", "x").replace("?", "x") for p in patterns} | near_misses
    resources |= {t.arn for t in _workload_targets(account.region, ACCOUNT, "aisb-dev")}
    actions = {a for s in allows for a in s["Action"]}
    assert {a for a in actions if a.startswith("sagemaker:")} == set(SAGEMAKER_ACTION_TYPES)

    def outcome(document: dict[str, Any], action: str, resource: str) -> str:
        request = Request(f"{ARN}probe", ACCOUNT, action, resource, {"kms:ResourceAliases": ["alias/aisb-dev-data"]})
        return evaluate(request, PolicySet(resource_account=ACCOUNT, identity=[document])).outcome

    differ = [
        (action, resource)
        for action in sorted(actions)
        for resource in sorted(resources)
        if _requested(action, resource) and outcome(cap, action, resource) != outcome(unconditioned, action, resource)
    ]
    assert differ == []
    # one-segment names of any type (jobs, models, endpoints, groups), the versions of the groups
    sagemaker = [s["Resource"] for s in cap["Statement"] if str(s["Action"]).startswith("['sagemaker:")]
    assert sagemaker == [f"{head}:*/aisb-dev-*", f"{head}:model-package/aisb-dev-*/*"]

"""Destroy, replacement and re-deploy on real AWS (S3-13, GOV-05, LOG-04, GOV-02): what is retained, what is adopted.

The offline graph records ``protect`` and ``retainOnDelete``; the options it does not record (``import``,
``ignoreChanges``, ``deleteBeforeReplace``) are read from the registrations by ``OptionRecorder``. What the engine
answers for a bucket whose name it keeps (``ignore_changes``) is played by ``DeployedNames``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

from ai_security_baseline.components.config import FIXED_NAME_RESOURCES, ConfigError
from ai_security_baseline.components.lifecycle import Adoption, AdoptTarget
from ai_security_baseline.verify.engine.graph import STACK_TYPE, Resource, ResourceGraph
from ai_security_baseline.verify.engine.mocks import TEMPLATES, BaselineMocks, FakeAccount
from ai_security_baseline.verify.engine.offline import GraphRecorder, run_stack

ACCOUNT = "111122223333"
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TRAIL = "aws:cloudtrail/trail:Trail"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
PROVIDER = "pulumi:providers:aws"

#: Every side resource that guards a bucket, by what it guards.
GUARDS = {
    "policy": "aws:s3/bucketPolicy:BucketPolicy",
    "public-access-block": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "encryption": "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "ownership": "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "versioning": "aws:s3/bucketVersioning:BucketVersioning",
    "object-lock": "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "lifecycle": "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "logging": "aws:s3/bucketLogging:BucketLogging",
}


@dataclass(frozen=True)
class Options:
    import_id: str
    ignore_changes: tuple[str, ...]
    delete_before_replace: bool


class OptionRecorder(GraphRecorder):
    """A GraphRecorder that also keeps the lifecycle options of every registration, by URN."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.options: dict[str, Options] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        with self._lock:
            self.options[response.urn] = Options(
                request.importId, tuple(request.ignoreChanges), bool(request.deleteBeforeReplace)
            )
        return response


class DeployedNames(BaselineMocks):
    """The engine's answer for buckets whose name it keeps (``ignore_changes``): the name the stack deployed."""

    def __init__(self, deployed: dict[str, str]) -> None:
        super().__init__(FakeAccount())
        self.deployed = deployed

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == BUCKET and args.name in self.deployed:
            inputs = {**dict(args.inputs), "bucket": self.deployed[args.name]}
            return TEMPLATES[BUCKET](self.account, args.typ, args.name, inputs)
        return super().new_resource(args)


def run(
    stack: str = "dev", overrides: dict[str, Any] | None = None, mocks: pulumi.runtime.Mocks | None = None
) -> tuple[ResourceGraph, OptionRecorder]:
    recorder = OptionRecorder(mocks or BaselineMocks(FakeAccount()))
    graph = run_stack(stack, overrides=overrides, recorder=recorder).graph
    return graph, recorder


@pytest.fixture(scope="module")
def dev() -> tuple[ResourceGraph, OptionRecorder]:
    return run("dev")


@pytest.fixture(scope="module")
def prod() -> ResourceGraph:
    return run("prod")[0]


def _flags(resources: list[Resource]) -> dict[str, tuple[bool, bool]]:
    return {r.name: (r.retain_on_delete, r.protect) for r in resources}


# ---- what pulumi destroy leaves: every guard of a retained resource is retained with it ---------------------------

#: Buckets that carry each guard in the dev stack (object lock: models and the archive; logging: not the log target).
CARRIERS = {
    "object-lock": ("aisb-dev-audit", "aisb-dev-bedrock-logs", "aisb-dev-models"),
    "logging": (
        "aisb-dev-audit",
        "aisb-dev-bedrock-logs",
        "aisb-dev-config",
        "aisb-dev-curated",
        "aisb-dev-models",
        "aisb-dev-raw",
    ),
}
ALL_BUCKETS = (
    "aisb-dev-access-logs",
    "aisb-dev-audit",
    "aisb-dev-bedrock-logs",
    "aisb-dev-config",
    "aisb-dev-curated",
    "aisb-dev-models",
    "aisb-dev-raw",
)


@pytest.mark.parametrize("guard", GUARDS)
def test_gov_05_prod_protects_each_guard_with_its_bucket(prod: ResourceGraph, guard: str) -> None:
    guards = prod.by_type(GUARDS[guard])
    assert guards
    assert set(_flags(guards).values()) == {(True, True)}


def test_gov_02_secret_policy_is_retained_with_the_secret(dev: tuple[ResourceGraph, OptionRecorder]) -> None:
    graph = dev[0]
    assert _flags(graph.by_type(SECRET_POLICY)) == {"aisb-dev-pseudonymization-key": (True, False)}


def test_gov_05_prod_protects_the_secret_policy(prod: ResourceGraph) -> None:
    assert _flags(prod.by_type(SECRET_POLICY)) == {"aisb-prod-pseudonymization-key": (True, True)}


def test_log_04_trail_delivery_role_and_its_policy_are_retained_with_the_trail(
    dev: tuple[ResourceGraph, OptionRecorder],
) -> None:
    graph = dev[0]
    role, policy = graph.one(ROLE, "aisb-dev-cloudtrail-logs"), graph.one(ROLE_POLICY, "aisb-dev-cloudtrail-logs")
    assert [(r.retain_on_delete, r.protect) for r in (role, policy)] == [(True, False)] * 2


def test_gov_05_prod_protects_the_trail_delivery_role_and_its_policy(prod: ResourceGraph) -> None:
    role, policy = prod.one(ROLE, "aisb-prod-cloudtrail-logs"), prod.one(ROLE_POLICY, "aisb-prod-cloudtrail-logs")
    assert [(r.retain_on_delete, r.protect) for r in (role, policy)] == [(True, True)] * 2


def test_net_05_flow_log_role_is_retained_but_its_delivery_grant_is_not(
    dev: tuple[ResourceGraph, OptionRecorder],
) -> None:
    graph = dev[0]
    role, grant = graph.one(ROLE, "network-flow-logs"), graph.one(ROLE_POLICY, "network-flow-logs")
    assert (role.retain_on_delete, grant.retain_on_delete) == (True, False)


def test_iam_05_boundary_is_retained_with_the_delivery_roles_that_carry_it(
    dev: tuple[ResourceGraph, OptionRecorder],
) -> None:
    graph = dev[0]
    boundary = graph.one(POLICY, "identity-boundary")
    carriers = [graph.one(ROLE, "network-flow-logs"), graph.one(ROLE, "aisb-dev-cloudtrail-logs")]
    assert {r.inputs["permissionsBoundary"] for r in carriers} == {boundary.outputs["arn"]}
    assert boundary.retain_on_delete is True


# ---- deploying again: baseline:adopt imports what destroy retained ------------------------------------------------

KEY_IDS = {
    "data": "1234abcd-12ab-34cd-56ef-1234567890ab",
    "models": "2234abcd-12ab-34cd-56ef-1234567890ab",
    "logs": "3234abcd-12ab-34cd-56ef-1234567890ab",
}
SECRET_ARN = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:aisb-dev/pseudonymization-key-AbC123"
NAMES = {
    "raw": "acme-raw",
    "curated": "acme-curated",
    "models": "acme-models",
    "accessLogs": "acme-logs",
    "audit": "acme-audit",
    "extra": ["acme-team-a"],
}
ADOPT_ALL = {
    "baseline:storage": {"bucketNames": NAMES, "extraDataBuckets": 1},
    "baseline:adopt": {
        "keys": KEY_IDS,
        "secret": SECRET_ARN,
        "buckets": ["raw", "curated", "models", "accessLogs", "audit", "extra1"],
        "fixedNames": list(FIXED_NAME_RESOURCES),
    },
}
#: The id each importer takes (pulumi-aws import docs): bucket name, key id, secret ARN, group name, trail ARN,
#: role name, policy ARN.
EXPECTED_IMPORTS = {
    (KEY, "keys-data"): KEY_IDS["data"],
    (KEY, "keys-models"): KEY_IDS["models"],
    (KEY, "keys-logs"): KEY_IDS["logs"],
    (BUCKET, "aisb-dev-raw"): "acme-raw",
    (BUCKET, "aisb-dev-curated"): "acme-curated",
    (BUCKET, "aisb-dev-models"): "acme-models",
    (BUCKET, "aisb-dev-access-logs"): "acme-logs",
    (BUCKET, "aisb-dev-audit"): "acme-audit",
    (BUCKET, "aisb-dev-extra-1"): "acme-team-a",
    (SECRET, "aisb-dev-pseudonymization-key"): SECRET_ARN,
    (TRAIL, "aisb-dev-trail"): f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/aisb-dev-trail",
    (LOG_GROUP, "aisb-dev-cloudtrail"): "/aisb/dev/cloudtrail",
    (LOG_GROUP, "network-flow-logs"): "/aisb/dev/vpc-flow-logs",
    (ROLE, "aisb-dev-cloudtrail-logs"): "aisb-dev-cloudtrail-logs",
    (ROLE, "network-flow-logs"): "aisb-dev-vpc-flow-logs",
    (POLICY, "identity-boundary"): f"arn:aws:iam::{ACCOUNT}:policy/aisb-dev-workload-boundary",
}


def _imports(graph: ResourceGraph, recorder: OptionRecorder) -> dict[tuple[str, str], str]:
    return {(r.type, r.name): recorder.options[r.urn].import_id for r in graph if recorder.options[r.urn].import_id}


def test_s3_13_adopt_imports_each_retained_resource_by_the_id_its_importer_takes() -> None:
    assert _imports(*run(overrides=ADOPT_ALL)) == EXPECTED_IMPORTS


def test_s3_13_adopt_imports_only_what_it_names() -> None:
    adopt = {"baseline:adopt": {"keys": {"logs": KEY_IDS["logs"]}, "fixedNames": ["trail"]}}
    assert _imports(*run(overrides=adopt)) == {
        (KEY, "keys-logs"): KEY_IDS["logs"],
        (TRAIL, "aisb-dev-trail"): f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/aisb-dev-trail",
    }


def test_s3_13_without_adopt_nothing_is_imported(dev: tuple[ResourceGraph, OptionRecorder]) -> None:
    assert _imports(*dev) == {}


def test_s3_13_adopting_a_secret_of_another_account_fails_before_any_resource() -> None:
    arn = SECRET_ARN.replace(ACCOUNT, "999988887777")
    recorder = OptionRecorder(BaselineMocks(FakeAccount()))
    with pytest.raises(ConfigError, match=r"baseline:adopt\.secret = .*999988887777") as error:
        run_stack("dev", overrides={"baseline:adopt": {"secret": arn}}, recorder=recorder)
    assert "account 111122223333, region eu-west-1" in str(error.value)
    assert {r.type for r in recorder.records.values()} <= {STACK_TYPE, PROVIDER}


def test_s3_13_adopting_another_stacks_secret_names_the_expected_secret() -> None:
    arn = SECRET_ARN.replace("aisb-dev/", "aisb-prod/")
    with pytest.raises(ConfigError, match=r"baseline:adopt\.secret = .*the stack's secret is 'aisb-dev/pseudonym"):
        run_stack("dev", overrides={"baseline:adopt": {"secret": arn}})


def test_s3_13_an_adoption_entry_that_matches_no_resource_is_an_error() -> None:
    adoption = Adoption([AdoptTarget("baseline:adopt.fixedNames[trail]", TRAIL, "not-built", lambda _: "x")])
    with pytest.raises(ConfigError, match=r"baseline:adopt\.fixedNames\[trail\]: matched no resource"):
        adoption.require_all_adopted()


# ---- a bucket is never silently replaced ---------------------------------------------------------------------------


def test_extra_bucket_names_from_config_name_the_extra_buckets_in_order() -> None:
    overrides = {"baseline:storage": {"extraDataBuckets": 2, "bucketNames": {"extra": ["acme-team-a", "acme-team-b"]}}}
    graph = run_stack("dev", overrides=overrides).graph
    names = {b.name: b.inputs.get("bucket") for b in graph.by_type(BUCKET) if "extra" in b.name}
    assert names == {"aisb-dev-extra-1": "acme-team-a", "aisb-dev-extra-2": "acme-team-b"}


# ---- replacement of resources with a fixed identity -----------------------------------------------------------------


def test_net_04_nacl_rules_are_deleted_before_they_are_replaced(dev: tuple[ResourceGraph, OptionRecorder]) -> None:
    graph, recorder = dev
    rules = graph.by_type(NACL_RULE)
    assert len(rules) == 10
    assert {recorder.options[r.urn].delete_before_replace for r in rules} == {True}

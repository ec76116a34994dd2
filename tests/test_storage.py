"""Secure storage on the rendered offline graph: one test per control (S3-01…S3-14, GOV-02, GOV-03).

Most tests read the dev stack run once (module fixture); S3-07 and the caller-statement tests build a SecureBucket
or Storage alone with fake VPC endpoint ids, since the network component provides the real ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ai_security_baseline.components.config import ConfigError, IdentityConfig, StorageConfig
from ai_security_baseline.components.documents import Statement
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.storage import (
    WAIVERS_BY_DESIGN,
    Lifecycle,
    SecureBucket,
    SecureBucketArgs,
    Storage,
    StorageArgs,
)
from ai_security_baseline.controls.vocabulary import SCANNED_BUCKETS
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.mocks import FakeAccount
from ai_security_baseline.verify.engine.offline import OfflineRun, run_program, run_stack
from ai_security_baseline.verify.iam.evaluator import PolicySet, Request, evaluate
from ai_security_baseline.verify.iam.principals import ALLOW_ALL

PREFIX = "aisb-dev"
ACCOUNT = "111122223333"
ALL_BUCKETS = ("raw", "curated", "models", "access-logs")
DATA_BUCKETS = ("raw", "curated", "models")
#: DET-03 on the scanned buckets: the read gate, the tag protection, the scanner's bounds (callers' statements first).
DET_03_SIDS = [
    "DenyReadsUnlessScannedClean",
    "DenyObjectTaggingExceptScanner",
    "DenyUploadsSettingScanTag",
    "DenyScannerBeyondScanning",
    "DenyScannerUploadsButValidationObject",
]
KEY_CLASS = {"raw": "data", "curated": "data", "models": "models"}
VPCE = ("vpce-0a1b2c3d4e5f60718", "vpce-0b1c2d3e4f5a6b7c8")
DEPLOYER = "arn:aws:iam::111122223333:role/deployer"
BREAK_GLASS = "arn:aws:iam::111122223333:role/break-glass"
PROCESSOR = "arn:aws:iam::111122223333:role/aisb-dev-data-processor"
ACCT = AccountContext(account_id=ACCOUNT, region="eu-west-1", partition="aws")
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/0000aaaa-1111-2222-3333-444455556666"

T_BUCKET = "aws:s3/bucket:Bucket"
T_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
T_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
T_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
T_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
T_LOGGING = "aws:s3/bucketLogging:BucketLogging"
T_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
T_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
T_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
T_SECRET = "aws:secretsmanager/secret:Secret"
T_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
T_SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
T_KEY = "aws:kms/key:Key"


@pytest.fixture(scope="module")
def dev(dev_run: OfflineRun) -> OfflineRun:
    """The session's dev render, under the name these tests read it by."""
    return dev_run


def _res(graph: ResourceGraph, token: str, bucket_class: str) -> Resource:
    return graph.one(token, f"{PREFIX}-{bucket_class}")


def _bucket(graph: ResourceGraph, bucket_class: str) -> Resource:
    return _res(graph, T_BUCKET, bucket_class)


def _arn(graph: ResourceGraph, bucket_class: str) -> str:
    return str(_bucket(graph, bucket_class).prop("arn"))


def _statements(graph: ResourceGraph, bucket_class: str, name: str | None = None) -> dict[str, Statement]:
    policy = graph.one(T_POLICY, name or f"{PREFIX}-{bucket_class}")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    return {s["Sid"]: s for s in statements}


def _lifecycle(graph: ResourceGraph, bucket_class: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in _res(graph, T_LIFECYCLE, bucket_class).inputs["rules"]}


def _standalone_bucket(**overrides: Any) -> Callable[[], None]:
    """A program building one SecureBucket with the fake endpoint ids and exemptions (S3-07 at component level)."""
    fields: dict[str, Any] = {
        "bucket_class": "raw",
        "account": ACCT,
        "lifecycle": Lifecycle(noncurrent_version_days=30, abort_multipart_days=7),
        "kms_key_arn": KEY_ARN,
        "vpc_endpoint_ids": VPCE,
        "exempt_principal_arns": (DEPLOYER, BREAK_GLASS),
        "bucket_name": "training-raw",
    } | overrides

    def program() -> None:
        SecureBucket("training", SecureBucketArgs(**fields))

    return program


# ---- S3-01 … S3-03 -----------------------------------------------------------------------------------------------


# ---- S3-04 … S3-08: every statement of every bucket policy ---------------------------------------------------------


def _put_deny(sid: str, arn: str, condition: dict[str, Any]) -> Statement:
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:PutObject"],
        "Resource": [f"{arn}/*"],
        "Condition": condition,
    }


def _storage_program(holder: list[Storage], vpc_endpoint_ids: tuple[str, ...]) -> Callable[[], None]:
    def program() -> None:
        holder.append(
            Storage(
                "storage",
                StorageArgs(
                    name_prefix=PREFIX,
                    account=ACCT,
                    settings=StorageConfig(),
                    identity=IdentityConfig.model_validate({"deployerArn": DEPLOYER, "breakGlassArn": BREAK_GLASS}),
                    key_arns={"data": KEY_ARN, "models": KEY_ARN},
                    vpc_endpoint_ids=vpc_endpoint_ids,
                ),
            )
        )

    return program


@pytest.mark.parametrize("bucket_class", ALL_BUCKETS)
def test_bucket_policy_has_exactly_the_expected_statements(dev: OfflineRun, bucket_class: str) -> None:
    expected = ["DenyInsecureTransport", "DenyOutdatedTls", "DenyUnexpectedEncryptionHeader"]
    expected += ["DenyForeignKmsKey", "DenyKmsWithoutKeyId"] if bucket_class in DATA_BUCKETS else []
    expected += ["DenySseCUploads"]
    expected += ["DenyAccessOutsideVpcEndpoints"] if bucket_class in DATA_BUCKETS else []
    expected += ["DenyPrincipalsOutsideAccount"]
    expected = (["AllowS3ServerAccessLogs"] if bucket_class == "access-logs" else []) + expected
    expected = (DET_03_SIDS if bucket_class in SCANNED_BUCKETS else []) + expected
    assert list(_statements(dev.graph, bucket_class)) == expected


# ---- one policy per bucket, merged caller statements -----------------------------------------------------------


def test_exactly_one_bucket_policy_per_bucket(dev: OfflineRun) -> None:
    buckets = {b.urn for b in dev.graph.by_type(T_BUCKET)}
    policy_targets = [p.property_dependencies["bucket"] for p in dev.graph.by_type(T_POLICY)]
    assert sorted(t for targets in policy_targets for t in targets) == sorted(buckets)


def test_caller_statements_are_merged_into_the_one_policy_with_the_bucket_arn() -> None:
    def grant(arn: str, name: str) -> list[Statement]:
        return [{"Sid": "ReadersGetObjects", "Effect": "Allow", "Principal": {"AWS": DEPLOYER}, "Resource": f"{arn}/*"}]

    graph = run_program(_standalone_bucket(extra_statements=[grant])).graph
    (policy,) = graph.by_type(T_POLICY)
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["ReadersGetObjects"]["Resource"] == "arn:aws:s3:::training-raw/*"
    assert "DenyInsecureTransport" in statements


def test_caller_statement_with_a_duplicate_sid_raises() -> None:
    def clash(arn: str, name: str) -> list[Statement]:
        return [{"Sid": "DenyInsecureTransport", "Effect": "Allow", "Principal": {"AWS": DEPLOYER}}]

    with pytest.raises(ValueError, match="duplicate Sid 'DenyInsecureTransport'"):
        run_program(_standalone_bucket(extra_statements=[clash]))


# ---- S3-09 … S3-14 -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prod(prod_run: OfflineRun) -> OfflineRun:
    """The session's prod render, under the name these tests read it by."""
    return prod_run


def test_explicit_bucket_names_from_config_are_used() -> None:
    graph = run_stack("dev", overrides={"baseline:storage": {"bucketNames": {"raw": "acme-training-raw"}}}).graph
    assert (_bucket(graph, "raw").inputs["bucket"], _bucket(graph, "raw").id) == ("acme-training-raw",) * 2


def test_buckets_without_configured_names_are_autonamed(dev: OfflineRun) -> None:
    bucket = _bucket(dev.graph, "curated")
    assert "bucket" not in bucket.inputs
    assert str(bucket.id).startswith(f"{PREFIX}-curated-")


# ---- GOV-02: pseudonymization secret -----------------------------------------------------------------------------


def _secret(graph: ResourceGraph) -> Resource:
    return graph.one(T_SECRET, f"{PREFIX}-pseudonymization-key")


def test_gov_02_secret_is_encrypted_with_the_data_key_and_recoverable(dev: OfflineRun) -> None:
    secret = _secret(dev.graph)
    assert secret.inputs["kmsKeyId"] == dev.exports["dataKeyArn"]
    assert (secret.inputs["name"], secret.inputs["recoveryWindowInDays"]) == (f"{PREFIX}/pseudonymization-key", 30)
    assert secret.retain_on_delete


def test_gov_02_pulumi_writes_no_secret_value_so_none_lands_in_state(dev: OfflineRun) -> None:
    assert dev.graph.by_type("aws:secretsmanager/secretVersion:SecretVersion") == []


def test_gov_02_in_the_stack_only_the_data_processor_role_may_read_the_secret(dev: OfflineRun) -> None:
    policy = dev.graph.one(T_SECRET_POLICY, f"{PREFIX}-pseudonymization-key")
    assert policy.inputs["secretArn"] == _secret(dev.graph).prop("arn")
    assert policy.inputs["blockPublicPolicy"] is True
    processor = dev.graph.one("aws:iam/role:Role", "identity-data-processor").outputs["arn"]
    assert json.loads(policy.inputs["policy"])["Statement"] == [
        {
            "Sid": "DenySecretValueExceptDataProcessor",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": "*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [processor]}},
        },
        {
            "Sid": "DenySecretValueOutsideVpcEndpoint",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:SourceVpce": [dev.graph.one(T_ENDPOINT, "endpoints-secretsmanager").id]},
                "Bool": {"aws:ViaAWSService": "false"},
            },
        },
    ]


def test_gov_02_secret_value_is_refused_to_the_processor_outside_the_vpc_endpoint(dev: OfflineRun) -> None:
    """Stolen processor credentials are useless from the internet: only the Secrets Manager endpoint reads it."""
    policy = json.loads(dev.graph.one(T_SECRET_POLICY, f"{PREFIX}-pseudonymization-key").inputs["policy"])
    processor = str(dev.graph.one("aws:iam/role:Role", "identity-data-processor").outputs["arn"])
    endpoint = dev.graph.one(T_ENDPOINT, "endpoints-secretsmanager").id
    session = processor.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/stolen"

    def decide(context: dict[str, Any]) -> str:
        request = Request(
            session,
            ACCOUNT,
            "secretsmanager:GetSecretValue",
            str(_secret(dev.graph).prop("arn")),
            {"aws:ViaAWSService": False, **context},
        )
        policies = PolicySet(resource_account=ACCOUNT, resource_kind="secret", identity=(ALLOW_ALL,), resource=policy)
        return evaluate(request, policies).outcome

    assert decide({"aws:SourceVpce": endpoint}) == "Allow"
    assert decide({}) == "ExplicitDeny"


def test_gov_02_secret_is_readable_only_by_the_given_data_processor() -> None:
    def program() -> None:
        Storage(
            "storage",
            StorageArgs(
                name_prefix=PREFIX,
                account=ACCT,
                settings=StorageConfig(),
                identity=IdentityConfig(),
                key_arns={"data": KEY_ARN, "models": KEY_ARN},
                vpc_endpoint_ids=VPCE,
                data_processor_arn=PROCESSOR,
            ),
        )

    graph = run_program(program).graph
    (policy,) = graph.by_type(T_SECRET_POLICY)
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement == {
        "Sid": "DenySecretValueExceptDataProcessor",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": "*",
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [PROCESSOR]}},
    }


def test_gov_02_deployer_may_create_and_write_the_secret_through_secrets_manager_only() -> None:
    """CreateSecret and PutSecretValue make Secrets Manager call GenerateDataKey and Decrypt as the caller."""
    ci_session = FakeAccount(caller=f"arn:aws:sts::{ACCOUNT}:assumed-role/{DEPLOYER.rsplit('/', 1)[1]}/ci")
    graph = run_stack("dev", overrides={"baseline:identity": {"deployerArn": DEPLOYER}}, account=ci_session).graph
    key_policy = json.loads(graph.one(T_KEY, "keys-data").inputs["policy"])
    statement = {s["Sid"]: s for s in key_policy["Statement"]}["WritersEncryptPseudonymizationSecret"]
    assert statement == {
        "Sid": "WritersEncryptPseudonymizationSecret",
        "Effect": "Allow",
        "Principal": {"AWS": DEPLOYER},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com", "kms:CallerAccount": ACCOUNT},
            "StringLike": {
                "kms:EncryptionContext:SecretARN": (
                    "arn:aws:secretsmanager:eu-west-1:111122223333:secret:aisb-dev/pseudonymization-key-??????"
                )
            },
        },
    }


def test_gov_02_prod_protects_the_secret(prod: OfflineRun) -> None:
    secret = prod.graph.one(T_SECRET, "aisb-prod-pseudonymization-key")
    assert (secret.protect, secret.retain_on_delete) == (True, True)


# ---- GOV-03: retention is configuration --------------------------------------------------------------------------


def test_gov_03_retention_of_every_class_follows_config() -> None:
    overrides = {"rawExpirationDays": 30, "noncurrentVersionDays": 14, "abortMultipartDays": 2}
    graph = run_stack("dev", overrides={"baseline:storage": overrides}).graph
    raw = _lifecycle(graph, "raw")
    assert raw["expire-current-objects"]["expiration"] == {"days": 30}
    for bucket_class in ALL_BUCKETS:
        rules = _lifecycle(graph, bucket_class)
        assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 14}
        assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {
            "daysAfterInitiation": 2
        }


def test_gov_03_raw_retention_null_keeps_raw_data() -> None:
    graph = run_stack("dev", overrides={"baseline:storage": {"rawExpirationDays": None}}).graph
    assert "expire-current-objects" not in _lifecycle(graph, "raw")


def test_gov_03_design_waivers_are_readable_data() -> None:
    assert [(w.control, w.resource) for w in WAIVERS_BY_DESIGN] == [("S3-03", "access-logs"), ("S3-03", "audit")]


# ---- GOV-04: outputs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bucket_class", "key"),
    [("raw", "raw"), ("curated", "curated"), ("models", "models"), ("access-logs", "accessLogs")],
)
def test_gov_04_stack_exports_each_bucket_name_and_arn(dev: OfflineRun, bucket_class: str, key: str) -> None:
    bucket = _bucket(dev.graph, bucket_class)
    assert (dev.exports[f"{key}BucketName"], dev.exports[f"{key}BucketArn"]) == (bucket.id, bucket.prop("arn"))


def test_gov_04_stack_exports_the_secret_arn(dev: OfflineRun) -> None:
    assert dev.exports["pseudonymizationSecretArn"] == _secret(dev.graph).prop("arn")


# ---- config errors name the key ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("storage", "key"),
    [
        ({"noncurrentVersionDays": 0}, "baseline:storage.noncurrentVersionDays"),
        ({"rawExpirationDays": 0}, "baseline:storage.rawExpirationDays"),
        ({"abortMultipartDays": 8}, "baseline:storage.abortMultipartDays"),
        ({"modelLock": {"mode": "LEGAL_HOLD"}}, "baseline:storage.modelLock.mode"),
        ({"modelLock": {"days": 0}}, "baseline:storage.modelLock.days"),
        ({"bucketNames": {"raw": "Not_A_Bucket"}}, "baseline:storage.bucketNames.raw"),
    ],
)
def test_storage_config_error_names_the_key(storage: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        run_stack("dev", overrides={"baseline:storage": storage})


# ---- storage.extraDataBuckets: more data buckets, each a full SecureBucket ------------------------------

EXTRA = ("extra-1", "extra-2", "extra-3")
EXTRA_SIDE_TYPES = (T_BUCKET, T_PAB, T_OWNERSHIP, T_SSE, T_VERSIONING, T_LOGGING, T_LIFECYCLE, T_POLICY)


@pytest.fixture(scope="module")
def extra() -> OfflineRun:
    return run_stack("dev", overrides={"baseline:storage": {"extraDataBuckets": len(EXTRA)}})


def test_extra_data_buckets_each_get_every_side_resource(extra: OfflineRun) -> None:
    missing = [(c, t) for c in EXTRA for t in EXTRA_SIDE_TYPES if not extra.graph.by_name(f"{PREFIX}-{c}", t)]
    assert missing == []


def test_extra_data_buckets_pass_every_rule(extra: OfflineRun) -> None:
    from ai_security_baseline.verify.checkers.rules import scan_rules  # noqa: PLC0415 - only this test needs the rule engine

    urns = {r.urn for c in EXTRA for r in extra.graph.by_name(f"{PREFIX}-{c}")}
    verdicts = [(f.control, f.urn, f.status) for f in scan_rules(extra.graph) if f.urn in urns]
    assert verdicts, "no rule evaluated the extra buckets"
    assert [v for v in verdicts if v[2] != "pass"] == []


def test_extra_data_bucket_encrypts_with_the_data_key(extra: OfflineRun) -> None:
    sse = _res(extra.graph, T_SSE, "extra-2").inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert (sse["sseAlgorithm"], sse["kmsMasterKeyId"]) == ("aws:kms", extra.exports["dataKeyArn"])


def test_extra_data_bucket_accepts_data_access_only_through_the_s3_gateway_endpoint(extra: OfflineRun) -> None:
    deny = _statements(extra.graph, "extra-2")["DenyAccessOutsideVpcEndpoints"]
    assert extra.exports["s3GatewayEndpointId"] in json.dumps(deny["Condition"])


def test_extra_data_buckets_log_to_access_logs_and_are_admitted_as_log_sources(extra: OfflineRun) -> None:
    logging = {c: _res(extra.graph, T_LOGGING, c).inputs["targetPrefix"] for c in EXTRA}
    grant = next(s for s in _statements(extra.graph, "access-logs").values() if "logging.s3.amazonaws.com" in str(s))
    assert logging == {c: f"{c}/" for c in EXTRA}
    assert {_arn(extra.graph, c) for c in EXTRA} <= set(json.dumps(grant["Condition"]).replace('"', " ").split())


def test_extra_data_buckets_are_in_the_trail_data_events(extra: OfflineRun) -> None:
    trail = extra.graph.by_type("aws:cloudtrail/trail:Trail")[0]
    recorded = str(trail.inputs["advancedEventSelectors"])
    assert all(f"{_arn(extra.graph, c)}/" in recorded for c in EXTRA)


def test_extra_data_buckets_default_zero_creates_none(dev: OfflineRun) -> None:
    assert [r.name for r in dev.graph.by_type(T_BUCKET) if "-extra-" in r.name] == []


def test_extra_data_buckets_above_64_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"baseline:storage\.extraDataBuckets"):
        run_stack("dev", overrides={"baseline:storage": {"extraDataBuckets": 65}})

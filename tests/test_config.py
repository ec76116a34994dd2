"""Config validation: every bad value is rejected before any resource exists, naming the full key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ai_security_baseline.components.config import ConfigError, parse_config, parse_region, subnet_cidrs, with_deployer
from ai_security_baseline.verify.engine.graph import STACK_TYPE
from ai_security_baseline.verify.engine.mocks import BaselineMocks, FakeAccount
from ai_security_baseline.verify.engine.offline import GraphRecorder, run_stack

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def rejected(overrides: dict[str, Any]) -> tuple[str, list[str]]:
    """Run the dev stack with ``overrides``; return the error text and the types registered before it."""
    recorder = GraphRecorder(BaselineMocks(FakeAccount()))
    with pytest.raises(ConfigError) as error:
        run_stack("dev", overrides=overrides, recorder=recorder)
    registered = [r.type for r in recorder.records.values() if r.type != STACK_TYPE]
    return str(error.value), registered


INVALID = [
    ("cidr-not-a-network", {"baseline:network": {"cidr": "10.0.0.1/16"}}, "baseline:network.cidr"),
    ("cidr-public", {"baseline:network": {"cidr": "8.8.0.0/16"}}, "baseline:network.cidr"),
    ("cidr-too-large", {"baseline:network": {"cidr": "10.0.0.0/8"}}, "baseline:network.cidr"),
    (
        "cidr-too-small-for-azs",
        {"baseline:network": {"cidr": "10.0.0.0/24", "subnetPrefix": 25}},
        "baseline:network.cidr",
    ),
    ("az-count-below-2", {"baseline:network": {"azCount": 1}}, "baseline:network.azCount"),
    ("az-count-above-6", {"baseline:network": {"azCount": 7}}, "baseline:network.azCount"),
    ("subnet-prefix-above-28", {"baseline:network": {"subnetPrefix": 29}}, "baseline:network.subnetPrefix"),
    ("unknown-bundle", {"baseline:network": {"endpointBundles": ["gpu"]}}, "baseline:network.endpointBundles.0"),
    ("unknown-service", {"baseline:network": {"endpointServices": ["s4"]}}, "baseline:network.endpointServices"),
    ("unknown-network-key", {"baseline:network": {"cidrBlock": "10.0.0.0/16"}}, "baseline:network.cidrBlock"),
    ("unknown-top-level-key", {"baseline:netwrk": {"cidr": "10.0.0.0/16"}}, "baseline:netwrk"),
    ("retention-below-floor", {"baseline:logging": {"retentionDays": 90}}, "baseline:logging.retentionDays"),
    ("retention-not-cloudwatch-value", {"baseline:logging": {"retentionDays": 500}}, "baseline:logging.retentionDays"),
    (
        "retention-short-without-relaxation",
        {"baseline:logging": {"retentionDays": 180}},
        "baseline:logging.retentionDays",
    ),
    ("object-lock-mode", {"baseline:storage": {"modelLock": {"mode": "STRICT"}}}, "baseline:storage.modelLock.mode"),
    ("object-lock-days-zero", {"baseline:storage": {"modelLock": {"days": 0}}}, "baseline:storage.modelLock.days"),
    ("archive-lock-mode", {"baseline:logging": {"archiveLock": {"mode": "NONE"}}}, "baseline:logging.archiveLock.mode"),
    ("kms-rotation-below-90", {"baseline:kms": {"rotationDays": 30}}, "baseline:kms.rotationDays"),
    ("kms-rotation-above-2560", {"baseline:kms": {"rotationDays": 3000}}, "baseline:kms.rotationDays"),
    ("kms-deletion-window-6", {"baseline:kms": {"deletionWindowDays": 6}}, "baseline:kms.deletionWindowDays"),
    ("kms-deletion-window-31", {"baseline:kms": {"deletionWindowDays": 31}}, "baseline:kms.deletionWindowDays"),
    ("kms-admin-not-arn", {"baseline:kms": {"adminArns": ["alice"]}}, "baseline:kms.adminArns.0"),
    (
        "bucket-name-uppercase",
        {"baseline:storage": {"bucketNames": {"raw": "Training_Data"}}},
        "baseline:storage.bucketNames.raw",
    ),
    (
        "bucket-name-ip-address",
        {"baseline:storage": {"bucketNames": {"models": "192.168.1.1"}}},
        "baseline:storage.bucketNames.models",
    ),
    (
        "bucket-names-not-unique",
        {"baseline:storage": {"bucketNames": {"raw": "ml-data-1", "curated": "ml-data-1"}}},
        "baseline:storage.bucketNames",
    ),
    (
        "deployer-arn-bad-account",
        {"baseline:identity": {"deployerArn": "arn:aws:iam::123:role/deployer"}},
        "baseline:identity.deployerArn",
    ),
    (
        "break-glass-not-iam",
        {"baseline:identity": {"breakGlassArn": "arn:aws:s3:::bucket"}},
        "baseline:identity.breakGlassArn",
    ),
    ("org-id-format", {"baseline:identity": {"orgId": "org-123"}}, "baseline:identity.orgId"),
    ("tag-classification", {"baseline:tags": {"dataClassification": "secret"}}, "baseline:tags.dataClassification"),
    ("tag-owner-empty", {"baseline:tags": {"owner": ""}}, "baseline:tags.owner"),
    ("tag-extra-overrides-mandatory", {"baseline:tags": {"extra": {"owner": "x"}}}, "baseline:tags.extra"),
    ("prefix-uppercase", {"baseline:prefix": "AISB"}, "baseline:prefix"),
    ("protect-not-boolean", {"baseline:protect": "maybe"}, "baseline:protect"),
    ("region-not-a-region", {"aws:region": "europe"}, "aws:region"),
    (
        "adopt-key-arn-not-id",
        {"baseline:adopt": {"keys": {"data": "arn:aws:kms:eu-west-1:1:key/x"}}},
        "baseline:adopt.keys.data",
    ),
    ("adopt-key-unknown-class", {"baseline:adopt": {"keys": {"training": KEY_ID}}}, "baseline:adopt.keys.training"),
    (
        "adopt-secret-name-not-arn",
        {"baseline:adopt": {"secret": "aisb-dev/pseudonymization-key"}},
        "baseline:adopt.secret",
    ),
    ("adopt-bucket-unknown-class", {"baseline:adopt": {"buckets": ["logs"]}}, "baseline:adopt.buckets"),
    ("adopt-bucket-without-name", {"baseline:adopt": {"buckets": ["raw"]}}, "baseline:adopt.buckets"),
    ("adopt-extra-bucket-not-built", {"baseline:adopt": {"buckets": ["extra1"]}}, "baseline:adopt.buckets"),
    ("adopt-fixed-name-unknown", {"baseline:adopt": {"fixedNames": ["alarmTopic"]}}, "baseline:adopt.fixedNames.0"),
    ("adopt-fixed-name-repeated", {"baseline:adopt": {"fixedNames": ["trail", "trail"]}}, "baseline:adopt.fixedNames"),
    (
        "centrally-managed-unknown-piece",
        {"baseline:centrallyManaged": {"guardduty": "the security account runs GuardDuty"}},
        "baseline:centrallyManaged",
    ),
    (
        "centrally-managed-reason-too-short",
        {"baseline:centrallyManaged": {"config": "org"}},
        "baseline:centrallyManaged",
    ),
    (
        "default-vpc-unknown-mode",
        {"baseline:accountGuardrails": {"defaultVpc": "delete"}},
        "baseline:accountGuardrails.defaultVpc",
    ),
    (
        "config-global-types-not-bool",
        {"baseline:accountGuardrails": {"configGlobalTypes": "sometimes"}},
        "baseline:accountGuardrails.configGlobalTypes",
    ),
    (
        "account-guardrails-unknown-key",
        {"baseline:accountGuardrails": {"deleteDefaultVpc": True}},
        "baseline:accountGuardrails.deleteDefaultVpc",
    ),
    (
        "extra-bucket-names-beyond-count",
        {"baseline:storage": {"bucketNames": {"extra": ["a-1"]}}},
        "baseline:storage.bucketNames.extra",
    ),
]


@pytest.mark.parametrize(("overrides", "key"), [(o, k) for _, o, k in INVALID], ids=[i for i, _, _ in INVALID])
def test_invalid_config_names_the_key_and_registers_nothing(overrides: dict[str, Any], key: str) -> None:
    message, registered = rejected(overrides)
    assert f"{key} " in message or f"{key}:" in message
    assert registered == []


def test_config_error_shows_the_bad_value_and_allowed_range() -> None:
    message, _ = rejected({"baseline:network": {"azCount": 9}})
    assert "baseline:network.azCount = 9" in message
    assert "integer 2-6" in message


def test_unknown_key_error_lists_the_allowed_keys() -> None:
    message, _ = rejected({"baseline:kms": {"rotation": 365}})
    assert "baseline:kms.rotation: unknown key" in message
    assert "adminArns, deletionWindowDays, rotationDays" in message


def test_missing_region_is_an_error_naming_aws_region() -> None:
    with pytest.raises(ConfigError, match=r"^aws:region is not set"):
        parse_region(None)


def test_short_log_retention_is_accepted_only_as_named_relaxation() -> None:
    cfg = parse_config({"logging": '{"retentionDays": 180}', "relaxations": '{"shortLogRetention": true}'})
    assert cfg.logging.retention_days == 180


def test_defaults_are_secure_without_any_config() -> None:
    cfg = parse_config({})
    assert (cfg.kms.rotation_days, cfg.kms.deletion_window_days) == (365, 30)
    assert cfg.logging.retention_days == 365
    assert cfg.storage.model_lock.mode == "GOVERNANCE"
    assert cfg.network.endpoint_bundles == ("ml-core",)
    assert cfg.network.az_count == 3
    assert cfg.relaxations.short_log_retention is False


def test_subnet_cidrs_split_the_vpc_without_overlap() -> None:
    cfg = parse_config({"network": '{"cidr": "10.8.0.0/20", "azCount": 3}'})
    assert subnet_cidrs(cfg.network) == ("10.8.0.0/22", "10.8.4.0/22", "10.8.8.0/22")


def test_config_values_arrive_as_strings_like_the_cli_passes_them() -> None:
    cfg = parse_config({"protect": "true", "kms": '{"rotationDays": 180}'})
    assert cfg.protect is True
    assert cfg.kms.rotation_days == 180


def test_adopting_a_bucket_names_the_bucket_name_key_to_set() -> None:
    message, _ = rejected({"baseline:adopt": {"buckets": ["accessLogs"]}})
    assert "accessLogs is adopted by its name, and baseline:storage.bucketNames.accessLogs is not set" in message


def test_adopt_accepts_key_ids_a_secret_arn_pinned_buckets_and_fixed_names() -> None:
    secret = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:aisb-dev/pseudonymization-key-AbC123"
    cfg = parse_config(
        {
            "storage": {"extraDataBuckets": 1, "bucketNames": {"raw": "acme-raw", "extra": ["acme-team-a"]}},
            "adopt": {
                "keys": {"data": KEY_ID},
                "buckets": ["raw", "extra1"],
                "fixedNames": ["trail"],
                "secret": secret,
            },
        }
    )
    assert (cfg.adopt.keys.data, cfg.adopt.buckets, cfg.adopt.fixed_names) == (KEY_ID, ("raw", "extra1"), ("trail",))


# ---- the deployer (GOV-02: CreateSecret calls KMS as the caller) -------------------------------------------------

CALLER_ROLE = "arn:aws:iam::111122223333:role/platform/ci-deployer"


def test_gov_02_deployer_defaults_to_the_callers_role() -> None:
    resolved = with_deployer(parse_config({}), CALLER_ROLE, applying=True)
    assert resolved.identity.deployer_arn == CALLER_ROLE


def test_gov_02_configured_deployer_other_than_the_caller_is_refused_on_apply() -> None:
    cfg = parse_config({"identity": {"deployerArn": "arn:aws:iam::111122223333:role/someone-else"}})
    with pytest.raises(ConfigError, match=r"baseline:identity\.deployerArn = .*but pulumi up runs as .*ci-deployer"):
        with_deployer(cfg, CALLER_ROLE, applying=True)


def test_gov_02_configured_deployer_other_than_the_caller_is_kept_on_preview() -> None:
    configured = "arn:aws:iam::111122223333:role/someone-else"
    cfg = parse_config({"identity": {"deployerArn": configured}})
    assert with_deployer(cfg, CALLER_ROLE, applying=False).identity.deployer_arn == configured


def test_gov_02_deploying_as_the_account_root_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"baseline:identity\.deployerArn is unset and the caller .*:root"):
        with_deployer(parse_config({}), "arn:aws:iam::111122223333:root", applying=True)


def test_gov_02_the_program_resolves_an_assumed_role_session_to_its_role() -> None:
    session = FakeAccount(caller="arn:aws:sts::111122223333:assumed-role/ci-deployer/run-42")
    run = run_stack("dev", account=session)
    secret_writers = [
        s["Principal"]["AWS"]
        for k in run.graph.by_type("aws:kms/key:Key")
        for s in json.loads(k.inputs["policy"])["Statement"]
        if s["Sid"] == "WritersEncryptPseudonymizationSecret"
    ]
    assert secret_writers == ["arn:aws:iam::111122223333:role/ci-deployer"]


def test_centrally_managed_unknown_piece_lists_the_allowed_pieces() -> None:
    message, _ = rejected({"baseline:centrallyManaged": {"guardduty": "the security account runs GuardDuty"}})
    assert "'guardDuty'" in message
    assert "'defaultVpc'" in message


def test_centrally_managed_pieces_are_exported_with_their_reasons() -> None:
    reason = "the organization's delegated administrator enables GuardDuty in every account"
    run = run_stack("dev", overrides={"baseline:centrallyManaged": {"guardDuty": reason}})
    assert run.exports["centrallyManaged"] == {"guardDuty": reason}

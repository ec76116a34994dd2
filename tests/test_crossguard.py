"""The CrossGuard pack: the same rules through pulumi-policy's own validation API."""

from __future__ import annotations

import importlib
import inspect
import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
import yaml
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from ai_security_baseline.components import documents
from ai_security_baseline.controls import registry
from ai_security_baseline.policies import baseline_rules as rules
from ai_security_baseline.policies import crossguard
from ai_security_baseline.policies.crossguard import build_policies
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.findings.waivers import WAIVERS_PATH

ACCOUNT = "111122223333"


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def policy(name: str) -> Any:
    return next(p for p in build_policies() if p.name == name)


def resource_args(resource_type: str, props: dict[str, Any], config: dict[str, Any] | None = None) -> Any:
    proxied = unknown_checking_proxy(deserialize_properties(props))
    urn = f"urn:pulumi:dev::p::{resource_type}::data"
    return ResourceValidationArgs(resource_type, proxied, urn, "data", options(), None, config or {})


def violations(policy_obj: Any, args: Any) -> list[str]:
    found: list[str] = []
    policy_obj.validate(args, lambda message, urn=None: found.append(message))
    return found


def compliant_key_props(**overrides: Any) -> dict[str, Any]:
    return {
        "enableKeyRotation": True,
        "rotationPeriodInDays": 365,
        "deletionWindowInDays": 30,
        "policy": json.dumps(documents.key_policy(partition="aws", account_id=ACCOUNT)),
        **overrides,
    }


def test_pack_has_one_mandatory_policy_per_rule() -> None:
    policies = build_policies()
    assert [p.name for p in policies] == [r.name for r in rules.RULES]
    assert {p.enforcement_level for p in policies} == {pulumi_policy.EnforcementLevel.MANDATORY}


def test_resource_policy_reports_rotation_off_through_the_sdk() -> None:
    args = resource_args(rules.KMS_KEY, compliant_key_props(enableKeyRotation=False))
    assert violations(policy("kms-02-rotation"), args) == ["[KMS-02] rotation off, period 365 days"]


def test_resource_policy_is_silent_on_a_compliant_key() -> None:
    assert violations(policy("kms-02-rotation"), resource_args(rules.KMS_KEY, compliant_key_props())) == []


def config_waiver(**overrides: Any) -> dict[str, Any]:
    """A complete policy-config waiver of KMS-02 on the ``data`` key, as in policies/waivers.yaml."""
    entry = {
        "control": "KMS-02",
        "resource": "data",
        "reason": "rotation handled by HSM ceremony",
        "owner": "platform-security",
        "expires": (date.today() + timedelta(days=30)).isoformat(),
    }
    return {key: value for key, value in {**entry, **overrides}.items() if value is not None}


def test_kms_02_waiver_in_policy_config_turns_the_failure_into_no_violation() -> None:
    args = resource_args(rules.KMS_KEY, compliant_key_props(enableKeyRotation=False), {"waivers": [config_waiver()]})
    assert violations(policy("kms-02-rotation"), args) == []


@pytest.mark.parametrize("missing", ["owner", "expires"])
def test_kms_02_waiver_without_owner_or_expiry_is_refused_as_a_violation(missing: str) -> None:
    config = {"waivers": [config_waiver(**{missing: None})]}
    found = violations(policy("kms-02-rotation"), resource_args(rules.KMS_KEY, compliant_key_props(), config))
    assert found == [
        f"[KMS-02] waiver refused: policy config waivers[0].{missing}: missing "
        "(required: resource, reason, owner, expires)"
    ]


def test_kms_02_expired_waiver_is_refused_and_the_failure_reported() -> None:
    config = {"waivers": [config_waiver(expires="2020-01-31")]}
    args = resource_args(rules.KMS_KEY, compliant_key_props(enableKeyRotation=False), config)
    assert violations(policy("kms-02-rotation"), args) == [
        "[KMS-02] rotation off, period 365 days",
        "[KMS-02] waiver refused: policy config waivers[0] (KMS-02 on data, owner platform-security) expired "
        "2020-01-31: renew or remove it",
    ]


def test_kms_04_non_waivable_control_waiver_is_refused_and_the_failure_reported() -> None:
    config = {"waivers": [config_waiver(control="KMS-04")]}
    everyone = {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}
    props = compliant_key_props(policy=json.dumps({"Version": "2012-10-17", "Statement": [everyone]}))
    found = violations(policy("kms-04-admin-user-separation"), resource_args(rules.KMS_KEY, props, config))
    assert any(v.startswith("[KMS-04] ") and "waiver" not in v for v in found)
    assert "[KMS-04] waiver refused: policy config waivers[0].control: control KMS-04 is not waivable" in "\n".join(
        found
    )


def test_kms_02_refused_waiver_on_another_resource_is_not_reported_here() -> None:
    config = {"waivers": [config_waiver(resource="models", expires="2020-01-31")]}
    assert violations(policy("kms-02-rotation"), resource_args(rules.KMS_KEY, compliant_key_props(), config)) == []


def test_every_shipped_control_waiver_is_accepted_by_the_pack() -> None:
    """The pack reads the entries of policies/waivers.yaml as they are: same fields, same validation."""
    entries = yaml.safe_load(WAIVERS_PATH.read_text())["waivers"]
    live, refused = crossguard.config_waivers({"waivers": entries}, date.today())
    assert refused == []
    assert len(live) == len(entries)


def test_unknown_value_in_preview_is_not_a_pass() -> None:
    args = resource_args(rules.KMS_KEY, compliant_key_props(enableKeyRotation=rules.UNKNOWN))
    try:
        found = violations(policy("kms-02-rotation"), args)
    except pulumi_policy.proxy.UnknownValueError:
        return  # the SDK turns this into its "can't be known during preview" advisory
    assert found == ["[KMS-02] cannot decide: data: enableKeyRotation is not known until apply"]


def stack_resources(dev_graph: ResourceGraph) -> list[PolicyResource]:
    graph = dev_graph
    by_urn: dict[str, PolicyResource] = {}
    for r in graph._ordered():
        by_urn[r.urn] = PolicyResource(
            r.type,
            {**r.inputs, **r.outputs},
            r.urn,
            r.name,
            options(r.protect),
            None,
            by_urn.get(r.parent),
            [by_urn[d] for d in r.dependencies if d in by_urn],
            {k: [by_urn[d] for d in v if d in by_urn] for k, v in r.property_dependencies.items()},
        )
    return list(by_urn.values())


def test_stack_policy_passes_the_dev_stack_through_the_sdk(dev_graph: ResourceGraph) -> None:
    args = StackValidationArgs(stack_resources(dev_graph), {})
    assert violations(policy("kms-01-key-per-class"), args) == []
    assert violations(policy("kms-07-aliases"), args) == []


def test_stack_policy_reports_a_key_without_alias_through_the_sdk(dev_graph: ResourceGraph) -> None:
    resources = [
        r for r in stack_resources(dev_graph) if not r.name.endswith("models") or r.resource_type != rules.KMS_ALIAS
    ]
    args = StackValidationArgs(resources, {})
    [per_class] = violations(policy("kms-01-key-per-class"), args)
    assert per_class.startswith("[KMS-01] one distinct customer-managed key per data class (data: 1 key(s), models: 0")
    assert violations(policy("kms-07-aliases"), args) == ["[KMS-07] 0 alias(es) target this key"]


def test_pack_main_only_constructs_the_pack() -> None:
    text = (Path(crossguard.__file__).resolve().parents[2] / "policies" / "__main__.py").read_text()
    assert "PolicyPack(" in text
    assert "def " not in text


def test_pack_imports_only_pulumi_policy_the_standard_library_and_the_control_units() -> None:
    modules = [
        "ai_security_baseline",
        "ai_security_baseline.policies",
        "ai_security_baseline.policies.baseline_rules",
        "ai_security_baseline.policies.crossguard",
        "ai_security_baseline.controls",
        "ai_security_baseline.controls.kit",
        "ai_security_baseline.controls.registry",
        "ai_security_baseline.controls.waivers",
    ]
    modules += [f"{u.module}.rule" for u in registry.units() if u.has("rule")]
    pack_packages = ("ai_security_baseline.controls", "ai_security_baseline.policies")
    for module in modules:
        source = inspect.getsource(importlib.import_module(module))
        imported = {
            line.split()[1]
            for line in source.splitlines()
            if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
        }
        outside = {
            name
            for name in imported
            if name.split(".")[0] not in {*sys.stdlib_module_names, "pulumi_policy"}
            and not name.startswith(pack_packages)
        }
        assert outside == set(), module


def test_pack_loads_from_its_own_directory_as_the_pulumi_cli_runs_it(tmp_path: Path) -> None:
    """Only ``policies/`` and the package's controls and rules are copied: the entry point finds them beside itself."""
    root = Path(crossguard.__file__).resolve().parents[2]
    package = tmp_path / "ai_security_baseline"
    shutil.copytree(root / "policies", tmp_path / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    package.mkdir()
    shutil.copy(root / "ai_security_baseline" / "__init__.py", package)
    for folder in ("controls", "policies"):
        shutil.copytree(
            root / "ai_security_baseline" / folder,
            package / folder,
            ignore=shutil.ignore_patterns("__pycache__", "test_*.py"),
        )
    probe = (
        "import runpy, pulumi_policy\n"
        "pulumi_policy.PolicyPack = lambda **kw: print(sorted(p.name for p in kw['policies']))\n"
        "runpy.run_path('__main__.py')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path / "policies",
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(sorted(r.name for r in rules.RULES))

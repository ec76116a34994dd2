"""The shared vocabulary stays loadable anywhere, and the checkers read facts from it, not from the components."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from ai_security_baseline.controls import vocabulary

ROOT = Path(__file__).resolve().parent.parent / "ai_security_baseline"
VOCABULARY = ROOT / "controls" / "vocabulary.py"
CHECKER_PACKAGES = ("verify/checkers", "verify/iam", "verify/reports")
COMPONENTS = "ai_security_baseline.components"

#: Checker modules that may still import a component module, each for code rather than data.
COMPONENT_IMPORTS_ALLOWED: dict[str, set[str]] = {
    # The sweep's specification is the statements the policy builders write (ebs_volume_key_use,
    # local_storage_instance_patterns, the trail and flow-log grants); components.documents has no Pulumi import.
    "verify/iam/sweep.py": {"ai_security_baseline.components.documents"},
    # The configuration reference is generated from the pydantic model that parses the stack configuration.
    "verify/reports/docs.py": {"ai_security_baseline.components.config"},
}

#: A Pulumi type token, as the engine and the preview rules match resources by it.
TYPE_TOKEN = re.compile(r"^aws:[a-z0-9]+/[a-zA-Z0-9]+:[A-Z][A-Za-z0-9]+$")


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` statement names, anywhere in the file
    (``from ai_security_baseline.components import documents`` names ``ai_security_baseline.components.documents``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            package = node.module == COMPONENTS
            found |= {f"{node.module}.{a.name}" for a in node.names} if package else {node.module}
    return found


def is_component(module: str) -> bool:
    return module == COMPONENTS or module.startswith(f"{COMPONENTS}.")


def checker_modules() -> list[Path]:
    return sorted(p for package in CHECKER_PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_vocabulary_imports_only_the_standard_library() -> None:
    outside = {m for m in imported_modules(VOCABULARY) if m.split(".")[0] not in sys.stdlib_module_names}
    assert outside <= {"__future__"}


@pytest.mark.parametrize("path", checker_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_checkers_read_facts_from_the_vocabulary_not_the_components(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    components = {m for m in imported_modules(path) if is_component(m)}
    assert components <= COMPONENT_IMPORTS_ALLOWED.get(relative, set())


def test_component_import_exceptions_are_still_needed() -> None:
    for relative, allowed in COMPONENT_IMPORTS_ALLOWED.items():
        used = {m for m in imported_modules(ROOT / relative) if is_component(m)}
        assert used, relative
        assert used <= allowed, relative


def test_vocabulary_declares_each_type_token_once() -> None:
    tokens = [v for k, v in vars(vocabulary).items() if k.isupper() and isinstance(v, str) and TYPE_TOKEN.match(v)]
    assert tokens
    assert len(tokens) == len(set(tokens))


def test_vocabulary_services_without_endpoint_policy_are_known_services() -> None:
    assert set(vocabulary.ENDPOINT_POLICY_UNSUPPORTED) <= vocabulary.KNOWN_ENDPOINT_SERVICES


def test_vocabulary_output_names_follow_the_stack_naming() -> None:
    assert vocabulary.bucket_output("access-logs", "Arn") == "accessLogsBucketArn"
    assert vocabulary.key_output("models", "Alias") == "modelsKeyAlias"
    assert "rawBucketName" in vocabulary.AUDIT_OUTPUTS
    assert len(vocabulary.AUDIT_OUTPUTS) == len(set(vocabulary.AUDIT_OUTPUTS))


def test_audit_outputs_name_the_resolver_and_finding_routing_outputs() -> None:
    names = (
        vocabulary.DNS_FIREWALL_ASSOCIATION_OUTPUT,
        vocabulary.QUERY_LOG_CONFIG_OUTPUT,
        vocabulary.QUERY_LOG_GROUP_OUTPUT,
        vocabulary.FINDING_RULES_OUTPUT,
    )
    assert set(names) <= set(vocabulary.AUDIT_OUTPUTS)

"""KMS-01 preview rule: each data class has its own customer-managed key, found through the class's alias."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import KEY_CLASSES, KeyRefs
from ai_security_baseline.controls.vocabulary import KMS_ALIAS, KMS_KEY


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    targets = KeyRefs([r for r in resources if r.type == KMS_KEY])
    by_class: dict[str, set[str]] = {c: set() for c in KEY_CLASSES}
    for alias in (r for r in resources if r.type == KMS_ALIAS):
        name = str(kit.known(alias, "name") or "")
        for data_class in KEY_CLASSES:
            if name.endswith(f"-{data_class}"):
                by_class[data_class].update(k.urn for k in targets(alias))
    distinct = {next(iter(v)) for v in by_class.values() if len(v) == 1}
    ok = all(len(v) == 1 for v in by_class.values()) and len(distinct) == len(KEY_CLASSES)
    detail = ", ".join(f"{c}: {len(v)} key(s)" for c, v in by_class.items())
    yield kit.stack_urn(resources), "KMS-01", ok, f"one distinct customer-managed key per data class ({detail})"


RULE = kit.Rule(
    "kms-01-key-per-class", "One distinct customer-managed key per data class", ("KMS-01",), stack_check=check
)

"""KMS-07 preview rule: every key is the target of exactly one alias."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import KeyRefs
from ai_security_baseline.controls.vocabulary import KMS_ALIAS, KMS_KEY


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    keys = [r for r in resources if r.type == KMS_KEY]
    aliases = [r for r in resources if r.type == KMS_ALIAS]
    targets = KeyRefs(keys)
    counts = dict.fromkeys((k.urn for k in keys), 0)
    for alias in aliases:
        for key in targets(alias):
            counts[key.urn] += 1
    for key in keys:
        count = counts[key.urn]
        yield key.urn, "KMS-07", count == 1, f"{count} alias(es) target this key"


RULE = kit.Rule("kms-07-aliases", "Every KMS key has exactly one alias", ("KMS-07",), stack_check=check)

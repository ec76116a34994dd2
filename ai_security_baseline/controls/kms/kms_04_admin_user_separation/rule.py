"""KMS-04 preview rule: no kms:*, no statement both using and managing the key, no key use for root or '*'."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import KMS_CRYPTO, actions, allow_statements, crypto_actions
from ai_security_baseline.controls.vocabulary import KMS_KEY

__all__ = ["KMS_CRYPTO", "KMS_READ_ONLY", "RULE"]

#: Neither use nor management: may sit in either kind of statement.
KMS_READ_ONLY = frozenset(("kms:describekey",))


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    problems = []
    for st in allow_statements(res):
        sid = st.get("Sid", "<no Sid>")
        granted = actions(st)
        if any(a in ("*", "kms:*") for a in granted):
            problems.append(f"{sid} grants {granted}")
        crypto = crypto_actions(granted)
        manage = [a for a in granted if a not in KMS_CRYPTO and a not in KMS_READ_ONLY]
        if crypto and manage:
            problems.append(f"{sid} mixes use {sorted(crypto)} and management {sorted(manage)[:3]}...")
        if crypto and any(p == "*" or p.endswith(":root") for p in kit.principals(st, "AWS")):
            problems.append(f"{sid} gives cryptographic operations to the account root or '*'")
    yield "KMS-04", not problems, "; ".join(problems) or "admins manage, users use, no kms:*, root cannot use"


RULE = kit.Rule(
    "kms-04-admin-user-separation",
    "Key policies separate management from use: no kms:*, root and '*' never use the key",
    ("KMS-04",),
    (KMS_KEY,),
    check,
)

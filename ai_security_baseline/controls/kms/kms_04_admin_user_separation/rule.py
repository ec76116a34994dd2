"""KMS-04 preview rule: no kms:*, no statement both using and managing the key, no key use for root or '*' (the
account may use a key only through EC2 from this account: the default EBS key of ACC-02)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import KMS_CRYPTO, actions, allow_statements, crypto_actions
from ai_security_baseline.controls.vocabulary import KMS_KEY

__all__ = ["KMS_CRYPTO", "KMS_READ_ONLY", "RULE"]

#: Neither use nor management: may sit in either kind of statement.
KMS_READ_ONLY = frozenset(("kms:describekey",))
_EC2_VIA = re.compile(r"ec2\.[a-z0-9-]+\.amazonaws\.com")


def only_via_ec2(statement: Mapping[str, Any]) -> bool:
    """The account's use of the default EBS key (ACC-02): only when EC2 in one region calls KMS for a principal of
    this account (``kms:ViaService`` and ``kms:CallerAccount`` under StringEquals), as AWS's ``aws/ebs`` key allows."""
    equals = {
        str(k).lower(): v
        for op, block in (statement.get("Condition") or {}).items()
        if str(op) == "StringEquals"
        for k, v in block.items()
    }
    via = equals.get("kms:viaservice")
    return isinstance(via, str) and bool(_EC2_VIA.fullmatch(via)) and isinstance(equals.get("kms:calleraccount"), str)


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
        aws = kit.principals(st, "AWS")
        root_via_ec2 = "*" not in aws and only_via_ec2(st)
        if crypto and not root_via_ec2 and any(p == "*" or p.endswith(":root") for p in aws):
            problems.append(f"{sid} gives cryptographic operations to the account root or '*'")
    yield "KMS-04", not problems, "; ".join(problems) or "admins manage, users use, no kms:*, root cannot use"


RULE = kit.Rule(
    "kms-04-admin-user-separation",
    "Key policies separate management from use: no kms:*, root and '*' never use the key",
    ("KMS-04",),
    (KMS_KEY,),
    check,
)

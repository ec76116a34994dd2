"""What the KMS units share: the resource types they judge, the key classes, and how a key policy is read."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import CRYPTO_ACTIONS, DATA_CLASSES

KEY_CLASSES = DATA_CLASSES

#: The key-use operations (lower-cased): what administrators must never hold and users may (KMS-04, KMS-06).
KMS_CRYPTO = frozenset(a.lower() for a in CRYPTO_ACTIONS)


def actions(statement: Mapping[str, Any]) -> list[str]:
    """The statement's actions, lower-cased; NotAction cannot be judged by listing what it grants."""
    if "NotAction" in statement:
        raise kit.Undecidable(f"statement {statement.get('Sid')!r} uses NotAction in a key policy")
    return [str(a).lower() for a in kit.as_list(statement.get("Action"))]


def crypto_actions(granted: Sequence[str]) -> list[str]:
    """The granted actions that may use the key (any wildcard may)."""
    return [a for a in granted if a in KMS_CRYPTO or a.endswith("*")]


#: The account a key's default policy names when the key's ARN is not known yet (a preview): the statement's shape,
#: root holding ``kms:*``, is what every check judges, not the account number.
UNKNOWN_ACCOUNT_ROOT = "arn:aws:iam::<this account>:root"


def default_key_policy(key_arn: object) -> dict[str, Any]:
    """The policy AWS gives a key created without one: the account root holds ``kms:*`` (IAM decides everything).

    AWS KMS Developer Guide, "Default key policy": statement ``Enable IAM User Permissions``.
    """
    parts = str(key_arn or "").split(":")
    known = len(parts) >= 6 and parts[0] == "arn" and parts[2] == "kms" and parts[4].isdigit()
    root = f"arn:{parts[1]}:iam::{parts[4]}:root" if known else UNKNOWN_ACCOUNT_ROOT
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def effective_key_policy(policy: object, key_arn: object) -> object:
    """A key's ``policy`` input, or AWS's default key policy when the key sets none: every reader of key policies
    (rules, access analysis, sweep) judges a key without a policy as the one AWS gives it."""
    return default_key_policy(key_arn) if policy is None or policy == "" else policy


def key_policy(res: kit.Res) -> dict[str, Any]:
    """The key's policy document as AWS applies it (``effective_key_policy``); unknown or malformed is Undecidable."""
    policy = effective_key_policy(kit.known(res, "policy"), res.props.get("arn"))
    return kit.policy_document(dataclasses.replace(res, props={**res.props, "policy": policy}))


def allow_statements(res: kit.Res) -> list[dict[str, Any]]:
    """The Allow statements of a key's policy (AWS's default policy when the key sets none)."""
    return [st for st in kit.statements(key_policy(res)) if st.get("Effect") == "Allow"]


class KeyRefs:
    """The keys aliases target, over a fixed key list indexed once (an alias costs its own references)."""

    def __init__(self, keys: Sequence[kit.Res]) -> None:
        self.keys = list(keys)
        self.position = {k.urn: i for i, k in enumerate(self.keys)}
        self.by_id: dict[str, set[int]] = {}
        for i, key in enumerate(self.keys):
            for value in (key.props.get("keyId"), key.props.get("id")):
                if isinstance(value, str) and value:
                    self.by_id.setdefault(value, set()).add(i)

    def __call__(self, alias: kit.Res) -> list[kit.Res]:
        """Keys an alias targets: by property dependency, else by matching key id."""
        found = {self.position[u] for u in alias.property_dependencies.get("targetKeyId", ()) if u in self.position}
        target = alias.props.get("targetKeyId")
        if isinstance(target, str) and target:
            found |= self.by_id.get(target, set())
        return [self.keys[i] for i in sorted(found)]


def key_refs(alias: kit.Res, keys: Sequence[kit.Res]) -> list[kit.Res]:
    """Keys an alias targets: by property dependency, else by matching key id."""
    return KeyRefs(keys)(alias)

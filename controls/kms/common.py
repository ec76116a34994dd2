"""What the KMS units share: the resource types they judge, the key classes, and how a key policy is read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from controls import kit
from controls.vocabulary import CRYPTO_ACTIONS, DATA_CLASSES

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


def allow_statements(res: kit.Res) -> list[dict[str, Any]]:
    """The Allow statements of a key's policy; a missing policy (AWS's default: root gets kms:*) is Undecidable."""
    return [st for st in kit.statements(kit.policy_document(res)) if st.get("Effect") == "Allow"]


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

"""KMS-04 mutations: the account root (or anyone) given key use, in the graph and in the deployed account.

Each checker sees a different face of KMS-04: the rule reads what each statement grants; checkov (CKV_AWS_33,
CKV2_AWS_64) only a wildcard principal or a missing policy; the access analysis only whether the deployer still
manages the key (a root statement turned into key use locks the deployer out of PutKeyPolicy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.verify.checkers.audit.kms import put_key_policy_edited
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, changed_statement, edit_document

ROOT = "AccountRootManagesKeyOnly"


def _root_gets(actions: list[str] | str, principal: str | None = None) -> Callable[[Document], Document]:
    def change(statement: Document) -> Document:
        return {**statement, "Action": actions, **({"Principal": {"AWS": principal}} if principal else {})}

    return changed_statement(ROOT, change)


def root_gets_kms_star_live(ctx: Any) -> Callable[[], None]:
    return put_key_policy_edited(ctx, "models", _root_gets("kms:*"))


MUTATIONS = (
    Mutation(  # checkov does not judge actions; the deployer keeps PutKeyPolicy through kms:*
        "KMS-04",
        "root statement grants kms:*",
        graph=edit_document(KMS_KEY, "-data", "policy", _root_gets("kms:*")),
        layers=("rule",),
    ),
    Mutation(  # the deployer keeps PutKeyPolicy through kms:* from '*'
        "KMS-04",
        "root statement opened to any principal with kms:*",
        graph=edit_document(KMS_KEY, "-models", "policy", _root_gets("kms:*", "*")),
        layers=("rule", "checkov"),
    ),
    Mutation(  # checkov does not judge actions
        "KMS-04",
        "root statement turned from management into key use",
        graph=edit_document(KMS_KEY, "-logs", "policy", _root_gets(["kms:Decrypt", "kms:Encrypt"])),
        layers=("rule", "access"),
    ),
    Mutation("KMS-04", "root statement grants kms:* on the models key", live=root_gets_kms_star_live),
)

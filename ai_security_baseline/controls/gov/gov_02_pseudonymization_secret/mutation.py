"""GOV-02 mutations: the secret without its customer key, its policy no longer denying other readers, the data key
letting the deployer encrypt any secret, and, live, the secret re-keyed to the models key."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import KMS_KEY, SECRET, SECRET_POLICY
from ai_security_baseline.verify.checkers.mutation import (
    Mutation,
    changed_statement,
    drop_reference,
    edit_document,
    without_statement,
)

DENY_READERS = "DenySecretValueExceptDataProcessor"
WRITERS = "WritersEncryptPseudonymizationSecret"


def models_key_live(ctx: Any) -> Callable[[], None]:
    secrets = ctx.client("secretsmanager")
    arn = str(ctx.output("pseudonymizationSecretArn"))
    key = secrets.describe_secret(SecretId=arn)["KmsKeyId"]
    secrets.update_secret(SecretId=arn, KmsKeyId=str(ctx.output("modelsKeyArn")))
    return lambda: secrets.update_secret(SecretId=arn, KmsKeyId=key)


def _policy_opened(document: dict[str, Any]) -> dict[str, Any]:
    return without_statement(DENY_READERS)(json.loads(json.dumps(document)))


def _any_secret(statement: dict[str, Any]) -> dict[str, Any]:
    """The grant without its ``kms:EncryptionContext:SecretARN`` binding."""
    condition = {k: v for k, v in statement["Condition"].items() if k != "StringLike"}
    return {**statement, "Condition": condition}


MUTATIONS = (
    Mutation(  # the access analysis proves who may read, which the key does not change
        "GOV-02",
        "secret without its customer-managed key",
        graph=drop_reference(SECRET, "-pseudonymization-key", "kmsKeyId"),
        layers=("rule", "checkov"),
    ),
    Mutation(  # checkov checks only the key; the access analysis finds no other reader in this stack either way
        "GOV-02",  # (no role's identity policy grants GetSecretValue): the Deny is defence in depth it cannot see
        "secret policy no longer denies other readers",
        graph=edit_document(SECRET_POLICY, "-pseudonymization-key", "policy", _policy_opened),
        layers=("rule",),
    ),
    Mutation(  # the rule and checkov do not read the data key's policy
        "GOV-02",
        "data key lets the deployer encrypt any secret",
        graph=edit_document(KMS_KEY, "-data", "policy", changed_statement(WRITERS, _any_secret)),
        layers=("access",),
    ),
    Mutation("GOV-02", "deployed secret re-keyed to the models key", live=models_key_live),
)

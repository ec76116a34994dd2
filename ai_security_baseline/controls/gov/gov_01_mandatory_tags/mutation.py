"""GOV-01 mutations: the provider's default tags lose the owner."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, edit_document


def _without_owner(document: Document) -> Document:
    return {**document, "tags": {k: v for k, v in document["tags"].items() if k != "owner"}}


MUTATIONS = (
    Mutation(
        "GOV-01",
        "default tags without owner",
        graph=edit_document(kit.AWS_PROVIDER, "aws", "defaultTags", _without_owner),
    ),
)

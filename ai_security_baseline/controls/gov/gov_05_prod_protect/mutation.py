"""GOV-05 mutations: a stack tagged prod whose keys, buckets and trail are not protected (the dev graph, relabelled)."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.verify.checkers.mutation import Document, Mutation, edit_document


def _prod(document: Document) -> Document:
    return {**document, "tags": {**document["tags"], "environment": "prod"}}


MUTATIONS = (
    Mutation(
        "GOV-05", "unprotected stack tagged prod", graph=edit_document(kit.AWS_PROVIDER, "aws", "defaultTags", _prod)
    ),
)

"""GOV-03 mutations: a data bucket whose lifecycle configuration is gone, so its retention is not configured."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import BUCKET_LIFECYCLE
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources

LIFECYCLE = BUCKET_LIFECYCLE

MUTATIONS = (Mutation("GOV-03", "raw bucket without lifecycle rules", graph=drop_resources(LIFECYCLE, "-raw")),)

"""GOV-04 mutations: the stack stops exporting the trail the live audit reads."""

from __future__ import annotations

from ai_security_baseline.controls import kit
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_property

MUTATIONS = (Mutation("GOV-04", "trailArn not exported", graph=drop_property(kit.STACK, "", "trailArn")),)

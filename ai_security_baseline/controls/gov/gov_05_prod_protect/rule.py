"""GOV-05 preview rule: in a stack tagged environment=prod, keys, buckets and the trail are protected."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.gov.common import default_tags
from ai_security_baseline.controls.vocabulary import BUCKET, KMS_KEY, TRAIL

STATEFUL_TYPES = (KMS_KEY, BUCKET, TRAIL)


def _environment(resources: Sequence[kit.Res]) -> str:
    envs = {default_tags(r).get("environment", "") for r in resources if r.type == kit.AWS_PROVIDER}
    return "prod" if "prod" in envs else ""


def check(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    prod = _environment(resources) == "prod"
    for res in resources:
        if res.type in STATEFUL_TYPES:
            ok = res.protect or not prod
            yield res.urn, "GOV-05", ok, f"protect={res.protect} ({'prod' if prod else 'non-prod'} stack)"


RULE = kit.Rule(
    "gov-05-prod-protect",
    "Production keys, buckets and trails are protected",
    ("GOV-05",),
    stack_check=check,
)

"""ACC-01 preview rule: the account's S3 Block Public Access has all four settings on and is retained on destroy."""

from __future__ import annotations

from collections.abc import Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.acc.common import Found, not_retained, of_type, waived_centrally
from ai_security_baseline.controls.vocabulary import ACCOUNT_PUBLIC_ACCESS_BLOCK

#: The four settings of the account-level block (S3 User Guide, "Blocking public access to your Amazon S3 storage").
SETTINGS: tuple[str, ...] = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def check(resources: Sequence[kit.Res]) -> Found:
    waived = list(waived_centrally(resources, "accountPublicAccessBlock", "ACC-01"))
    if waived:
        yield from waived
        return
    blocks = of_type(resources, ACCOUNT_PUBLIC_ACCESS_BLOCK)
    if not blocks:
        yield kit.stack_urn(resources), "ACC-01", False, "no account-level S3 Block Public Access in the stack"
        return
    for block in blocks:
        problems = [f"{key} is {kit.known(block, key)!r}" for key in SETTINGS if kit.known(block, key) is not True]
        problems += [p for p in (not_retained(block),) if p]
        message = "; ".join(problems) or "all four settings on, retained on destroy"
        yield block.urn, "ACC-01", not problems, message


RULE = kit.Rule(
    "acc-01-account-public-access-block",
    "The account's S3 Block Public Access has all four settings on, retained on destroy",
    ("ACC-01",),
    stack_check=check,
)

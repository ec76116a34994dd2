"""ACC-01 mutations: public bucket policies no longer restricted, the block gone, and the same in the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import ACCOUNT_PUBLIC_ACCESS_BLOCK
from ai_security_baseline.verify.checkers.mutation import Mutation, drop_resources, set_property


def restrict_off_live(ctx: Any) -> Callable[[], None]:
    s3control, account = ctx.client("s3control"), ctx.account_id
    before = s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
    s3control.put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration={**before, "RestrictPublicBuckets": False}
    )
    return lambda: s3control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=before)


MUTATIONS = (
    Mutation(
        "ACC-01",
        "public bucket policies not restricted",
        graph=set_property(ACCOUNT_PUBLIC_ACCESS_BLOCK, "s3-public-access-block", "restrictPublicBuckets", False),
    ),
    Mutation("ACC-01", "no account Block Public Access", graph=drop_resources(ACCOUNT_PUBLIC_ACCESS_BLOCK)),
    Mutation("ACC-01", "account RestrictPublicBuckets off", live=restrict_off_live),
)

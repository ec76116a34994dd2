"""ACC-01 live probe: the account's S3 Block Public Access, read back through S3 Control."""

from __future__ import annotations

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ai_security_baseline.controls.acc.acc_01_account_public_access_block.rule import SETTINGS
from ai_security_baseline.controls.vocabulary import ACCOUNT_PUBLIC_ACCESS_BLOCK_OUTPUT
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    central_waiver,
    check,
)


@check("ACC-01", account_subject)
def account_public_access_block(ctx: AuditContext, _region: str) -> Verdict:
    waived = central_waiver(ctx, "accountPublicAccessBlock")
    if waived:
        return waived
    account = str(ctx.output(ACCOUNT_PUBLIC_ACCESS_BLOCK_OUTPUT))
    try:
        found = ctx.client("s3control").get_public_access_block(AccountId=account)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchPublicAccessBlockConfiguration":
            return Verdict(False, f"account {account} has no S3 Block Public Access configuration")
        raise
    settings = found["PublicAccessBlockConfiguration"]
    off = sorted(k for k in SETTINGS if settings.get(k[0].upper() + k[1:]) is not True)
    return Verdict(not off, f"settings off: {off}" if off else "all four settings on", {"settings": settings})

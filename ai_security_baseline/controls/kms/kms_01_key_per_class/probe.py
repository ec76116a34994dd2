"""KMS-01 live probe: every class key is an enabled, symmetric, customer-managed key of its own."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import DATA_CLASSES
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.kms import key_arn, key_metadata, key_subjects


@check("KMS-01", key_subjects)
def separate_customer_keys(ctx: AuditContext, data_class: str) -> Verdict:
    meta = key_metadata(ctx, data_class)
    others = {key_arn(ctx, c) for c in DATA_CLASSES if c != data_class and ctx.outputs.get(f"{c}KeyArn")}
    ok = (
        meta["KeyManager"] == "CUSTOMER"
        and meta["KeyState"] == "Enabled"
        and meta["KeySpec"] == "SYMMETRIC_DEFAULT"
        and meta["Arn"] not in others
    )
    return Verdict(
        ok,
        f"{data_class} key: {meta['KeyManager']} {meta['KeySpec']} {meta['KeyState']}"
        + ("" if meta["Arn"] not in others else ", shared with another data class"),
        {k: meta[k] for k in ("KeyManager", "KeyState", "KeySpec")},
    )

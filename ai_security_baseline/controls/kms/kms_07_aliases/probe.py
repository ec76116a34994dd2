"""KMS-07 live probe: each class key carries its alias/<prefix>-<class> alias."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.kms import key_arn, key_subjects


@check("KMS-07", key_subjects)
def alias(ctx: AuditContext, data_class: str) -> Verdict:
    expected = str(ctx.output(f"{data_class}KeyAlias"))
    aliases = ctx.client("kms").list_aliases(KeyId=key_arn(ctx, data_class))["Aliases"]
    names = sorted(a["AliasName"] for a in aliases)
    return Verdict(expected in names, f"{data_class} key aliases {names} (expected {expected})", {"aliases": names})

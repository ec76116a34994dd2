"""KMS-04 live probe: the deployed key policy grants no kms:*, and an account principal that IAM allows everything
still cannot use the key directly (the root statement excludes cryptographic operations)."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, as_list, check, decide, statements
from ai_security_baseline.verify.checkers.audit.kms import key_arn, key_policy, key_subjects

CRYPTO_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom")


@check("KMS-04", key_subjects)
def root_excludes_crypto(ctx: AuditContext, data_class: str) -> Verdict:
    document = key_policy(ctx, data_class)
    arn = key_arn(ctx, data_class)
    wildcard = [
        s.get("Sid", "?")
        for s in statements(document)
        if "kms:*" in as_list(s.get("Action")) or "*" in as_list(s.get("Action"))
    ]
    outcomes = {
        action: decide(ctx, action=action, resource=arn, resource_policy=document, kind="kms")
        for action in CRYPTO_ACTIONS
    }
    allowed = [a for a, o in outcomes.items() if o == "Allow"]
    ok = not wildcard and not allowed
    message = f"{data_class} key policy: " + (
        "no kms:* grant; IAM alone grants no cryptographic use"
        if ok
        else f"kms:* in {wildcard}"
        if wildcard
        else f"IAM alone allows {allowed}"
    )
    return Verdict(ok, message, {"probe": outcomes})

"""ACC-02 live probe: EBS encryption by default on, and the default key the stack's ``ebs`` key."""

from __future__ import annotations

from ai_security_baseline.controls.vocabulary import EBS_KEY_CLASS, key_output
from ai_security_baseline.verify.checkers.audit.core import (
    AuditContext,
    Verdict,
    account_subject,
    central_waiver,
    check,
)


@check("ACC-02", account_subject)
def ebs_default_encryption(ctx: AuditContext, _region: str) -> Verdict:
    waived = central_waiver(ctx, "ebsDefaultEncryption")
    if waived:
        return waived
    expected = str(ctx.output(key_output(EBS_KEY_CLASS)))
    ec2 = ctx.client("ec2")
    if ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is not True:
        return Verdict(False, f"EBS encryption by default is off in {ctx.region}")
    current = str(ctx.observe("ec2", "GetEbsDefaultKmsKeyId")["KmsKeyId"])
    return Verdict(
        current == expected,
        f"encryption by default on, default key {current}" + ("" if current == expected else f" (expected {expected})"),
        {"defaultKey": current},
    )

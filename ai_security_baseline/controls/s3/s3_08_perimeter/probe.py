"""S3-08 live probe: a principal of a foreign account is explicitly denied object reads and writes on every bucket."""

from __future__ import annotations

from ai_security_baseline.verify.checkers.audit.core import FOREIGN_ACCOUNT, AuditContext, Verdict, check
from ai_security_baseline.verify.checkers.audit.s3 import Bucket, all_buckets, object_request

ACTIONS = ("s3:GetObject", "s3:PutObject")


@check("S3-08", all_buckets)
def denies_other_accounts(ctx: AuditContext, bucket: Bucket) -> Verdict:
    foreign = ctx.probe_arn(FOREIGN_ACCOUNT)
    outcomes = {action: object_request(ctx, bucket, action, {}, principal=foreign) for action in ACTIONS}
    ok = all(o == "ExplicitDeny" for o in outcomes.values())
    return Verdict(ok, f"principal of account {FOREIGN_ACCOUNT}: {outcomes}", {"probe": outcomes})

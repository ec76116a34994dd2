"""IAM-05 live probe: every role carries a permissions boundary whose default version denies every tampering
action the baseline's boundary denies (the same ``TAMPERING_DENIALS`` the builder writes and the rule reads)."""

from __future__ import annotations

from ai_security_baseline.controls.iam.common import undenied_tampering
from ai_security_baseline.verify.checkers.audit.core import AuditContext, Verdict, check, policy_json
from ai_security_baseline.verify.checkers.audit.identity import role, role_subjects


@check("IAM-05", role_subjects)
def _boundary(ctx: AuditContext, arn: str) -> Verdict:
    boundary = (role(ctx, arn).get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if not boundary:
        return Verdict(False, "no permissions boundary", {"boundary": None})
    iam = ctx.client("iam")
    version = iam.get_policy(PolicyArn=boundary)["Policy"]["DefaultVersionId"]
    document = policy_json(iam.get_policy_version(PolicyArn=boundary, VersionId=version)["PolicyVersion"]["Document"])
    missing = undenied_tampering(document)
    return Verdict(
        not missing,
        f"permissions boundary {boundary} ({version}) "
        + (f"does not deny {missing}" if missing else "denies every tampering action"),
        {"boundary": boundary, "version": version, "undenied": missing},
    )

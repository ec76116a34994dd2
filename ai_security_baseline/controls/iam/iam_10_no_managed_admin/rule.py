"""IAM-10 preview rule: no AWS-managed *FullAccess / AdministratorAccess / PowerUserAccess on a role."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.iam.common import IAM_ATTACHMENTS, IAM_ROLE

#: AWS-managed policies that grant whole services or everything.
_BROAD_MANAGED = re.compile(
    r"^arn:[a-z-]+:iam::aws:policy/(.*/)?([^/]*FullAccess[^/]*|AdministratorAccess|PowerUserAccess)$"
)


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    key = "managedPolicyArns" if res.type == IAM_ROLE else "policyArn"
    arns = [str(a) for a in kit.as_list(kit.known(res, key))]
    broad = [a for a in arns if _BROAD_MANAGED.match(a)]
    yield "IAM-10", not broad, f"broad AWS-managed policies {broad}" if broad else "no broad AWS-managed policy"


RULE = kit.Rule(
    "iam-10-no-managed-admin",
    "No AWS-managed FullAccess or administrator policy is attached",
    ("IAM-10",),
    (IAM_ROLE, *IAM_ATTACHMENTS),
    check,
)

"""KMS-06 preview rule: key users are bound to this account and to the services that need the key, and create
grants only for AWS resources."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import actions, allow_statements, crypto_actions
from ai_security_baseline.controls.vocabulary import KMS_KEY

#: The services through which a user may use a key: S3 (objects), EC2 (EBS volumes of SageMaker jobs),
#: Secrets Manager (the pseudonymization secret), EFS (the Studio domain's home file system, AI-03), Bedrock (the
#: guardrail, AI-02).
KEY_VIA_SERVICES = ("bedrock", "ec2", "elasticfilesystem", "s3", "secretsmanager")
_VIA_SERVICE = re.compile(r"(?P<service>[a-z0-9-]+)\.[a-z0-9-]+\.amazonaws\.com")


def _condition_values(statement: Mapping[str, Any], key: str, operator: str | None = None) -> list[str]:
    """Lower-cased values of ``key`` (lower-case) in the statement's condition, under ``operator`` or any."""
    return [
        str(v).lower()
        for op, block in (statement.get("Condition") or {}).items()
        if operator is None or str(op).lower() == operator
        for k, values in block.items()
        if str(k).lower() == key
        for v in kit.as_list(values)
    ]


def _needed_service(via: str) -> bool:
    match = _VIA_SERVICE.fullmatch(via)
    return match is not None and match["service"] in KEY_VIA_SERVICES


def user_problems(sid: str, granted: list[str], statement: Mapping[str, Any]) -> list[str]:
    """What lets one key-user statement reach the key outside the intended paths."""
    aws = kit.principals(statement, "AWS")
    problems = []
    if not {"kms:viaservice", "kms:calleraccount"} <= kit.condition_keys(statement):
        problems.append(f"{sid} lets {aws} use the key without kms:ViaService and kms:CallerAccount")
    foreign = [v for v in _condition_values(statement, "kms:viaservice") if not _needed_service(v)]
    if foreign:
        problems.append(f"{sid} lets the key be used via {foreign} (allowed: {list(KEY_VIA_SERVICES)})")
    grants = [
        a for a in granted if a == "kms:creategrant" or (a.endswith("*") and "kms:creategrant".startswith(a[:-1]))
    ]
    if grants and _condition_values(statement, "kms:grantisforawsresource", "bool") != ["true"]:
        problems.append(f"{sid} allows {grants} without kms:GrantIsForAWSResource true")
    return problems


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    problems = []
    for st in allow_statements(res):
        granted = actions(st)
        if crypto_actions(granted) and kit.principals(st, "AWS"):
            problems += user_problems(str(st.get("Sid", "<no Sid>")), granted, st)
    yield (
        "KMS-06",
        not problems,
        "; ".join(problems) or "every key user is bound to the services that need the key and this account",
    )


RULE = kit.Rule(
    "kms-06-use-via-services",
    "Key users reach the key only through the services that need it, from this account",
    ("KMS-06",),
    (KMS_KEY,),
    check,
)

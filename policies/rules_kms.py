"""KMS rules (KMS-01…KMS-07): rotation, deletion window, key-policy separation and bindings."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from controls import kit
from controls.kms.common import KEY_CLASSES, KMS_ALIAS, KMS_KEY

KMS_CRYPTO = frozenset(
    a.lower()
    for a in (
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:Sign",
        "kms:Verify",
        "kms:VerifyMac",
        "kms:CreateGrant",
    )
)
KMS_READ_ONLY = frozenset(("kms:describekey",))
#: KMS-06: the services through which a user may use a key: S3 (objects), EC2 (EBS volumes of SageMaker jobs),
#: Secrets Manager (the pseudonymization secret).
KEY_VIA_SERVICES = ("ec2", "s3", "secretsmanager")
_VIA_SERVICE = re.compile(r"(?P<service>[a-z0-9-]+)\.[a-z0-9-]+\.amazonaws\.com")


def _actions(statement: Mapping[str, Any]) -> list[str]:
    if "NotAction" in statement:
        raise kit.Undecidable(f"statement {statement.get('Sid')!r} uses NotAction in a key policy")
    return [str(a).lower() for a in kit.as_list(statement.get("Action"))]


def check_kms_deletion_window(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    window = kit.known(res, "deletionWindowInDays")
    days = 30 if window is None else window
    yield "KMS-03", days == 30, f"deletion window {days} days (baseline default 30)"


#: Services whose KMS calls carry only their encryption context, no aws:SourceArn/aws:SourceAccount: CloudWatch Logs
#: (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
_CONTEXT_ONLY_SERVICE = re.compile(r"^logs\.[a-z0-9-]+\.amazonaws\.com$")


def _service_binding_problem(services: list[str], keys: set[str]) -> str | None:
    """Confused-deputy guard in the form each service supports: this resource's ARN (``aws:SourceArn``) or its
    encryption context; for a context-only service, the context and no source key (it would never match)."""
    context = any(k.startswith("kms:encryptioncontext:") for k in keys)
    source = {"aws:sourcearn", "aws:sourceaccount"} & keys
    if any(_CONTEXT_ONLY_SERVICE.match(s) for s in services):
        if source:
            return f"admits {services} with {sorted(source)}, which CloudWatch Logs never sends"
        return None if context else f"admits {services} without its aws:logs:arn encryption context"
    return (
        None if context or "aws:sourcearn" in keys else f"admits {services} without aws:SourceArn or encryption context"
    )


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


def _user_problems(sid: str, actions: list[str], statement: Mapping[str, Any]) -> list[str]:
    """KMS-06 on a key user: only through the services that need keys; grants only for AWS resources."""
    problems = []
    foreign = [v for v in _condition_values(statement, "kms:viaservice") if not _needed_service(v)]
    if foreign:
        problems.append(f"{sid} lets the key be used via {foreign} (allowed: {list(KEY_VIA_SERVICES)})")
    grants = [
        a for a in actions if a == "kms:creategrant" or (a.endswith("*") and "kms:creategrant".startswith(a[:-1]))
    ]
    if grants and _condition_values(statement, "kms:grantisforawsresource", "bool") != ["true"]:
        problems.append(f"{sid} allows {grants} without kms:GrantIsForAWSResource true")
    return problems


def check_kms_key_policy(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """KMS-04/05/06 on one key policy; a missing policy means AWS's default (root gets kms:*)."""
    document = kit.policy_document(res)
    problems4, problems5, problems6 = [], [], []
    for st in kit.statements(document):
        if st.get("Effect") != "Allow":
            continue
        sid = st.get("Sid", "<no Sid>")
        actions = _actions(st)
        if any(a in ("*", "kms:*") for a in actions):
            problems4.append(f"{sid} grants {actions}")
        crypto = [a for a in actions if a in KMS_CRYPTO or a.endswith("*")]
        manage = [a for a in actions if a not in KMS_CRYPTO and a not in KMS_READ_ONLY]
        if crypto and manage:
            problems4.append(f"{sid} mixes use {sorted(crypto)} and management {sorted(manage)[:3]}...")
        aws = kit.principals(st, "AWS")
        if crypto and any(p == "*" or p.endswith(":root") for p in aws):
            problems4.append(f"{sid} gives cryptographic operations to the account root or '*'")
        keys = kit.condition_keys(st)
        services = kit.principals(st, "Service")
        binding = _service_binding_problem(services, keys) if services else None
        if binding:
            problems5.append(f"{sid} {binding}")
        if crypto and aws and not {"kms:viaservice", "kms:calleraccount"} <= keys:
            problems6.append(f"{sid} lets {aws} use the key without kms:ViaService and kms:CallerAccount")
        if crypto and aws:
            problems6 += _user_problems(str(sid), actions, st)
    yield "KMS-04", not problems4, "; ".join(problems4) or "admins manage, users use, no kms:*, root cannot use"
    yield "KMS-05", not problems5, "; ".join(problems5) or "every service principal carries confused-deputy conditions"
    yield (
        "KMS-06",
        not problems6,
        "; ".join(problems6) or "every key user is bound to the services that need the key and this account",
    )


def _key_refs(alias: kit.Res, keys: Sequence[kit.Res]) -> list[kit.Res]:
    """Keys an alias targets: by property dependency, else by matching key id."""
    deps = set(alias.property_dependencies.get("targetKeyId", ()))
    target = alias.props.get("targetKeyId")
    return [k for k in keys if k.urn in deps or (target and target in (k.props.get("keyId"), k.props.get("id")))]


def check_keys_per_class(resources: Sequence[kit.Res]) -> Iterator[tuple[str, str, bool, str]]:
    """KMS-01 and KMS-07: one distinct key per data class, each with exactly one alias."""
    keys = [r for r in resources if r.type == KMS_KEY]
    aliases = [r for r in resources if r.type == KMS_ALIAS]
    by_class: dict[str, set[str]] = {c: set() for c in KEY_CLASSES}
    for alias in aliases:
        name = str(kit.known(alias, "name") or "")
        for data_class in KEY_CLASSES:
            if name.endswith(f"-{data_class}"):
                by_class[data_class].update(k.urn for k in _key_refs(alias, keys))
    distinct = {next(iter(v)) for v in by_class.values() if len(v) == 1}
    ok = all(len(v) == 1 for v in by_class.values()) and len(distinct) == len(KEY_CLASSES)
    stack = kit.stack_urn(resources)
    detail = ", ".join(f"{c}: {len(v)} key(s)" for c, v in by_class.items())
    yield stack, "KMS-01", ok, f"one distinct customer-managed key per data class ({detail})"
    for key in keys:
        count = sum(1 for a in aliases if key in _key_refs(a, keys))
        yield key.urn, "KMS-07", count == 1, f"{count} alias(es) target this key"


KMS_RULES: tuple[kit.Rule, ...] = (
    kit.Rule(
        "kms-key-deletion-window",
        "KMS keys keep the 30-day deletion window",
        ("KMS-03",),
        (KMS_KEY,),
        check_kms_deletion_window,
    ),
    kit.Rule(
        "kms-key-policy",
        "Key policies separate management from use, bind services and users with conditions",
        ("KMS-04", "KMS-05", "KMS-06"),
        (KMS_KEY,),
        check_kms_key_policy,
    ),
    kit.Rule(
        "kms-keys-per-class",
        "One distinct customer-managed key per data class, each with one alias",
        ("KMS-01", "KMS-07"),
        stack_check=check_keys_per_class,
    ),
)

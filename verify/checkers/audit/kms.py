"""KMS controls read from the account: keys, rotation, key policies (evaluated, not trusted by shape), aliases."""

from __future__ import annotations

from typing import Any

from components.config import DATA_CLASSES
from verify.checkers.audit.core import (
    FOREIGN_ACCOUNT,
    AuditContext,
    Subject,
    Verdict,
    as_list,
    check,
    decide,
    policy_json,
    statements,
)

CRYPTO_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom")


def key_subjects(ctx: AuditContext) -> list[Subject]:
    return [
        Subject(urn=str(ctx.outputs[f"{c}KeyArn"]), value=c)
        if ctx.outputs.get(f"{c}KeyArn")
        else Subject(urn="stack", missing=f"{c}KeyArn")
        for c in DATA_CLASSES
    ]


def key_arn(ctx: AuditContext, data_class: str) -> str:
    return str(ctx.output(f"{data_class}KeyArn"))


def _metadata(ctx: AuditContext, data_class: str) -> dict[str, Any]:
    arn = key_arn(ctx, data_class)
    result: dict[str, Any] = ctx.cached(("describe_key", arn), lambda: ctx.client("kms").describe_key(KeyId=arn))
    return dict(result["KeyMetadata"])


def key_policy(ctx: AuditContext, data_class: str) -> dict[str, Any]:
    arn = key_arn(ctx, data_class)
    answer = ctx.cached(("key_policy", arn), lambda: ctx.client("kms").get_key_policy(KeyId=arn, PolicyName="default"))
    return policy_json(answer["Policy"])


@check("KMS-01", key_subjects)
def _separate_customer_keys(ctx: AuditContext, data_class: str) -> Verdict:
    meta = _metadata(ctx, data_class)
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


@check("KMS-04", key_subjects)
def _root_excludes_crypto(ctx: AuditContext, data_class: str) -> Verdict:
    """No kms:* grant; an account principal allowed everything by IAM still cannot decrypt directly."""
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


@check("KMS-05", key_subjects)
def _service_principals_conditioned(ctx: AuditContext, data_class: str) -> Verdict:
    """Each service principal grant refuses a request on behalf of another account (confused deputy)."""
    document = key_policy(ctx, data_class)
    arn = key_arn(ctx, data_class)
    open_grants = []
    for statement in statements(document):
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow" or not isinstance(principal, dict):
            continue
        for service in as_list(principal.get("Service")):
            action = next((a for a in as_list(statement.get("Action")) if "*" not in a), "kms:Decrypt")
            foreign = {
                "aws:SourceAccount": FOREIGN_ACCOUNT,
                "aws:SourceArn": f"arn:aws:{service.split('.')[0]}:{ctx.region}:{FOREIGN_ACCOUNT}:probe",
            }
            outcome = decide(
                ctx,
                action=action,
                resource=arn,
                principal=service,
                context=foreign,
                resource_policy=document,
                kind="kms",
            )
            if outcome == "Allow":
                open_grants.append(f"{statement.get('Sid', '?')}:{service}")
    return Verdict(
        not open_grants,
        f"{data_class} key: "
        + (
            f"service grants usable for another account: {open_grants}" if open_grants else "service grants conditioned"
        ),
        {"unconditioned": open_grants},
    )


def data_key_subjects(ctx: AuditContext) -> list[Subject]:
    return [
        s for s in key_subjects(ctx) if s.value in ("data", "models") or s.missing in ("dataKeyArn", "modelsKeyArn")
    ]


#: A service through which no baseline key is used (KMS-06 allows S3, EBS via ec2 and Secrets Manager).
UNNEEDED_VIA_SERVICE = "sqs"


@check("KMS-06", data_key_subjects)
def _only_via_s3_same_account(ctx: AuditContext, data_class: str) -> Verdict:
    """Named key users may decrypt only via the services that need the key, and create grants only for AWS
    resources; no principal of another account may decrypt at all."""
    document = key_policy(ctx, data_class)
    arn = key_arn(ctx, data_class)
    users = sorted(
        {
            p
            for s in statements(document)
            if s.get("Effect") == "Allow" and isinstance(s.get("Principal"), dict)
            for p in as_list(s["Principal"].get("AWS"))
            if isinstance(p, str) and (":role/" in p or ":user/" in p)
        }
    )
    probes = {
        f"{FOREIGN_ACCOUNT} (direct)": decide(
            ctx,
            action="kms:Decrypt",
            resource=arn,
            principal=ctx.probe_arn(FOREIGN_ACCOUNT),
            resource_policy=document,
            kind="kms",
        )
    }
    for user in users:
        unneeded = {
            "kms:ViaService": f"{UNNEEDED_VIA_SERVICE}.{ctx.region}.amazonaws.com",
            "kms:CallerAccount": ctx.account_id,
        }
        probes[f"{user} via {UNNEEDED_VIA_SERVICE}"] = decide(
            ctx,
            action="kms:Decrypt",
            resource=arn,
            principal=user,
            context=unneeded,
            resource_policy=document,
            kind="kms",
        )
        probes[f"{user} grant for a person via ec2"] = decide(
            ctx,
            action="kms:CreateGrant",
            resource=arn,
            principal=user,
            context={
                "kms:ViaService": f"ec2.{ctx.region}.amazonaws.com",
                "kms:CallerAccount": ctx.account_id,
                "kms:GrantIsForAWSResource": False,
            },
            resource_policy=document,
            kind="kms",
        )
        probes[f"{user} direct"] = decide(
            ctx, action="kms:Decrypt", resource=arn, principal=user, resource_policy=document, kind="kms"
        )
    allowed = [k for k, v in probes.items() if v == "Allow"]
    return Verdict(
        not allowed,
        f"{data_class} key: "
        + (f"allowed for {allowed}" if allowed else "use only via the services that need it, from this account"),
        {"probe": probes},
    )


@check("KMS-07", key_subjects)
def _alias(ctx: AuditContext, data_class: str) -> Verdict:
    expected = str(ctx.output(f"{data_class}KeyAlias"))
    aliases = ctx.client("kms").list_aliases(KeyId=key_arn(ctx, data_class))["Aliases"]
    names = sorted(a["AliasName"] for a in aliases)
    return Verdict(expected in names, f"{data_class} key aliases {names} (expected {expected})", {"aliases": names})

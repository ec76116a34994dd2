"""EP-05: every endpoint that takes a policy has one limited to this account/org (S3: our buckets)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.net.common import Found, Stack, endpoint_type, known_ids, service_of
from ai_security_baseline.controls.vocabulary import (
    AWS_OWNED_BUCKETS,
    ENDPOINT,
    ENDPOINT_POLICY,
    ENDPOINT_POLICY_UNSUPPORTED,
    VPC,
)

#: Services whose interface endpoints take no endpoint policy -> why; EP-05 is not applicable to them.
POLICY_UNSUPPORTED: Mapping[str, str] = ENDPOINT_POLICY_UNSUPPORTED
#: AWS-owned buckets the S3 gateway may reach outside this account, with the actions allowed (lower-cased), in the
#: form their services document: no principal condition, the request is presigned by the service.
AWS_OWNED: Mapping[str, frozenset[str]] = {b.bucket: frozenset(a.lower() for a in b.actions) for b in AWS_OWNED_BUCKETS}
#: Owning account per region of the buckets named with ``{account}``; no entry for a region: not allowlisted there.
AWS_OWNED_ACCOUNTS: Mapping[str, Mapping[str, str]] = {
    b.bucket: b.accounts for b in AWS_OWNED_BUCKETS if b.accounts is not None
}
ACCOUNT_ID = re.compile(r"^\d{12}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
PRINCIPAL_KEYS = ("aws:principalaccount", "aws:principalorgid")


def _account_of(res: kit.Res) -> str | None:
    """The owning account when the engine knows it (``ownerId`` or the ARN's account field)."""
    owner = next(iter(known_ids(res, ("ownerId",))), None)
    arn = next(iter(known_ids(res, ("arn",))), "")
    parts = arn.split(":")
    return owner or (parts[4] if len(parts) > 4 and parts[4] else None)


def _principal_problem(st: Mapping[str, Any], expected: str | None) -> str | None:
    equals = _string_equals(st)
    limits = {k: kit.as_list(equals[k]) for k in PRINCIPAL_KEYS if k in equals}
    if "NotPrincipal" in st or not limits:
        return "does not limit principals (expected StringEquals aws:PrincipalAccount or aws:PrincipalOrgID)"
    for key, values in limits.items():
        pattern = ACCOUNT_ID if key == "aws:principalaccount" else ORG_ID
        if len(values) != 1 or not pattern.match(str(values[0])):
            return f"{key} = {values} (expected one literal id)"
        if key == "aws:principalaccount" and expected and values[0] != expected:
            return f"admits account {values[0]}, the VPC belongs to {expected}"
    return None


def _bucket_patterns(region: str) -> dict[re.Pattern[str], frozenset[str]]:
    """The allowlisted AWS-owned buckets of ``region`` (objects or bucket), each with its allowed actions."""
    patterns = {}
    for template, actions in AWS_OWNED.items():
        owners = AWS_OWNED_ACCOUNTS.get(template)
        if owners is not None and region not in owners:
            continue  # no documented owner here: never a wildcard account
        bucket = template.format(region=region, account=(owners or {}).get(region, ""))
        patterns[re.compile(rf"^arn:aws[a-z-]*:s3:::{re.escape(bucket)}(/\*)?$")] = actions
    return patterns


def _string_equals(st: Mapping[str, Any]) -> dict[str, Any]:
    """The statement's StringEquals conditions, keys lower-cased (IAM compares them case-insensitively)."""
    block = (st.get("Condition") or {}).get("StringEquals") or {}
    return {str(k).lower(): v for k, v in block.items()}


def _aws_owned_only(st: Mapping[str, Any], region: str) -> bool:
    """The statement reaches only allowlisted AWS-owned buckets, with their allowed actions.

    Such a statement needs no principal condition: the owning service presigns the request.
    """
    actions = {str(a).lower() for a in kit.as_list(st.get("Action"))}
    resources = kit.as_list(st.get("Resource"))
    if "NotResource" in st or "NotAction" in st or not actions or not resources:
        return False
    patterns = _bucket_patterns(region)
    for resource in resources:
        allowed = next((acts for p, acts in patterns.items() if p.match(str(resource))), None)
        if allowed is None or not actions <= allowed:
            return False
    return True


def _s3_problem(st: Mapping[str, Any], expected: str | None) -> str | None:
    """An S3 gateway Allow beyond the AWS-owned allowlist: only our account's buckets (aws:ResourceAccount)."""
    equals = _string_equals(st)
    if "NotResource" in st:
        return "uses NotResource"
    if "aws:resourceaccount" in equals:
        owners = kit.as_list(equals["aws:resourceaccount"])
        ours = expected or next(iter(kit.as_list(equals.get("aws:principalaccount"))), None)
        if len(owners) == 1 and ACCOUNT_ID.match(str(owners[0])) and (ours is None or owners[0] == ours):
            return None
        return f"aws:ResourceAccount = {owners} (expected this account{f' {ours}' if ours else ''})"
    actions = sorted({str(a).lower() for a in kit.as_list(st.get("Action"))})
    resources = ", ".join(str(r) for r in kit.as_list(st.get("Resource")))
    return f"reaches {resources} with {actions} (not our account's buckets nor the AWS-owned allowlist)"


def _endpoint_policies(stack: Stack, endpoint: kit.Res) -> list[tuple[kit.Res, str]]:
    """(resource, property) holding each policy of the endpoint: inline or a VpcEndpointPolicy."""
    policies = stack.referrers((ENDPOINT_POLICY,), "vpcEndpointId", (ENDPOINT,)).get(endpoint.urn, ())
    found = [(p, "policy") for p in policies]
    return found or [(endpoint, "policy")]


def _policy_problems(stack: Stack, endpoint: kit.Res, expected: str | None) -> list[str]:
    gateway_s3 = endpoint_type(endpoint) == "Gateway" and service_of(endpoint) == "s3"
    region = "".join(str(kit.known(endpoint, "serviceName") or "").split(".")[2:3])
    problems = []
    for holder, key in _endpoint_policies(stack, endpoint):
        if kit.known(holder, key) in (None, ""):
            problems.append("no policy (AWS's default allows full access)")
            continue
        for st in kit.statements(kit.policy_document(holder, key)):
            if st.get("Effect") != "Allow" or (gateway_s3 and _aws_owned_only(st, region)):
                continue
            found = [_principal_problem(st, expected), _s3_problem(st, expected) if gateway_s3 else None]
            problems += [f"{st.get('Sid', '<no Sid>')} {problem}" for problem in found if problem]
    return problems


def _policy_unsupported(stack: Stack, endpoint: kit.Res) -> tuple[kit.Verdict, str] | None:
    """EP-05 on an interface endpoint of a service that takes no endpoint policy; None for every other endpoint."""
    service = service_of(endpoint)
    if endpoint_type(endpoint) != "Interface" or service not in POLICY_UNSUPPORTED:
        return None
    policies = [h for h, key in _endpoint_policies(stack, endpoint) if kit.known(h, key) not in (None, "")]
    if policies:
        return False, f"sets a policy on {service}, which takes none ({POLICY_UNSUPPORTED[service]})"
    return "not-applicable", f"not applicable: {POLICY_UNSUPPORTED[service]}; AWS applies its default policy"


def check_endpoint_policies(resources: Sequence[kit.Res]) -> Found:
    """EP-05: every endpoint that takes a policy has one admitting only this account's/org's principals (S3: our
    buckets, plus AWS-owned buckets in their services' documented form); not applicable where AWS takes none."""
    stack = Stack(resources)
    for endpoint in stack.of(ENDPOINT):
        vpcs = stack.linker((VPC,))(endpoint, "vpcId")
        if len(vpcs) != 1:
            yield endpoint.urn, "EP-05", False, f"endpoint {endpoint.name} is not in a VPC of this stack"
            continue
        by_design = _policy_unsupported(stack, endpoint)
        if by_design is not None:
            yield endpoint.urn, "EP-05", *by_design
            continue
        expected = _account_of(vpcs[0])
        problems = _policy_problems(stack, endpoint, expected)
        scope = f"account {expected}" if expected else "one literal account/org (VPC owner not known yet)"
        message = "; ".join(problems) or f"every Allow statement is limited to {scope} or an AWS-owned allowlist entry"
        yield endpoint.urn, "EP-05", not problems, message
    if not stack.of(ENDPOINT):
        yield stack.urn, "EP-05", False, f"no {ENDPOINT} in the stack; expected the S3 gateway and interface endpoints"


RULE = kit.Rule(
    "ep-05-endpoint-policies",
    "Every VPC endpoint has a policy limited to this account/org and, for S3, to our buckets",
    ("EP-05",),
    stack_check=check_endpoint_policies,
)

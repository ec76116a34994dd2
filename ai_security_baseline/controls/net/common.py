"""What the network and endpoint units share: resource types, the endpoint bundles, and how resources link.

Stack rules link resources through property dependencies first and fall back to ids/ARNs found in
the properties (real ``pulumi preview --json`` files carry ids). A link that cannot be established
is a ``fail``; a reference that is unknown until apply and not covered by a dependency is
Undecidable. Nothing passes on a missing link.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.log.common import relaxed_retention
from ai_security_baseline.controls.vocabulary import (
    DEFAULT_SG,
    ENDPOINT,
    ENDPOINT_BUNDLES,
    ENDPOINT_SG,
    KMS_ALIAS,
    KMS_KEY,
    KNOWN_ENDPOINT_SERVICES,
    LOG_RETENTION_DEFAULT_MIN_DAYS,
    ROLE,
    SECURITY_GROUP,
    SG_EGRESS,
    SG_INGRESS,
    SG_RULE,
    VPC,
)

IAM_ROLE = ROLE
HTTPS = 443
#: The retention the network's log groups keep (flow logs NET-05, query logs NET-07).
MIN_RETENTION_DAYS = LOG_RETENTION_DEFAULT_MIN_DAYS

#: The endpoint bundles the rules judge against, and every service a stack may add.
ML_CORE = ENDPOINT_BUNDLES["ml-core"]
BEDROCK = ENDPOINT_BUNDLES["bedrock"]
KNOWN_SERVICES = KNOWN_ENDPOINT_SERVICES

Found = Iterator[tuple[str, str, kit.Verdict, str]]


class Stack:
    """The resource list indexed by type, with the one linking primitive every rule uses."""

    def __init__(self, resources: Sequence[kit.Res]) -> None:
        self.resources = resources
        self.urn = kit.stack_urn(resources)
        # indexed once: rescanning every resource per query made rules over many resources quadratic
        self._by_type: dict[str, list[tuple[int, kit.Res]]] = {}
        for position, res in enumerate(resources):
            self._by_type.setdefault(res.type, []).append((position, res))
        self._linkers: dict[tuple[tuple[str, ...], tuple[str, ...]], Links] = {}
        self._referrers: dict[tuple[Any, ...], dict[str, list[kit.Res]]] = {}
        self.position = {res.urn: i for i, res in enumerate(resources)}

    def of(self, *types: str) -> list[kit.Res]:
        """Resources of any of ``types``, in stack order."""
        found = sorted(item for t in dict.fromkeys(types) for item in self._by_type.get(t, ()))
        return [res for _, res in found]

    def vpcs(self) -> list[kit.Res]:
        return self.of(VPC)

    def linker(self, types: Sequence[str], id_keys: Sequence[str] = ("id",)) -> Links:
        """``links`` against every resource of ``types``, indexed once per stack."""
        key = (tuple(types), tuple(id_keys))
        if key not in self._linkers:
            self._linkers[key] = Links(self.of(*types), id_keys)
        return self._linkers[key]

    def referrers(
        self, types: Sequence[str], key: str, targets: Sequence[str], id_keys: Sequence[str] = ("id",)
    ) -> dict[str, list[kit.Res]]:
        """Target URN -> the resources of ``types`` whose ``key`` links to it (resources of ``targets``), once."""
        cache_key = (tuple(types), key, tuple(targets), tuple(id_keys))
        if cache_key not in self._referrers:
            to_targets = self.linker(targets, id_keys)
            grouped: dict[str, list[kit.Res]] = {}
            for res in self.of(*types):
                for target in to_targets(res, key):
                    grouped.setdefault(target.urn, []).append(res)
            self._referrers[cache_key] = grouped
        return self._referrers[cache_key]

    def in_vpc(self, vpc: kit.Res, *types: str) -> list[kit.Res]:
        """Resources of ``types`` whose ``vpcId`` refers to this VPC."""
        return list(self.referrers(types, "vpcId", (VPC,)).get(vpc.urn, ()))


def known_ids(res: kit.Res, keys: Iterable[str]) -> set[str]:
    """Known, non-empty identifier values of a resource (the unknown placeholder never matches)."""
    values = (res.props.get(k) for k in keys)
    return {v for v in values if isinstance(v, str) and v and v != kit.UNKNOWN}


class Links:
    """``links`` against a fixed candidate list, its ids indexed once: asking for the targets of every resource
    among many candidates costs each resource its own references, not a scan of the candidates."""

    def __init__(self, candidates: Sequence[kit.Res], id_keys: Iterable[str] = ("id",)) -> None:
        self.candidates = list(candidates)
        self.position = {c.urn: i for i, c in enumerate(self.candidates)}
        self.by_id: dict[str, list[int]] = {}
        keys = tuple(id_keys)
        for i, candidate in enumerate(self.candidates):
            for value in known_ids(candidate, keys):
                self.by_id.setdefault(value, []).append(i)

    def __call__(self, res: kit.Res, key: str) -> list[kit.Res]:
        deps = set(res.property_dependencies.get(key, ()))
        first = sorted(self.position[u] for u in deps if u in self.position)
        raw = res.props.get(key)
        values = [str(v).removesuffix(":*") for v in kit.as_list(raw) if isinstance(v, str | int)]
        matched = {i for v in dict.fromkeys(values) for i in self.by_id.get(v, ())}
        found = [self.candidates[i] for i in first + sorted(matched.difference(first))]
        if not found and not deps and kit.UNKNOWN in values:
            raise kit.Undecidable(f"{res.name}: {key} is not known until apply and has no dependency to follow")
        return found


def links(res: kit.Res, key: str, candidates: Sequence[kit.Res], id_keys: Iterable[str] = ("id",)) -> list[kit.Res]:
    """Candidates that ``res.props[key]`` refers to: by property dependency, plus by id/ARN equality.

    Undecidable when the value holds an unknown and the property has no dependency at all that
    would explain it (never a guessed link); an unknown coming from other resources links to none.
    """
    return Links(candidates, id_keys)(res, key)


def names(resources: Iterable[kit.Res]) -> str:
    return ", ".join(sorted(r.name for r in resources)) or "none"


def no_vpc(stack: Stack, controls: Iterable[str]) -> Found:
    for control in controls:
        yield stack.urn, control, False, f"no {VPC} in the stack; expected the baseline's dedicated VPC"


def vpc_cidr(vpc: kit.Res) -> ipaddress.IPv4Network:
    cidr = kit.known(vpc, "cidrBlock")
    if not isinstance(cidr, str):
        raise kit.Undecidable(f"{vpc.name}: cidrBlock is not set (IPAM-allocated CIDRs are not supported)")
    return ipaddress.IPv4Network(cidr, strict=False)


def protocol_name(value: Any) -> str:
    text = str(value).lower()
    return {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}.get(text, text)


def rules_on(stack: Stack, groups: Sequence[kit.Res], vpc: kit.Res | None = None) -> list[kit.Res]:
    """Standalone SG rules whose ``securityGroupId`` is one of ``groups`` (or the VPC's default SG id)."""
    types = (SG_INGRESS, SG_EGRESS, SG_RULE)
    by_group = stack.referrers(types, "securityGroupId", (SECURITY_GROUP, DEFAULT_SG))
    found = {rule.urn: rule for group in groups for rule in by_group.get(group.urn, ())}
    if vpc is not None:
        on_default = stack.referrers(types, "securityGroupId", (VPC,), ("defaultSecurityGroupId",))
        found.update((rule.urn, rule) for rule in on_default.get(vpc.urn, ()))
    return sorted(found.values(), key=lambda rule: stack.position[rule.urn])


def service_of(endpoint: kit.Res) -> str:
    """The service suffix of ``com.amazonaws.<region>.<service>`` (``sts``, ``ecr.dkr``)."""
    name = str(kit.known(endpoint, "serviceName") or "")
    parts = name.split(".")
    return ".".join(parts[3:]) if name.startswith("com.amazonaws.") and len(parts) > 3 else name


def endpoint_type(endpoint: kit.Res) -> str:
    return str(kit.known(endpoint, "vpcEndpointType") or "Gateway")


def interface_endpoints(stack: Stack, vpc: kit.Res) -> list[kit.Res]:
    return [e for e in stack.in_vpc(vpc, ENDPOINT) if endpoint_type(e) == "Interface"]


def endpoint_groups(stack: Stack, endpoint: kit.Res) -> tuple[list[kit.Res], int]:
    """Security groups linked to an endpoint and how many it names in all (linked or not)."""
    to_groups = stack.linker((SECURITY_GROUP, DEFAULT_SG))
    linked = to_groups(endpoint, "securityGroupIds")
    count = len(kit.as_list(endpoint.props.get("securityGroupIds")))
    for assoc in stack.referrers((ENDPOINT_SG,), "vpcEndpointId", (ENDPOINT,)).get(endpoint.urn, ()):
        linked += to_groups(assoc, "securityGroupId")
        count += 1
    return linked, count


# ---- the network's log groups (NET-05, NET-07) ----------------------------------------------------------------


def logs_keys_of(stack: Stack) -> set[str]:
    """URNs of the keys an alias ``alias/<prefix>-logs`` targets."""
    targets = stack.linker((KMS_KEY,), ("keyId", "id", "arn"))
    found: set[str] = set()
    for alias in stack.of(KMS_ALIAS):
        if str(kit.known(alias, "name") or "").endswith("-logs"):
            found.update(k.urn for k in targets(alias, "targetKeyId"))
    return found


def log_group_problems(
    stack: Stack, group: kit.Res, logs_keys: Callable[[], set[str]], relaxed: list[str]
) -> list[str]:
    """What is wrong with a network log group (flow or query logs); a retention the shortLogRetention relaxation
    covers goes to ``relaxed`` (with its reason) instead."""
    problems = []
    keys = stack.linker((KMS_KEY,), ("arn", "keyId", "id"))(group, "kmsKeyId")
    if not keys:
        problems.append(f"log group {group.name} is not encrypted with a customer-managed key of this stack")
    elif not {k.urn for k in keys} & logs_keys():
        problems.append(f"log group {group.name} is encrypted with {names(keys)}, not the logs key")
    days = kit.known(group, "retentionInDays")
    if days not in (None, 0) and (not isinstance(days, int) or days < MIN_RETENTION_DAYS):
        reason = relaxed_retention(group, days)
        short = f"log group {group.name} keeps {days} days (expected >= {MIN_RETENTION_DAYS})"
        if reason:
            relaxed.append(f"{short}; waived: {reason}")
        else:
            problems.append(short)
    return problems

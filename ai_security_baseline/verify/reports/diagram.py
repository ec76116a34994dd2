"""The reviewer's picture: a Mermaid ``flowchart LR`` of the secure data flow, derived only from graph facts.

Nodes are the resources a reviewer reasons about (roles, VPC endpoints, buckets, keys, the trail, log groups,
flow logs, secrets, VPCs), grouped into one ``subgraph`` per parent component. Edges come from what the graph
records, never from names or assumptions, and each edge is labelled by what protects that hop:

- bucket -> key: the bucket's encryption configuration (``rules`` property dependency or key ARN/alias);
- endpoint -> bucket: the bucket policy's ``aws:SourceVpce`` values, with the bucket's TLS-only and object-lock
  facts (in a preview where the policy is still unknown: the endpoints the policy property depends on);
- role -> endpoint -> bucket (or role -> bucket/key/log group/secret): the resources of the role's inline and
  attached policies' Allow statements;
- flow log -> log group, VPC -> flow log; trail -> bucket / log group / key; bucket -> access-log bucket (server
  access logging); bucket -> trail (data event selectors); log group / secret -> key.

The text is sorted and contains nothing run-dependent, so it can be committed and diffed.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    BUCKET_LOGGING,
    BUCKET_OBJECT_LOCK,
    BUCKET_POLICY,
    BUCKET_SSE,
    BUCKET_VERSIONING,
    KMS_ALIAS,
    MANAGED_POLICY,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
)
from ai_security_baseline.verify.engine.graph import STACK_TYPE, Resource, ResourceGraph

#: Resource type -> node kind. Only these become nodes; side resources (policies, configurations) become edges.
NODE_KINDS: dict[str, str] = {
    "aws:iam/role:Role": "role",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "endpoint",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:kms/key:Key": "key",
    "aws:cloudtrail/trail:Trail": "trail",
    "aws:cloudwatch/logGroup:LogGroup": "loggroup",
    "aws:ec2/flowLog:FlowLog": "flowlog",
    "aws:secretsmanager/secret:Secret": "secret",
    "aws:ec2/vpc:Vpc": "vpc",
}
KINDS: tuple[str, ...] = tuple(sorted(set(NODE_KINDS.values())))
SSE_CONFIG = BUCKET_SSE
OBJECT_LOCK = BUCKET_OBJECT_LOCK
KEY_ALIAS = KMS_ALIAS

#: Mermaid shape (open, close) per kind; every label is quoted inside.
SHAPES: dict[str, tuple[str, str]] = {
    "role": ("([", "])"),
    "bucket": ("[(", ")]"),
    "key": ("{{", "}}"),
    "trail": ("[[", "]]"),
}
DEFAULT_SHAPE = ("[", "]")
CLASS_STYLES: dict[str, str] = {
    "role": "fill:#fff4d6,stroke:#b7791f",
    "endpoint": "fill:#e6fffa,stroke:#2c7a7b",
    "bucket": "fill:#ebf4ff,stroke:#2b6cb0",
    "key": "fill:#faf5ff,stroke:#6b46c1",
    "trail": "fill:#fff5f5,stroke:#c53030",
    "loggroup": "fill:#f7fafc,stroke:#4a5568",
    "flowlog": "fill:#f7fafc,stroke:#4a5568",
    "secret": "fill:#faf5ff,stroke:#6b46c1",
    "vpc": "fill:#f0fff4,stroke:#2f855a",
}
SAFE_LABEL = re.compile(r"[A-Za-z0-9 _.,:;/()+=*-]")
READ_VERB = re.compile(r"^(get|list|describe|head|search|lookup|batchget|batchcheck|decrypt|select)", re.IGNORECASE)
LINE = "<br/>"


# --- small helpers --------------------------------------------------------------------------------------------


def escape_label(text: str) -> str:
    """Mermaid-safe label text: anything outside a plain ASCII set becomes an entity code (``#35;``)."""
    return "".join(ch if SAFE_LABEL.fullmatch(ch) else f"#{ord(ch)};" for ch in text)


def sanitize_id(text: str) -> str:
    """``[A-Za-z0-9_]`` only; never empty, never starting with a digit."""
    cleaned = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", text)).strip("_")
    return cleaned if cleaned and not cleaned[0].isdigit() else f"n_{cleaned}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _mapping(value: Any) -> Mapping[str, Any]:
    """An object property, or empty when it is unknown (a preview placeholder string) or malformed."""
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> Iterator[str]:
    """Every non-empty string inside a property value (lists and objects walked)."""
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _document(value: Any) -> list[dict[str, Any]]:
    """The statements of a policy given as a JSON string or object; nothing for anything unparseable."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return []
    if not isinstance(value, Mapping):
        return []
    body = value.get("Statement")
    return [s for s in _as_list(body) if isinstance(s, dict)]


def _condition_values(statement: Mapping[str, Any], operators: Iterable[str], key: str) -> list[str]:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    found: list[str] = []
    for operator in operators:
        block = condition.get(operator)
        if isinstance(block, Mapping):
            for name, value in block.items():
                if name.lower() == key.lower():
                    found += [str(v) for v in _as_list(value)]
    return found


def _has_condition_key(statement: Mapping[str, Any], key: str) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    return any(
        isinstance(block, Mapping) and any(name.lower() == key.lower() for name in block)
        for block in condition.values()
    )


def _service_principals(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    return [str(s) for s in _as_list(principal.get("Service"))] if isinstance(principal, Mapping) else []


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


# --- model ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    resource: Resource
    kind: str
    id: str
    label: str


@dataclass
class Edge:
    source: str
    target: str
    dotted: bool
    parts: list[str] = field(default_factory=list)

    def add(self, parts: Iterable[str]) -> None:
        for part in parts:
            if part and part not in self.parts:
                self.parts.append(part)


@dataclass(frozen=True)
class BucketFacts:
    """What protects a bucket, read from its side resources."""

    tls: str
    vpce: tuple[str, ...]
    vpce_fallback: tuple[str, ...]
    lock: str
    keys: tuple[str, ...]
    bucket_key: bool
    sse_s3: bool
    versioned: bool
    statements: tuple[dict[str, Any], ...]

    def inbound(self, *, writes: bool) -> list[str]:
        """Labels on any hop into the bucket: TLS, and object lock when the hop writes."""
        return [self.tls, self.lock if writes else ""]


class _Builder:
    """Collects nodes and edges; every link is a URN, a property dependency or an exact/ARN-pattern value."""

    def __init__(self, graph: ResourceGraph) -> None:
        self.graph = graph
        self.resources = sorted(graph, key=lambda r: r.urn)
        self.by_type: dict[str, list[Resource]] = {}
        for resource in self.resources:
            self.by_type.setdefault(resource.type, []).append(resource)
        self.kind = {r.urn: NODE_KINDS[r.type] for r in self.resources if r.type in NODE_KINDS}
        self.index: dict[tuple[str, str], set[str]] = {}
        for resource in self.resources:
            if resource.urn in self.kind:
                for value in self._identities(resource):
                    self.index.setdefault((self.kind[resource.urn], value), set()).add(resource.urn)
        for alias in self._side(KEY_ALIAS):
            for key in self.links(alias, "targetKeyId", "key"):
                for value in (alias.prop("name"), alias.prop("arn")):
                    if isinstance(value, str) and value:
                        self.index.setdefault(("key", value), set()).add(key)
        self.aliases = {
            key: str(alias.prop("name"))
            for alias in reversed(self._side(KEY_ALIAS))
            for key in self.links(alias, "targetKeyId", "key")
        }
        self.edges: dict[tuple[str, str], Edge] = {}
        # indexed once: scanning every node per policy Resource or every side resource per bucket was quadratic
        self.arns = sorted(
            (arn, urn) for urn in self.kind if isinstance(arn := graph.get(urn).prop("arn"), str) and arn
        )
        self.arn_keys = [arn for arn, _ in self.arns]
        self.owned: dict[tuple[str, str], list[Resource]] = {}
        for side in (BUCKET_POLICY, OBJECT_LOCK, SSE_CONFIG, BUCKET_VERSIONING):
            for resource in self._side(side):
                for bucket in self.links(resource, "bucket", "bucket"):
                    self.owned.setdefault((side, bucket), []).append(resource)
        self.ids = self._allocate_ids()

    # ---- lookups ----

    @staticmethod
    def _identities(resource: Resource) -> list[str]:
        values = [resource.id, *(resource.prop(k) for k in ("arn", "id", "bucket", "name", "keyId"))]
        found = [v for v in values if isinstance(v, str) and v]
        bucket = resource.prop("bucket")
        if NODE_KINDS.get(resource.type) == "bucket" and isinstance(bucket, str) and bucket:
            found.append(f"arn:aws:s3:::{bucket}")
        return found

    def _side(self, type_token: str) -> list[Resource]:
        return self.by_type.get(type_token, [])

    def resolve(self, value: str, kind: str) -> set[str]:
        """The nodes of ``kind`` a string names: exact identity, a log group ARN with ``:*``, or an S3 object ARN."""
        candidates = {value, value.removesuffix(":*")}
        if value.startswith("arn:") and ":s3:::" in value:
            candidates.add(value.split("/", 1)[0])
        return set().union(*(self.index.get((kind, c), set()) for c in candidates))

    def links(self, resource: Resource, prop: str, kind: str) -> list[str]:
        """Nodes of ``kind`` a property points at: its property dependencies plus the values it holds."""
        found = {u for u in resource.property_dependencies.get(prop, ()) if self.kind.get(u) == kind}
        for value in _strings(resource.prop(prop)):
            found |= self.resolve(value, kind)
        return sorted(found)

    def matching(self, pattern: str, kinds: Sequence[str]) -> list[str]:
        """Nodes whose ARN an IAM ``Resource`` pattern covers (``*`` alone is left out: it names nothing).

        Only ARNs that start with the pattern's literal prefix, or are a prefix of it, can match: those are found
        by bisection, so a pattern costs its matches, not the whole graph."""
        if pattern == "*":
            return []
        literal = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
        start = bisect_left(self.arn_keys, literal)
        end = bisect_left(self.arn_keys, literal + "\U0010ffff")
        candidates = self.arns[start:end] + [item for i in range(len(literal)) for item in self._arn_exact(literal[:i])]
        found = {
            urn
            for arn, urn in candidates
            if self.kind[urn] in kinds and any(fnmatchcase(c, pattern) for c in (arn, f"{arn}/*", f"{arn}:*"))
        }
        return sorted(found)

    def _arn_exact(self, arn: str) -> list[tuple[str, str]]:
        start = bisect_left(self.arn_keys, arn)
        end = bisect_left(self.arn_keys, arn + "\x00")
        return self.arns[start:end]

    def name(self, urn: str) -> str:
        return self.graph.get(urn).name

    # ---- ids and components ----

    def _allocate_ids(self) -> dict[str, str]:
        """URN -> unique id, for nodes and components; a sanitising collision gets a short URN hash."""
        items = [(f"{self.kind[u]}_{self.name(u)}", u) for u in self.kind]
        items += [(f"cmp_{self.graph.get(u).name}", u) for u in self.components()]
        bases = [(sanitize_id(base), urn) for base, urn in items]
        counts: dict[str, int] = {}
        for base, _ in bases:
            counts[base] = counts.get(base, 0) + 1
        return {
            urn: base if counts[base] == 1 else f"{base}_{hashlib.sha256(urn.encode()).hexdigest()[:8]}"
            for base, urn in bases
        }

    def _is_component(self, resource: Resource) -> bool:
        return not resource.custom and resource.type != STACK_TYPE and not resource.is_provider

    def _ancestors(self, urn: str) -> list[str]:
        """Component ancestors, nearest first (cycles and dangling parents end the walk)."""
        chain: list[str] = []
        parent = self.graph.get(urn).parent
        while parent and parent in self.graph and parent not in chain:
            resource = self.graph.get(parent)
            if self._is_component(resource):
                chain.append(parent)
            parent = resource.parent
        return chain

    def components(self) -> list[str]:
        """Components shown as subgraphs: every one holding a node, except a wrapper (``SecureBucket``) that holds
        a single node of its own name, which would only draw a box around one box."""
        held: dict[str, list[str]] = {}
        for urn in self.kind:
            for ancestor in self._ancestors(urn):
                held.setdefault(ancestor, []).append(urn)
        return sorted(
            c for c, inside in held.items() if len(inside) > 1 or self.name(inside[0]) != self.graph.get(c).name
        )

    def group(self, urn: str, shown: set[str]) -> str:
        return next((a for a in self._ancestors(urn) if a in shown), "")

    def groups(self, urns: Iterable[str], shown: set[str]) -> dict[str, list[str]]:
        """Shown component (``""`` for the top level) -> the ``urns`` drawn directly inside it."""
        inside: dict[str, list[str]] = {}
        for urn in urns:
            inside.setdefault(self.group(urn, shown), []).append(urn)
        return inside

    # ---- edges ----

    def edge(self, source: str, target: str, parts: Iterable[str], *, dotted: bool = False) -> None:
        if source == target:
            return
        key = (self.ids[source], self.ids[target])
        self.edges.setdefault(key, Edge(key[0], key[1], dotted)).add(parts)

    @cached_property
    def buckets(self) -> dict[str, BucketFacts]:
        return {u: self._bucket(u) for u, k in self.kind.items() if k == "bucket"}

    def _owned(self, type_token: str, bucket: str) -> list[Resource]:
        return self.owned.get((type_token, bucket), [])

    def _bucket(self, bucket: str) -> BucketFacts:
        policies = self._owned(BUCKET_POLICY, bucket)
        statements = [s for p in policies for s in _document(p.prop("policy"))]
        denies = [s for s in statements if s.get("Effect") == "Deny"]
        tls = ""
        if any(_is_false(v) for s in denies for v in _condition_values(s, ("Bool",), "aws:SecureTransport")):
            tls = "TLS-only"
            minimum = [v for s in denies for v in _condition_values(s, ("NumericLessThan",), "s3:TlsVersion")]
            tls += f" ({minimum[0]}+)" if minimum else ""
        vpce = [
            v
            for s in statements
            for v in _condition_values(
                s,
                ("StringNotEquals", "StringNotEqualsIfExists")
                if s.get("Effect") == "Deny"
                else ("StringEquals", "StringEqualsIfExists"),
                "aws:SourceVpce",
            )
        ]
        endpoints = sorted({e for v in vpce for e in self.resolve(v, "endpoint")})
        fallback = sorted(
            {u for p in policies for u in p.property_dependencies.get("policy", ()) if self.kind.get(u) == "endpoint"}
        )
        lock = ""
        for config in self._owned(OBJECT_LOCK, bucket):
            retention = _mapping(_mapping(config.prop("rule")).get("defaultRetention"))
            period = f"{retention['days']}d" if retention.get("days") else f"{retention.get('years', '?')}y"
            lock = f"object lock {retention.get('mode', '?')} {period}" if retention else "object lock"
        if not lock and self.graph.get(bucket).prop("objectLockEnabled") is True:
            lock = "object lock"
        keys: set[str] = set()
        bucket_key = sse_s3 = False
        for config in self._owned(SSE_CONFIG, bucket):
            for rule in _as_list(config.prop("rules")):
                default = _mapping(_mapping(rule).get("applyServerSideEncryptionByDefault"))
                algorithm = str(default.get("sseAlgorithm", ""))
                if algorithm.startswith("aws:kms"):
                    keys |= set(self.links(config, "rules", "key"))
                    bucket_key = bucket_key or _mapping(rule).get("bucketKeyEnabled") is True
                sse_s3 = sse_s3 or algorithm == "AES256"
        versioned = any(
            _mapping(v.prop("versioningConfiguration")).get("status") == "Enabled"
            for v in self._owned(BUCKET_VERSIONING, bucket)
        )
        return BucketFacts(
            tls=tls,
            vpce=tuple(endpoints),
            vpce_fallback=tuple(fallback) if policies and not statements else (),
            lock=lock,
            keys=tuple(sorted(keys)),
            bucket_key=bucket_key,
            sse_s3=sse_s3,
            versioned=versioned,
            statements=tuple(statements),
        )

    def service_bound(self, facts: BucketFacts, service: str) -> str:
        """``SourceArn-bound`` when the bucket admits ``service`` only with a source condition."""
        admits = [s for s in facts.statements if s.get("Effect") == "Allow" and service in _service_principals(s)]
        sources = ("aws:SourceArn", "aws:SourceAccount")
        if admits and all(any(_has_condition_key(s, k) for k in sources) for s in admits):
            return (
                "SourceArn-bound"
                if all(_has_condition_key(s, "aws:SourceArn") for s in admits)
                else "SourceAccount-bound"
            )
        return ""

    def key_label(self, key: str) -> str:
        return f"SSE-KMS with key {self.name(key)}"

    def build(self) -> None:
        buckets = self.buckets
        for bucket, facts in buckets.items():
            for key in facts.keys:
                self.edge(bucket, key, [self.key_label(key), "bucket key" if facts.bucket_key else ""], dotted=True)
            for endpoint in facts.vpce:
                self.edge(endpoint, bucket, ["via VPC endpoint", *facts.inbound(writes=True)])
            for endpoint in facts.vpce_fallback:
                self.edge(endpoint, bucket, ["bucket policy depends on endpoint (policy unknown until apply)"])
        for logging in self._side(BUCKET_LOGGING):
            for target in self.links(logging, "targetBucket", "bucket"):
                bound = self.service_bound(buckets[target], "logging.s3.amazonaws.com")
                for source in self.links(logging, "bucket", "bucket"):
                    self.edge(source, target, ["server access logs", *buckets[target].inbound(writes=True), bound])
        for urn, kind in sorted(self.kind.items()):
            resource = self.graph.get(urn)
            if kind in ("loggroup", "secret"):
                for key in self.links(resource, "kmsKeyId", "key"):
                    self.edge(urn, key, [self.key_label(key)], dotted=True)
            elif kind == "flowlog":
                self._flow_log(resource)
            elif kind == "trail":
                self._trail(resource, buckets)
            elif kind == "role":
                self._role(resource, buckets)

    def _via_role(self, resource: Resource, prop: str) -> str:
        roles = self.links(resource, prop, "role")
        return f"delivered by role {', '.join(self.name(r) for r in roles)}" if roles else ""

    def _flow_log(self, flow_log: Resource) -> None:
        traffic = f"traffic {flow_log.prop('trafficType')}" if flow_log.prop("trafficType") else "traffic"
        for vpc in self.links(flow_log, "vpcId", "vpc"):
            self.edge(vpc, flow_log.urn, [traffic])
        for group in self.links(flow_log, "logDestination", "loggroup"):
            self.edge(flow_log.urn, group, ["flow log records", self._via_role(flow_log, "iamRoleArn")])
        for bucket in self.links(flow_log, "logDestination", "bucket"):
            self.edge(flow_log.urn, bucket, ["flow log records"])

    def _trail(self, trail: Resource, buckets: Mapping[str, BucketFacts]) -> None:
        validated = "log files (validated)" if trail.prop("enableLogFileValidation") is True else "log files"
        for bucket in self.links(trail, "s3BucketName", "bucket"):
            facts = buckets[bucket]
            bound = self.service_bound(facts, "cloudtrail.amazonaws.com")
            self.edge(trail.urn, bucket, [validated, *facts.inbound(writes=True), bound])
        for group in self.links(trail, "cloudWatchLogsGroupArn", "loggroup"):
            self.edge(trail.urn, group, ["events", self._via_role(trail, "cloudWatchLogsRoleArn")])
        for key in self.links(trail, "kmsKeyId", "key"):
            self.edge(trail.urn, key, [self.key_label(key)], dotted=True)
        for selector in _as_list(trail.prop("advancedEventSelectors")):
            fields = _mapping(selector).get("fieldSelectors")
            for item in _as_list(fields):
                if isinstance(item, Mapping) and item.get("field") == "resources.ARN":
                    values = [*_strings(item.get("startsWiths")), *_strings(item.get("equals"))]
                    for bucket in sorted({b for v in values for b in self.resolve(v, "bucket")}):
                        self.edge(bucket, trail.urn, ["S3 data events"])

    def _role_statements(self, role: Resource) -> list[dict[str, Any]]:
        """Allow statements of the role's inline policies (property or RolePolicy) and attached managed policies."""
        documents = [p.get("policy") for p in _as_list(role.prop("inlinePolicies")) if isinstance(p, Mapping)]
        documents += [p.prop("policy") for p in self.role_sides.get((ROLE_POLICY, role.urn), [])]
        policies = self.managed_policies
        for attachment in self.role_sides.get((ROLE_POLICY_ATTACHMENT, role.urn), []):
            if attachment.prop("policyArn") in policies:
                documents.append(policies[attachment.prop("policyArn")].prop("policy"))
        return [s for d in documents for s in _document(d) if s.get("Effect") == "Allow"]

    @cached_property
    def role_sides(self) -> dict[tuple[str, str], list[Resource]]:
        """(side type, role URN) -> the role policies and policy attachments naming that role."""
        sides: dict[tuple[str, str], list[Resource]] = {}
        for side in (ROLE_POLICY, ROLE_POLICY_ATTACHMENT):
            for resource in self._side(side):
                for role in self.links(resource, "role", "role"):
                    sides.setdefault((side, role), []).append(resource)
        return sides

    @cached_property
    def managed_policies(self) -> dict[Any, Resource]:
        return {r.prop("arn"): r for r in self._side(MANAGED_POLICY)}

    def _role(self, role: Resource, buckets: Mapping[str, BucketFacts]) -> None:
        vias: dict[str, list[str]] = {}  # key -> kms:ViaService values over all statements (one label per edge)
        for statement in self._role_statements(role):
            actions = [str(a) for a in _as_list(statement.get("Action"))]
            targets = sorted({u for p in _as_list(statement.get("Resource")) for u in self.matching(str(p), KINDS)})
            for target in targets:
                kind = self.kind[target]
                if kind == "bucket":
                    self._role_bucket(role.urn, target, actions, buckets[target])
                elif kind == "key":
                    self.edge(role.urn, target, [_kms_verbs(actions)])
                    via = _condition_values(statement, ("StringEquals", "StringLike"), "kms:ViaService")
                    vias.setdefault(target, []).extend(via)
                elif actions:
                    self.edge(role.urn, target, [_verbs(actions)])
        for target, via in vias.items():
            self.edge(role.urn, target, [_via_label(via)])

    def _role_bucket(self, role: str, bucket: str, actions: Sequence[str], facts: BucketFacts) -> None:
        verbs = _s3_verbs(actions)
        if not verbs:
            return
        if facts.vpce:
            for endpoint in facts.vpce:
                self.edge(role, endpoint, [f"{verb} {self.name(bucket)}" for verb in verbs])
        else:
            self.edge(role, bucket, [", ".join(verbs), *facts.inbound(writes="write" in verbs)])

    # ---- nodes ----

    def node(self, urn: str) -> Node:
        resource = self.graph.get(urn)
        kind = self.kind[urn]
        return Node(resource, kind, self.ids[urn], LINE.join(escape_label(t) for t in self._label(resource, kind)))

    def _label(self, resource: Resource, kind: str) -> list[str]:
        prop = resource.prop
        details: list[str] = []
        if kind == "bucket":
            facts = self.buckets[resource.urn]
            details = ["S3 bucket", "SSE-S3" if facts.sse_s3 else "", "versioned" if facts.versioned else ""]
        elif kind == "key":
            rotation = f"rotation {prop('rotationPeriodInDays') or 365}d" if prop("enableKeyRotation") is True else ""
            details = [self.aliases.get(resource.urn, "KMS key"), rotation]
        elif kind == "role":
            details = ["IAM role", str(prop("name") or "")]
        elif kind == "endpoint":
            service = str(prop("serviceName") or "").split(".", 3)[-1]
            details = [f"{prop('vpcEndpointType') or 'VPC'} endpoint", service]
        elif kind == "trail":
            details = [
                "CloudTrail",
                "multi-region" if prop("isMultiRegionTrail") is True else "",
                "global events" if prop("includeGlobalServiceEvents") is True else "",
            ]
        elif kind == "loggroup":
            retention = prop("retentionInDays")
            details = ["log group", f"retention {retention}d" if retention else "never expires"]
        else:
            details = [
                {"flowlog": "VPC flow log", "secret": "secret", "vpc": "VPC"}[kind],
                str(prop("cidrBlock") or ""),
            ]
        return [resource.name, ", ".join(d for d in details if d)]


def _s3_verbs(actions: Sequence[str]) -> list[str]:
    def covers(sample: str) -> bool:
        return any(fnmatchcase(sample.lower(), a.lower()) for a in actions)

    verbs = ["read"] if covers("s3:GetObject") or covers("s3:ListBucket") else []
    return verbs + (["write"] if covers("s3:PutObject") or covers("s3:DeleteObject") else [])


def _kms_verbs(actions: Sequence[str]) -> str:
    def covers(sample: str) -> bool:
        return any(fnmatchcase(sample.lower(), a.lower()) for a in actions)

    samples = (("decrypt", "kms:Decrypt"), ("encrypt", "kms:GenerateDataKey"), ("grant", "kms:CreateGrant"))
    verbs = [v for v, sample in samples if covers(sample)]
    return ", ".join(verbs) or "use"


#: ``kms:ViaService`` prefix -> the service a reader knows (EBS calls KMS as ec2.<region>).
VIA_SERVICE_NAMES = {"s3": "S3", "ec2": "EBS", "secretsmanager": "Secrets Manager"}


def _via_label(values: Sequence[str]) -> str:
    services = sorted({VIA_SERVICE_NAMES.get(v.split(".", 1)[0], v) for v in values})
    return f"via {' or '.join(services)} only" if services else ""


def _verbs(actions: Sequence[str]) -> str:
    names = [a.split(":", 1)[-1] for a in actions]
    verbs = ["read"] if any(READ_VERB.match(n) for n in names) else []
    return ", ".join(verbs + (["write"] if any(not READ_VERB.match(n) for n in names) else []))


def _render_group(
    builder: _Builder, component: str, nodes: dict[str, list[Node]], subgroups: Mapping[str, list[str]]
) -> list[str]:
    resource = builder.graph.get(component)
    title = escape_label(f"{resource.name} ({resource.type.rsplit(':', 1)[-1]})")
    lines = [f'subgraph {builder.ids[component]}["{title}"]']
    lines += ["  " + _node_line(n) for n in nodes.get(component, [])]
    for child in sorted(subgroups.get(component, []), key=lambda c: builder.ids[c]):
        lines += ["  " + line for line in _render_group(builder, child, nodes, subgroups)]
    return [*lines, "end"]


def _node_line(node: Node) -> str:
    opening, closing = SHAPES.get(node.kind, DEFAULT_SHAPE)
    return f'{node.id}{opening}"{node.label}"{closing}'


def mermaid_diagram(graph: ResourceGraph) -> str:
    """The secure data flow of ``graph`` as Mermaid ``flowchart LR`` text (sorted; identical across runs)."""
    builder = _Builder(graph)
    builder.build()
    shown = set(builder.components())
    nodes: dict[str, list[Node]] = {}
    for node in sorted((builder.node(u) for u in builder.kind), key=lambda n: n.id):
        nodes.setdefault(builder.group(node.resource.urn, shown), []).append(node)
    lines = [f"%% {graph.project} stack {graph.stack}: generated by `baseline diagram`, do not edit", "flowchart LR"]
    subgroups = builder.groups(shown, shown)
    for component in sorted(subgroups.get("", []), key=lambda c: builder.ids[c]):
        lines += ["  " + line for line in _render_group(builder, component, nodes, subgroups)]
    lines += ["  " + _node_line(n) for n in nodes.get("", [])]
    for edge in sorted(builder.edges.values(), key=lambda e: (e.source, e.target)):
        arrow = "-.->" if edge.dotted else "-->"
        label = escape_label("; ".join(edge.parts))
        lines.append(
            f'  {edge.source} {arrow}|"{label}"| {edge.target}' if label else f"  {edge.source} {arrow} {edge.target}"
        )
    by_kind: dict[str, list[str]] = {}
    for node in (n for group in nodes.values() for n in group):
        by_kind.setdefault(node.kind, []).append(node.id)
    for kind in sorted(by_kind):
        lines += [f"  classDef {kind} {CLASS_STYLES[kind]}", f"  class {','.join(sorted(by_kind[kind]))} {kind}"]
    return "\n".join(lines) + "\n"

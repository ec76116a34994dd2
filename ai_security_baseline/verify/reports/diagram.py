"""The reviewer's pictures: Mermaid ``flowchart LR`` views of a stack, derived only from graph facts.

One all-edges picture of a stack is too dense to read, so each view answers one question (``DIAGRAM_VIEWS``):

- ``dataflow``: who reaches which data. Role -> VPC endpoint -> bucket, from the resources of the role's policies'
  Allow statements and the bucket policy's ``aws:SourceVpce`` values (role -> bucket where no endpoint is
  required; in a preview where the bucket policy is unknown, the endpoints the policy property depends on);
- ``encryption``: what encrypts what. Bucket (SSE configuration), log group, secret and trail (``kmsKeyId``), guardrail
  (``kmsKeyArn``) -> key;
- ``audit``: where the evidence lands. Trail -> audit bucket and log group, VPC -> flow log -> log group, bucket ->
  access-log bucket (server access logging), bucket -> trail (data event selectors);
- ``detection``: what scans the data, records the configuration, filters DNS and routes findings;
- ``ai``: the AI layer. Inference role -> guardrail version -> Bedrock models (the role's guardrail condition),
  guardrail -> key, invocation logging -> archive and log group, Studio domain -> subnets, key and execution role,
  roles -> model package groups (register, approve).

Edges come from what the graph records, never from names, and are labelled by what protects that hop. Nodes of one
kind linked alike (same peers, same labels) are drawn as one node (``3 S3 buckets``), so N parallel edges become
one. The text is sorted and contains nothing run-dependent, so it can be committed and diffed.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from typing import Any

from ai_security_baseline.controls.kit import UNKNOWN
from ai_security_baseline.controls.vocabulary import (
    APPROVE_PACKAGE,
    BEDROCK_INVOKE_ACTIONS,
    BEDROCK_LOGGING_TYPE,
    BEDROCK_SERVICE,
    BUCKET_LOGGING,
    BUCKET_OBJECT_LOCK,
    BUCKET_POLICY,
    BUCKET_SSE,
    BUCKET_VERSIONING,
    DIAGRAM_VIEWS,
    GUARDRAIL_ID_KEY,
    GUARDRAIL_TYPE,
    GUARDRAIL_VERSION_TYPE,
    KMS_ALIAS,
    MANAGED_POLICY,
    MODEL_APPROVAL_KEY,
    MODEL_APPROVED,
    MODEL_PACKAGE_GROUP,
    PROMPT_ATTACK,
    REGISTER_PACKAGE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SAGEMAKER_DOMAIN,
    SAGEMAKER_USER_PROFILE,
    SECURITY_GROUP,
    SUBNET,
    guardrail_version_arn,
)
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph

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
    # detection: what watches the account and the data (the detection view)
    "aws:guardduty/detector:Detector": "detector",
    "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan": "scanner",
    "aws:securityhub/account:Account": "hub",
    "aws:cfg/recorder:Recorder": "recorder",
    "aws:route53/resolverQueryLogConfig:ResolverQueryLogConfig": "querylog",
    "aws:route53/resolverFirewallRuleGroup:ResolverFirewallRuleGroup": "dnsfirewall",
    "aws:cloudwatch/eventRule:EventRule": "eventrule",
    "aws:sns/topic:Topic": "topic",
    # the AI layer (the ai view); subnets and security groups are resolved, drawn only as an edge's end
    GUARDRAIL_TYPE: "guardrail",
    GUARDRAIL_VERSION_TYPE: "guardrailversion",
    BEDROCK_LOGGING_TYPE: "invocationlog",
    SAGEMAKER_DOMAIN: "studio",
    MODEL_PACKAGE_GROUP: "packagegroup",
    SUBNET: "subnet",
    SECURITY_GROUP: "securitygroup",
}
#: Side resources that link the detection nodes.
CONFIG_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
QUERY_LOG_ASSOCIATION = "aws:route53/resolverQueryLogConfigAssociation:ResolverQueryLogConfigAssociation"
FIREWALL_ASSOCIATION = "aws:route53/resolverFirewallRuleGroupAssociation:ResolverFirewallRuleGroupAssociation"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
#: EventBridge event source -> the node kind whose findings it carries.
FINDING_SOURCES: dict[str, str] = {"aws.guardduty": "detector", "aws.securityhub": "hub"}
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
    "sse": "fill:#f7fafc,stroke:#6b46c1,stroke-dasharray:4",
    **dict.fromkeys(
        ("detector", "scanner", "hub", "recorder", "querylog", "dnsfirewall", "eventrule", "topic"),
        "fill:#fffaf0,stroke:#c05621",
    ),
    **dict.fromkeys(("guardrail", "guardrailversion", "fmodel"), "fill:#fff5f7,stroke:#b83280"),
    "invocationlog": "fill:#f7fafc,stroke:#4a5568",
    "studio": "fill:#e6fffa,stroke:#2c7a7b",
    "subnet": "fill:#f0fff4,stroke:#2f855a",
    "packagegroup": "fill:#ebf4ff,stroke:#2b6cb0",
}
#: The views, the first is the default (the one the Markdown report embeds).
VIEWS: tuple[str, ...] = DIAGRAM_VIEWS
#: Kinds a view shows even unlinked (a bucket nobody reaches, a key nothing uses); others only as an edge's end.
VIEW_ALWAYS: dict[str, frozenset[str]] = {
    "dataflow": frozenset({"role", "bucket"}),
    "encryption": frozenset({"bucket", "key", "loggroup"}),
    "audit": frozenset({"trail", "loggroup"}),
    "detection": frozenset({"detector", "scanner", "hub", "recorder", "querylog", "dnsfirewall"}),
    "ai": frozenset({"guardrail", "guardrailversion", "invocationlog", "studio", "packagegroup"}),
}
#: This many nodes alike or more are drawn as one; a label lists this many names before counting the rest. The data
#: flow keeps a box per bucket longer: which bucket a role reaches is that view's question.
MERGE_AT: dict[str, int] = {"dataflow": 7, "encryption": 3, "audit": 3, "detection": 3, "ai": 3}
LISTED = 6
#: A role's edge names up to this many buckets per verb, then counts them.
REACH_NAMED = 3
#: Kind -> (singular, plural) as a box names it.
NOUNS: dict[str, tuple[str, str]] = {
    "bucket": ("S3 bucket", "S3 buckets"),
    "loggroup": ("log group", "log groups"),
    "role": ("IAM role", "IAM roles"),
    "endpoint": ("endpoint", "endpoints"),
    "secret": ("secret", "secrets"),
    "subnet": ("subnet", "subnets"),
    "packagegroup": ("model package group", "model package groups"),
}
#: What a detection box says it is.
DETECTION_NOUNS: dict[str, str] = {
    "detector": "GuardDuty detector",
    "scanner": "GuardDuty malware protection plan",
    "hub": "Security Hub",
    "recorder": "AWS Config recorder",
    "querylog": "Resolver query logging",
    "dnsfirewall": "DNS Firewall rule group",
    "eventrule": "EventBridge rule",
    "topic": "SNS topic",
}
#: The node standing for S3-managed keys (SSE-S3), which no resource represents.
SSE_S3 = "sse-s3"
#: The node standing for the Bedrock models roles may invoke (AWS-owned: no resource of the stack).
BEDROCK_MODELS = "bedrock-models"
#: A foundation model or inference profile ARN: what a Bedrock invocation statement's ``Resource`` names.
BEDROCK_MODEL_ARN = re.compile(r"^arn:[^:]+:bedrock:[^:]*:[^:]*:(?:foundation-model|[a-z-]*inference-profile)/(.+)$")
#: Route targets that leave the VPC (internet, NAT, egress-only gateways): a subnet without one is isolated.
EGRESS_TARGETS: tuple[str, ...] = ("gatewayId", "natGatewayId", "egressOnlyGatewayId", "transitGatewayId")
#: Invocation logging's delivery switches (``loggingConfig``), by what they deliver.
DELIVERIES: tuple[tuple[str, str], ...] = (
    ("text", "textDataDeliveryEnabled"),
    ("image", "imageDataDeliveryEnabled"),
    ("embedding", "embeddingDataDeliveryEnabled"),
    ("video", "videoDataDeliveryEnabled"),
)
CLOUDTRAIL = "cloudtrail.amazonaws.com"
UNKNOWN_POLICY = "bucket policy depends on endpoint (policy unknown until apply)"
SAFE_LABEL = re.compile(r"[A-Za-z0-9 _.,:;/()+=*-]")
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
    """Every known non-empty string inside a property value (lists and objects walked): a preview's unknown
    placeholder names nothing, or it would link every resource whose identity is unknown too."""
    if isinstance(value, str):
        if value and value != UNKNOWN:
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


def _json(value: Any) -> Any:
    """A JSON-encoded property (an event pattern) decoded; anything else as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


# --- model ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """What a box shows: a name, its details, and for a node standing for several alike, their names."""

    kind: str
    id: str
    name: str
    details: tuple[str, ...]
    members: tuple[str, ...] = ()


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
            key: name
            for alias in reversed(self._side(KEY_ALIAS))
            if (name := _known(alias.prop("name")))
            for key in self.links(alias, "targetKeyId", "key")
        }
        self.edges: dict[str, dict[tuple[str, str], Edge]] = {view: {} for view in VIEWS}
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
        self.models: set[str] = set()  # what the Bedrock models box lists: the models roles may invoke

    # ---- lookups ----

    @staticmethod
    def _identities(resource: Resource) -> list[str]:
        values = [resource.id, *(resource.prop(k) for k in ("arn", "id", "bucket", "name", "keyId"))]
        found = [v for v in values if isinstance(v, str) and v and v != UNKNOWN]
        guardrail, version = _known(resource.prop("guardrailArn")), _known(resource.prop("version"))
        if NODE_KINDS.get(resource.type) == "guardrailversion" and guardrail and version:
            found.append(guardrail_version_arn(guardrail, version))  # what bedrock:GuardrailIdentifier carries
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

    # ---- ids ----

    def _allocate_ids(self) -> dict[str, str]:
        """URN -> unique id; a sanitising collision gets a short URN hash."""
        bases = [(sanitize_id(f"{self.kind[u]}_{self.name(u)}"), u) for u in self.kind]
        counts: dict[str, int] = {}
        for base, _ in bases:
            counts[base] = counts.get(base, 0) + 1
        ids = {
            urn: base if counts[base] == 1 else f"{base}_{hashlib.sha256(urn.encode()).hexdigest()[:8]}"
            for base, urn in bases
        }
        # no resource kind is "sse" or "fmodel", so these ids cannot collide
        return {**ids, SSE_S3: "sse_s3", BEDROCK_MODELS: "fmodel_bedrock"}

    # ---- edges ----

    def edge(self, view: str, source: str, target: str, parts: Iterable[str], *, dotted: bool = False) -> None:
        if source != target:
            self.edges[view].setdefault((source, target), Edge(source, target, dotted)).add(parts)

    def build(self) -> None:
        buckets = self.buckets
        for bucket, facts in buckets.items():
            for key in facts.keys:
                self.edge("encryption", bucket, key, ["SSE-KMS", "bucket key" if facts.bucket_key else ""], dotted=True)
            if facts.sse_s3 and not facts.keys:
                self.edge("encryption", bucket, SSE_S3, ["SSE-S3"], dotted=True)
            for endpoint in facts.vpce:
                self.edge("dataflow", endpoint, bucket, ["only via this endpoint", facts.tls])
            for endpoint in facts.vpce_fallback:
                self.edge(
                    "dataflow", endpoint, bucket, ["bucket policy depends on endpoint (policy unknown until apply)"]
                )
        for logging in self._side(BUCKET_LOGGING):
            for target in self.links(logging, "targetBucket", "bucket"):
                bound = self.service_bound(buckets[target], "logging.s3.amazonaws.com")
                for source in self.links(logging, "bucket", "bucket"):
                    self.edge("audit", source, target, ["server access logs", buckets[target].tls, bound])
        for urn, kind in sorted(self.kind.items()):
            resource = self.graph.get(urn)
            if kind in ("loggroup", "secret"):
                for key in self.links(resource, "kmsKeyId", "key"):
                    self.edge("encryption", urn, key, ["SSE-KMS"], dotted=True)
            elif kind == "flowlog":
                self._flow_log(resource)
            elif kind == "trail":
                self._trail(resource, buckets)
            elif kind == "role":
                self._role(resource, buckets)
                self._bedrock(resource)
                self._registry(resource)
            elif kind == "guardrail":
                for key in self.links(resource, "kmsKeyArn", "key"):
                    for view in ("encryption", "ai"):
                        self.edge(view, urn, key, ["SSE-KMS"], dotted=True)
            elif kind == "guardrailversion":
                for guardrail in self.links(resource, "guardrailArn", "guardrail"):
                    self.edge("ai", urn, guardrail, ["published version of"])
            elif kind == "invocationlog":
                self._invocation_logging(resource, buckets)
            elif kind == "studio":
                self._studio(resource)
        self._detection()

    def _detection(self) -> None:
        """Detection view: what scans the data, records the configuration, logs and filters DNS, and routes findings."""
        for urn, kind in sorted(self.kind.items()):
            resource = self.graph.get(urn)
            if kind == "scanner":
                target = _mapping(_mapping(resource.prop("protectedResource")).get("s3Bucket")).get("bucketName")
                for bucket in self.resolve(str(target or ""), "bucket"):
                    self.edge("detection", urn, bucket, ["malware scan of new objects, result tagged"])
            elif kind == "querylog":
                for group in self.links(resource, "destinationArn", "loggroup"):
                    self.edge("detection", urn, group, ["DNS queries and firewall verdicts"])
            elif kind == "eventrule":
                pattern = _mapping(_json(resource.prop("eventPattern")))
                for source in _strings(pattern.get("source")):
                    for finder in (u for u, k in self.kind.items() if k == FINDING_SOURCES.get(source)):
                        self.edge("detection", finder, urn, ["findings"])
        recorders = [u for u, k in self.kind.items() if k == "recorder"]
        for channel in self._side(CONFIG_CHANNEL):
            for bucket in self.links(channel, "s3BucketName", "bucket"):
                for recorder in recorders:
                    self.edge("detection", recorder, bucket, ["configuration history"])
        for association in self._side(QUERY_LOG_ASSOCIATION):
            for config in self.links(association, "resolverQueryLogConfigId", "querylog"):
                for vpc in self.links(association, "resourceId", "vpc"):
                    self.edge("detection", vpc, config, ["DNS queries"])
        for association in self._side(FIREWALL_ASSOCIATION):
            for group in self.links(association, "firewallRuleGroupId", "dnsfirewall"):
                for vpc in self.links(association, "vpcId", "vpc"):
                    self.edge("detection", vpc, group, ["every DNS query filtered"])
        for target in self._side(EVENT_TARGET):
            for topic in self.links(target, "arn", "topic"):
                for rule in self.links(target, "rule", "eventrule"):
                    self.edge("detection", rule, topic, ["high-severity findings"])

    def _via_role(self, resource: Resource, prop: str) -> str:
        roles = self.links(resource, prop, "role")
        return f"delivered by role {', '.join(self.name(r) for r in roles)}" if roles else ""

    def _flow_log(self, flow_log: Resource) -> None:
        traffic = f"traffic {known}" if (known := _known(flow_log.prop("trafficType"))) else "traffic"
        for vpc in self.links(flow_log, "vpcId", "vpc"):
            self.edge("audit", vpc, flow_log.urn, [traffic])
        for group in self.links(flow_log, "logDestination", "loggroup"):
            self.edge("audit", flow_log.urn, group, ["flow log records", self._via_role(flow_log, "iamRoleArn")])
        for bucket in self.links(flow_log, "logDestination", "bucket"):
            self.edge("audit", flow_log.urn, bucket, ["flow log records"])

    def _trail(self, trail: Resource, buckets: Mapping[str, BucketFacts]) -> None:
        validated = "log files (validated)" if trail.prop("enableLogFileValidation") is True else "log files"
        for bucket in self.links(trail, "s3BucketName", "bucket"):
            facts = buckets[bucket]
            self.edge("audit", trail.urn, bucket, [validated, facts.tls, self.service_bound(facts, CLOUDTRAIL)])
        for group in self.links(trail, "cloudWatchLogsGroupArn", "loggroup"):
            self.edge("audit", trail.urn, group, ["events", self._via_role(trail, "cloudWatchLogsRoleArn")])
        for key in self.links(trail, "kmsKeyId", "key"):
            self.edge("encryption", trail.urn, key, ["SSE-KMS (log files)"], dotted=True)
        for selector in _as_list(trail.prop("advancedEventSelectors")):
            fields = _mapping(selector).get("fieldSelectors")
            for item in _as_list(fields):
                if isinstance(item, Mapping) and item.get("field") == "resources.ARN":
                    values = [*_strings(item.get("startsWiths")), *_strings(item.get("equals"))]
                    for bucket in sorted({b for v in values for b in self.resolve(v, "bucket")}):
                        self.edge("audit", bucket, trail.urn, ["S3 data events"])

    def _role_statements(self, role: Resource) -> list[dict[str, Any]]:
        """Allow statements of the role's inline policies (property or RolePolicy) and attached managed policies."""
        return [s for s in self._role_documents(role) if s.get("Effect") == "Allow"]

    def _role_documents(self, role: Resource) -> list[dict[str, Any]]:
        """Every statement of the role's inline policies (property or RolePolicy) and attached managed policies."""
        documents = [p.get("policy") for p in _as_list(role.prop("inlinePolicies")) if isinstance(p, Mapping)]
        documents += [p.prop("policy") for p in self.role_sides.get((ROLE_POLICY, role.urn), [])]
        policies = self.managed_policies
        for attachment in self.role_sides.get((ROLE_POLICY_ATTACHMENT, role.urn), []):
            if attachment.prop("policyArn") in policies:
                documents.append(policies[attachment.prop("policyArn")].prop("policy"))
        return [s for d in documents for s in _document(d)]

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
        """Role -> endpoint labelled with what it reaches behind it, or role -> bucket where no endpoint is required.

        Only buckets: the data flow is who reaches which data; key grants are the encryption view's business."""
        through: dict[str, dict[str, set[str]]] = {}  # endpoint -> verb -> bucket names
        for statement in self._role_statements(role):
            verbs = _s3_verbs([str(a) for a in _as_list(statement.get("Action"))])
            patterns = _as_list(statement.get("Resource"))
            for bucket in sorted({u for p in patterns for u in self.matching(str(p), ("bucket",))}):
                facts = buckets[bucket]
                for endpoint in facts.vpce:
                    for verb in verbs:
                        through.setdefault(endpoint, {}).setdefault(verb, set()).add(self.name(bucket))
                if verbs and not facts.vpce:
                    self.edge("dataflow", role.urn, bucket, [", ".join(verbs), facts.tls])
        for endpoint, by_verb in through.items():
            self.edge("dataflow", role.urn, endpoint, [_reach(v, by_verb[v]) for v in sorted(by_verb)])

    # ---- the AI layer ----

    def _bedrock(self, role: Resource) -> None:
        """Role -> guardrail version -> Bedrock models where the role's invocations must name that version
        (``bedrock:GuardrailIdentifier``); role -> models where an Allow names no guardrail: the gap to see."""
        statements = self._role_documents(role)
        denied = {
            value
            for s in statements
            if s.get("Effect") == "Deny" and _covers(s, BEDROCK_INVOKE_ACTIONS)
            for value in _condition_values(s, ("StringNotEquals",), GUARDRAIL_ID_KEY)
        }
        for statement in statements:
            if statement.get("Effect") != "Allow" or not _covers(statement, BEDROCK_INVOKE_ACTIONS):
                continue
            models = {m.group(1) for r in _strings(statement.get("Resource")) if (m := BEDROCK_MODEL_ARN.match(r))}
            models |= {"every model"} if "*" in _as_list(statement.get("Resource")) else set()
            if not models:
                continue
            self.models |= models
            required = _condition_values(statement, ("StringEquals",), GUARDRAIL_ID_KEY)
            versions = sorted({u for value in required for u in self.resolve(value, "guardrailversion")})
            for version in versions:
                others = "any other guardrail or none: denied" if denied >= set(required) else ""
                self.edge("ai", role.urn, version, ["invokes models only with this version", others])
                self.edge("ai", version, BEDROCK_MODELS, ["filters prompts and completions"])
            if not versions:
                gap = "invokes with a guardrail of no stack resource" if required else "invokes with no guardrail"
                self.edge("ai", role.urn, BEDROCK_MODELS, [gap])

    def _registry(self, role: Resource) -> None:
        """Role -> model package group: who registers versions, in which status, and who approves them."""
        statements = self._role_documents(role)
        approval_denied = any(
            s.get("Effect") == "Deny"
            and _covers(s, (APPROVE_PACKAGE,))
            and MODEL_APPROVED in _condition_values(s, ("StringEquals",), MODEL_APPROVAL_KEY)
            for s in statements
        )
        for statement in statements:
            if statement.get("Effect") != "Allow":
                continue
            statuses = _condition_values(statement, ("StringEquals",), MODEL_APPROVAL_KEY)
            registers = f"registers versions as {' or '.join(statuses)} only" if statuses else "registers versions"
            parts = [registers] if _covers(statement, (REGISTER_PACKAGE,)) else []
            parts += ["approves or rejects versions"] if _covers(statement, (APPROVE_PACKAGE,)) else []
            if not parts:
                continue
            patterns = [g for r in _strings(statement.get("Resource")) if (g := _group_pattern(r))]
            for group in sorted({u for p in patterns for u in self.matching(p, ("packagegroup",))}):
                self.edge(
                    "ai", role.urn, group, [*parts, f"setting {MODEL_APPROVED} denied" if approval_denied else ""]
                )

    def _invocation_logging(self, config: Resource, buckets: Mapping[str, BucketFacts]) -> None:
        """Invocation logging -> the archive bucket and the log group Bedrock delivers to, with their encryption."""
        settings = _mapping(config.prop("loggingConfig"))
        kinds = [kind for kind, flag in DELIVERIES if settings.get(flag) is True]
        what = f"invocation logs ({', '.join(kinds)})" if kinds else "invocation logs"
        for bucket in self.links(config, "loggingConfig", "bucket"):
            facts = buckets[bucket]
            bound = self.service_bound(facts, BEDROCK_SERVICE)
            self.edge("ai", config.urn, bucket, [what, facts.tls, bound, *self._encrypted(facts.keys)])
        for group in self.links(config, "loggingConfig", "loggroup"):
            keys = self.links(self.graph.get(group), "kmsKeyId", "key")
            via = self._via_role(config, "loggingConfig")
            self.edge("ai", config.urn, group, [what, via, *self._encrypted(keys)])

    def _encrypted(self, keys: Iterable[str]) -> list[str]:
        """``SSE-KMS <key box name>`` per key: the hop says what encrypts the records without another edge."""
        return [f"SSE-KMS {self.name(key)}" for key in keys]

    def _studio(self, domain: Resource) -> None:
        """Studio domain -> its subnets (network access, security groups), its key, and the role its apps run as."""
        settings = _mapping(domain.prop("domainSettings"))
        groups = {
            *self.links(domain, "domainSettings", "securitygroup"),
            *self.links(domain, "defaultUserSettings", "securitygroup"),
        }
        access = _network_access(domain)
        named = ", ".join(sorted(self.name(g) for g in groups))
        for subnet in self.links(domain, "subnetIds", "subnet"):
            apps = f"{access} apps" if access else "apps (network access unknown until apply)"
            self.edge("ai", domain.urn, subnet, [apps, f"security group {named}" if named else ""])
        for key in self.links(domain, "kmsKeyId", "key"):
            self.edge("ai", domain.urn, key, ["SSE-KMS (home EFS)"], dotted=True)
        users: dict[str, list[str]] = {
            role: ["domain default"] for role in self.links(domain, "defaultUserSettings", "role")
        }
        for profile in self._side(SAGEMAKER_USER_PROFILE):
            if domain.urn in self.links(profile, "domainId", "studio"):
                for role in self.links(profile, "userSettings", "role"):
                    name = _known(profile.prop("userProfileName")) or profile.name
                    users.setdefault(role, []).append(f"profile {name}")
        identity = (
            "sourceIdentity = profile name"
            if settings.get("executionRoleIdentityConfig") == "USER_PROFILE_NAME"
            else ""
        )
        for role, who in users.items():
            shown = ", ".join(who) if len(who) <= REACH_NAMED else f"{who[0]} and {len(who) - 1} profiles"
            self.edge("ai", domain.urn, role, [f"apps run as ({shown})", identity])

    @cached_property
    def isolated_subnets(self) -> set[str]:
        """Subnets whose route tables are all known and have no route out of the VPC (routes inline or as resources)."""
        tables = {t.urn: t for t in self._side(ROUTE_TABLE)}
        by_id = {t.id: t.urn for t in tables.values() if t.id}

        def table_of(resource: Resource) -> set[str]:
            found = {u for u in resource.property_dependencies.get("routeTableId", ()) if u in tables}
            return found | {by_id[v] for v in _strings(resource.prop("routeTableId")) if v in by_id}

        leaving = {u for u, t in tables.items() if _leaves(t.prop("routes"))}
        leaving |= {u for route in self._side(ROUTE) if _egress(route.inputs) for u in table_of(route)}
        routed: dict[str, list[set[str]]] = {}  # subnet -> the route tables of each of its associations
        for association in self._side(ROUTE_TABLE_ASSOCIATION):
            for subnet in self.links(association, "subnetId", "subnet"):
                routed.setdefault(subnet, []).append(table_of(association))
        return {subnet for subnet, found in routed.items() if all(found) and not set().union(*found) & leaving}

    # ---- nodes ----

    def node(self, urn: str) -> Node:
        if urn == SSE_S3:
            return Node("sse", self.ids[urn], "S3-managed keys", ("SSE-S3, no KMS key",))
        if urn == BEDROCK_MODELS:
            return Node("fmodel", self.ids[urn], "Bedrock models", ("allowlisted",), tuple(sorted(self.models)))
        resource = self.graph.get(urn)
        kind = self.kind[urn]
        return Node(kind, self.ids[urn], resource.name, tuple(d for d in self._details(resource, kind) if d))

    def _details(self, resource: Resource, kind: str) -> list[str]:
        prop = resource.prop
        if kind == "bucket":
            facts = self.buckets[resource.urn]
            return ["S3 bucket", "versioned" if facts.versioned else "", facts.lock]
        if kind == "key":
            rotation = f"rotation {prop('rotationPeriodInDays') or 365}d" if prop("enableKeyRotation") is True else ""
            return [self.aliases.get(resource.urn, "KMS key"), rotation]
        if kind == "role":
            return ["IAM role", _known(prop("name"))]
        if kind == "endpoint":
            service = _known(prop("serviceName")).split(".", 3)[-1]
            return [f"{_known(prop('vpcEndpointType')) or 'VPC'} endpoint", service]
        if kind == "trail":
            return [
                "CloudTrail",
                "multi-region" if prop("isMultiRegionTrail") is True else "",
                "global events" if prop("includeGlobalServiceEvents") is True else "",
            ]
        if kind == "loggroup":
            retention = prop("retentionInDays")
            if retention == UNKNOWN:
                return ["log group"]
            return ["log group", f"retention {retention}d" if retention else "never expires"]
        if kind in DETECTION_NOUNS:
            return [DETECTION_NOUNS[kind]]
        if kind in AI_DETAILS:
            return AI_DETAILS[kind](self, resource)
        return [{"flowlog": "VPC flow log", "secret": "secret", "vpc": "VPC"}[kind], _known(prop("cidrBlock"))]

    def view(self, view: str) -> tuple[list[Node], list[Edge]]:
        """The nodes and edges of one view, before aggregation: the kinds it always shows, plus every edge's ends."""
        edges = sorted(self.edges[view].values(), key=lambda e: (self.ids[e.source], self.ids[e.target]))
        shown = {u for u, k in self.kind.items() if k in VIEW_ALWAYS[view]}
        shown |= {end for e in edges for end in (e.source, e.target)}
        return [self.node(u) for u in shown], edges


def _reach(verb: str, buckets: set[str]) -> str:
    """``read a, b`` for a few buckets, ``read 40 buckets`` for many: a label stays one line."""
    names = sorted(buckets)
    return f"{verb} {', '.join(names)}" if len(names) <= REACH_NAMED else f"{verb} {len(names)} buckets"


def _s3_verbs(actions: Sequence[str]) -> list[str]:
    def covers(sample: str) -> bool:
        return any(fnmatchcase(sample.lower(), a.lower()) for a in actions)

    verbs = ["read"] if covers("s3:GetObject") or covers("s3:ListBucket") else []
    return verbs + (["write"] if covers("s3:PutObject") or covers("s3:DeleteObject") else [])


def _covers(statement: Mapping[str, Any], actions: Iterable[str]) -> bool:
    """Whether the statement's ``Action`` patterns cover any of ``actions``."""
    patterns = [str(a).lower() for a in _as_list(statement.get("Action"))]
    return any(fnmatchcase(action.lower(), p) for action in actions for p in patterns)


def _group_pattern(resource: str) -> str:
    """The model package groups a ``model-package/<group>/<version>`` pattern covers, as a group ARN pattern; empty
    for any other resource. A versioned package's ARN names its group
    (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html)."""
    head, marker, tail = resource.partition(":model-package/")
    return f"{head}:model-package-group/{tail.rsplit('/', 1)[0]}" if marker else ""


def _egress(route: Any) -> bool:
    """Whether a route (inline or a Route resource's inputs) leaves the VPC; an unknown target counts as leaving."""
    return not isinstance(route, Mapping) or any(
        isinstance(v := route.get(k), str) and v not in ("", "local") for k in EGRESS_TARGETS
    )


def _known(value: Any) -> str:
    """A scalar property as text; empty when absent or unknown until apply."""
    return "" if value is None or value == UNKNOWN else str(value)


def _leaves(routes: Any) -> bool:
    """Whether a route table's inline ``routes`` leave the VPC; unknown (a preview placeholder) counts as leaving."""
    return routes is not None and (not isinstance(routes, list) or any(_egress(r) for r in routes))


def _guardrail_details(builder: _Builder, resource: Resource) -> list[str]:
    """What a guardrail filters, from its policy configurations."""
    prop = resource.prop
    content = [_mapping(f).get("type") for f in _as_list(_mapping(prop("contentPolicyConfig")).get("filtersConfigs"))]
    present = [
        ("content filters", any(t != PROMPT_ATTACK for t in content)),
        ("prompt attack filter", PROMPT_ATTACK in content),
        ("PII", bool(_as_list(_mapping(prop("sensitiveInformationPolicyConfig")).get("piiEntitiesConfigs")))),
        ("denied topics", bool(_as_list(_mapping(prop("topicPolicyConfig")).get("topicsConfigs")))),
        ("grounding", bool(_as_list(_mapping(prop("contextualGroundingPolicyConfig")).get("filtersConfigs")))),
    ]
    return ["Bedrock guardrail", *(name for name, on in present if on)]


def _network_access(domain: Resource) -> str:
    """A domain's app network access; AWS's default when unset (``AppNetworkAccessType``:
    https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html), empty when unknown."""
    access = domain.prop("appNetworkAccessType")
    return "PublicInternetOnly" if access is None else _known(access)


def _studio_details(builder: _Builder, resource: Resource) -> list[str]:
    auth = _known(resource.prop("authMode"))
    return ["SageMaker Studio domain", _network_access(resource), f"auth {auth}" if auth else ""]


def _subnet_details(builder: _Builder, resource: Resource) -> list[str]:
    isolated = "isolated (no route out of the VPC)" if resource.urn in builder.isolated_subnets else ""
    return ["subnet", _known(resource.prop("cidrBlock")), isolated]


#: Node details of the AI layer's kinds.
AI_DETAILS: dict[str, Callable[[_Builder, Resource], list[str]]] = {
    "guardrail": _guardrail_details,
    "guardrailversion": lambda _, r: [
        f"guardrail version {version}" if (version := _known(r.prop("version"))) else "guardrail version"
    ],
    "invocationlog": lambda _, r: ["Bedrock model invocation logging"],
    "studio": _studio_details,
    "subnet": _subnet_details,
    "packagegroup": lambda _, r: ["model package group", _known(r.prop("modelPackageGroupName"))],
    "securitygroup": lambda _, r: ["security group", _known(r.prop("name"))],
}


# --- aggregation and rendering --------------------------------------------------------------------------------


def _signature(node: Node, edges: Sequence[Edge], ids: Mapping[str, str]) -> tuple[Any, ...]:
    """What a node is connected to, and how: nodes of one kind with the same signature are drawn as one."""
    ends = [("out", ids[e.target], tuple(e.parts), e.dotted) for e in edges if ids[e.source] == node.id]
    ends += [("in", ids[e.source], tuple(e.parts), e.dotted) for e in edges if ids[e.target] == node.id]
    return (node.kind, tuple(sorted(ends))) if ends else (node.kind, node.id)


def _merged(members: Sequence[Node]) -> Node:
    """One node for ``members`` alike: a count, the details they share, then each name with its own details."""
    singular, plural = NOUNS.get(members[0].kind, (members[0].kind, f"{members[0].kind}s"))
    common = tuple(d for d in members[0].details if d != singular and all(d in m.details for m in members))
    names = [
        f"{m.name} ({', '.join(own)})" if (own := [d for d in m.details if d not in (*common, singular)]) else m.name
        for m in members[:LISTED]
    ]
    rest = len(members) - len(names)
    return Node(
        members[0].kind,
        f"{members[0].id}_and_{len(members) - 1}_more",
        f"{len(members)} {plural}",
        (f"all {', '.join(common)}",) if common else (),
        tuple(names) + ((f"and {rest} more",) if rest else ()),
    )


def aggregate(
    nodes: Sequence[Node], edges: Sequence[Edge], ids: Mapping[str, str], merge_at: int
) -> tuple[list[Node], list[Edge]]:
    """Nodes of one kind linked to the same nodes by the same labels become one node (``3 buckets``), so N parallel
    edges become one; fewer than ``merge_at`` alike stay as they are."""
    touching: dict[str, list[Edge]] = {}
    for edge in edges:
        for end in {ids[edge.source], ids[edge.target]}:
            touching.setdefault(end, []).append(edge)
    alike: dict[tuple[Any, ...], list[Node]] = {}
    for node in sorted(nodes, key=lambda n: n.id):
        alike.setdefault(_signature(node, touching.get(node.id, []), ids), []).append(node)
    renamed: dict[str, str] = {}
    result: list[Node] = []
    for members in alike.values():
        if len(members) < merge_at:
            result += members
            continue
        merged = _merged(members)
        renamed |= {m.id: merged.id for m in members}
        result.append(merged)
    drawn: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        source, target = (renamed.get(ids[end], ids[end]) for end in (edge.source, edge.target))
        drawn.setdefault((source, target), Edge(source, target, edge.dotted, list(edge.parts)))
    return sorted(result, key=lambda n: n.id), sorted(drawn.values(), key=lambda e: (e.source, e.target))


def _node_line(node: Node) -> str:
    opening, closing = SHAPES.get(node.kind, DEFAULT_SHAPE)
    label = LINE.join(escape_label(t) for t in (node.name, ", ".join(node.details), *node.members) if t)
    return f'{node.id}{opening}"{label}"{closing}'


def _edge_line(edge: Edge) -> str:
    arrow = "-.->" if edge.dotted else "-->"
    label = LINE.join(escape_label(p) for p in edge.parts if p)  # a line per fact: no word broken mid-way
    return f'{edge.source} {arrow}|"{label}"| {edge.target}' if label else f"{edge.source} {arrow} {edge.target}"


def mermaid_diagram(graph: ResourceGraph, view: str = "dataflow") -> str:
    """One view of ``graph`` as Mermaid ``flowchart LR`` text (sorted; identical across runs); the module docstring
    says what each view draws."""
    if view not in VIEWS:
        raise ValueError(f"unknown diagram view {view!r} (one of {', '.join(VIEWS)})")
    builder = _Builder(graph)
    builder.build()
    nodes, edges = aggregate(*builder.view(view), builder.ids, MERGE_AT[view])
    lines = [
        f"%% {graph.project} stack {graph.stack}, {view} view: generated by `baseline diagram`, do not edit",
        "flowchart LR",
    ]
    lines += ["  " + _node_line(n) for n in nodes]
    lines += ["  " + _edge_line(e) for e in edges]
    by_kind: dict[str, list[str]] = {}
    for node in nodes:
        by_kind.setdefault(node.kind, []).append(node.id)
    for kind in sorted(by_kind):
        lines += [f"  classDef {kind} {CLASS_STYLES[kind]}", f"  class {','.join(by_kind[kind])} {kind}"]
    return "\n".join(lines) + "\n"

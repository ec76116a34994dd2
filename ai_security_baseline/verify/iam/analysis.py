"""Access analysis (IAM-03, IAM-04): evaluate the declared access matrix against the policies in the offline graph.

Each role's identity policies and boundary, each bucket's policy and key policy, and the S3 gateway endpoint policy
are read from the graph (the rendered program, not hand copies), and every role x resource x action of the matrix is
evaluated by ``verify.iam.evaluator`` under a standard, legitimate context: TLS 1.2, through the baseline's S3 gateway
endpoint, from this account, with the bucket's encryption headers on writes. An object request must pass S3 *and*
the key (Decrypt for reads, GenerateDataKey for writes, via S3). Any difference from the matrix is a Finding.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.kms.common import effective_key_policy
from ai_security_baseline.controls.vocabulary import (
    ALARM,
    BUCKET,
    BUCKET_POLICY,
    BUCKET_SSE,
    ENDPOINT,
    FLOW_LOG,
    KMS_ALIAS,
    KMS_KEY,
    LOG_GROUP,
    MANAGED_POLICY,
    ROLE,
    ROLE_POLICY,
    SECRET,
    SECRET_POLICY,
    SSE_HEADER,
    SSE_KMS_KEY_HEADER,
    TOPIC,
    TOPIC_POLICY,
    TRAIL,
)
from ai_security_baseline.verify.engine.graph import STACK_TYPE, Resource, ResourceGraph
from ai_security_baseline.verify.findings.finding import Finding, Status
from ai_security_baseline.verify.iam.evaluator import (
    ContextValue,
    Decision,
    PolicyEvaluationError,
    PolicySet,
    Request,
    evaluate,
)
from ai_security_baseline.verify.iam.principals import (
    ALLOW_ALL,
    FOREIGN_ACCOUNT,
    Call,
    Expected,
    Kind,
    Outcome,
    TrailFacts,
    access_log_delivery_calls,
    alarm_publish_calls,
    decide,
    delivery_role_calls,
    deployer_calls,
    ecr_layer_calls,
    finding_publish_calls,
    flow_log_assume_calls,
    log_group_key_calls,
    query_log_delivery_calls,
    sagemaker_assume_calls,
    secret_creation_calls,
    trail_creation_calls,
    volume_grant_calls,
)
from ai_security_baseline.verify.iam.sweep import (
    SweepRequest,
    SweepResult,
    SweepStack,
    key_aliases,
    other_profile,
    routed_model,
    run_sweep,
    scanner_principal,
    scanner_role_arn,
    sweep_stack,
)

ATTACHMENT_TYPES = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
)
KEY = KMS_KEY
KEY_ALIAS = KMS_ALIAS
VPC_ENDPOINT = ENDPOINT

#: Bucket class tag -> matrix resource (the audit archive carries one of the audit classes).
BUCKET_CLASS_RESOURCE: dict[str, str] = {
    "raw": "raw",
    "curated": "curated",
    "models": "models",
    "audit": vocabulary.AUDIT_LOGS,
    "audit-logs": vocabulary.AUDIT_LOGS,
}
#: Object actions need the bucket's key too: the KMS action S3 calls on the caller's behalf.
KMS_ACTION_FOR: dict[str, str] = {"s3:GetObject": "kms:Decrypt", "s3:PutObject": "kms:GenerateDataKey"}
SESSION_NAME = "access-analysis"
OBJECT_KEY = "analysis/object"


class AnalysisError(ValueError):
    """The graph lacks something the analysis needs, or holds something it cannot evaluate (fails closed)."""


@dataclass(frozen=True)
class RoleIdentity:
    role: str
    urn: str
    arn: str
    account_id: str
    identity: tuple[str, ...]
    boundary: str | None
    trust: str = ""

    @property
    def session_arn(self) -> str:
        name = self.arn.rsplit("/", 1)[-1]
        return f"arn:aws:sts::{self.account_id}:assumed-role/{name}/{SESSION_NAME}"


@dataclass(frozen=True)
class BucketTarget:
    resource: str
    urn: str
    arn: str
    policy: str
    key_arn: str | None
    key_policy: str | None


@dataclass(frozen=True)
class StackIdentity:
    """What the stack's configuration says of its principals (stack outputs ``organizationId`` and
    ``trustedPrincipalArns``): the organization they belong to, and the principals each role trusts by name."""

    org_id: str | None = None
    trusted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def principal_context(self) -> dict[str, ContextValue]:
        """What AWS adds to every request of the stack's own principals: their organization, when one is declared."""
        return {"aws:PrincipalOrgID": self.org_id} if self.org_id else {}


def stack_identity(graph: ResourceGraph) -> StackIdentity:
    """The identity configuration the stack exports; none exported: no organization, no principals named."""
    stacks = [r for r in graph if r.type == STACK_TYPE]
    outputs = stacks[0].outputs if stacks else {}
    org = outputs.get(vocabulary.ORG_ID_OUTPUT)
    trusted = outputs.get(vocabulary.TRUSTED_PRINCIPALS_OUTPUT) or {}
    if (org is not None and not isinstance(org, str)) or not isinstance(trusted, Mapping):
        raise AnalysisError(
            f"stack outputs {vocabulary.ORG_ID_OUTPUT!r}/{vocabulary.TRUSTED_PRINCIPALS_OUTPUT!r} are malformed"
        )
    if not all(isinstance(arns, list) and all(isinstance(a, str) for a in arns) for arns in trusted.values()):
        raise AnalysisError(f"stack output {vocabulary.TRUSTED_PRINCIPALS_OUTPUT!r} must map roles to ARN lists")
    return StackIdentity(org or None, {str(role): tuple(arns) for role, arns in trusted.items()})


@dataclass(frozen=True)
class AccessModel:
    """Everything the analysis evaluates, read from one graph."""

    account_id: str
    region: str
    roles: Mapping[str, RoleIdentity]
    buckets: Mapping[str, BucketTarget]
    gateway_endpoint_id: str
    gateway_policy: str
    key_policies: Mapping[str, str] = field(default_factory=dict)
    key_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    identity: StackIdentity = field(default_factory=StackIdentity)

    def key_context(self, key_arn: str) -> dict[str, ContextValue]:
        """What KMS adds to every request on a key: its aliases (``kms:ResourceAliases``)."""
        return {"kms:ResourceAliases": list(self.key_aliases.get(key_arn, ()))}


def _one(items: list[Resource], what: str) -> Resource:
    if len(items) != 1:
        raise AnalysisError(f"expected exactly one {what}, found {len(items)}")
    return items[0]


def _role_identity(graph: ResourceGraph, role: str) -> RoleIdentity:
    resource = _one([r for r in graph.by_type(ROLE) if str(r.prop("name")).endswith(f"-{role}")], f"role {role}")
    for token in ATTACHMENT_TYPES:
        if any(a.inputs.get("role") == resource.id for a in graph.by_type(token)):
            raise AnalysisError(f"role {role}: attached managed policies cannot be evaluated offline ({token})")
    if resource.inputs.get("managedPolicyArns"):
        raise AnalysisError(f"role {role}: managedPolicyArns cannot be evaluated offline")
    inline = tuple(str(p.inputs["policy"]) for p in graph.by_type(ROLE_POLICY) if p.inputs.get("role") == resource.id)
    boundary_arn = resource.inputs.get("permissionsBoundary")
    boundary = None
    if boundary_arn:
        boundary = str(
            _one([p for p in graph.by_type(MANAGED_POLICY) if p.prop("arn") == boundary_arn], "boundary").inputs[
                "policy"
            ]
        )
    arn = str(resource.prop("arn"))
    trust = str(resource.inputs.get("assumeRolePolicy", ""))
    return RoleIdentity(role, resource.urn, arn, arn.split(":")[4], inline, boundary, trust)


def _encryption_key(graph: ResourceGraph, bucket: Resource) -> str | None:
    config = _one([c for c in graph.by_type(BUCKET_SSE) if c.inputs.get("bucket") == bucket.id], "SSE configuration")
    default = config.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    key = default.get("kmsMasterKeyId")
    return str(key) if key else None


def key_policy_text(key: Resource) -> str:
    """A key's policy as AWS applies it: its own, or AWS's default key policy when it sets none."""
    policy = effective_key_policy(key.inputs.get("policy"), key.prop("arn"))
    return policy if isinstance(policy, str) else json.dumps(policy)


def access_model(graph: ResourceGraph) -> AccessModel:
    """Collect roles, buckets (with their policies and keys) and the S3 gateway endpoint from the graph."""
    keys = {str(k.prop("arn")): key_policy_text(k) for k in graph.by_type(KEY)}
    buckets: dict[str, BucketTarget] = {}
    for bucket in graph.by_type(BUCKET):
        resource = BUCKET_CLASS_RESOURCE.get(str((bucket.inputs.get("tags") or {}).get("bucket-class")))
        if resource is None:
            continue
        policy = _one([p for p in graph.by_type(BUCKET_POLICY) if p.inputs.get("bucket") == bucket.id], "policy")
        key_arn = _encryption_key(graph, bucket)
        if key_arn is not None and key_arn not in keys:
            raise AnalysisError(
                f"bucket {bucket.name} is encrypted with {key_arn}, a key this stack does not define: its key policy "
                "is unknown, so who may decrypt cannot be decided"
            )
        buckets[resource] = BucketTarget(
            resource,
            bucket.urn,
            str(bucket.prop("arn")),
            str(policy.inputs["policy"]),
            key_arn,
            keys.get(key_arn or ""),
        )
    gateway = _one([e for e in graph.by_type(VPC_ENDPOINT) if e.inputs.get("vpcEndpointType") == "Gateway"], "gateway")
    roles = {role: _role_identity(graph, role) for role in vocabulary.ROLES}
    account_id = next(iter(roles.values())).account_id
    region = str(gateway.inputs["serviceName"]).split(".")[2]
    return AccessModel(
        account_id,
        region,
        roles,
        buckets,
        gateway.id,
        str(gateway.inputs["policy"]),
        keys,
        key_aliases(graph),
        stack_identity(graph),
    )


def s3_context(
    model: AccessModel, action: str, bucket: BucketTarget, scan: str = vocabulary.MALWARE_SCAN_CLEAN
) -> dict[str, ContextValue]:
    """The standard legitimate S3 context: TLS 1.2 through the baseline gateway endpoint, from this account (and
    its organization, when the stack declares one); a read of a scanned bucket reads an object of scan status
    ``scan`` (``MALWARE_SCAN_UNTAGGED``: not scanned yet, no tag)."""
    context: dict[str, ContextValue] = {
        **model.identity.principal_context(),
        "aws:SecureTransport": True,
        "s3:TlsVersion": "1.2",
        "aws:SourceVpce": model.gateway_endpoint_id,
        "aws:ResourceAccount": model.account_id,
        "aws:ViaAWSService": False,
        "aws:PrincipalIsAWSService": False,
    }
    if action == "s3:PutObject" and bucket.key_arn:
        context[SSE_HEADER] = "aws:kms"
        context[SSE_KMS_KEY_HEADER] = bucket.key_arn
    if scan and vocabulary.scan_gated(bucket.resource, action):
        context[f"s3:ExistingObjectTag/{vocabulary.MALWARE_SCAN_TAG}"] = scan
    return context


def scan_label(scan: str) -> str:
    """How a report names an object's scan status (DET-03)."""
    return scan or "untagged"


def kms_via_s3_context(model: AccessModel) -> dict[str, ContextValue]:
    """What KMS sees when S3 calls it for the caller: kms:ViaService s3.<region>, this account, via a service."""
    return {
        **model.identity.principal_context(),
        "kms:ViaService": f"s3.{model.region}.amazonaws.com",
        "kms:CallerAccount": model.account_id,
        "aws:ViaAWSService": True,
    }


def s3_resource_arn(bucket: BucketTarget, action: str) -> str:
    return bucket.arn if action == "s3:ListBucket" or "Bucket" in action else f"{bucket.arn}/{OBJECT_KEY}"


def evaluate_s3(
    model: AccessModel,
    role: RoleIdentity,
    bucket: BucketTarget,
    action: str,
    context: Mapping[str, ContextValue],
    *,
    principal_arn: str | None = None,
    principal_account: str | None = None,
) -> Decision:
    """One S3 request of ``role`` against identity, boundary, the gateway endpoint policy and the bucket policy."""
    return evaluate(
        Request(
            principal_arn or role.session_arn,
            principal_account or role.account_id,
            action,
            s3_resource_arn(bucket, action),
            dict(context),
        ),
        PolicySet(
            resource_account=model.account_id,
            resource_kind="s3",
            identity=role.identity if principal_account in (None, role.account_id) else (),
            boundary=role.boundary if principal_account in (None, role.account_id) else None,
            resource=bucket.policy,
            vpce=[model.gateway_policy],
        ),
    )


def evaluate_kms(
    model: AccessModel, role: RoleIdentity, key_arn: str, action: str, context: Mapping[str, ContextValue]
) -> Decision:
    """One KMS request of ``role`` on a key: identity, boundary and the (required) key policy."""
    return evaluate(
        Request(role.session_arn, role.account_id, action, key_arn, {**model.key_context(key_arn), **context}),
        PolicySet(
            resource_account=model.account_id,
            resource_kind="kms",
            identity=role.identity,
            boundary=role.boundary,
            resource=model.key_policies[key_arn],
        ),
    )


@dataclass(frozen=True)
class AccessRow:
    """One matrix cell: what the matrix declares and what the policies decide (S3, and the key where needed)."""

    role: str
    resource: str
    action: str
    declared: bool
    s3: Decision
    kms: Decision | None
    scan: str | None = None  # the object's scan status, on a read of a scanned bucket (DET-03)

    @property
    def label(self) -> str:
        """The action, with the scan status of the object read where it matters."""
        return self.action if self.scan is None else f"{self.action} ({scan_label(self.scan)})"

    @property
    def allowed(self) -> bool:
        return self.s3.outcome == "Allow" and (self.kms is None or self.kms.outcome == "Allow")


def access_rows(model: AccessModel) -> list[AccessRow]:
    """Every role x wired resource x MATRIX_ACTIONS, evaluated under the standard context; a read of a scanned
    bucket once per scan status of the object (DET-03: untagged, each status GuardDuty writes)."""
    rows = []
    for role_name, role in model.roles.items():
        for resource in vocabulary.RESOURCES:
            bucket = model.buckets.get(resource)
            if bucket is None:
                continue
            for action in vocabulary.MATRIX_ACTIONS:
                gated = vocabulary.scan_gated(resource, action)
                for scan in vocabulary.MALWARE_SCAN_DIMENSION if gated else (vocabulary.MALWARE_SCAN_CLEAN,):
                    s3 = evaluate_s3(model, role, bucket, action, s3_context(model, action, bucket, scan))
                    kms = None
                    if action in KMS_ACTION_FOR and bucket.key_arn:
                        kms = evaluate_kms(
                            model, role, bucket.key_arn, KMS_ACTION_FOR[action], kms_via_s3_context(model)
                        )
                    declared = vocabulary.declared_access(role_name, resource, action, scan)
                    rows.append(AccessRow(role_name, resource, action, declared, s3, kms, scan if gated else None))
    return rows


@dataclass(frozen=True)
class KeyRow:
    """IAM-04: may ``role`` use the key of ``data_class`` (Decrypt), via S3 or directly?"""

    role: str
    data_class: str
    via_s3: bool
    declared: bool
    decision: Decision


def key_rows(model: AccessModel) -> list[KeyRow]:
    """Every role x bucket key: Decrypt via S3 is allowed exactly for the matrix's key users; directly, never."""
    keys = {b.key_arn: vocabulary.RESOURCE_KEY_CLASS[b.resource] for b in model.buckets.values() if b.key_arn}
    wired = list(model.buckets)
    rows = []
    for role_name, role in model.roles.items():
        for key_arn, data_class in sorted(keys.items(), key=lambda kv: kv[1]):
            users = vocabulary.key_users(data_class, wired)
            for via_s3 in (True, False):
                directly = {**model.identity.principal_context(), "kms:CallerAccount": model.account_id}
                context = kms_via_s3_context(model) if via_s3 else directly
                decision = evaluate_kms(model, role, key_arn, "kms:Decrypt", context)
                rows.append(KeyRow(role_name, data_class, via_s3, via_s3 and role_name in users, decision))
    return rows


@dataclass(frozen=True)
class AccessReport:
    model: AccessModel
    rows: list[AccessRow]
    keys: list[KeyRow]
    missing_resources: tuple[str, ...]
    calls: list[Outcome] = field(default_factory=list)
    call_gaps: list[tuple[str, str]] = field(default_factory=list)
    stack_urn: str = ""
    sweep: SweepResult | None = None
    sweep_gap: str = ""

    def findings(self) -> list[Finding]:
        """The matrix and key findings, then one per service or deployer call that differs from what it must yield,
        then the sweep's (when it ran)."""
        return self.matrix_findings() + self.call_findings() + self.sweep_findings()

    def sweep_findings(self) -> list[Finding]:
        """One fail per sweep mismatch (IAM-03 extra Allow, IAM-04 missing Allow; error when undecidable), else a
        pass per control; an error per control when the sweep could not run."""
        if self.sweep_gap:
            return [
                Finding(
                    c, self.stack_urn, "error", "access", f"sweep not run: {self.sweep_gap}", tool_id="access-sweep"
                )
                for c in ("IAM-03", "IAM-04")
            ]
        if self.sweep is None:
            return []
        findings = [
            Finding(
                m.control,
                self.stack_urn,
                "error" if m.decision == "error" else "fail",
                "access",
                m.message,
                tool_id="access-sweep",
                evidence=sweep_entry(m.request, m.expected, m.decision, m.statement, m.error),
            )
            for m in self.sweep.mismatches
        ]
        failed = {f.control for f in findings}
        findings += [
            Finding(
                c,
                self.stack_urn,
                "pass",
                "access",
                f"sweep: {self.sweep.evaluated} requests decided as the specification says",
                tool_id="access-sweep",
            )
            for c in ("IAM-03", "IAM-04")
            if c not in failed
        ]
        return findings

    def call_findings(self) -> list[Finding]:
        """A fail per call whose decision differs (error when undecidable), an error per group the graph cannot
        supply, else a pass per control the calls prove."""
        findings = [_call_finding(o, self.stack_urn) for o in self.calls if not o.as_expected]
        findings += [
            Finding(
                control,
                self.stack_urn,
                "error",
                "access",
                f"service/deployer calls not evaluated: {why}",
                tool_id="principal-calls",
            )
            for control, why in self.call_gaps
        ]
        settled = {f.control for f in findings}
        proven = sorted({o.call.control for o in self.calls} - settled)
        counts = {c: sum(1 for o in self.calls if o.call.control == c) for c in proven}
        findings += [
            Finding(
                c,
                self.stack_urn,
                "pass",
                "access",
                f"{counts[c]} service/deployer calls as expected",
                tool_id="principal-calls",
            )
            for c in proven
        ]
        return findings

    def matrix_findings(self) -> list[Finding]:
        """IAM-03 (matrix) and IAM-04 (keys): a fail per difference, else a pass per role and control."""
        findings: list[Finding] = []
        for row in self.rows:
            if row.allowed != row.declared:
                findings.append(
                    _diff(
                        "IAM-03",
                        self.model.roles[row.role].urn,
                        row.declared,
                        _row_evidence(row),
                        f"{row.role} {row.label} on {row.resource}",
                    )
                )
        for key in self.keys:
            if (key.decision.outcome == "Allow") != key.declared:
                how = "via S3" if key.via_s3 else "directly"
                findings.append(
                    _diff(
                        "IAM-04",
                        self.model.roles[key.role].urn,
                        key.declared,
                        {"decision": key.decision.outcome, "statements": list(key.decision.statements)},
                        f"{key.role} kms:Decrypt on the {key.data_class} key {how}",
                    )
                )
        failed = {(f.control, f.urn) for f in findings}
        for control in ("IAM-03", "IAM-04"):
            for role in self.model.roles.values():
                if (control, role.urn) not in failed:
                    findings.append(
                        Finding(
                            control, role.urn, "pass", "access", f"{role.role}: as declared", tool_id="access-matrix"
                        )
                    )
        return findings


def _call_finding(outcome: Outcome, urn: str) -> Finding:
    call = outcome.call
    status: Status = "error" if outcome.decision == "error" else "fail"
    why = f" ({outcome.error})" if outcome.error else ""
    return Finding(
        call.control,
        urn,
        status,
        "access",
        f"{call.kind} call '{call.name}': {call.principal} {call.action} on {call.resource} is {outcome.decision}, "
        f"expected {call.expected}{why}",
        tool_id="principal-calls",
        evidence=outcome.to_json(),
    )


def _row_evidence(row: AccessRow) -> dict[str, Any]:
    evidence: dict[str, Any] = {"s3": row.s3.outcome, "s3Statements": list(row.s3.statements)}
    if row.kms is not None:
        evidence |= {"kms": row.kms.outcome, "kmsStatements": list(row.kms.statements)}
    return evidence


def _diff(control: str, urn: str, declared: bool, evidence: Mapping[str, Any], what: str) -> Finding:
    kind = "missing Allow" if declared else "extra Allow"
    expected = "allowed" if declared else "denied"
    return Finding(
        control,
        urn,
        "fail",
        "access",
        f"{kind}: {what} should be {expected}",
        tool_id="access-matrix",
        evidence=dict(evidence),
    )


#: The partition the analysis' own request builders write their ARNs in.
ANALYSIS_PARTITION = "aws"


def stack_partition(graph: ResourceGraph) -> str:
    """The partition of the stack's roles (every ARN of one stack is in one partition)."""
    arns = [str(r.prop("arn")) for r in graph.by_type(ROLE) if str(r.prop("arn")).startswith("arn:")]
    if not arns:
        raise AnalysisError("no role with an ARN: the stack's partition is unknown")
    return arns[0].split(":")[1]


def _in_partition(value: Any, old: str) -> Any:
    if isinstance(value, str):
        return value.replace(f"arn:{old}:", f"arn:{ANALYSIS_PARTITION}:")
    if isinstance(value, Mapping):
        return {k: _in_partition(v, old) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_in_partition(v, old) for v in value]
    return value


def in_analysis_partition(graph: ResourceGraph) -> ResourceGraph:
    """The graph with every ARN (in properties and inside policy documents) moved to the partition the request
    builders use. Within one stack the partition carries no meaning for a decision (the evaluator compares accounts,
    not partitions), so an aws-us-gov or aws-cn stack is judged exactly like an aws one instead of failing on ARNs
    that can never match."""
    old = stack_partition(graph)
    if old == ANALYSIS_PARTITION:
        return graph
    moved = [replace(r, inputs=_in_partition(r.inputs, old), outputs=_in_partition(r.outputs, old)) for r in graph]
    return ResourceGraph(moved, stack=graph.stack, project=graph.project)


#: The last few sweeps, by the stack they swept. A sweep is a pure function of what ``sweep_stack`` reads, so a
#: process that analyses the same policies again (the test suite scans the dev stack through several commands)
#: decides them once; any change to a policy, ARN or id is a different key.
_SWEEPS: OrderedDict[str, SweepResult] = OrderedDict()
_SWEEPS_KEPT = 4


def _swept(stack: SweepStack) -> SweepResult:
    key = repr(stack)
    found = _SWEEPS.get(key)
    if found is None:
        found = _SWEEPS[key] = run_sweep(stack)
        while len(_SWEEPS) > _SWEEPS_KEPT:
            _SWEEPS.popitem(last=False)
    return found


def analyze(graph: ResourceGraph, *, sweep: bool = False) -> AccessReport:
    """The whole analysis of one graph; ``sweep`` adds the exhaustive sweep (``verify.iam.sweep``, seconds). ARNs are
    read in one partition (``in_analysis_partition``)."""
    graph = in_analysis_partition(graph)
    model = access_model(graph)
    missing = tuple(r for r in vocabulary.RESOURCES if r not in model.buckets)
    outcomes, gaps = principal_outcomes(graph, model)
    stacks = [r.urn for r in graph if r.type == STACK_TYPE]
    stack_urn = stacks[0] if stacks else f"urn:pulumi:{graph.stack}::{graph.project}::{STACK_TYPE}::{graph.project}"
    report = AccessReport(model, access_rows(model), key_rows(model), missing, outcomes, gaps, stack_urn)
    if not sweep:
        return report
    try:
        result = _swept(sweep_stack(graph))
    except (AnalysisError, PolicyEvaluationError, KeyError, IndexError) as exc:
        return replace(report, sweep_gap=f"{type(exc).__name__}: {exc}")
    return replace(report, sweep=result)


_OUTCOMES = {"Allow": "allow", "ExplicitDeny": "deny", "ImplicitDeny": "implicit-deny"}


def _first(decision: Decision) -> str | None:
    return decision.statements[0] if decision.statements else None


def workload_requests(access: AccessReport) -> list[dict[str, Any]]:
    """The matrix cells as requests: S3 decides first; an allowed object request must also pass the key."""
    entries = []
    for row in access.rows:
        role = access.model.roles[row.role]
        bucket = access.model.buckets[row.resource]
        deciding = row.kms if row.s3.outcome == "Allow" and row.kms is not None else row.s3
        entries.append(
            {
                "kind": "workload",
                "control": "IAM-03",
                "name": f"{row.role} {row.label} on {row.resource}",
                "principal": role.session_arn,
                "action": row.action,
                "resource": s3_resource_arn(bucket, row.action),
                "context": s3_context(access.model, row.action, bucket, row.scan or vocabulary.MALWARE_SCAN_CLEAN),
                "expected": "allow" if row.declared else "deny",
                "decision": _OUTCOMES[deciding.outcome],
                "statement": _first(deciding),
            }
        )
    return entries


def sweep_entry(
    request: SweepRequest, expected: str, decision: str, statement: str | None, error: str = ""
) -> dict[str, Any]:
    """One sweep request as an entry of ``baseline access --json`` (deny expectations are ``attack``s)."""
    entry: dict[str, Any] = {
        "kind": "workload" if expected == "allow" else "attack",
        "control": "IAM-03" if expected == "deny" else "IAM-04",
        "name": f"{request.principal.name} {request.action} on {request.target.name}"
        + (f" ({request.label})" if request.label else ""),
        "principal": request.principal.arn,
        "action": request.action,
        "resource": request.target.arn,
        "context": dict(request.context),
        "expected": expected,
        "decision": decision,
        "statement": statement,
    }
    if error:
        entry["error"] = error
    return entry


def requests_json(access: AccessReport) -> dict[str, Any]:
    """``baseline access --json``: every request evaluated, workload, service and deployer, one entry each; of the
    sweep, its mismatches (one entry each), its summary and its per-principal counts."""
    requests = workload_requests(access) + [o.to_json() for o in access.calls]
    document: dict[str, Any] = {"requests": requests}
    if access.sweep is not None:
        requests += [
            sweep_entry(m.request, m.expected, m.decision, m.statement, m.error) for m in access.sweep.mismatches
        ]
        document["summary"] = access.sweep.summary()
        document["perPrincipal"] = dict(access.sweep.per_principal)
    if access.call_gaps:
        document["notEvaluated"] = [{"control": c, "why": why} for c, why in access.call_gaps]
    if access.sweep_gap:
        document.setdefault("notEvaluated", []).append({"control": "IAM-03", "why": f"sweep: {access.sweep_gap}"})
    return document


def matrix_markdown(access: AccessReport) -> str:
    """The evaluated matrix as a Markdown table for the report: one row per role x resource, one column per action;
    a cell that differs from the declared matrix says what was expected."""
    actions = list(dict.fromkeys(row.action for row in access.rows))
    cells = {
        cell: {action: f"**{text}**" if differs else text for action, (text, _, differs) in by_action.items()}
        for cell, by_action in matrix_cells(access).items()
    }
    lines = ["| role | resource | " + " | ".join(f"`{a}`" for a in actions) + " |"]
    lines.append("|" + "---|" * (len(actions) + 2))
    lines += [
        f"| {role} | {resource} | " + " | ".join(by_action[a] for a in actions) + " |"
        for (role, resource), by_action in cells.items()
    ]
    return "\n".join(lines + sweep_markdown(access))


#: One matrix cell as shown: its text, whether anything is allowed, whether it differs from the matrix.
MatrixCell = tuple[str, bool, bool]


def matrix_cells(access: AccessReport) -> dict[tuple[str, str], dict[str, MatrixCell]]:
    """(role, resource) -> action -> its cell, the rows of one request folded into one cell (the report and the
    terminal show the same)."""
    groups: dict[tuple[str, str, str], list[AccessRow]] = {}
    for row in access.rows:
        groups.setdefault((row.role, row.resource, row.action), []).append(row)
    cells: dict[tuple[str, str], dict[str, MatrixCell]] = {}
    for (role, resource, action), group in groups.items():
        cells.setdefault((role, resource), {})[action] = _matrix_cell(group)
    return cells


def _matrix_cell(group: list[AccessRow]) -> MatrixCell:
    """Allow or deny; a read of a scanned bucket (one row per scan status) is ``allow (clean only)`` when only the
    clean object is served. A cell that differs from the matrix says what was expected, and for which status."""
    allowed = [r for r in group if r.allowed]
    clean_only = len(group) > 1 and [r.scan for r in allowed] == [vocabulary.MALWARE_SCAN_CLEAN]
    text = "allow (clean only)" if clean_only else "allow" if allowed else "deny"
    wrong = [r for r in group if r.allowed != r.declared]
    if wrong:
        expected = ", ".join(
            ("allow" if r.declared else "deny") + ("" if r.scan is None else f" for {scan_label(r.scan)}")
            for r in wrong
        )
        text = f"{text} (expected {expected})"
    return text, bool(allowed), bool(wrong)


def sweep_markdown(access: AccessReport) -> list[str]:
    """The sweep under the matrix: how many requests each principal made, and every mismatch."""
    swept = access.sweep
    if swept is None:
        return [] if not access.sweep_gap else ["", f"Exhaustive sweep not run: {access.sweep_gap}"]
    lines = [
        "",
        f"Exhaustive sweep: {swept.evaluated:,} requests in {swept.seconds:.1f} s, {len(swept.mismatches)} mismatches "
        "with the matrix.",
        "",
        "| principal | requests |",
        "|---|---|",
    ]
    lines += [f"| {name} | {count:,} |" for name, count in swept.per_principal.items()]
    lines += [f"- **{m.control}** {m.message}" for m in swept.mismatches]
    return lines


# ---- every other principal that acts: services and the deployer (verify.iam.principals) ------------------------------

DEPLOYER_OUTPUT = "deployerArn"


def _by_arn(graph: ResourceGraph, type_token: str, arn: str, what: str) -> Resource:
    return _one([r for r in graph.by_type(type_token) if r.prop("arn") == arn], what)


def _bucket_named(graph: ResourceGraph, name: str) -> Resource:
    return _one([b for b in graph.by_type(BUCKET) if b.prop("bucket") == name], f"bucket {name}")


def _bucket_policy(graph: ResourceGraph, bucket: Resource) -> str:
    policy = _one([p for p in graph.by_type(BUCKET_POLICY) if p.inputs.get("bucket") == bucket.id], "bucket policy")
    return str(policy.inputs["policy"])


def _role(graph: ResourceGraph, arn: str) -> tuple[str, tuple[str, ...], str | None]:
    """(trust, inline policies, boundary) of the role with ``arn``."""
    role = _by_arn(graph, ROLE, arn, f"role {arn}")
    inline = tuple(str(p.inputs["policy"]) for p in graph.by_type(ROLE_POLICY) if p.inputs.get("role") == role.id)
    boundary_arn = role.inputs.get("permissionsBoundary")
    boundary = (
        str(_by_arn(graph, MANAGED_POLICY, str(boundary_arn), "boundary").inputs["policy"]) if boundary_arn else None
    )
    return str(role.inputs["assumeRolePolicy"]), inline, boundary


def _log_group_arn(model: AccessModel, name: str) -> str:
    return f"arn:aws:logs:{model.region}:{model.account_id}:log-group:{name}"


def trail_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """CreateTrail's checks and the delivery role's writes (LOG-02…04)."""
    trail = _one(graph.by_type(TRAIL), "trail")
    bucket = _bucket_named(graph, str(trail.inputs["s3BucketName"]))
    key_arn = str(trail.inputs["kmsKeyId"])
    role_arn = str(trail.inputs["cloudWatchLogsRoleArn"])
    trust, inline, boundary = _role(graph, role_arn)
    facts = TrailFacts(
        model.account_id,
        str(trail.prop("arn")),
        str(bucket.prop("arn")),
        _bucket_policy(graph, bucket),
        key_arn,
        model.key_policies[key_arn],
        role_arn,
        trust,
    )
    group_arn = str(trail.inputs["cloudWatchLogsGroupArn"]).removesuffix(":*")
    return trail_creation_calls(facts) + delivery_role_calls(
        "LOG-04", account=model.account_id, role_arn=role_arn, inline=inline, boundary=boundary, group_arn=group_arn
    )


def log_group_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """CloudWatch Logs on the key of every encrypted group (NET-05 flow logs, LOG-04 the trail's group)."""
    calls: list[Call] = []
    for group in graph.by_type(LOG_GROUP):
        key_arn = group.inputs.get("kmsKeyId")
        if not key_arn:
            continue
        name = str(group.inputs["name"])
        control = "NET-05" if "flow" in name else "LOG-04"
        calls += log_group_key_calls(
            control,
            account=model.account_id,
            region=model.region,
            group_arn=_log_group_arn(model, name),
            key_arn=str(key_arn),
            key_policy=model.key_policies[str(key_arn)],
        )
    return calls


def stack_vpc_flow_log(graph: ResourceGraph) -> Resource:
    """The flow log of the stack's VPC (the region's default VPC, locked down by ACC-03, delivers the same way)."""
    vpcs = {v.id for v in graph.by_type(vocabulary.VPC)}
    return _one([f for f in graph.by_type(FLOW_LOG) if f.inputs.get("vpcId") in vpcs], "flow log of the VPC")


def flow_log_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """VPC Flow Logs assumes its role, which writes only its group (NET-05)."""
    flow_log = stack_vpc_flow_log(graph)
    role_arn = str(flow_log.inputs["iamRoleArn"])
    trust, inline, boundary = _role(graph, role_arn)
    group_arn = str(flow_log.inputs["logDestination"])
    return flow_log_assume_calls(
        account=model.account_id, region=model.region, role_arn=role_arn, trust=trust
    ) + delivery_role_calls(
        "NET-05", account=model.account_id, role_arn=role_arn, inline=inline, boundary=boundary, group_arn=group_arn
    )


def access_log_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """S3 log delivery into the access-log bucket from a data bucket (S3-11)."""
    target = _one(
        [b for b in graph.by_type(BUCKET) if (b.inputs.get("tags") or {}).get("bucket-class") == "access-logs"],
        "access-log bucket",
    )
    return access_log_delivery_calls(
        account=model.account_id,
        log_bucket_arn=str(target.prop("arn")),
        log_bucket_policy=_bucket_policy(graph, target),
        source_bucket_arn=model.buckets["raw"].arn,
    )


def alarm_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """CloudWatch alarms into the encrypted topic (LOG-06)."""
    topic = _one(graph.by_type(TOPIC), "alarm topic")
    topic_arn = str(topic.prop("arn"))
    policy = _one([p for p in graph.by_type(TOPIC_POLICY) if p.inputs.get("arn") == topic_arn], "topic policy")
    alarm = graph.by_type(ALARM)[0]
    key_arn = str(topic.inputs["kmsMasterKeyId"])
    alarm_arn = f"arn:aws:cloudwatch:{model.region}:{model.account_id}:alarm:{alarm.inputs['name']}"
    return alarm_publish_calls(
        account=model.account_id,
        alarm_arn=alarm_arn,
        topic_arn=topic_arn,
        topic_policy=str(policy.inputs["policy"]),
        key_arn=key_arn,
        key_policy=model.key_policies[key_arn],
    )


def finding_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """EventBridge finding rules into the encrypted alarm topic (DET-07), for every rule that targets it."""
    topic = _one(graph.by_type(TOPIC), "alarm topic")
    topic_arn = str(topic.prop("arn"))
    policy = _one([p for p in graph.by_type(TOPIC_POLICY) if p.inputs.get("arn") == topic_arn], "topic policy")
    key_arn = str(topic.inputs["kmsMasterKeyId"])
    rules = {str(r.inputs.get("name")): str(r.prop("arn")) for r in graph.by_type(vocabulary.EVENT_RULE)}
    targeted = [
        rules[str(t.inputs.get("rule"))]
        for t in graph.by_type(vocabulary.EVENT_TARGET)
        if t.inputs.get("arn") == topic_arn
    ]
    if not targeted:
        raise AnalysisError("no event rule targets the alarm topic")
    return [
        call
        for rule_arn in targeted
        for call in finding_publish_calls(
            account=model.account_id,
            rule_arn=rule_arn,
            topic_arn=topic_arn,
            topic_policy=str(policy.inputs["policy"]),
            key_arn=key_arn,
            key_policy=model.key_policies[key_arn],
        )
    ]


def query_log_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """CloudWatch Logs delivers the Resolver query logs into their group (NET-07), under the stack's resource policy."""
    config = _one(graph.by_type(vocabulary.QUERY_LOG_CONFIG), "query log config")
    group_arn = str(config.inputs["destinationArn"]).removesuffix(":*")
    policy = _one(graph.by_type(vocabulary.LOG_RESOURCE_POLICY), "log resource policy")
    return query_log_delivery_calls(
        account=model.account_id,
        partition=group_arn.split(":")[1],
        region=model.region,
        group_arn=group_arn,
        resource_policy=str(policy.inputs["policyDocument"]),
    )


def deployer_arn(graph: ResourceGraph) -> str:
    """The principal that runs ``pulumi up`` (stack output ``deployerArn``)."""
    stacks = [r for r in graph if r.type == STACK_TYPE]
    arn = stacks[0].outputs.get(DEPLOYER_OUTPUT) if stacks else None
    if not arn:
        raise AnalysisError(f"stack output {DEPLOYER_OUTPUT!r} missing: the deployer's calls cannot be evaluated")
    return str(arn)


def _secret(graph: ResourceGraph) -> tuple[Resource, str]:
    secret = _one(graph.by_type(SECRET), "secret")
    policy = _one(
        [p for p in graph.by_type(SECRET_POLICY) if p.inputs.get("secretArn") == secret.prop("arn")], "secret policy"
    )
    return secret, str(policy.inputs["policy"])


def secret_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """Secrets Manager's key checks as the caller, for the deployer and for a role that is no writer (GOV-02)."""
    secret, _ = _secret(graph)
    key_arn = str(secret.inputs["kmsKeyId"])
    return secret_creation_calls(
        account=model.account_id,
        region=model.region,
        deployer_arn=deployer_arn(graph),
        other_principal=model.roles[vocabulary.INFERENCE].arn,
        secret_arn=str(secret.prop("arn")),
        key_arn=key_arn,
        key_policy=model.key_policies[key_arn],
    )


def sagemaker_calls(model: AccessModel) -> list[Call]:
    """SageMaker assumes every execution role it runs (IAM-01) and EBS creates the trainer's volume grant."""
    calls: list[Call] = []
    for role in model.roles.values():
        if role.role in vocabulary.EXECUTION_ROLES and vocabulary.SAGEMAKER_SERVICE in role.trust:
            calls += sagemaker_assume_calls(
                account=model.account_id, region=model.region, role_arn=role.arn, trust=role.trust
            )
    trainer = model.roles[vocabulary.TRAINER]
    volume_key = model.buckets["raw"].key_arn
    if volume_key:
        calls += volume_grant_calls(
            account=model.account_id,
            region=model.region,
            role_arn=trainer.arn,
            identity=trainer.identity,
            boundary=trainer.boundary,
            key_arn=volume_key,
            key_policy=model.key_policies[volume_key],
            key_aliases=model.key_aliases.get(volume_key, ()),
        )
    return calls


def deployer_graph_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """The deployer's later updates and refresh reads on every bucket, key and the secret."""
    buckets = {str(b.prop("arn")): _bucket_policy(graph, b) for b in graph.by_type(BUCKET)}
    secret, policy = _secret(graph)
    return deployer_calls(
        account=model.account_id,
        org_id=model.identity.org_id,
        deployer_arn=deployer_arn(graph),
        buckets=buckets,
        keys=dict(model.key_policies),
        secret=(str(secret.prop("arn")), policy),
    )


#: Who makes a DET-03 request: its kind in ``baseline access --json``, principal, identity policies and boundary.
Who = tuple[Kind, str, tuple[str, ...], str | None]


def _s3_call(
    model: AccessModel,
    name: str,
    who: Who,
    action: str,
    bucket: BucketTarget,
    *,
    context: Mapping[str, ContextValue],
    expected: str,
    resource: str | None = None,
) -> Call:
    """One DET-03 request of ``who`` (kind, principal, identity policies, boundary) on a scanned bucket, through the
    gateway endpoint when the context says so; an expected deny must be explicit (the gate, not a missing grant)."""
    kind, principal, identity, boundary = who
    return Call(
        kind,
        "DET-03",
        name,
        principal,
        action,
        resource or s3_resource_arn(bucket, action),
        "allow" if expected == "allow" else "deny",
        PolicySet(
            resource_account=model.account_id,
            resource_kind="s3",
            identity=identity,
            boundary=boundary,
            resource=bucket.policy,
            vpce=[model.gateway_policy] if context.get("aws:SourceVpce") == model.gateway_endpoint_id else [],
        ),
        dict(context),
        explicit=True,
    )


#: A DET-03 request context for an action, with changes (None removes a key) and the scan status of the object.
ScanContext = Callable[..., dict[str, ContextValue]]
_TAGGING: dict[str, ContextValue] = {
    "s3:RequestObjectTagKeys": [vocabulary.MALWARE_SCAN_TAG],
    f"s3:RequestObjectTag/{vocabulary.MALWARE_SCAN_TAG}": vocabulary.MALWARE_SCAN_CLEAN,
}


def scan_gate_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """DET-03's named proofs on every scanned bucket: its readers read only clean objects, nobody (the deployer
    included) tags an object or uploads one tagged clean, and the malware protection role does what GuardDuty needs
    from outside the VPC, and nothing else (modelled as allowed everything by its own IAM)."""
    anything = (json.dumps(ALLOW_ALL),)
    deployer: Who = ("deployer", deployer_arn(graph), anything, None)
    scanner: Who = (
        "service",
        scanner_principal(scanner_role_arn(model.roles[vocabulary.TRAINER].arn)).arn,
        anything,
        None,
    )
    calls: list[Call] = []
    for resource in vocabulary.SCANNED_BUCKETS:
        bucket = model.buckets.get(resource)
        if bucket is None:
            raise AnalysisError(f"no {resource} bucket: its malware-scan gate cannot be proven")
        ctx = _scan_context(model, bucket)
        calls += _role_scan_calls(model, bucket, ctx)
        calls += [
            _s3_call(
                model,
                f"deployer {what} in {resource}",
                deployer,
                action,
                bucket,
                context=ctx(action, extra),
                expected="deny",
            )
            for what, action, extra in (
                ("reads an unscanned object", "s3:GetObject", {}),
                ("tags an object clean", "s3:PutObjectTagging", _TAGGING),
            )
        ]
        calls += _scanner_calls(model, bucket, ctx, scanner)
    return calls


def _scan_context(model: AccessModel, bucket: BucketTarget) -> ScanContext:
    def ctx(action: str, *changes: Mapping[str, Any], scan: str = "") -> dict[str, ContextValue]:
        merged: dict[str, Any] = dict(s3_context(model, action, bucket, scan))
        for change in changes:
            merged.update(change)
        return {k: v for k, v in merged.items() if v is not None}

    return ctx


def _role_scan_calls(model: AccessModel, bucket: BucketTarget, ctx: ScanContext) -> list[Call]:
    """Each reader reads an object of every scan status (only the clean one served); each role with a grant on the
    bucket tags an object clean, a writer also uploads one tagged clean and reads back unscanned or infected ones."""
    calls: list[Call] = []
    for role_name in vocabulary.ROLES:
        levels = vocabulary.ACCESS_MATRIX[role_name].get(bucket.resource, ())
        if not levels:
            continue
        role = model.roles[role_name]
        who: Who = ("workload", role.session_arn, role.identity, role.boundary)
        where = bucket.resource
        scans = (
            vocabulary.MALWARE_SCAN_DIMENSION
            if "read" in levels
            else (vocabulary.MALWARE_SCAN_UNTAGGED, "THREATS_FOUND")
        )
        for scan in scans:
            expected = "allow" if scan == vocabulary.MALWARE_SCAN_CLEAN else "deny"
            name = f"{role_name} reads {_scan_object(scan)} in {where}"
            calls.append(
                _s3_call(
                    model, name, who, "s3:GetObject", bucket, context=ctx("s3:GetObject", scan=scan), expected=expected
                )
            )
        name = f"{role_name} tags an object clean in {where}"
        tagged = ctx("s3:PutObjectTagging", _TAGGING)
        calls.append(_s3_call(model, name, who, "s3:PutObjectTagging", bucket, context=tagged, expected="deny"))
        if "write" in levels:
            name = f"{role_name} uploads an object tagged clean into {where}"
            upload = ctx("s3:PutObject", _TAGGING)
            calls.append(_s3_call(model, name, who, "s3:PutObject", bucket, context=upload, expected="deny"))
    return calls


def _scanner_calls(model: AccessModel, bucket: BucketTarget, ctx: ScanContext, scanner: Who) -> list[Call]:
    """The malware protection role from outside the VPC: reads, tags, lists, writes the validation object; uploads
    nothing else and deletes nothing (GuardDuty User Guide, "Create or update IAM role policy")."""
    validation = f"{bucket.arn}/{vocabulary.MALWARE_VALIDATION_OBJECT}"
    scans: list[tuple[str, str, Mapping[str, Any], str, str | None]] = [
        ("reads an unscanned object", "s3:GetObject", {}, "allow", None),
        ("reads an unscanned version", "s3:GetObjectVersion", {}, "allow", None),
        ("tags an object with its scan result", "s3:PutObjectTagging", _TAGGING, "allow", None),
        ("lists the bucket", "s3:ListBucket", {}, "allow", None),
        ("writes the validation object", "s3:PutObject", {}, "allow", validation),
        ("uploads any other object", "s3:PutObject", {}, "deny", None),
        ("deletes an object", "s3:DeleteObject", {}, "deny", None),
    ]
    return [
        _s3_call(
            model,
            f"malware protection role {what} in {bucket.resource} from outside the VPC",
            scanner,
            action,
            bucket,
            context=ctx(action, {"aws:SourceVpce": None}, extra),
            expected=expected,
            resource=target,
        )
        for what, action, extra, expected, target in scans
    ]


def _scan_object(scan: str) -> str:
    """How a proof names the object read: unscanned, infected, clean, or by its other status."""
    names = {vocabulary.MALWARE_SCAN_UNTAGGED: "an unscanned object", "THREATS_FOUND": "an infected object"}
    return names.get(scan, "a clean object" if scan == vocabulary.MALWARE_SCAN_CLEAN else f"an object {scan}")


#: AI-04's named proofs: (name, role, action, resource type, approval status set, expected, explicit). The trainer
#: registers pending and never approves (its Denies); only the approver sets a status; neither the approver nor
#: inference creates models or endpoints, so an unapproved version reaches production only through a pipeline step.
REGISTRY_PROOFS: tuple[tuple[str, str, str, str, str | None, Expected, bool], ...] = (
    (
        "approver approves a model version",
        vocabulary.APPROVER,
        vocabulary.APPROVE_PACKAGE,
        "package",
        vocabulary.MODEL_APPROVED,
        "allow",
        False,
    ),
    (
        "trainer registers a model version pending approval",
        vocabulary.TRAINER,
        vocabulary.REGISTER_PACKAGE,
        "package",
        vocabulary.MODEL_PENDING,
        "allow",
        False,
    ),
    (
        "trainer approves its own model package",
        vocabulary.TRAINER,
        vocabulary.APPROVE_PACKAGE,
        "package",
        vocabulary.MODEL_APPROVED,
        "deny",
        True,
    ),
    (
        "trainer registers an approved model package",
        vocabulary.TRAINER,
        vocabulary.REGISTER_PACKAGE,
        "package",
        vocabulary.MODEL_APPROVED,
        "deny",
        True,
    ),
    (
        "trainer registers a model package without a status",
        vocabulary.TRAINER,
        vocabulary.REGISTER_PACKAGE,
        "package",
        None,
        "deny",
        True,
    ),
    (
        "approver registers a model version",
        vocabulary.APPROVER,
        vocabulary.REGISTER_PACKAGE,
        "package",
        vocabulary.MODEL_PENDING,
        "deny",
        False,
    ),
    ("inference deploys a model version", vocabulary.INFERENCE, "sagemaker:CreateModel", "model", None, "deny", False),
    (
        "inference creates an endpoint",
        vocabulary.INFERENCE,
        "sagemaker:CreateEndpoint",
        "endpoint",
        None,
        "deny",
        False,
    ),
    ("approver creates a model", vocabulary.APPROVER, "sagemaker:CreateModel", "model", None, "deny", False),
    (
        "approver starts a training job",
        vocabulary.APPROVER,
        "sagemaker:CreateTrainingJob",
        "training-job",
        None,
        "deny",
        False,
    ),
)


def registry_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """AI-04: ``REGISTRY_PROOFS`` on a version of the stack's first group and on resources named with its prefix."""
    groups = sorted(str(g.prop("modelPackageGroupName")) for g in graph.by_type(vocabulary.MODEL_PACKAGE_GROUP))
    if not groups:
        raise AnalysisError("the stack has no model package group")
    base = f"arn:aws:sagemaker:{model.region}:{model.account_id}"
    arns = {
        "package": f"{base}:model-package/{groups[0]}/1",
        "model": f"{base}:model/{groups[0]}-1",
        "endpoint": f"{base}:endpoint/{groups[0]}",
        "training-job": f"{base}:training-job/{groups[0]}-1",
    }
    calls = []
    for name, role_name, action, rtype, status, expected, explicit in REGISTRY_PROOFS:
        role = model.roles[role_name]
        policies = PolicySet(resource_account=model.account_id, identity=role.identity, boundary=role.boundary)
        context = {} if status is None else {vocabulary.MODEL_APPROVAL_KEY: status}
        calls.append(
            Call(
                "workload",
                "AI-04",
                name,
                role.session_arn,
                action,
                arns[rtype],
                expected,
                policies,
                context,
                explicit=explicit,
            )
        )
    return calls


def _allowlisted(role: RoleIdentity) -> list[str]:
    """The models the role's guardrail-conditioned Allow names (the allowlist of IAM-08)."""
    for document in role.identity:
        for statement in json.loads(document).get("Statement", []):
            if statement.get("Sid") == vocabulary.GUARDRAIL_ALLOW_SID:
                resources = statement["Resource"]
                return [str(r) for r in ([resources] if isinstance(resources, str) else resources)]
    return []


def _allowlisted_model(role: RoleIdentity) -> str | None:
    """A model the role's guardrail-conditioned Allow names; None with an empty allowlist."""
    return next(iter(_allowlisted(role)), None)


def guardrail_calls(graph: ResourceGraph, model: AccessModel) -> list[Call]:
    """AI-02's named proofs: the inference session invokes an allowlisted model only naming the guardrail's published
    version; no guardrail, DRAFT, the guardrail unversioned, another guardrail of the account or of another account,
    and an inference profile without a guardrail are explicit denies. None without Bedrock (no guardrail)."""
    guardrails, versions = graph.by_type(vocabulary.GUARDRAIL_TYPE), graph.by_type(vocabulary.GUARDRAIL_VERSION_TYPE)
    if not guardrails:
        return []
    if len(guardrails) != 1 or len(versions) != 1:
        raise AnalysisError(f"{len(guardrails)} guardrails and {len(versions)} versions (one of each expected)")
    arn = str(guardrails[0].prop("guardrailArn"))
    pinned = vocabulary.guardrail_version_arn(arn, str(versions[0].prop("version")))
    role = model.roles[vocabulary.INFERENCE]
    account, region = model.account_id, model.region
    allowlisted = _allowlisted_model(role)
    # with an empty allowlist the role may invoke nothing: even the guardrail version is denied
    target = allowlisted or f"arn:aws:bedrock:{region}::foundation-model/unlisted.model-v1"
    profile = f"arn:aws:bedrock:{region}:{account}:inference-profile/eu.{target.rsplit('/', 1)[-1]}"
    other = "guardrail/zzzzzzzzzzzz:1"
    proofs: tuple[tuple[str, str, str | None, Expected], ...] = (
        ("inference invokes a model naming the guardrail version", target, pinned, "allow" if allowlisted else "deny"),
        ("inference invokes a model without a guardrail", target, None, "deny"),
        ("inference invokes a model naming the guardrail's DRAFT", target, f"{arn}:DRAFT", "deny"),
        ("inference invokes a model naming the guardrail without a version", target, arn, "deny"),
        (
            "inference invokes a model naming another guardrail",
            target,
            f"arn:aws:bedrock:{region}:{account}:{other}",
            "deny",
        ),
        (
            "inference invokes a model naming another account's guardrail",
            target,
            f"arn:aws:bedrock:{region}:{FOREIGN_ACCOUNT}:{other}",
            "deny",
        ),
        ("inference invokes an inference profile without a guardrail", profile, None, "deny"),
    )
    policies = PolicySet(resource_account=account, identity=role.identity, boundary=role.boundary)
    return [
        Call(
            "workload",
            "AI-02",
            name,
            role.session_arn,
            "bedrock:InvokeModel",
            resource,
            expected,
            policies,
            {"aws:SecureTransport": True, **({} if named is None else {vocabulary.GUARDRAIL_ID_KEY: named})},
            # with an allowlist every bypass meets the role's explicit Deny; without one nothing is allowed at all
            explicit=expected == "deny" and allowlisted is not None,
        )
        for name, resource, named, expected in proofs
    ] + _profile_calls(role, policies, pinned, region)


def _profile_calls(role: RoleIdentity, policies: PolicySet, pinned: str, region: str) -> list[Call]:
    """AI-02/IAM-08 through an allowlisted inference profile: its model in another Region is invoked only while the
    request names that profile (and the guardrail version); directly, or through another profile, it is denied. None
    without a profile in the allowlist."""
    profiles = [m for m in _allowlisted(role) if vocabulary.is_inference_profile(m)]
    if not profiles:
        return []
    profile = profiles[0]
    model = routed_model(profile, region)
    other = other_profile(profile)
    proofs: tuple[tuple[str, str | None, Expected], ...] = (
        ("inference invokes a model through the allowlisted profile in another Region", profile, "allow"),
        ("inference invokes the profile's model directly in another Region", None, "deny"),
        ("inference invokes the profile's model through another profile", other, "deny"),
    )
    return [
        Call(
            "workload",
            "AI-02",
            name,
            role.session_arn,
            "bedrock:InvokeModel",
            model,
            expected,
            policies,
            {
                "aws:SecureTransport": True,
                vocabulary.GUARDRAIL_ID_KEY: pinned,
                **({} if through is None else {vocabulary.INFERENCE_PROFILE_KEY: through}),
            },
        )
        for name, through, expected in proofs
    ]


#: Each group of calls and the control reported when the graph lacks what the group needs.
CALL_GROUPS: tuple[tuple[str, Callable[[ResourceGraph, AccessModel], list[Call]]], ...] = (
    ("LOG-04", trail_calls),
    ("KMS-05", log_group_calls),
    ("NET-05", flow_log_calls),
    ("S3-11", access_log_calls),
    ("LOG-06", alarm_calls),
    ("DET-07", finding_calls),
    ("NET-07", query_log_calls),
    ("GOV-02", secret_calls),
    ("IAM-01", lambda _graph, model: sagemaker_calls(model)),
    ("EP-05", lambda _graph, model: ecr_layer_calls(region=model.region, gateway_policy=model.gateway_policy)),
    ("S3-13", deployer_graph_calls),
    ("DET-03", scan_gate_calls),
    ("AI-04", registry_calls),
    ("AI-02", guardrail_calls),
)


def principal_outcomes(graph: ResourceGraph, model: AccessModel) -> tuple[list[Outcome], list[tuple[str, str]]]:
    """Every service and deployer call evaluated, and (control, why) for each group the graph cannot supply."""
    outcomes: list[Outcome] = []
    missing: list[tuple[str, str]] = []
    for control, build in CALL_GROUPS:
        try:
            calls = build(graph, model)
        except (AnalysisError, KeyError, IndexError) as exc:
            missing.append((control, f"{build.__name__}: {exc}"))
            continue
        outcomes += [decide(call) for call in calls]
    return outcomes, missing

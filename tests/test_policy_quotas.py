"""Policy size quotas: every policy the program renders fits its AWS quota, measured on the offline graph of the dev
stack, the prod stack and the largest configuration the baseline accepts; a config over a quota is refused naming the
key that drives the size, before any resource exists (IAM-05: the boundary caps Bedrock by pattern; IAM-08: the
allowlist's maximum). Mocks and moto accept any size; AWS refuses the policy half-way through ``pulumi up``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from ai_security_baseline.components import identity
from ai_security_baseline.components.baseline import policy_quota_errors, rendered_policies
from ai_security_baseline.components.config import (
    MAX_BEDROCK_MODEL_ARNS,
    MAX_EXTRA_DATA_BUCKETS,
    BaselineConfig,
    ConfigError,
    namespace_values,
    parse_config,
    with_deployer,
)
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.quotas import GRAPH_POLICIES, QUOTAS, PolicyKind, policy_size
from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.vocabulary import CODEARTIFACT_ASSET_ACCOUNTS, EXTRA_ENDPOINT_SERVICES
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.mocks import BaselineMocks, FakeAccount
from ai_security_baseline.verify.engine.offline import GraphRecorder, OfflineRun, run_stack, stack_config
from ai_security_baseline.verify.iam.analysis import access_model
from ai_security_baseline.verify.iam.evaluator import ContextValue, Decision, PolicySet, Request, evaluate

ACCOUNT = "111122223333"
REGION = "eu-west-1"
BEDROCK = {"endpointBundles": ["ml-core", "bedrock"]}
#: The largest stack: the longest partition, six AZs, every name and list at the longest the baseline accepts.
LARGEST_REGION = "us-gov-west-1"
#: The longest region part a Bedrock ARN may carry (Bedrock's own formats: 1-20 characters).
LONGEST_BEDROCK_REGION = "us-isof-northeast-12"


def principal(i: int, partition: str = "aws-us-gov") -> str:
    """The longest IAM role ARN the config accepts (512 characters after ``role/``), distinct per ``i``."""
    return f"arn:{partition}:iam::{ACCOUNT}:role/" + f"team-{i}/".ljust(512, "x")


#: The deployer of the largest stack (``identity.deployerArn`` = ``principal(0)``) is the caller that runs it.
LARGEST_ACCOUNT = FakeAccount(
    account_id=ACCOUNT, region=LARGEST_REGION, partition="aws-us-gov", zone_count=6, caller=principal(0)
)


def model_arn(i: int, region: str = LONGEST_BEDROCK_REGION, partition: str = "aws-us-gov") -> str:
    """The longest Bedrock ARN the config accepts (a 256-character inference-profile id), distinct per ``i``."""
    return f"arn:{partition}:bedrock:{region}:{ACCOUNT}:inference-profile/" + f"m{i}.".ljust(256, "a")


def context(account: FakeAccount) -> AccountContext:
    return AccountContext(account.account_id, account.region, account.partition)


def largest_base() -> dict[str, Any]:
    """Every bounded key at its longest; the lists are filled by ``largest_overrides``."""
    bucket = {c: f"{c.lower()}-".ljust(63, "b") for c in ("raw", "curated", "models", "accessLogs", "audit")}
    return {
        "aws:region": LARGEST_REGION,
        "baseline:prefix": "a".ljust(16, "b"),
        "baseline:environment": "e".ljust(16, "n"),
        "baseline:network": {
            "azCount": 6,
            "endpointBundles": ["ml-core", "bedrock"],
            # every optional service the region can have: CodeArtifact's S3 assets bucket is documented only in
            # the regions of documents.CODEARTIFACT_ASSET_ACCOUNTS, which GovCloud is not among
            "endpointServices": [
                s
                for s in EXTRA_ENDPOINT_SERVICES
                if LARGEST_REGION in CODEARTIFACT_ASSET_ACCOUNTS or "codeartifact" not in s
            ],
        },
        "baseline:storage": {"extraDataBuckets": MAX_EXTRA_DATA_BUCKETS, "bucketNames": bucket},
        "baseline:identity": {
            "orgId": "o-".ljust(34, "a"),
            "deployerArn": principal(0),
            "breakGlassArn": principal(1),
        },
    }


def config_of(overrides: Mapping[str, Any], stack: str = "dev", account: FakeAccount | None = None) -> BaselineConfig:
    """The config as the program sees it: validated, with the deployer resolved to the caller (its role or user)."""
    caller = (account or FakeAccount()).caller_arn
    return with_deployer(parse_config(namespace_values({**stack_config(stack), **overrides})), caller, applying=False)


def accepted(overrides: Mapping[str, Any], account: FakeAccount) -> bool:
    try:
        return not policy_quota_errors(config_of(overrides, account=account), context(account))
    except ConfigError:  # a key's own bound (e.g. bedrockModelArns' maximum)
        return False


def fill(overrides: dict[str, Any], section: str, key: str, entry: Callable[[int], str], account: FakeAccount) -> None:
    """Set ``baseline:<section>.<key>`` to the longest list ``entry(0), entry(1), ...`` the baseline accepts.

    Every entry adds to a policy, so a list is accepted only if each shorter one is: double to an upper bound,
    then bisect."""

    def with_entries(count: int) -> dict[str, Any]:
        values = [entry(i) for i in range(count)]
        return {**overrides, f"baseline:{section}": {**overrides[f"baseline:{section}"], key: values}}

    longest, refused = 0, 1
    while accepted(with_entries(refused), account):
        longest, refused = refused, refused * 2
    while refused - longest > 1:
        middle = (longest + refused) // 2
        longest, refused = (middle, refused) if accepted(with_entries(middle), account) else (longest, middle)
    overrides.update(with_entries(longest))


def largest_overrides() -> dict[str, Any]:
    """The largest configuration the baseline accepts: every list as long as its quotas allow."""
    overrides = largest_base()
    overrides.setdefault("baseline:kms", {})
    fill(overrides, "identity", "bedrockModelArns", model_arn, LARGEST_ACCOUNT)
    fill(overrides, "identity", "imageAccountIds", lambda i: f"{900000000000 + i}", LARGEST_ACCOUNT)
    fill(overrides, "identity", "auditorPrincipalArns", lambda i: principal(100 + i), LARGEST_ACCOUNT)
    fill(overrides, "identity", "inferencePrincipalArns", lambda i: principal(200 + i), LARGEST_ACCOUNT)
    fill(overrides, "identity", "approverPrincipalArns", lambda i: principal(400 + i), LARGEST_ACCOUNT)
    fill(overrides, "kms", "adminArns", lambda i: principal(300 + i), LARGEST_ACCOUNT)
    return overrides


@pytest.fixture(scope="module")
def largest() -> dict[str, Any]:
    return largest_overrides()


@pytest.fixture(scope="module")
def graphs(
    largest: dict[str, Any], dev_graph: ResourceGraph, prod_run: OfflineRun
) -> dict[str, tuple[ResourceGraph, BaselineConfig, FakeAccount]]:
    """The offline graph, config and account of the dev stack, the prod stack (the session's renders, made in the
    default account) and the largest configuration."""
    plain = FakeAccount(account_id=ACCOUNT, region=REGION)
    assert plain == FakeAccount()
    return {
        "dev": (dev_graph, config_of({}, account=plain), plain),
        "prod": (prod_run.graph, config_of({}, "prod", plain), plain),
        "largest": (
            run_stack("dev", overrides=largest, account=LARGEST_ACCOUNT).graph,
            config_of(largest, account=LARGEST_ACCOUNT),
            LARGEST_ACCOUNT,
        ),
    }


def graph_sizes(graph: ResourceGraph) -> dict[PolicyKind, list[int]]:
    """Every policy document in the graph measured as AWS counts it; inline policies summed per role."""
    sizes: dict[PolicyKind, list[int]] = defaultdict(list)
    per_role: Counter[str] = Counter()
    for resource in graph.custom_resources():
        if resource.type not in GRAPH_POLICIES:
            continue
        prop, kind = GRAPH_POLICIES[resource.type]
        document = resource.inputs.get(prop)
        if not document:
            continue
        if kind is PolicyKind.ROLE_INLINE_POLICIES:
            per_role[str(resource.inputs["role"])] += policy_size(kind, document)
        else:
            sizes[kind].append(policy_size(kind, document))
    sizes[PolicyKind.ROLE_INLINE_POLICIES] = list(per_role.values())
    return sizes


# ---- measuring as AWS measures ------------------------------------------------------------------------------------


def test_policy_size_measures_the_providers_compact_json_not_the_programs_spacing() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Deny", "Action": "s3:*"}]}
    compact = '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Action":"s3:*"}]}'
    assert policy_size(PolicyKind.BUCKET_POLICY, json.dumps(document, indent=4)) == len(compact)


def test_iam_quotas_leave_white_space_out_and_others_count_it() -> None:
    document = {"Statement": [{"Sid": "use the key"}]}
    assert policy_size(PolicyKind.KEY_POLICY, document) - policy_size(PolicyKind.MANAGED_POLICY, document) == 2


def test_byte_quotas_count_utf8_bytes_and_go_html_escapes() -> None:
    document = {"Statement": [{"Sid": "é<"}]}
    # "é" is two bytes; Go's encoding/json sends "<" as the six characters \u003c.
    assert (
        policy_size(PolicyKind.KEY_POLICY, document) - policy_size(PolicyKind.KEY_POLICY, {"Statement": [{"Sid": ""}]})
        == 8
    )
    assert (
        policy_size(PolicyKind.VPC_ENDPOINT_POLICY, document)
        - policy_size(PolicyKind.VPC_ENDPOINT_POLICY, {"Statement": [{"Sid": ""}]})
        == 7
    )


# ---- every rendered policy fits, measured on the graph ----------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod", "largest"])
def test_every_policy_the_stack_renders_is_within_its_aws_size_quota(
    graphs: dict[str, tuple[ResourceGraph, BaselineConfig, FakeAccount]], stack: str
) -> None:
    sizes = graph_sizes(graphs[stack][0])
    assert set(sizes) == set(PolicyKind), "a kind of policy is missing from the graph"
    over = {kind.value: [s for s in found if s > QUOTAS[kind].limit] for kind, found in sizes.items()}
    assert over == {kind.value: [] for kind in PolicyKind}


@pytest.mark.parametrize("stack", ["dev", "prod", "largest"])
def test_quota_check_renders_exactly_the_policies_the_program_creates(
    graphs: dict[str, tuple[ResourceGraph, BaselineConfig, FakeAccount]], stack: str
) -> None:
    """The check sees every policy at the size AWS will see (ids AWS assigns stand in at their full length)."""
    graph, config, account = graphs[stack]
    rendered: dict[PolicyKind, list[int]] = defaultdict(list)
    for policy in rendered_policies(config, context(account)):
        rendered[policy.kind].append(policy.size)
    measured = graph_sizes(graph)
    assert {k: sorted(v) for k, v in rendered.items()} == {k: sorted(v) for k, v in measured.items()}


def test_largest_configuration_reaches_each_lists_limit(largest: dict[str, Any]) -> None:
    """The largest configuration is the largest: one more entry in any list is refused."""
    identity_keys = largest["baseline:identity"]
    assert len(identity_keys["bedrockModelArns"]) == MAX_BEDROCK_MODEL_ARNS
    for section, key, entry in [
        ("identity", "auditorPrincipalArns", principal(900)),
        ("identity", "inferencePrincipalArns", principal(901)),
        ("identity", "approverPrincipalArns", principal(903)),
        ("kms", "adminArns", principal(902)),
    ]:
        grown = {**largest[f"baseline:{section}"], key: [*largest[f"baseline:{section}"][key], entry]}
        assert not accepted({**largest, f"baseline:{section}": grown}, LARGEST_ACCOUNT), key


# ---- the Bedrock allowlist: bounded by the inline budget, not by the boundary -----------------------------------


def test_iam_08_bedrock_allowlist_maximum_is_what_the_inference_inline_budget_holds() -> None:
    """MAX_BEDROCK_MODEL_ARNS of the longest ARN fit the inference role's inline policies with every name at its
    longest (region of 20 characters, aws-us-gov); one more does not."""
    account = AccountContext(ACCOUNT, LONGEST_BEDROCK_REGION, "aws-us-gov")
    base = config_of({**largest_base(), "aws:region": LONGEST_BEDROCK_REGION})

    def inference_inline(count: int) -> int:
        arns = tuple(model_arn(i) for i in range(count))
        config = base.model_copy(update={"identity": base.identity.model_copy(update={"bedrock_model_arns": arns})})
        name = identity.role_name(config.name_prefix, vocabulary.INFERENCE)
        return next(
            p.size
            for p in rendered_policies(config, account)
            if p.subject.endswith(f"role {name}") and p.kind is PolicyKind.ROLE_INLINE_POLICIES
        )

    limit = QUOTAS[PolicyKind.ROLE_INLINE_POLICIES].limit
    assert inference_inline(MAX_BEDROCK_MODEL_ARNS) <= limit < inference_inline(MAX_BEDROCK_MODEL_ARNS + 1)


def test_iam_08_more_bedrock_arns_than_the_maximum_are_refused_naming_the_key() -> None:
    arns = [model_arn(i, REGION, "aws") for i in range(MAX_BEDROCK_MODEL_ARNS + 1)]
    with pytest.raises(ConfigError, match=rf"baseline:identity\.bedrockModelArns = .*at most {MAX_BEDROCK_MODEL_ARNS}"):
        parse_config({"network": BEDROCK, "identity": {"bedrockModelArns": arns}})


def test_iam_08_bedrock_arn_with_a_region_longer_than_bedrock_allows_is_refused() -> None:
    """Bedrock's ARN formats bound the region part to 20 characters; the maximum above relies on it."""
    with pytest.raises(ConfigError, match=r"baseline:identity\.bedrockModelArns\.0 = "):
        parse_config(
            {"network": BEDROCK, "identity": {"bedrockModelArns": [model_arn(0, LONGEST_BEDROCK_REGION + "x")]}}
        )
    accepted_arns = parse_config({"network": BEDROCK, "identity": {"bedrockModelArns": [model_arn(0)]}})
    assert accepted_arns.identity.bedrock_model_arns == (model_arn(0),)


def boundary_size(arns: list[str]) -> int:
    config = config_of({"baseline:network": BEDROCK, "baseline:identity": {"bedrockModelArns": arns}})
    account = AccountContext(ACCOUNT, REGION, "aws")
    return next(p.size for p in rendered_policies(config, account) if p.kind is PolicyKind.MANAGED_POLICY)


def test_iam_05_boundary_does_not_grow_with_the_models_of_one_region() -> None:
    one = [f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
    many = [f"arn:aws:bedrock:{REGION}::foundation-model/vendor.model-{i}-v1:0" for i in range(MAX_BEDROCK_MODEL_ARNS)]
    assert boundary_size(many) == boundary_size(one)


@pytest.fixture(scope="module")
def bedrock_graph() -> ResourceGraph:
    allowlisted = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    overrides = {"baseline:network": BEDROCK, "baseline:identity": {"bedrockModelArns": [allowlisted]}}
    return run_stack("dev", overrides=overrides).graph


def invoke(graph: ResourceGraph, resource: str) -> Decision:
    """InvokeModel naming the stack's guardrail version (AI-02 denies any other request)."""
    who = access_model(graph).roles[vocabulary.INFERENCE]
    [guardrail] = graph.by_type(vocabulary.GUARDRAIL_TYPE)
    [version] = graph.by_type(vocabulary.GUARDRAIL_VERSION_TYPE)
    pinned = vocabulary.guardrail_version_arn(guardrail.outputs["guardrailArn"], version.outputs["version"])
    context: dict[str, ContextValue] = {"aws:SecureTransport": True, vocabulary.GUARDRAIL_ID_KEY: pinned}
    request = Request(who.session_arn, who.account_id, "bedrock:InvokeModel", resource, context)
    return evaluate(request, PolicySet(resource_account=ACCOUNT, identity=who.identity, boundary=who.boundary))


def test_iam_08_inference_invokes_an_allowlisted_model_through_the_boundary_pattern(
    bedrock_graph: ResourceGraph,
) -> None:
    model = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    # the boundary's one Bedrock cap admits the models' pattern (and ApplyGuardrail on the account's guardrails)
    assert invoke(bedrock_graph, model) == Decision(
        "Allow", ("identity[0]:InvokeAllowlistedBedrockModels", "boundary:CapBedrock")
    )


def test_iam_08_inference_invoking_a_model_off_the_allowlist_is_denied(bedrock_graph: ResourceGraph) -> None:
    """The boundary admits every model of the region; the inline policy names only the allowlist."""
    model = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-text-express-v1"
    assert invoke(bedrock_graph, model) == Decision("ImplicitDeny")


# ---- over a quota: refused, naming the key, before any resource exists ------------------------------------------

#: Ordinary ARNs, as a team would configure them (not the longest the config accepts).
TEAM = [f"arn:aws:iam::{ACCOUNT}:role/ml-platform/analyst-{i:03d}" for i in range(700)]
#: Inference profiles in as many regions as the allowlist may hold entries.
PROFILES = [
    f"arn:aws:bedrock:{area}-{side}-{n}:{ACCOUNT}:inference-profile/vendor.model-v1:0"
    for area in ("ap-south", "ap-north", "eu-central", "us-gov")
    for side in ("east", "west", "central")
    for n in (1, 2)
][:MAX_BEDROCK_MODEL_ARNS]
#: The longest prefix, environment and bucket names (the boundary names them all), with Bedrock on.
LONGEST_NAMES = {
    **{k: v for k, v in largest_base().items() if k in ("baseline:prefix", "baseline:environment")},
    "baseline:storage": {"bucketNames": largest_base()["baseline:storage"]["bucketNames"]},
    "baseline:network": BEDROCK,
}


@pytest.mark.parametrize(
    ("key", "values", "others", "policy"),
    [
        ("identity.auditorPrincipalArns", TEAM[:60], {}, "the trust policy of role aisb-dev-auditor"),
        ("identity.inferencePrincipalArns", TEAM[:60], {}, "the trust policy of role aisb-dev-inference"),
        ("kms.adminArns", TEAM, {}, "the key policy of the logs key"),
        (
            "identity.bedrockModelArns",
            PROFILES,
            LONGEST_NAMES,
            "the permissions boundary abbbbbbbbbbbbbbb-ennnnnnnnnnnnnnn-workload-boundary",
        ),
    ],
)
def test_a_config_over_a_policy_quota_is_refused_naming_the_key_and_what_fits(
    key: str, values: list[str], others: dict[str, Any], policy: str
) -> None:
    section, field = key.split(".")

    def overrides(entries: list[str]) -> dict[str, Any]:
        return {**others, f"baseline:{section}": {field: entries}}

    recorder = GraphRecorder(BaselineMocks(FakeAccount()))
    with pytest.raises(ConfigError) as refused:
        run_stack("dev", overrides=overrides(values), recorder=recorder)
    pattern = (
        rf"baseline:{re.escape(key)}: {len(values)} entries make {policy} [\d,]+ of [\d,]+ \w+ "
        rf"\(allowed: at most (\d+) entries with this configuration"
    )
    found = re.search(pattern, str(refused.value))
    assert found, str(refused.value)
    fits = int(found.group(1))
    assert accepted(overrides(values[:fits]), FakeAccount())
    assert not accepted(overrides(values[: fits + 1]), FakeAccount())
    registered = {r.type for r in recorder.records.values() if r.custom and not r.is_provider}
    assert registered == set(), "resources were registered before the refusal"


def test_a_policy_no_list_can_shrink_is_refused_naming_the_name_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no entries to drop, the message names the keys the names come from; it never passes silently."""
    monkeypatch.setitem(
        QUOTAS, PolicyKind.TOPIC_POLICY, dataclasses.replace(QUOTAS[PolicyKind.TOPIC_POLICY], limit=100)
    )
    errors = policy_quota_errors(config_of({}), AccountContext(ACCOUNT, REGION, "aws"))
    assert len(errors) == 1
    assert re.fullmatch(
        r"baseline:prefix, baseline:environment: the configured values make the policy of topic "
        r"aisb-dev-security-alarms [\d,]+ of 100 bytes \(allowed: shorter values; https://\S+\)",
        errors[0],
    ), errors[0]


DOCS = Path(__file__).resolve().parent.parent / "docs" / "identity.md"


def quota_rows(graphs: Mapping[str, tuple[ResourceGraph, BaselineConfig, FakeAccount]]) -> list[str]:
    """The docs' table: each quota with the largest policy of its kind in the dev stack and the largest config."""
    dev, largest = graph_sizes(graphs["dev"][0]), graph_sizes(graphs["largest"][0])
    return [
        f"| {q.title} | [{q.limit:,} {q.unit}]({q.url}) | {q.counting} | {max(dev[kind]):,} | {max(largest[kind]):,} |"
        for kind, q in QUOTAS.items()
    ]


def test_docs_list_every_quota_with_the_sizes_the_stacks_reach(
    graphs: dict[str, tuple[ResourceGraph, BaselineConfig, FakeAccount]],
) -> None:
    text = DOCS.read_text()
    missing = [row for row in quota_rows(graphs) if row not in text]
    assert missing == [], "docs/identity.md quota table is stale; expected rows:\n" + "\n".join(missing)


def test_iam_05_a_deny_of_the_guardrails_draft_does_not_fit_the_largest_boundary(largest: dict[str, Any]) -> None:
    """The boundary's guardrail Deny (``StringNotLike <account>:guardrail/*:*``) admits DRAFT; a second Deny of
    ``*:DRAFT`` would not fit IAM's quota at the longest names (a condition on the Bedrock cap cannot carry it:
    ``bedrock:GuardrailIdentifier`` does not apply to ``ApplyGuardrail``), so the inference role's own Deny, which
    pins the published version, is what refuses DRAFT. Fails once the boundary has the room: then add the Deny."""
    boundary = next(
        p
        for p in rendered_policies(config_of(largest, account=LARGEST_ACCOUNT), context(LARGEST_ACCOUNT))
        if p.kind is PolicyKind.MANAGED_POLICY and p.subject.endswith("-workload-boundary")
    )
    draft = {
        "Sid": "DenyInvokeDraftGuardrail",
        "Effect": "Deny",
        "Action": vocabulary.BOUNDARY_INVOKE_ACTIONS,
        "Resource": "*",
        "Condition": {"StringLike": {vocabulary.GUARDRAIL_ID_KEY: "*:DRAFT"}},
    }
    [document] = boundary.documents
    tightened = {**document, "Statement": [*document["Statement"], draft]}
    limit = QUOTAS[PolicyKind.MANAGED_POLICY].limit
    assert boundary.size <= limit < policy_size(PolicyKind.MANAGED_POLICY, tightened)

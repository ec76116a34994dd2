"""What ``pulumi destroy`` leaves behind, and how the next ``pulumi up`` adopts it (S3-13, GOV-05).

Retained resources survive a destroy. Those with a fixed physical name make the next ``pulumi up`` fail with
"already exists"; the keys, buckets and secret that hold the data would be left beside a fresh, empty stack.
``baseline:adopt`` names what to take back: a resource transformation sets Pulumi's ``import`` option on exactly
those resources, with the id each type's importer takes (bucket name, key id, secret ARN, log group name, trail
ARN, role name, policy ARN). After the adopting ``pulumi up`` the option is inert (the engine imports only what is
not in the stack yet), so the keys may stay in the stack file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from ai_security_baseline.components import documents
from ai_security_baseline.components.config import (
    NAMESPACE,
    BaselineConfig,
    ConfigError,
    FixedNameResource,
    adopted_bucket_class,
)
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.components.storage import pseudonymization_secret_name
from ai_security_baseline.components.trail import trail_name
from ai_security_baseline.controls.vocabulary import BUCKET, LOG_GROUP, ROLE, SECRET, TRAIL
from ai_security_baseline.controls.vocabulary import KMS_KEY as KEY
from ai_security_baseline.controls.vocabulary import MANAGED_POLICY as POLICY

#: The id a type's importer takes, from the resource's own inputs (its name is the one source of it).
ImportId = Callable[[Any], str]


@dataclass(frozen=True)
class AdoptTarget:
    """One resource to adopt: the config entry asking for it, the resource (type, logical name), its import id."""

    entry: str
    type_token: str
    logical_name: str
    import_id: ImportId


def _input(props: Any, key: str, logical_name: str) -> str:
    """A plain string input of a resource being registered (pulumi-aws passes its args object, not a dict)."""
    value = props.get(key) if isinstance(props, dict) else vars(props).get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"cannot adopt {logical_name}: its {key!r} is not a plain string known before deployment")
    return value


def _by_input(key: str, logical_name: str, to_id: Callable[[str], str] = str) -> ImportId:
    return lambda props: to_id(_input(props, key, logical_name))


def _fixed(value: str) -> ImportId:
    return lambda _props: value


def _fixed_name_target(handle: FixedNameResource, config: BaselineConfig, account: AccountContext) -> AdoptTarget:
    """The resource a ``fixedNames`` entry stands for; its import id derives from the name the program gives it."""
    prefix, p, region, acct = config.name_prefix, account.partition, account.region, account.account_id
    entry = f"{NAMESPACE}:adopt.fixedNames[{handle}]"
    logical = {
        "trail": (TRAIL, trail_name(prefix)),
        "trailLogGroup": (LOG_GROUP, f"{prefix}-cloudtrail"),
        "trailLogRole": (ROLE, f"{prefix}-cloudtrail-logs"),
        "flowLogGroup": (LOG_GROUP, "network-flow-logs"),
        "flowLogRole": (ROLE, "network-flow-logs"),
        "boundary": (POLICY, "identity-boundary"),
    }
    type_token, name = logical[handle]
    if type_token == TRAIL:
        import_id = _by_input("name", name, lambda n: documents.trail_arn(p, region, acct, n))
    elif type_token == POLICY:
        import_id = _by_input("name", name, lambda n: f"arn:{p}:iam::{acct}:policy/{n}")
    else:
        import_id = _by_input("name", name)
    return AdoptTarget(entry, type_token, name, import_id)


def adopt_targets(config: BaselineConfig, account: AccountContext) -> list[AdoptTarget]:
    """Every resource ``baseline:adopt`` asks for, with the import id form of its type."""
    adopt, prefix = config.adopt, config.name_prefix
    targets = [
        AdoptTarget(f"{NAMESPACE}:adopt.keys.{data_class}", KEY, f"keys-{data_class}", _fixed(key_id))
        for data_class, key_id in adopt.keys.model_dump().items()
        if key_id
    ]
    for handle in adopt.buckets:
        name = f"{prefix}-{adopted_bucket_class(handle)}"
        targets.append(AdoptTarget(f"{NAMESPACE}:adopt.buckets[{handle}]", BUCKET, name, _by_input("bucket", name)))
    if adopt.secret:
        entry = f"{NAMESPACE}:adopt.secret"
        targets.append(AdoptTarget(entry, SECRET, f"{prefix}-pseudonymization-key", _fixed(adopt.secret)))
    targets += [_fixed_name_target(handle, config, account) for handle in adopt.fixed_names]
    return targets


def secret_arn_problems(arn: str, config: BaselineConfig, account: AccountContext) -> list[str]:
    """Why an ``adopt.secret`` ARN cannot be this stack's secret (another partition, region, account or name)."""
    _, partition, _, region, account_id, _, name_and_suffix = arn.split(":", 6)
    expected = pseudonymization_secret_name(config.name_prefix)
    problems = []
    if (partition, region, account_id) != (account.partition, account.region, account.account_id):
        here = f"{account.partition}/{account.region}/{account.account_id}"
        problems.append(f"it is in {partition}/{region}/{account_id}, the stack in {here}")
    if name_and_suffix[: -len("-XXXXXX")] != expected:
        problems.append(f"it names {name_and_suffix[: -len('-XXXXXX')]!r}, the stack's secret is {expected!r}")
    return problems


class Adoption:
    """Sets ``import_`` on the adopted resources as they register, and fails if one of them never registered."""

    def __init__(self, targets: Sequence[AdoptTarget]) -> None:
        self._pending = {(t.type_token, t.logical_name): t for t in targets}

    def transformation(self, args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        """A ``transformations`` entry for the baseline component: applies to every resource beneath it."""
        target = self._pending.pop((args.type_, args.name), None)
        if target is None:
            return None
        adopted = pulumi.ResourceOptions(import_=target.import_id(args.props))
        return pulumi.ResourceTransformationResult(args.props, pulumi.ResourceOptions.merge(args.opts, adopted))

    def require_all_adopted(self) -> None:
        """Fail closed: an adoption entry that matched no resource would otherwise be silently ignored."""
        if self._pending:
            entries = sorted(t.entry for t in self._pending.values())
            raise ConfigError(f"invalid configuration: {', '.join(entries)}: matched no resource of this stack")


def plan_adoption(config: BaselineConfig, account: AccountContext) -> Adoption:
    """The adoption ``baseline:adopt`` asks for; ConfigError, before anything exists, for a secret of another stack."""
    if config.adopt.secret:
        problems = secret_arn_problems(config.adopt.secret, config, account)
        if problems:
            expected = pseudonymization_secret_name(config.name_prefix)
            raise ConfigError(
                f"invalid configuration: {NAMESPACE}:adopt.secret = {json.dumps(config.adopt.secret)}: "
                f"{'; '.join(problems)} (allowed: the ARN of {expected}-<6 characters> in account "
                f"{account.account_id}, region {account.region})"
            )
    return Adoption(adopt_targets(config, account))


def relaxation_warnings(config: BaselineConfig) -> list[str]:
    """What the engine should print on every preview and update while a lifecycle relaxation is on."""
    if not config.relaxations.bucket_replacement:
        return []
    return [
        f"{NAMESPACE}:relaxations.bucketReplacement is on (S3-13 relaxed): a changed storage.bucketNames name "
        "replaces its bucket; the stack moves to the new, empty bucket and the old one stays outside the stack, "
        "retained with its data"
    ]


__all__ = [
    "AdoptTarget",
    "Adoption",
    "adopt_targets",
    "plan_adoption",
    "relaxation_warnings",
    "secret_arn_problems",
]

"""moto deploy handlers of the Resolver guards (NET-06, NET-07) and the finding routing (DET-07).

moto 5.2.5 implements Resolver query logging, CloudWatch Logs resource policies and EventBridge rules and targets:
those are created in the emulated account. It has no DNS Firewall API: those resources are checked as AWS checks
their requests and recorded with realistic outputs (so the demo deploys), but nothing in the account holds them,
and the NET-06 probe, reading the real API, reports the control ``error`` (not observable), never a pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.emulator.deploy import (
    MotoDeployError,
    MotoMocks,
    Outputs,
    _digest,
    _drop_none,
    _iam_tags,
    _preflight,
    _required,
    autoname,
    check_policy_json,
    handles,
)
from ai_security_baseline.verify.iam.principals import query_log_delivery_calls

#: UpdateFirewallDomains: ``*`` alone, or an optional leading ``*`` then A-Z, a-z, 0-9, '-' and dots, 1-255 characters.
_FIREWALL_DOMAIN = re.compile(r"^(\*|\*?[A-Za-z0-9.-]{1,254})$")
#: AssociateFirewallRuleGroup: "The allowed values for Priority are between 100 and 9900."
ASSOCIATION_PRIORITIES = range(100, 9901)
_RULE_ACTIONS = ("ALLOW", "BLOCK", "ALERT")
_BLOCK_RESPONSES = ("NODATA", "NXDOMAIN", "OVERRIDE")
_FAIL_OPEN = ("ENABLED", "DISABLED", "USE_LOCAL_RESOURCE_SETTING")


def _resolver_id(kind: str, typ: str, name: str) -> str:
    return f"rslvr-{kind}-{_digest(typ, name, length=17)}"


def _refuse(name: str, cause: str) -> MotoDeployError:
    return MotoDeployError("", name, f"ValidationException: {cause}")


def _vpc_exists(m: MotoMocks, name: str, vpc_id: Any) -> None:
    if not m.client("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [str(vpc_id)]}])["Vpcs"]:
        raise MotoDeployError("", name, f"ResourceNotFoundException: VPC {vpc_id} does not exist")


def _recorded(m: MotoMocks, inputs: Mapping[str, Any], rid: str, arn_kind: str | None) -> dict[str, Any]:
    """Outputs of a DNS Firewall resource AWS would create (recorded only: moto has no DNS Firewall API)."""
    outputs: dict[str, Any] = {**inputs, "id": rid, "ownerId": m.account_id}
    if arn_kind:
        outputs |= {"arn": m.arn("route53resolver", f"{arn_kind}/{rid}"), "shareStatus": "NOT_SHARED"}
    return outputs


@handles(vocabulary.FIREWALL_DOMAIN_LIST)
def _firewall_domain_list(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    domains = [str(d) for d in inputs.get("domains") or []]
    bad = [d for d in domains if not _FIREWALL_DOMAIN.match(d) or ".." in d]
    if bad:
        raise _refuse(name, f"domain {bad[0]!r} is not a DNS Firewall domain specification")
    rid = _resolver_id("fdl", vocabulary.FIREWALL_DOMAIN_LIST, name)
    return rid, _recorded(m, inputs, rid, "firewall-domain-list")


@handles(vocabulary.FIREWALL_RULE_GROUP)
def _firewall_rule_group(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    rid = _resolver_id("frg", vocabulary.FIREWALL_RULE_GROUP, name)
    return rid, _recorded(m, inputs, rid, "firewall-rule-group")


@handles(vocabulary.FIREWALL_RULE)
def _firewall_rule(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    group, action, priority = _required(
        vocabulary.FIREWALL_RULE, name, inputs, "firewallRuleGroupId", "action", "priority"
    )
    if action not in _RULE_ACTIONS:
        raise _refuse(name, f"Action {action!r} not in {list(_RULE_ACTIONS)}")
    if action == "BLOCK" and inputs.get("blockResponse") not in _BLOCK_RESPONSES:
        raise _refuse(name, f"a BLOCK rule needs BlockResponse in {list(_BLOCK_RESPONSES)}")
    if not inputs.get("firewallDomainListId"):
        raise _refuse(name, "the rule names no domain list")
    int(priority)
    return f"{group}:{inputs['firewallDomainListId']}", dict(inputs)


@handles(vocabulary.FIREWALL_ASSOCIATION)
def _firewall_association(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    _, vpc_id, priority = _required(
        vocabulary.FIREWALL_ASSOCIATION, name, inputs, "firewallRuleGroupId", "vpcId", "priority"
    )
    if int(priority) not in ASSOCIATION_PRIORITIES:
        raise _refuse(name, f"Priority {priority} is not between 100 and 9900")
    if inputs.get("mutationProtection", "DISABLED") not in ("ENABLED", "DISABLED"):
        raise _refuse(name, f"MutationProtection {inputs['mutationProtection']!r}")
    _vpc_exists(m, name, vpc_id)
    rid = _resolver_id("frgassoc", vocabulary.FIREWALL_ASSOCIATION, name)
    return rid, _recorded(m, inputs, rid, "firewall-rule-group-association")


@handles(vocabulary.FIREWALL_CONFIG)
def _firewall_config(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (vpc_id,) = _required(vocabulary.FIREWALL_CONFIG, name, inputs, "resourceId")
    if inputs.get("firewallFailOpen", "DISABLED") not in _FAIL_OPEN:
        raise _refuse(name, f"FirewallFailOpen {inputs['firewallFailOpen']!r} not in {list(_FAIL_OPEN)}")
    _vpc_exists(m, name, vpc_id)
    rid = _resolver_id("fc", vocabulary.FIREWALL_CONFIG, name)
    return rid, _recorded(m, inputs, rid, None)


# ---- query logging (moto implements it) ---------------------------------------------------------------------


@handles(vocabulary.LOG_RESOURCE_POLICY)
def _log_resource_policy(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (document,) = _required(vocabulary.LOG_RESOURCE_POLICY, name, inputs, "policyDocument")
    policy_name = inputs.get("policyName") or autoname(name, "log-resource-policy")
    text = check_policy_json(document, f"log resource policy {policy_name}", resource_based=True)
    m.client("logs").put_resource_policy(policyName=policy_name, policyDocument=text)
    return str(policy_name), {**inputs, "policyName": policy_name, "policyScope": "ACCOUNT"}


def _account_log_policy(m: MotoMocks) -> dict[str, Any]:
    """Every CloudWatch Logs resource policy of the account as one document (AWS evaluates them together)."""
    policies = m.client("logs").describe_resource_policies()["resourcePolicies"]
    statements = [s for p in policies for s in json.loads(p["policyDocument"]).get("Statement", [])]
    return {"Version": "2012-10-17", "Statement": statements}


@handles(vocabulary.QUERY_LOG_CONFIG)
def _query_log_config(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (destination,) = _required(vocabulary.QUERY_LOG_CONFIG, name, inputs, "destinationArn")
    group_arn = str(destination).removesuffix(":*")
    if ":log-group:" in group_arn:  # Logs delivers the query logs only where a resource policy admits it
        _preflight(
            name,
            "AccessDeniedException",
            query_log_delivery_calls(
                account=m.account_id,
                partition=m.partition,
                region=m.region,
                group_arn=group_arn,
                resource_policy=_account_log_policy(m),
            ),
        )
    config = m.client("route53resolver").create_resolver_query_log_config(
        Name=inputs.get("name") or autoname(name, "query-log-config"),
        DestinationArn=str(destination),
        CreatorRequestId=_digest(vocabulary.QUERY_LOG_CONFIG, name, length=32),
        **_drop_none(Tags=_iam_tags(m, inputs) or None),
    )["ResolverQueryLogConfig"]
    return config["Id"], {
        **inputs,
        "id": config["Id"],
        "arn": config["Arn"],
        "ownerId": config["OwnerId"],
        "shareStatus": config["ShareStatus"],
    }


@handles(vocabulary.QUERY_LOG_ASSOCIATION)
def _query_log_association(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    config_id, vpc_id = _required(
        vocabulary.QUERY_LOG_ASSOCIATION, name, inputs, "resolverQueryLogConfigId", "resourceId"
    )
    _vpc_exists(m, name, vpc_id)
    association = m.client("route53resolver").associate_resolver_query_log_config(
        ResolverQueryLogConfigId=str(config_id), ResourceId=str(vpc_id)
    )["ResolverQueryLogConfigAssociation"]
    return association["Id"], {**inputs, "id": association["Id"]}


# ---- EventBridge (DET-07) -----------------------------------------------------------------------------------


@handles(vocabulary.EVENT_RULE)
def _event_rule(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    rule = inputs.get("name") or autoname(name, "event-rule")
    pattern = inputs.get("eventPattern")
    if pattern is not None:
        json.loads(str(pattern))  # AWS refuses a pattern that is not JSON
    arn = m.client("events").put_rule(
        Name=rule,
        Tags=_iam_tags(m, inputs),
        **_drop_none(
            EventPattern=pattern,
            ScheduleExpression=inputs.get("scheduleExpression"),
            State=inputs.get("state"),
            Description=inputs.get("description"),
            EventBusName=inputs.get("eventBusName"),
        ),
    )["RuleArn"]
    return rule, {**inputs, "id": rule, "name": rule, "arn": arn}


@handles(vocabulary.EVENT_TARGET)
def _event_target(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    rule, arn = _required(vocabulary.EVENT_TARGET, name, inputs, "rule", "arn")
    target = inputs.get("targetId") or autoname(name, "target")
    answer = m.client("events").put_targets(Rule=str(rule), Targets=[{"Id": target, "Arn": str(arn)}])
    if answer.get("FailedEntryCount"):
        raise MotoDeployError("", name, f"put_targets refused: {answer['FailedEntries']}")
    return f"{rule}-{target}", {**inputs, "targetId": target}

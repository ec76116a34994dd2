"""ACC-03 preview rule: the region's default VPC, as the deployment found it, has an empty default security group,
a default NACL without entries and an ALL-traffic flow log; or the region has none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.acc.common import Found, of_type, waived_centrally
from ai_security_baseline.controls.vocabulary import (
    DEFAULT_NACL,
    DEFAULT_SG,
    DEFAULT_VPC_MODES,
    DEFAULT_VPC_OUTPUT,
    FLOW_LOG,
    NACL_RULE,
    SG_EGRESS,
    SG_INGRESS,
    SG_RULE,
)


def found_default_vpc(outputs: Mapping[str, Any]) -> tuple[str, str, str]:
    """(mode, vpc id, default NACL id) the deployment exported; Undecidable when absent or malformed."""
    value = outputs.get(DEFAULT_VPC_OUTPUT)
    if not isinstance(value, Mapping) or kit.UNKNOWN in [str(v) for v in value.values()]:
        raise kit.Undecidable(f"output {DEFAULT_VPC_OUTPUT} is not a known {{mode, vpcId, networkAclId}} map")
    mode, vpc, acl = (str(value.get(k) or "") for k in ("mode", "vpcId", "networkAclId"))
    if mode not in DEFAULT_VPC_MODES:
        raise kit.Undecidable(f"output {DEFAULT_VPC_OUTPUT}.mode {mode!r} is not one of {list(DEFAULT_VPC_MODES)}")
    return mode, vpc, acl


def _group_problems(resources: Sequence[kit.Res], vpc: str) -> list[str]:
    groups = [g for g in of_type(resources, DEFAULT_SG) if kit.known(g, "vpcId") == vpc]
    if not groups:
        return [f"the default security group of {vpc} is not managed (AWS's default allows traffic)"]
    problems = [
        f"{g.name}.{k} = {kit.known(g, k)!r}" for g in groups for k in ("ingress", "egress") if kit.known(g, k) != []
    ]
    ids = {str(g.props.get("id")) for g in groups} | {g.urn for g in groups}
    rules = [
        r.name
        for r in resources
        if r.type in (SG_INGRESS, SG_EGRESS, SG_RULE)
        and (r.props.get("securityGroupId") in ids or set(r.property_dependencies.get("securityGroupId", ())) & ids)
    ]
    return problems + ([f"rules attached to the default security group: {sorted(rules)}"] if rules else [])


def _acl_problems(resources: Sequence[kit.Res], acl: str) -> list[str]:
    acls = [a for a in of_type(resources, DEFAULT_NACL) if kit.known(a, "defaultNetworkAclId") == acl]
    if not acls:
        return [f"the default network ACL {acl} is not managed (AWS's default allows all traffic)"]
    problems = [f"{a.name}.{k} has entries" for a in acls for k in ("ingress", "egress") if kit.known(a, k)]
    ids = {acl} | {a.urn for a in acls}
    rules = [
        r.name
        for r in of_type(resources, NACL_RULE)
        if r.props.get("networkAclId") in ids or set(r.property_dependencies.get("networkAclId", ())) & ids
    ]
    return problems + ([f"entries added to the default network ACL: {sorted(rules)}"] if rules else [])


def _flow_log_problems(resources: Sequence[kit.Res], vpc: str) -> list[str]:
    flows = [f for f in of_type(resources, FLOW_LOG) if kit.known(f, "vpcId") == vpc]
    if not any(kit.known(f, "trafficType") == "ALL" for f in flows):
        return [f"no ALL-traffic flow log of {vpc}"]
    return []


def check(resources: Sequence[kit.Res]) -> Found:
    waived = list(waived_centrally(resources, "defaultVpc", "ACC-03"))
    if waived:
        yield from waived
        return
    urn = kit.stack_urn(resources)
    mode, vpc, acl = found_default_vpc(kit.stack_outputs(resources))
    if not vpc:
        reason = "deleted, as accountGuardrails.defaultVpc asserts" if mode == "deleted" else "none"
        yield urn, "ACC-03", True, f"the region has no default VPC at deployment ({reason})"
        return
    if mode == "deleted":
        yield urn, "ACC-03", False, f"accountGuardrails.defaultVpc is deleted, but the region has {vpc}"
        return
    problems = _group_problems(resources, vpc) + _acl_problems(resources, acl) + _flow_log_problems(resources, vpc)
    message = "; ".join(problems) or f"default VPC {vpc}: empty default SG and NACL, ALL-traffic flow log"
    yield urn, "ACC-03", not problems, message


RULE = kit.Rule(
    "acc-03-default-vpc-locked",
    "The region's default VPC is locked down (empty default SG and NACL, flow logs) or absent",
    ("ACC-03",),
    stack_check=check,
)

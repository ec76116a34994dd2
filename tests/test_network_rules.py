"""The NET and EP rules together: each passes the compliant literal network, fails a stack without one, errors on
unknowns; each control's own cases live in its unit."""

from __future__ import annotations

import pytest

from ai_security_baseline.controls.net.testing import LOGS_KEY_ARN, NETWORK_RULES, UNKNOWN, network, outcomes, statuses
from ai_security_baseline.controls.testing import changed, res
from ai_security_baseline.controls.vocabulary import KMS_KEY
from ai_security_baseline.policies.baseline_rules import RULES


@pytest.mark.parametrize("rule", [r.name for r in NETWORK_RULES])
def test_network_rule_passes_the_compliant_network(rule: str) -> None:
    found = outcomes(rule, network())
    assert found
    assert {o.status for o in found} == {"pass"}, [o.message for o in found if o.status != "pass"]


@pytest.mark.parametrize(
    "rule", [r.name for r in NETWORK_RULES if r.stack_check and r.name != "net-02-isolated-subnets"]
)
def test_network_stack_rule_fails_a_stack_without_network(rule: str) -> None:
    found = outcomes(rule, [res(KMS_KEY, "only-a-key", arn=LOGS_KEY_ARN)])
    assert found
    assert {o.status for o in found} == {"fail"}


def test_network_rules_are_registered_with_the_catalog_controls() -> None:
    covered = {c for r in NETWORK_RULES for c in r.controls}
    assert covered == {f"NET-0{i}" for i in range(1, 8)} | {f"EP-0{i}" for i in range(1, 6)}
    assert set(NETWORK_RULES) <= set(RULES)


# ---- unknown values are errors, never passes ---------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "name", "prop", "control"),
    [
        ("net-01-vpc-dns", "vpc", "enableDnsHostnames", "NET-01"),
        ("net-02-isolated-subnets", "rt-a", "routes", "NET-02"),
        ("net-02-isolated-subnets", "subnet-a", "mapPublicIpOnLaunch", "NET-02"),
        ("net-03-default-sg-empty", "default-sg", "ingress", "NET-03"),
        ("net-04-nacls-vpc-only", "s3-out", "cidrBlock", "NET-04"),
        ("net-05-flow-logs", "flow-log", "trafficType", "NET-05"),
        ("ep-01-s3-gateway-routes", "ep-s3", "routeTableIds", "EP-01"),
        ("ep-02-interface-endpoints", "ep-sts", "privateDnsEnabled", "EP-02"),
        ("ep-04-endpoint-security-group", "endpoint-https", "cidrIpv4", "EP-04"),
        ("ep-05-endpoint-policies", "ep-kms", "policy", "EP-05"),
    ],
)
def test_network_rule_errors_on_an_unknown_value(rule: str, name: str, prop: str, control: str) -> None:
    assert statuses(rule, changed(network(), name, **{prop: UNKNOWN}), control) == {"error"}


# ---- NET-01 ----------------------------------------------------------------------------------

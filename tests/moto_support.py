"""Helpers shared by the moto tests: deploy the dev stack, boto3 clients of the emulated account."""

from __future__ import annotations

import functools
from typing import Any

from ai_security_baseline.verify.demo import Deployment, deploy, moto_session
from ai_security_baseline.verify.emulator.server import MotoServer
from ai_security_baseline.verify.project import PROJECT_ROOT

#: Controls whose probe needs an API moto does not implement: on moto they report ``error`` naming it, never pass.
NOT_OBSERVABLE_ON_MOTO: dict[str, str] = {
    "AI-02": "bedrock:GetGuardrail",
    "DET-02": "guardduty:GetMalwareProtectionPlan",
    "DET-04": "securityhub:GetEnabledStandards",
    "DET-06": "accessanalyzer:GetAnalyzer",
    "NET-06": "route53resolver:ListFirewallRuleGroupAssociations",
}


def deploy_dev(server: MotoServer) -> Deployment:
    server.reset()
    return deploy(server, "dev", PROJECT_ROOT)


def client(server: MotoServer, service: str) -> Any:
    """One client per (endpoint, service): creating boto3 clients costs ~0.2 s each."""
    return _client(server.endpoint_url, server.region, service)


@functools.cache
def _client(endpoint_url: str, region: str, service: str) -> Any:
    server = MotoServer(region=region, port=int(endpoint_url.rsplit(":", 1)[1]))
    return moto_session(server).client(service, endpoint_url=endpoint_url)

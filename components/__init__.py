"""Entry point for the repository's Pulumi program: the public components of ``ai_security_baseline.components``.

A thin re-export kept out of the wheel (a top-level ``components`` package would clash with other code where the
baseline is installed); programs that install the baseline import ``ai_security_baseline.components`` directly.
"""

from ai_security_baseline.components.baseline import AiSecurityBaseline, make_provider
from ai_security_baseline.components.config import BaselineConfig, ConfigError, load_config, parse_region, with_deployer
from ai_security_baseline.components.identity import RolePolicies, WorkloadRoles, WorkloadSecurityGroup
from ai_security_baseline.components.keys import AccountContext, EncryptionKeys
from ai_security_baseline.components.network import IsolatedVpc, PrivateEndpoints
from ai_security_baseline.components.storage import SecureBucket, Storage
from ai_security_baseline.components.trail import Trail

__all__ = [
    "AccountContext",
    "AiSecurityBaseline",
    "BaselineConfig",
    "ConfigError",
    "EncryptionKeys",
    "IsolatedVpc",
    "PrivateEndpoints",
    "RolePolicies",
    "SecureBucket",
    "Storage",
    "Trail",
    "WorkloadRoles",
    "WorkloadSecurityGroup",
    "load_config",
    "make_provider",
    "parse_region",
    "with_deployer",
]

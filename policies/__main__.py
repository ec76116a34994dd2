"""The CrossGuard policy pack: `pulumi preview --policy-pack policies`. Only constructs the pack.

The rules live in the control units (``ai_security_baseline/controls/``) beside this folder: the repository root
goes on the path so the pack loads them with nothing but pulumi-policy installed.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from ai_security_baseline.policies.crossguard import build_policies

PolicyPack(
    name="ai-security-baseline",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)

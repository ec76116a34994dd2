"""The CrossGuard policy pack: `pulumi preview --policy-pack policies`. Only constructs the pack."""

from crossguard import build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="ai-security-baseline",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)

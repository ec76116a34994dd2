"""NET-01: private endpoint DNS needs both VPC DNS attributes, set explicitly."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import VPC


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    """NET-01: private endpoint DNS needs both VPC DNS attributes, set explicitly."""
    support = kit.known(res, "enableDnsSupport")
    hostnames = kit.known(res, "enableDnsHostnames")
    yield (
        "NET-01",
        support is True and hostnames is True,
        f"enableDnsSupport={support}, enableDnsHostnames={hostnames} (expected both true)",
    )


RULE = kit.Rule("net-01-vpc-dns", "VPCs have DNS support and DNS hostnames on", ("NET-01",), (VPC,), check)

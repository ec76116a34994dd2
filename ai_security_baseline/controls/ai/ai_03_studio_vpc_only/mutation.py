"""AI-03 mutations: the domain on SageMaker's internet path, outside the isolated subnets, without the data key,
without sourceIdentity; in the account the domain re-created PublicInternetOnly (moto has no UpdateDomain)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ai_security_baseline.controls.vocabulary import SAGEMAKER_DOMAIN, STUDIO_OUTPUT
from ai_security_baseline.verify.checkers.mutation import Mutation, set_property

#: What CreateDomain takes back from DescribeDomain's answer.
CREATE_KEYS = ("DomainName", "AuthMode", "DefaultUserSettings", "SubnetIds", "VpcId", "DomainSettings", "KmsKeyId")


def _recreate(sagemaker: Any, domain: str, params: dict[str, Any]) -> None:
    sagemaker.delete_domain(DomainId=domain)
    sagemaker.create_domain(**params)


def public_internet_live(ctx: Any) -> Callable[[], None]:
    sagemaker = ctx.client("sagemaker")
    domain = str(ctx.output(STUDIO_OUTPUT)["domainId"])
    described = sagemaker.describe_domain(DomainId=domain)
    original = {k: described[k] for k in CREATE_KEYS if described.get(k)}
    original["AppNetworkAccessType"] = described["AppNetworkAccessType"]
    _recreate(sagemaker, domain, {**original, "AppNetworkAccessType": "PublicInternetOnly"})
    return lambda: _recreate(sagemaker, domain, original)


MUTATIONS = (
    Mutation(
        "AI-03",
        "Studio on the public internet path",
        graph=set_property(SAGEMAKER_DOMAIN, "studio", "appNetworkAccessType", "PublicInternetOnly"),
    ),
    Mutation(
        "AI-03", "Studio in a foreign subnet", graph=set_property(SAGEMAKER_DOMAIN, "studio", "subnetIds", ["subnet-x"])
    ),
    Mutation("AI-03", "Studio without the data key", graph=set_property(SAGEMAKER_DOMAIN, "studio", "kmsKeyId", None)),
    Mutation(
        "AI-03",
        "Studio without sourceIdentity",
        graph=set_property(SAGEMAKER_DOMAIN, "studio", "domainSettings", {"securityGroupIds": []}),
    ),
    Mutation("AI-03", "Studio re-created PublicInternetOnly in the account", live=public_internet_live),
)

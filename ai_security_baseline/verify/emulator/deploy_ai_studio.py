"""moto deploy handlers of the Studio domain (AI-03).

moto 5.2.5 has SageMaker domains (create, describe, delete): the domain is created through its API, so the probe
reads what CreateDomain stored. It has no user profiles: those are recorded in ``MotoMocks.emulated`` once the
domain they name is found, with the ARN AWS would answer.
"""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls.vocabulary import SAGEMAKER_DOMAIN, SAGEMAKER_USER_PROFILE
from ai_security_baseline.verify.emulator import preflight
from ai_security_baseline.verify.emulator.deploy import (
    MotoMocks,
    Outputs,
    _deployer_key_preflight,
    _required,
    handles,
)
from ai_security_baseline.verify.iam.principals import home_efs_creation_calls


def _pascal(value: Any) -> Any:
    """The provider's camelCase blocks as the API's PascalCase members."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


@handles(SAGEMAKER_DOMAIN)
def _domain(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    domain_name, auth, vpc, subnets = _required(
        SAGEMAKER_DOMAIN, name, inputs, "domainName", "authMode", "vpcId", "subnetIds"
    )
    params: dict[str, Any] = {
        "DomainName": domain_name,
        "AuthMode": auth,
        "VpcId": vpc,
        "SubnetIds": subnets,
        "DefaultUserSettings": _pascal(inputs.get("defaultUserSettings") or {}),
        "AppNetworkAccessType": inputs.get("appNetworkAccessType") or "PublicInternetOnly",
        "Tags": [{"Key": k, "Value": v} for k, v in m.tags(inputs).items()],
    }
    if inputs.get("domainSettings"):
        params["DomainSettings"] = _pascal(inputs["domainSettings"])
    if inputs.get("kmsKeyId"):  # EFS uses the key as the caller for the home file system: moto does not ask
        key = str(inputs["kmsKeyId"])
        _deployer_key_preflight(m, name, preflight.STUDIO_DOMAIN_KMS_ERROR, home_efs_creation_calls, key)
        params["KmsKeyId"] = key
    arn = m.client("sagemaker").create_domain(**params)["DomainArn"]
    domain = arn.rsplit("/", 1)[-1]
    return domain, {**inputs, "id": domain, "arn": arn, "tagsAll": m.tags(inputs)}


@handles(SAGEMAKER_USER_PROFILE)
def _user_profile(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated (moto has no CreateUserProfile): the domain must exist, as SageMaker checks it."""
    domain, user = _required(SAGEMAKER_USER_PROFILE, name, inputs, "domainId", "userProfileName")
    m.client("sagemaker").describe_domain(DomainId=domain)
    arn = m.arn("sagemaker", f"user-profile/{domain}/{user}")
    m.emulated.append((SAGEMAKER_USER_PROFILE, name, arn))
    return arn, {**inputs, "id": arn, "arn": arn, "tagsAll": m.tags(inputs)}

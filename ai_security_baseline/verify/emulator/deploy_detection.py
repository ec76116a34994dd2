"""moto deploy handlers of the detection services (DET-01, DET-02, DET-04, DET-06).

moto 5.2.5 has GuardDuty detectors (with features) and Security Hub enablement: those are created through its API.
It has no malware protection plans, no Security Hub standards and no Access Analyzer: those are recorded in
``MotoMocks.emulated`` with the ids and ARNs AWS would answer, so the stack deploys and its outputs read as
AWS's, and nothing is stored where a probe could read it: the live probes ask the real API and report the
endpoint's refusal as not observable.
"""

from __future__ import annotations

import json
from typing import Any

from ai_security_baseline.controls.vocabulary import (
    ACCESS_ANALYZER,
    ACCESS_ANALYZER_ROLE,
    ACCESS_ANALYZER_ROLE_PATH,
    ACCESS_ANALYZER_SERVICE,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_FEATURE,
    MALWARE_PROTECTION_PLAN,
    SECURITY_HUB,
    SECURITY_HUB_STANDARD,
    SECURITY_HUB_STANDARDS,
    security_hub_standard_arn,
    security_hub_subscription_arn,
)
from ai_security_baseline.verify.emulator.deploy import (
    MotoMocks,
    Outputs,
    PolicyDocumentError,
    _digest,
    _required,
    handles,
)


@handles(GUARDDUTY_DETECTOR)
def _detector(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    detector = m.client("guardduty").create_detector(
        Enable=bool(inputs.get("enable", True)),
        FindingPublishingFrequency=inputs.get("findingPublishingFrequency") or "SIX_HOURS",
        Tags=m.tags(inputs),
    )["DetectorId"]
    arn = m.arn("guardduty", f"detector/{detector}")
    return detector, {**inputs, "id": detector, "arn": arn, "accountId": m.account_id, "tagsAll": m.tags(inputs)}


@handles(GUARDDUTY_FEATURE)
def _detector_feature(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    detector, feature, status = _required(GUARDDUTY_FEATURE, name, inputs, "detectorId", "name", "status")
    m.client("guardduty").update_detector(DetectorId=detector, Features=[{"Name": feature, "Status": status}])
    rid = f"{detector}/{feature}"
    return rid, {**inputs, "id": rid}


@handles(MALWARE_PROTECTION_PLAN)
def _malware_plan(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated (moto has no CreateMalwareProtectionPlan): the role must exist, as GuardDuty checks it."""
    role, resource = _required(MALWARE_PROTECTION_PLAN, name, inputs, "role", "protectedResource")
    m.client("iam").get_role(RoleName=str(role).rsplit("/", 1)[-1])
    if not (resource.get("s3Bucket") or {}).get("bucketName"):
        raise PolicyDocumentError(f"{MALWARE_PROTECTION_PLAN} {name!r} protects no S3 bucket")
    m.client("s3").head_bucket(Bucket=resource["s3Bucket"]["bucketName"])
    plan = _digest(MALWARE_PROTECTION_PLAN, name, length=20)
    arn = m.arn("guardduty", f"malware-protection-plan/{plan}")
    m.emulated.append((MALWARE_PROTECTION_PLAN, name, arn))
    return plan, {**inputs, "id": plan, "arn": arn, "status": "ACTIVE", "tagsAll": m.tags(inputs)}


@handles(SECURITY_HUB)
def _security_hub(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    m.client("securityhub").enable_security_hub(
        EnableDefaultStandards=bool(inputs.get("enableDefaultStandards", True)),
        ControlFindingGenerator=inputs.get("controlFindingGenerator") or "SECURITY_CONTROL",
    )
    hub = m.client("securityhub").describe_hub()
    return m.account_id, {**inputs, "id": m.account_id, "arn": hub["HubArn"]}


@handles(SECURITY_HUB_STANDARD)
def _standards_subscription(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated (moto has no BatchEnableStandards): only the standards the stack knows, in this region."""
    (standard_arn,) = _required(SECURITY_HUB_STANDARD, name, inputs, "standardsArn")
    known = {security_hub_standard_arn(m.partition, m.region, s): s for s in SECURITY_HUB_STANDARDS}
    if standard_arn not in known:
        raise PolicyDocumentError(f"{SECURITY_HUB_STANDARD} {name!r}: {standard_arn} is not a standard of {m.region}")
    arn = security_hub_subscription_arn(m.partition, m.region, m.account_id, known[standard_arn])
    m.emulated.append((SECURITY_HUB_STANDARD, name, arn))
    return arn, {**inputs, "id": arn}


def _analyzer_service_role(m: MotoMocks) -> None:
    """What CreateAnalyzer does in AWS besides the analyzer: create Access Analyzer's service-linked role, unless the
    account has it (moto's CreateServiceLinkedRole misspells its name, so it is created as AWS names it)."""
    iam = m.client("iam")
    try:
        iam.get_role(RoleName=ACCESS_ANALYZER_ROLE)
    except iam.exceptions.NoSuchEntityException:
        iam.create_role(
            RoleName=ACCESS_ANALYZER_ROLE,
            Path=ACCESS_ANALYZER_ROLE_PATH,
            AssumeRolePolicyDocument=json.dumps(service_linked_trust(ACCESS_ANALYZER_SERVICE)),
        )


def service_linked_trust(service: str) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [statement]}


@handles(ACCESS_ANALYZER)
def _analyzer(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """Emulated (moto has no Access Analyzer); its service-linked role is created in moto's IAM, as AWS does."""
    (analyzer,) = _required(ACCESS_ANALYZER, name, inputs, "analyzerName")
    _analyzer_service_role(m)
    arn = m.arn("access-analyzer", f"analyzer/{analyzer}")
    m.emulated.append((ACCESS_ANALYZER, name, arn))
    return analyzer, {**inputs, "id": analyzer, "arn": arn, "tagsAll": m.tags(inputs)}

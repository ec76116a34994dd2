"""Detection services: GuardDuty with S3 protection (DET-01), malware protection plans on the scanned buckets
(DET-02), Security Hub with the standards the stack chooses (DET-04) and IAM Access Analyzer (DET-06).

Ordering (no cycle): ``DetectionServices`` is built before the keys, because the data and models key policies name
the malware protection role and AWS refuses a key policy naming a principal that does not exist yet;
``scan_buckets`` adds the role's inline policy and the plans once the buckets exist. A piece named in
``baseline:centrallyManaged`` is not created; the malware protection plans need no detector
(GuardDuty User Guide, "GuardDuty Malware Protection for S3": it can run as an independent feature), so they stay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ai_security_baseline.components import documents, identity
from ai_security_baseline.components.config import BucketNamesConfig, DetectionConfig
from ai_security_baseline.components.delivery import bounded_service_role
from ai_security_baseline.components.documents import PolicyDocument, Statement
from ai_security_baseline.components.keys import AccountContext
from ai_security_baseline.controls.vocabulary import (
    ACCESS_ANALYZER_OUTPUT,
    ACCESS_ANALYZER_TYPES,
    BUCKET_KEY_CLASS,
    GUARDDUTY_DETECTOR_OUTPUT,
    MALWARE_PLANS_OUTPUT,
    MALWARE_PROTECTION_ROLE,
    MALWARE_PROTECTION_SERVICE,
    MALWARE_ROLE_OUTPUT,
    MALWARE_SCAN_KEY_ACTIONS,
    MALWARE_VALIDATION_OBJECT,
    S3_PROTECTION_FEATURE,
    SCANNED_BUCKETS,
    SECURITY_HUB_FINDING_GENERATOR,
    SECURITY_HUB_OUTPUT,
    SECURITY_HUB_STANDARDS,
    SECURITY_HUB_STANDARDS_OUTPUT,
    security_hub_standard_arn,
)

#: How often GuardDuty exports updates of active findings (the fastest it offers; new findings go out at once).
FINDING_FREQUENCY = "FIFTEEN_MINUTES"
#: The EventBridge managed rules GuardDuty creates per protected bucket (GuardDuty User Guide, "Create or update IAM
#: role policy": the role manages only rules of this name, and only those GuardDuty manages).
MANAGED_RULE_PREFIX = "DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3"
#: What the role does to objects: read them to scan, read and write their tags to record the result.
SCAN_OBJECT_ACTIONS: tuple[str, ...] = (
    "s3:GetObject",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionTagging",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
)
#: What the role does to the bucket: turn on its EventBridge notifications and list it.
SCAN_BUCKET_ACTIONS: tuple[str, ...] = ("s3:GetBucketNotification", "s3:ListBucket", "s3:PutBucketNotification")
#: What the role needs of a bucket's key through S3: decrypt objects to scan them, encrypt the validation object.
SCAN_KEY_ACTIONS = MALWARE_SCAN_KEY_ACTIONS


def malware_role_name(name_prefix: str) -> str:
    """``<name_prefix>-malware-protection``: known before the key and bucket policies that name it."""
    return identity.role_name(name_prefix, MALWARE_PROTECTION_ROLE)


def malware_role_arn(account: AccountContext, name_prefix: str) -> str:
    return identity.role_arn(account, name_prefix, MALWARE_PROTECTION_ROLE)


def malware_plan_source_arn(account: AccountContext) -> str:
    """``aws:SourceArn`` of any malware protection plan of this account and region (the plan's ARN form,
    ``arn:<partition>:guardduty:<region>:<account>:malware-protection-plan/<id>``)."""
    return f"arn:{account.partition}:guardduty:{account.region}:{account.account_id}:malware-protection-plan/*"


def managed_rule_arn(account: AccountContext) -> str:
    return f"arn:{account.partition}:events:{account.region}:{account.account_id}:rule/{MANAGED_RULE_PREFIX}*"


def malware_trust_policy(account: AccountContext) -> PolicyDocument:
    """DET-02/IAM-01: only GuardDuty Malware Protection for S3, only for this account's plans (the confused-deputy
    conditions of the GuardDuty User Guide, "Create or update IAM role policy", trust relationship)."""
    return documents.source_bound_trust(
        "GuardDutyMalwareProtectionAssumeRole",
        MALWARE_PROTECTION_SERVICE,
        account.account_id,
        malware_plan_source_arn(account),
    )


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def malware_role_statements(
    account: AccountContext, bucket_arns: Mapping[str, str], key_arns: Mapping[str, str]
) -> list[Statement]:
    """The permissions GuardDuty documents for the role, scoped to the scanned buckets (``bucket_arns`` by class),
    their objects, their keys (``key_arns`` by data class) and GuardDuty's own EventBridge rules."""
    rules = managed_rule_arn(account)
    statements = [
        documents.allow_statement(
            "ManageGuardDutyEventBridgeRules",
            ["events:DeleteRule", "events:PutRule", "events:PutTargets", "events:RemoveTargets"],
            [rules],
            {"StringEquals": {"events:ManagedBy": MALWARE_PROTECTION_SERVICE}},
        ),
        documents.allow_statement(
            "DescribeGuardDutyEventBridgeRules", ["events:DescribeRule", "events:ListTargetsByRule"], [rules]
        ),
    ]
    for bucket_class in SCANNED_BUCKETS:
        bucket, name = bucket_arns[bucket_class], _camel(bucket_class)
        statements += [
            documents.allow_statement(f"Notify{name}BucketEvents", SCAN_BUCKET_ACTIONS, [bucket]),
            documents.allow_statement(f"ScanAndTag{name}Objects", SCAN_OBJECT_ACTIONS, [f"{bucket}/*"]),
            documents.allow_statement(
                f"Put{name}ValidationObject", ["s3:PutObject"], [f"{bucket}/{MALWARE_VALIDATION_OBJECT}"]
            ),
        ]
    condition = documents.kms_via_s3_condition(account.region, account.account_id)
    for data_class in scanned_key_classes():
        statements.append(
            documents.allow_statement(
                f"Use{_camel(data_class)}KeyViaS3ForScans", SCAN_KEY_ACTIONS, [key_arns[data_class]], condition
            )
        )
    return statements


def scanned_key_classes() -> list[str]:
    """Data classes of the keys that encrypt the scanned buckets, in order."""
    return list(dict.fromkeys(str(BUCKET_KEY_CLASS[c]) for c in SCANNED_BUCKETS))


def malware_role_policy(
    account: AccountContext, bucket_arns: Mapping[str, str], key_arns: Mapping[str, str]
) -> PolicyDocument:
    return documents.finish_document(malware_role_statements(account, bucket_arns, key_arns))


def malware_boundary_name(name_prefix: str) -> str:
    return f"{name_prefix}-malware-protection-boundary"


def malware_boundary_document(
    account: AccountContext, name_prefix: str, bucket_names: BucketNamesConfig
) -> PolicyDocument:
    """IAM-05: the role's own boundary, capping exactly its grants over the buckets' name patterns (known before
    the buckets), with the workload boundary's tampering denials. A boundary of its own, not the workload
    boundary: that one would then admit object tagging and bucket notifications to every workload role's cap,
    and grow past IAM's 6,144-character quota with the longest names the configuration allows."""
    targets = identity.boundary_targets(account, name_prefix, bucket_names=bucket_names)
    allows = malware_role_statements(account, targets.bucket_arns, targets.key_arns)
    return identity.service_boundary_document(allows, name_prefix)


def malware_key_statements(account: AccountContext, name_prefix: str) -> dict[str, list[Statement]]:
    """KMS-06: the role may use the scanned buckets' keys only through S3, from this account."""
    role = malware_role_arn(account, name_prefix)
    return {
        data_class: [
            documents.key_users_via_service_statement(
                f"MalwareProtectionUses{_camel(data_class)}KeyViaS3",
                [role],
                via_services=[documents.s3_via_service(account.region)],
                account_id=account.account_id,
                actions=SCAN_KEY_ACTIONS,
            )
        ]
        for data_class in scanned_key_classes()
    }


def _after(ready: pulumi.Output[str], statement: Statement) -> pulumi.Output[Statement]:
    """``statement``, as an Output that resolves once ``ready`` has."""
    return ready.apply(lambda _: statement)


@dataclass(frozen=True)
class DetectionServicesArgs:
    """Inputs of DetectionServices: plain values only, so it can exist before the keys."""

    name_prefix: str
    account: AccountContext
    bucket_names: BucketNamesConfig = field(default_factory=BucketNamesConfig)
    settings: DetectionConfig = field(default_factory=DetectionConfig)
    centrally_managed: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False


class DetectionServices(pulumi.ComponentResource):
    """The account's detection services; each account-wide piece only when the organization does not manage it."""

    detector: aws.guardduty.Detector | None
    hub: aws.securityhub.Account | None
    standards: dict[str, aws.securityhub.StandardsSubscription]
    analyzer: aws.accessanalyzer.Analyzer | None
    plans: dict[str, aws.guardduty.MalwareProtectionPlan]

    def __init__(self, name: str, args: DetectionServicesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:detection:DetectionServices", name, None, opts)
        self.name, self.args = name, args
        central = args.centrally_managed
        # Deleting a detector or the hub disables the service and drops its findings: protected like the data.
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect)
        self.detector = None if "guardDuty" in central else self._guardduty(kept)
        # IAM-05: a boundary of its own, capping the role to its scans
        malware = bounded_service_role(
            f"{name}-malware-protection",
            role_name=malware_role_name(args.name_prefix),
            description="Assumed by GuardDuty Malware Protection for S3 to scan and tag objects of the scanned buckets",
            trust=malware_trust_policy(args.account),
            boundary_name=malware_boundary_name(args.name_prefix),
            boundary_description="Permissions boundary of the malware protection role: caps it to its scans, denies "
            "tampering",
            boundary=malware_boundary_document(args.account, args.name_prefix, args.bucket_names),
            parent=self,
        )
        self.malware_boundary, self.malware_role = malware.boundary, malware.role
        self.hub, self.standards = (None, {}) if "securityHub" in central else self._security_hub(kept)
        self.analyzer = None if "accessAnalyzer" in central else self._access_analyzer()
        self.plans = {}

    def _guardduty(self, opts: pulumi.ResourceOptions) -> aws.guardduty.Detector:
        """DET-01: the detector, and S3 protection as a detector feature (the detector's ``datasources`` is
        deprecated in pulumi-aws v7 for DetectorFeature)."""
        detector = aws.guardduty.Detector(
            f"{self.name}-guardduty", enable=True, finding_publishing_frequency=FINDING_FREQUENCY, opts=opts
        )
        aws.guardduty.DetectorFeature(
            f"{self.name}-guardduty-s3",
            detector_id=detector.id,
            name=S3_PROTECTION_FEATURE,
            status="ENABLED",
            opts=pulumi.ResourceOptions(parent=self),
        )
        return detector

    def _security_hub(
        self, opts: pulumi.ResourceOptions
    ) -> tuple[aws.securityhub.Account, dict[str, aws.securityhub.StandardsSubscription]]:
        """DET-04: Security Hub with consolidated control findings and no default standards: the stack subscribes
        to exactly SECURITY_HUB_STANDARDS."""
        hub = aws.securityhub.Account(
            f"{self.name}-securityhub",
            enable_default_standards=False,
            control_finding_generator=SECURITY_HUB_FINDING_GENERATOR,
            auto_enable_controls=True,
            opts=opts,
        )
        account = self.args.account
        standards = {
            standard: aws.securityhub.StandardsSubscription(
                f"{self.name}-standard-{standard}",
                standards_arn=security_hub_standard_arn(account.partition, account.region, standard),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
            )
            for standard in SECURITY_HUB_STANDARDS
        }
        return hub, standards

    def _access_analyzer(self) -> aws.accessanalyzer.Analyzer:
        """DET-06: the analyzer of the configured zone of trust (account by default)."""
        return aws.accessanalyzer.Analyzer(
            f"{self.name}-access-analyzer",
            analyzer_name=f"{self.args.name_prefix}-access-analyzer",
            type=ACCESS_ANALYZER_TYPES[self.args.settings.access_analyzer],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def key_statements(self) -> dict[str, list[pulumi.Output[Statement]]]:
        """``malware_key_statements``, each an Output that waits for the role (AWS refuses a key policy naming a
        principal that does not exist)."""
        statements = malware_key_statements(self.args.account, self.args.name_prefix)
        return {
            data_class: [_after(self.malware_role.arn, statement) for statement in listed]
            for data_class, listed in statements.items()
        }

    def scan_buckets(
        self,
        bucket_names: Mapping[str, pulumi.Input[str]],
        bucket_arns: Mapping[str, pulumi.Input[str]],
        key_arns: Mapping[str, pulumi.Input[str]],
    ) -> None:
        """DET-02: the role's scoped inline policy, then one plan per scanned bucket that tags what it scanned
        (GuardDuty checks the role's permissions when the plan is created)."""
        account = self.args.account

        def render(values: dict[str, Any]) -> str:
            return json.dumps(malware_role_policy(account, values["buckets"], values["keys"]))

        resolved = pulumi.Output.all(
            buckets=pulumi.Output.all(**{c: bucket_arns[c] for c in SCANNED_BUCKETS}),
            keys=pulumi.Output.all(**{c: key_arns[c] for c in scanned_key_classes()}),
        )
        policy = aws.iam.RolePolicy(
            f"{self.name}-malware-protection",
            role=self.malware_role.id,
            name="malware-scan",
            policy=resolved.apply(render),
            opts=pulumi.ResourceOptions(parent=self),
        )
        for bucket_class in SCANNED_BUCKETS:
            self.plans[bucket_class] = aws.guardduty.MalwareProtectionPlan(
                f"{self.name}-malware-{bucket_class}",
                role=self.malware_role.arn,
                protected_resource={"s3_bucket": {"bucket_name": bucket_names[bucket_class]}},
                actions=[{"taggings": [{"status": "ENABLED"}]}],
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[Any]]:
        """GOV-04 and the live audit: what exists, keyed as exported (absent pieces are not exported)."""
        result: dict[str, pulumi.Output[Any]] = {MALWARE_ROLE_OUTPUT: self.malware_role.arn}
        if self.plans:
            result[MALWARE_PLANS_OUTPUT] = pulumi.Output.all(**{c: p.arn for c, p in self.plans.items()})
        if self.detector is not None:
            result[GUARDDUTY_DETECTOR_OUTPUT] = self.detector.id
        if self.hub is not None:
            result[SECURITY_HUB_OUTPUT] = self.hub.arn
            result[SECURITY_HUB_STANDARDS_OUTPUT] = pulumi.Output.all(**{s: r.id for s, r in self.standards.items()})
        if self.analyzer is not None:
            result[ACCESS_ANALYZER_OUTPUT] = self.analyzer.arn
        return result


__all__ = ["DetectionServices", "DetectionServicesArgs"]

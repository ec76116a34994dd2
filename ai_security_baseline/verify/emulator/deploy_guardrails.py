"""moto handlers of the account guardrails (ACC-01…ACC-03) and AWS Config (DET-05), and the default-VPC lookup.

moto creates a default VPC in every region, like AWS: the lookup answers it from DescribeVpcs, so the deployment
locks it down exactly as in a real account that still has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.emulator.deploy import (
    _INVOKES,
    MotoDeployError,
    MotoMocks,
    Outputs,
    _drop_none,
    _required,
    handles,
)
from ai_security_baseline.verify.emulator.server import single_host


def _default_vpcs(m: MotoMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    """``aws.ec2.get_vpcs`` for the default VPC only (fail closed on any other query)."""
    if list(args.get("filters") or []) != [{"name": "is-default", "values": ["true"]}] or args.get("tags"):
        raise MotoDeployError("invoke", "getVpcs", f"moto answer only for the default VPC, not {dict(args)}")
    vpcs = m.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return {"id": m.region, "ids": [v["VpcId"] for v in vpcs], "region": m.region}


def _default_network_acls(m: MotoMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    """``aws.ec2.get_network_acls`` for one VPC's default NACL only."""
    vpc = str(args.get("vpcId") or "")
    if not vpc or list(args.get("filters") or []) != [{"name": "default", "values": ["true"]}]:
        raise MotoDeployError(
            "invoke", "getNetworkAcls", f"moto answer only for a VPC's default NACL, not {dict(args)}"
        )
    filters = [{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}]
    acls = m.client("ec2").describe_network_acls(Filters=filters)["NetworkAcls"]
    return {"id": m.region, "ids": [a["NetworkAclId"] for a in acls], "vpcId": vpc, "region": m.region}


_INVOKES["aws:ec2/getVpcs:getVpcs"] = _default_vpcs
_INVOKES["aws:ec2/getNetworkAcls:getNetworkAcls"] = _default_network_acls


@handles(vocabulary.ACCOUNT_PUBLIC_ACCESS_BLOCK)
def _account_public_access_block(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    account = str(inputs.get("accountId") or m.account_id)
    settings = {
        "BlockPublicAcls": bool(inputs.get("blockPublicAcls")),
        "IgnorePublicAcls": bool(inputs.get("ignorePublicAcls")),
        "BlockPublicPolicy": bool(inputs.get("blockPublicPolicy")),
        "RestrictPublicBuckets": bool(inputs.get("restrictPublicBuckets")),
    }
    single_host(m.client("s3control")).put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration=settings
    )
    return account, {**inputs, "id": account, "accountId": account}


@handles(vocabulary.EBS_ENCRYPTION_BY_DEFAULT)
def _ebs_encryption_by_default(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    ec2 = m.client("ec2")
    if inputs.get("enabled", True):
        ec2.enable_ebs_encryption_by_default()
    else:
        ec2.disable_ebs_encryption_by_default()
    enabled = bool(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"])
    return m.region, {**inputs, "id": m.region, "enabled": enabled}


@handles(vocabulary.EBS_DEFAULT_KMS_KEY)
def _ebs_default_kms_key(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (key_arn,) = _required(vocabulary.EBS_DEFAULT_KMS_KEY, name, inputs, "keyArn")
    if not str(key_arn).startswith("arn:"):  # the provider stores the ARN EC2 answers; AWS accepts ids and aliases
        raise MotoDeployError("", name, f"keyArn must be a key ARN, got {key_arn!r}")
    answer = m.client("ec2").modify_ebs_default_kms_key_id(KmsKeyId=key_arn)
    return m.region, {**inputs, "id": m.region, "keyArn": answer.get("KmsKeyId", key_arn)}


def _recording_group(group: Mapping[str, Any]) -> dict[str, Any]:
    strategies = list(group.get("recordingStrategies") or [])  # the provider's list of the API's one strategy
    strategy = strategies[0] if strategies else {}
    return _drop_none(
        allSupported=bool(group.get("allSupported", True)),
        includeGlobalResourceTypes=bool(group.get("includeGlobalResourceTypes", False)),
        resourceTypes=list(group.get("resourceTypes") or []) or None,
        recordingStrategy={"useOnly": strategy["useOnly"]} if strategy.get("useOnly") else None,
    )


@handles(vocabulary.CONFIG_RECORDER)
def _config_recorder(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (role,) = _required(vocabulary.CONFIG_RECORDER, name, inputs, "roleArn")
    recorder = str(inputs.get("name") or "default")
    request: dict[str, Any] = {"name": recorder, "roleARN": role}
    if inputs.get("recordingGroup"):
        request["recordingGroup"] = _recording_group(inputs["recordingGroup"])
    mode = inputs.get("recordingMode") or {}
    if mode.get("recordingFrequency"):
        request["recordingMode"] = {"recordingFrequency": mode["recordingFrequency"]}
    m.client("config").put_configuration_recorder(ConfigurationRecorder=request)
    return recorder, {**inputs, "id": recorder, "name": recorder}


def _object_lock_enabled(m: MotoMocks, bucket: str) -> bool:
    try:
        found = m.client("s3").get_object_lock_configuration(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ObjectLockConfigurationNotFoundError":
            return False
        raise
    return bool(found.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled")


@handles(vocabulary.CONFIG_DELIVERY_CHANNEL)
def _config_delivery_channel(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (bucket,) = _required(vocabulary.CONFIG_DELIVERY_CHANNEL, name, inputs, "s3BucketName")
    if _object_lock_enabled(m, str(bucket)):  # moto accepts it; AWS Config cannot deliver there
        raise MotoDeployError(
            "",
            name,
            f"AWS Config does not support a delivery channel to bucket {bucket}, where Object Lock is enabled "
            "(AWS::Config::DeliveryChannel reference)",
        )
    channel = str(inputs.get("name") or "default")
    snapshot = inputs.get("snapshotDeliveryProperties") or {}
    request = _drop_none(
        name=channel,
        s3BucketName=bucket,
        s3KeyPrefix=inputs.get("s3KeyPrefix"),
        s3KmsKeyArn=inputs.get("s3KmsKeyArn"),
        snsTopicARN=inputs.get("snsTopicArn"),
        configSnapshotDeliveryProperties={"deliveryFrequency": snapshot["deliveryFrequency"]}
        if snapshot.get("deliveryFrequency")
        else None,
    )
    m.client("config").put_delivery_channel(DeliveryChannel=request)
    return channel, {**inputs, "id": channel, "name": channel}


@handles(vocabulary.CONFIG_RECORDER_STATUS)
def _config_recorder_status(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (recorder,) = _required(vocabulary.CONFIG_RECORDER_STATUS, name, inputs, "name")
    config = m.client("config")
    if inputs.get("isEnabled"):
        config.start_configuration_recorder(ConfigurationRecorderName=recorder)
    else:
        config.stop_configuration_recorder(ConfigurationRecorderName=recorder)
    return str(recorder), {**inputs, "id": recorder}


@handles(vocabulary.CONFIG_RULE)
def _config_rule(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (source,) = _required(vocabulary.CONFIG_RULE, name, inputs, "source")
    rule_name = str(inputs.get("name") or name)
    request = _drop_none(
        ConfigRuleName=rule_name,
        Description=inputs.get("description"),
        Source={"Owner": source.get("owner"), "SourceIdentifier": source.get("sourceIdentifier")},
        MaximumExecutionFrequency=inputs.get("maximumExecutionFrequency"),
        InputParameters=inputs.get("inputParameters"),
    )
    config = m.client("config")
    config.put_config_rule(ConfigRule=request)
    rule = config.describe_config_rules(ConfigRuleNames=[rule_name])["ConfigRules"][0]
    return rule_name, {**inputs, "id": rule_name, "arn": rule["ConfigRuleArn"], "ruleId": rule["ConfigRuleId"]}

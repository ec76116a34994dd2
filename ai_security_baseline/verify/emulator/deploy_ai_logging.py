"""moto handler of Bedrock model invocation logging (AI-01): the account's one setting, put as the provider puts it.

PutModelInvocationLoggingConfiguration takes ``loggingConfig`` with ``s3Config``, ``cloudWatchConfig`` and the
delivery switches (Amazon Bedrock API Reference,
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_PutModelInvocationLoggingConfiguration.html).
"""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.emulator.deploy import MotoMocks, Outputs, _drop_none, _required, handles


def logging_request(config: dict[str, Any]) -> dict[str, Any]:
    """The API's ``loggingConfig`` from the provider's ``logging_config`` (camelCase inputs)."""
    s3 = config.get("s3Config") or {}
    cloudwatch = config.get("cloudwatchConfig") or {}
    return _drop_none(
        s3Config=_drop_none(bucketName=s3.get("bucketName"), keyPrefix=s3.get("keyPrefix")) or None,
        cloudWatchConfig=_drop_none(logGroupName=cloudwatch.get("logGroupName"), roleArn=cloudwatch.get("roleArn"))
        or None,
        textDataDeliveryEnabled=config.get("textDataDeliveryEnabled"),
        imageDataDeliveryEnabled=config.get("imageDataDeliveryEnabled"),
        embeddingDataDeliveryEnabled=config.get("embeddingDataDeliveryEnabled"),
    )


@handles(vocabulary.BEDROCK_LOGGING_TYPE)
def _invocation_logging(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    (config,) = _required(vocabulary.BEDROCK_LOGGING_TYPE, name, inputs, "loggingConfig")
    m.client("bedrock").put_model_invocation_logging_configuration(loggingConfig=logging_request(dict(config)))
    return m.region, {**inputs, "id": m.region, "region": m.region}

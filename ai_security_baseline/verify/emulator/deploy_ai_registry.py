"""moto handler of the model registry (AI-04): one model package group per model family."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.verify.emulator.deploy import MotoMocks, Outputs, _drop_none, _required, handles


@handles(vocabulary.MODEL_PACKAGE_GROUP)
def _model_package_group(m: MotoMocks, name: str, inputs: dict[str, Any]) -> Outputs:
    """The provider's id is the group name; AWS stores the provider's default tags with the group."""
    [group] = _required(vocabulary.MODEL_PACKAGE_GROUP, name, inputs, "modelPackageGroupName")
    tags = m.tags(inputs)
    arn = m.client("sagemaker").create_model_package_group(
        **_drop_none(
            ModelPackageGroupName=group,
            ModelPackageGroupDescription=inputs.get("modelPackageGroupDescription"),
            Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())] or None,
        )
    )["ModelPackageGroupArn"]
    return group, {**inputs, "id": group, "arn": arn, "tagsAll": tags}

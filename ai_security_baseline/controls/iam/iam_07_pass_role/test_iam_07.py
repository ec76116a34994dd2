"""IAM-07: iam:PassRole only for the named execution roles, only to SageMaker."""

from __future__ import annotations

from typing import Any

from ai_security_baseline.controls import vocabulary
from ai_security_baseline.controls.iam.iam_07_pass_role import mutation
from ai_security_baseline.controls.iam.testing import inline
from ai_security_baseline.controls.testing import ACCOUNT, REGION
from ai_security_baseline.verify.engine.graph import ResourceGraph

ARN = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-"


def test_iam_07_pass_role_only_for_trainer_and_inference_only_to_sagemaker(dev_graph: ResourceGraph) -> None:
    passing = [
        (name, s)
        for name in (vocabulary.PROCESSOR, vocabulary.TRAINER, vocabulary.INFERENCE)
        for s in inline(dev_graph, name)["Statement"]
        if "iam:PassRole" in s["Action"]
    ]
    sagemaker = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    to_sagemaker = {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert passing == [
        (
            vocabulary.TRAINER,
            {
                "Sid": "PassTrainerRoleToJobsOnly",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": f"{ARN}model-trainer",
                "Condition": {
                    **to_sagemaker,
                    "ArnLikeIfExists": {
                        "iam:AssociatedResourceArn": [
                            f"{sagemaker}:processing-job/aisb-dev-*",
                            f"{sagemaker}:training-job/aisb-dev-*",
                        ]
                    },
                },
            },
        ),
        (
            vocabulary.TRAINER,
            {
                "Sid": "PassInferenceRoleToModelsOnly",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": f"{ARN}inference",
                "Condition": {
                    **to_sagemaker,
                    "ArnLikeIfExists": {"iam:AssociatedResourceArn": f"{sagemaker}:model/aisb-dev-*"},
                },
            },
        ),
    ]


def test_iam_07_the_mutant_passes_any_role_to_ec2_without_a_condition(dev_graph: ResourceGraph) -> None:
    [mutant] = mutation.MUTATIONS
    assert mutant.graph is not None
    statement = by_sid(inline(mutant.graph(dev_graph), vocabulary.TRAINER))["PassTrainerRoleToJobsOnly"]
    assert statement == {
        "Sid": "PassTrainerRoleToJobsOnly",
        "Effect": "Allow",
        "Action": ["iam:PassRole", "ec2:RunInstances"],
        "Resource": "*",
    }


def by_sid(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in document["Statement"]}

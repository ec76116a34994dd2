"""The model registry (AI-04): one SageMaker model package group per model family.

Who may register and who may approve is decided by IAM (``identity.trainer_registry_statements`` and the boundary's
``registry_boundary_denials``), not by a group policy: a model package group policy only grants other accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ai_security_baseline.controls.vocabulary import MODEL_PACKAGE_GROUPS_OUTPUT, model_package_group_name


@dataclass(frozen=True)
class ModelRegistryArgs:
    name_prefix: str
    families: Sequence[str]


class ModelRegistry(pulumi.ComponentResource):
    """One model package group per configured family, named ``<name_prefix>-<family>``."""

    groups: dict[str, aws.sagemaker.ModelPackageGroup]

    def __init__(self, name: str, args: ModelRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("baseline:registry:ModelRegistry", name, None, opts)
        self.groups = {
            family: aws.sagemaker.ModelPackageGroup(
                f"{name}-{family}",
                model_package_group_name=model_package_group_name(args.name_prefix, family),
                model_package_group_description=f"Versions of the {family} model; deployable once approved",
                opts=pulumi.ResourceOptions(parent=self),
            )
            for family in args.families
        }
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[dict[str, str]]]:
        """``{family: group name}`` for the live audit."""
        names = {family: group.model_package_group_name for family, group in self.groups.items()}
        return {MODEL_PACKAGE_GROUPS_OUTPUT: pulumi.Output.all(**names)}

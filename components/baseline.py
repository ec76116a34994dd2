"""AiSecurityBaseline: wires the components together; holds no resource logic of its own."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.config import BaselineConfig
from components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from components.storage import Storage, StorageArgs, storage_key_statements


class AiSecurityBaseline(pulumi.ComponentResource):
    """The whole baseline for one stack: keys now; network, storage, identity, audit as they land."""

    def __init__(
        self,
        name: str,
        config: BaselineConfig,
        account: AccountContext,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("baseline:index:AiSecurityBaseline", name, None, opts)
        self.config = config
        self.account = account
        self.keys = EncryptionKeys(
            "keys",
            EncryptionKeysArgs(
                name_prefix=config.name_prefix,
                account=account,
                settings=config.kms,
                protect=config.protect,
                statements=storage_key_statements(
                    name_prefix=config.name_prefix,
                    account=account,
                    secret_writer_arns=[a for a in (config.identity.deployer_arn,) if a],
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.storage = Storage(
            "storage",
            StorageArgs(
                name_prefix=config.name_prefix,
                account=account,
                settings=config.storage,
                identity=config.identity,
                key_arns={c: k.arn for c, k in self.keys.keys.items()},
                vpc_endpoint_ids=(),  # TODO(integration): the network's S3 gateway endpoint id (S3-07)
                protect=config.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        """Stack outputs an auditor needs (GOV-04), keyed as exported."""
        result: dict[str, pulumi.Output[str]] = {}
        for data_class, key in self.keys.keys.items():
            result[f"{data_class}KeyArn"] = key.arn
            result[f"{data_class}KeyAlias"] = self.keys.aliases[data_class].name
        result.update(self.storage.outputs())
        return result


def make_provider(config: BaselineConfig, region: str, profile: str | None) -> aws.Provider:
    """Explicit provider carrying the mandatory tags as default tags (GOV-01)."""
    return aws.Provider(
        "aws",
        region=region,
        profile=profile,
        default_tags={"tags": config.mandatory_tags()},
    )

"""What the KMS units' tests share: literal keys and aliases, the baseline key policy with extra statements, and a
keys-only program rendered by the offline engine."""

from __future__ import annotations

import json
from typing import Any

from ai_security_baseline.components import documents
from ai_security_baseline.components.keys import AccountContext, EncryptionKeys, EncryptionKeysArgs
from ai_security_baseline.controls import kit
from ai_security_baseline.controls.kms.common import KEY_CLASSES
from ai_security_baseline.controls.testing import ACCOUNT, REGION, res
from ai_security_baseline.controls.vocabulary import KMS_ALIAS, KMS_KEY
from ai_security_baseline.verify.engine.graph import Resource, ResourceGraph
from ai_security_baseline.verify.engine.offline import run_program

ACCOUNT_CONTEXT = AccountContext(account_id=ACCOUNT, region=REGION, partition="aws")
TRAINER = f"arn:aws:iam::{ACCOUNT}:role/aisb-dev-model-trainer"
FLOW_LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aisb/dev/vpc-flow-logs"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/aisb-dev-trail"


def statuses(rule: kit.Rule, *resources: kit.Res) -> list[str]:
    """The statuses ``rule`` reports over the resources, in its order."""
    return [o.status for o in rule.evaluate(list(resources))]


def alias(name: str, target: str) -> kit.Res:
    """Alias ``alias/aisb-dev-<name>`` pointing at key id ``target``."""
    return res(KMS_ALIAS, name, name=f"alias/aisb-dev-{name}", targetKeyId=target)


def three_keys() -> list[kit.Res]:
    """One key per data class, ids ``k-<class>``, no aliases."""
    return [res(KMS_KEY, c, keyId=f"k-{c}") for c in KEY_CLASSES]


def key(**props: Any) -> kit.Res:
    """A key with the baseline key policy, ``props`` added or replaced."""
    base = {"policy": json.dumps(documents.key_policy(partition="aws", account_id=ACCOUNT))}
    return res(KMS_KEY, "data", **{**base, **props})


def policy_with(*extra: dict[str, Any]) -> str:
    """The baseline key policy with ``extra`` statements appended."""
    body = documents.key_policy(partition="aws", account_id=ACCOUNT)
    return json.dumps({**body, "Statement": body["Statement"] + list(extra)})


def statements_by_sid(key: Resource) -> dict[str, dict[str, Any]]:
    """A rendered key's policy statements by Sid."""
    return {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}


def keys_program(statements: dict[str, list[documents.Statement]]) -> ResourceGraph:
    """The encryption keys component alone, with ``statements`` per data class, as the offline engine renders it."""

    def program() -> None:
        EncryptionKeys(
            "keys", EncryptionKeysArgs(name_prefix="aisb-dev", account=ACCOUNT_CONTEXT, statements=statements)
        )

    return run_program(program, config={"aws:region": REGION}).graph

"""LOG-02 preview rule: the trail encrypts its log files with a KMS key (not SSE-S3 only)."""

from __future__ import annotations

from collections.abc import Iterator

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.vocabulary import TRAIL


def check(res: kit.Res) -> Iterator[tuple[str, bool, str]]:
    key = kit.known(res, "kmsKeyId")
    yield "LOG-02", bool(key), "encrypted with a KMS key" if key else "no KMS key: log files are SSE-S3 only"


RULE = kit.Rule(
    "log-02-trail-encryption", "The trail encrypts its log files with a KMS key", ("LOG-02",), (TRAIL,), check
)

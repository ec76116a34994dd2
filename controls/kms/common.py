"""What the KMS units share: the resource types they judge and the key classes."""

from __future__ import annotations

KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
KEY_CLASSES = ("data", "models", "logs")

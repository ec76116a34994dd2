"""KMS controls: one folder per control."""

"""S3 controls: one folder per control."""

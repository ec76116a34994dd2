"""IAM controls: one folder per control."""

"""ACC controls (account-wide guardrails): one folder per control."""

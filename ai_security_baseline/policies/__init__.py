"""The CrossGuard rules and adapters; the pack folder ``policies/`` at the repository root only constructs the pack."""

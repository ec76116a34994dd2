"""EP controls: one folder per control."""

"""NET controls: one folder per control."""

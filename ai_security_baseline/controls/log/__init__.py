"""LOG controls: one folder per control."""

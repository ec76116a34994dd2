"""DET controls (detection services): one folder per control."""

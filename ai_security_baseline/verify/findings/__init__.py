"""Findings: the finding model, the control catalog and accepted waivers."""

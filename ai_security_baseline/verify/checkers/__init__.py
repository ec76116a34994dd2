"""Checkers: the offline rule scan, the checkov bridge and the live read-back audit."""

"""AI Security Baseline: secure-by-default Pulumi components for AI/ML on AWS, their controls and offline proof.

Standard library only at this level: the CrossGuard pack imports ``ai_security_baseline.controls`` and
``ai_security_baseline.policies`` with nothing but pulumi-policy installed. Components live in
``ai_security_baseline.components``, the checkers and the ``baseline`` command in ``ai_security_baseline.verify``.
"""

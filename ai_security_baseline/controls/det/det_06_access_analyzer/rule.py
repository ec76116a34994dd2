"""DET-06: an IAM Access Analyzer of the account (or, by explicit choice, of the organization)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ai_security_baseline.controls import kit
from ai_security_baseline.controls.det.common import Found, central_piece, of
from ai_security_baseline.controls.vocabulary import ACCESS_ANALYZER, ACCESS_ANALYZER_TYPES, ORG_ID_OUTPUT


def analyzer_problems(analyzer: kit.Res, outputs: Mapping[str, object]) -> list[str]:
    kind = kit.known(analyzer, "type") or "ACCOUNT"
    if kind not in ACCESS_ANALYZER_TYPES.values():
        return [f"{analyzer.name}: type {kind} (allowed: {sorted(ACCESS_ANALYZER_TYPES.values())})"]
    if kind == ACCESS_ANALYZER_TYPES["organization"] and not outputs.get(ORG_ID_OUTPUT):
        return [f"{analyzer.name}: an ORGANIZATION analyzer while the stack names no organization (identity.orgId)"]
    return []


def check_access_analyzer(resources: Sequence[kit.Res]) -> Found:
    analyzers = of(resources, ACCESS_ANALYZER)
    central = list(central_piece(resources, "accessAnalyzer", analyzers))
    if central:
        yield from central
        return
    if not analyzers:
        yield kit.stack_urn(resources), "DET-06", False, "no IAM Access Analyzer in the stack"
        return
    outputs = kit.stack_outputs(resources)
    for analyzer in analyzers:
        problems = analyzer_problems(analyzer, outputs)
        message = "; ".join(problems) or f"{analyzer.name}: {kit.known(analyzer, 'type') or 'ACCOUNT'} analyzer"
        yield analyzer.urn, "DET-06", not problems, message


RULE = kit.Rule(
    "det-06-access-analyzer",
    "An IAM Access Analyzer watches the account or organization (or is centrally managed)",
    ("DET-06",),
    stack_check=check_access_analyzer,
)

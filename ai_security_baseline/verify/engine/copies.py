"""N copies of a resource graph, each with its own URNs, ids and physical names: a large graph in seconds.

The benchmark and the scaling tests need graphs of 5k-50k resources; the offline engine takes about a minute per
5k, so copies of one rendered stack stand in for a stack that many times larger. Every copy is renamed the same
way everywhere it is referenced (URNs under a ``bench:copyN:Copy`` parent type, cloud ids re-derived from a hash,
physical names with the copy number), so copies never link to one another and each resolves exactly as the
original does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from ai_security_baseline.controls.vocabulary import GUARDRAIL_TYPE
from ai_security_baseline.verify.engine.graph import STACK_TYPE, ResourceGraph, resource_from_state

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
#: EC2-style ids (``vpc-0a1b...``, ``sgr-...``): a short lower-case prefix and 17 hex digits.
EC2_ID = re.compile(r"\b([a-z]+)-([0-9a-f]{17})\b")
#: GuardDuty ids: a detector's 32 hex digits, a malware protection plan's 20.
GUARDDUTY_ID = re.compile(r"\b(?:[0-9a-f]{32}|[0-9a-f]{20})\b")
#: SageMaker domain ids: ``d-`` and 12 lower-case letters or digits.
DOMAIN_ID = re.compile(r"\bd-([0-9a-z]{12})\b")


def _digest(copy: int, text: str, length: int) -> str:
    return hashlib.sha256(f"{copy}:{text}".encode()).hexdigest()[:length]


def _uuid(copy: int, text: str) -> str:
    x = _digest(copy, text, 32)
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def rename(text: str, copy: int, *, prefix: str, stems: Sequence[str], literals: Sequence[str] = ()) -> str:
    """``text`` (serialised resource states) as copy ``copy``: copy 0 is the original. ``literals`` are ids no
    pattern tells apart from other text (a Bedrock guardrail's 12 characters), re-derived wherever they occur."""
    if copy == 0:
        return text
    for literal in literals:
        text = text.replace(literal, _digest(copy, literal, len(literal)))
    for stem in stems:
        text = text.replace(stem, stem.rstrip("/") + f"{copy}x" + ("/" if stem.endswith("/") else ""))
    stack_urn = re.escape(prefix) + f"(?!{re.escape(STACK_TYPE)})"
    text = re.sub(stack_urn, lambda _: f"{prefix}bench:copy{copy}:Copy$", text)
    text = UUID.sub(lambda m: _uuid(copy, m.group(0)), text)
    text = GUARDDUTY_ID.sub(lambda m: _digest(copy, m.group(0), len(m.group(0))), text)
    text = DOMAIN_ID.sub(lambda m: f"d-{_digest(copy, m.group(0), 12)}", text)
    return EC2_ID.sub(lambda m: f"{m.group(1)}-{_digest(copy, m.group(0), 17)}", text)


def copy_graph(graph: ResourceGraph, copies: int, stems: Sequence[str]) -> ResourceGraph:
    """``copies`` renamed copies of ``graph`` under its one stack resource; ``stems`` are the physical-name
    stems every name of the stack starts with (``aisb-dev``, ``/aisb/dev/``)."""
    if copies < 1:
        raise ValueError(f"copies must be at least 1, got {copies}")
    prefix = f"urn:pulumi:{graph.stack}::{graph.project}::"
    states = json.dumps([r.to_state() for r in graph])
    literals = [
        str(r.outputs["guardrailId"]) for r in graph if r.type == GUARDRAIL_TYPE and r.outputs.get("guardrailId")
    ]
    resources = []
    for copy in range(copies):
        for index, state in enumerate(json.loads(rename(states, copy, prefix=prefix, stems=stems, literals=literals))):
            if copy == 0 or state["type"] != STACK_TYPE:
                resources.append(resource_from_state(state, f"copy {copy} resource {index}"))
    return ResourceGraph(resources, stack=graph.stack, project=graph.project)

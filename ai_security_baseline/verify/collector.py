"""The cyclic garbage collector, paused around work that allocates heavily and keeps most of what it allocates."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around a render or a sweep: each full collection re-traverses pulumi_aws's
    modules and everything built so far, about half of a render's time and a quarter of a sweep's. The collector
    resumes afterwards as it was, and reclaims the work's garbage then."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

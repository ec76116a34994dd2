"""One moto_server per test session; modules reset it (``MotoServer.reset``) instead of starting another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from verify.emulator.server import MotoServer, running_moto


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """Started lazily by the first test that needs it, stopped by its pid at the end of the session."""
    with running_moto("eu-west-1") as server:
        yield server

"""Session fixtures shared by ``tests/`` and the control units' tests.

One moto_server per session (modules reset it with ``MotoServer.reset`` instead of starting another), and the
dev stack rendered once by the offline engine.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ai_security_baseline.verify.checkers.audit.core import CHECKS, AuditContext, run_checks
from ai_security_baseline.verify.checkers.checkov import CHECKOV_ENV
from ai_security_baseline.verify.checkers.mutation import LiveEdit
from ai_security_baseline.verify.cli import main
from ai_security_baseline.verify.demo import deploy, moto_session
from ai_security_baseline.verify.emulator.server import MotoServer, running_moto
from ai_security_baseline.verify.engine.graph import ResourceGraph
from ai_security_baseline.verify.engine.offline import OfflineRun, run_stack
from ai_security_baseline.verify.findings.finding import Finding
from ai_security_baseline.verify.iam.analysis import AccessReport, analyze
from ai_security_baseline.verify.project import PROJECT_ROOT


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """Started lazily by the first test that needs it, stopped by its pid at the end of the session."""
    with running_moto("eu-west-1") as server:
        yield server


@pytest.fixture(scope="session")
def dev_run() -> OfflineRun:
    """The dev stack rendered once by the offline engine (read-only: tests build changed copies)."""
    return run_stack("dev")


@pytest.fixture(scope="session")
def dev_graph(dev_run: OfflineRun) -> ResourceGraph:
    """The dev stack's graph (read-only: tests build changed copies)."""
    return dev_run.graph


@pytest.fixture(scope="session")
def prod_run() -> OfflineRun:
    """The prod stack rendered once by the offline engine (read-only)."""
    return run_stack("prod")


@pytest.fixture(scope="session")
def dev_access(dev_graph: ResourceGraph) -> AccessReport:
    """The access analysis of the dev stack, without the sweep (read-only)."""
    return analyze(dev_graph)


@dataclass(frozen=True)
class LiveAccount:
    """The dev stack deployed into its own moto server, for the units' live probes and live mutations."""

    server: MotoServer
    exports: dict[str, Any]

    def context(self) -> AuditContext:
        """A fresh audit context (no cached reads) on the deployed account."""
        return AuditContext(
            outputs=self.exports,
            region=self.server.region,
            endpoint_url=self.server.endpoint_url,
            session=moto_session(self.server),
        )

    def probe(self, control: str) -> list[Finding]:
        """The live probe of ``control`` on the account as it is now."""
        return run_checks(self.context(), [c for c in CHECKS if c.control == control])

    def failing_under(self, control: str, mutate: LiveEdit) -> list[str]:
        """The resources the live probe of ``control`` fails while ``mutate`` is applied (then undone)."""
        return [f.urn for f in self.probe_mutated(control, mutate) if f.status == "fail"]

    def probe_mutated(self, control: str, mutate: LiveEdit) -> list[Finding]:
        """The live probe of ``control`` with ``mutate`` applied to the account, which is restored afterwards."""
        undo = mutate(self.context())
        try:
            return self.probe(control)
        finally:
            undo()


@pytest.fixture(scope="session")
def live_dev() -> Iterator[LiveAccount]:
    """Deployed once per session; tests that change the account restore it (live mutations return their undo)."""
    with running_moto("eu-west-1") as server:
        deployment = deploy(server, "dev", PROJECT_ROOT)
        yield LiveAccount(server, dict(deployment.run.exports))


@pytest.fixture(scope="session")
def dev_access_json() -> tuple[int, dict[str, Any]]:
    """``baseline access --stack dev --json`` run once (it sweeps): its exit code and the document it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["access", "--stack", "dev", "--json"])
    document: dict[str, Any] = json.loads(printed.getvalue())
    return code, document


@pytest.fixture(scope="session")
def dev_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """``baseline scan --stack dev --no-checkov`` run once with the Markdown and JSON reports: its exit code and the
    folder it wrote."""
    out = tmp_path_factory.mktemp("dev-scan")
    code = main(["scan", "--stack", "dev", "--no-checkov", "--format", "md,json", "--out", str(out)])
    return code, out


#: Fixtures that start the emulator: a test using one is a ``moto`` test.
MOTO_FIXTURES = frozenset({"moto_server", "live_dev"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests using an emulator fixture are marked ``moto``, so ``-m "not moto"`` deselects them."""
    for item in items:
        if MOTO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.moto)


@pytest.fixture(autouse=True)
def _heavy_tools_only_when_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that runs checkov or starts moto without its marker fails, so the fast selection stays honest."""
    if request.node.get_closest_marker("checkov") is None:
        monkeypatch.setenv(CHECKOV_ENV, "/nonexistent/checkov-requires-the-checkov-marker")
    if request.node.get_closest_marker("moto") is None:

        def refuse(self: MotoServer, timeout: float = 0) -> MotoServer:
            raise AssertionError("this test starts moto: mark it @pytest.mark.moto")

        monkeypatch.setattr(MotoServer, "start", refuse)

"""Offline engine: run the Pulumi program under mocks and record the engine's view of every resource.

No CLI, no provider plugin, no cloud. Each run gets a fresh event loop, a fresh root stack and its
own config, and nothing of it survives the run, so two runs in one process never share state.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import source_pb2

from ai_security_baseline.controls.text import clip
from ai_security_baseline.verify.collector import collector_paused
from ai_security_baseline.verify.engine.graph import STACK_TYPE, Resource, ResourceGraph
from ai_security_baseline.verify.engine.mocks import BaselineMocks, FakeAccount
from ai_security_baseline.verify.inputs import InputFileError, load_yaml
from ai_security_baseline.verify.project import PROJECT_ROOT

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class UnknownOutputError(RuntimeError):
    """An output a caller asked for is unknown (preview, or a mock that did not provide it)."""


class StackError(ValueError):
    """A stack name without a stack file, or a stack file that cannot be read."""


class GraphRecorder(MockMonitor):
    """MockMonitor that keeps the full register request (parent, deps, options) of every resource."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.records: dict[str, Resource] = {}
        self.invokes: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._thread_loops: set[asyncio.AbstractEventLoop] = set()

    def _adopt_thread_loop(self) -> None:
        """MockMonitor opens an event loop in each executor thread it runs in; remember it to close it."""
        if threading.current_thread() is threading.main_thread():
            return
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:  # this call opened no loop in this thread
            return
        with self._lock:
            self._thread_loops.add(loop)

    def close_thread_loops(self) -> None:
        """Close the executor threads' loops, so a later run in the same process leaks nothing."""
        with self._lock:
            loops, self._thread_loops = self._thread_loops, set()
        for loop in loops:
            if not loop.is_closed() and not loop.is_running():
                loop.close()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """Engine-faithful URN: full parent type chain, the root stack type elided."""
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{settings.get_stack()}::{settings.get_project()}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        self._adopt_thread_loop()
        record = Resource(
            urn=response.urn,
            type=request.type,
            custom=bool(request.custom),
            id=response.id,
            parent=request.parent,
            provider=request.provider,
            inputs=integral(json_format.MessageToDict(request.object)),
            outputs=integral(json_format.MessageToDict(response.object)),
            dependencies=tuple(sorted(set(request.dependencies))),  # the SDK sends a set: order is noise
            property_dependencies={
                key: tuple(sorted(set(value.urns))) for key, value in request.propertyDependencies.items() if value.urns
            },
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
        )
        with self._lock:
            if record.urn in self.records:
                raise ValueError(f"duplicate resource URN {record.urn}")
            self.records[record.urn] = record
        return response

    def Invoke(self, request: Any) -> Any:
        with self._lock:
            self.invokes.append((request.tok, json_format.MessageToDict(request.args)))
        response = super().Invoke(request)  # type: ignore[no-untyped-call]
        self._adopt_thread_loop()
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self._adopt_thread_loop()
        return response


def integral(value: Any) -> Any:
    """protobuf Structs carry every number as a double; restore integers as JSON (and boto3) have them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v) for v in value]
    return value


@dataclass(frozen=True)
class OfflineRun:
    """What one offline run produced."""

    graph: ResourceGraph
    exports: dict[str, Any]
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def _wire_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the CLI passes it: strings, structured values JSON-encoded."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


async def _known(name: str, value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    if not await output.is_known():
        raise UnknownOutputError(f"stack output {name!r} is unknown; a check cannot rely on it")
    return await output.future()


@contextlib.contextmanager
def without_source_positions() -> Iterator[None]:
    """Skip the SDK's per-resource source positions while a program runs under mocks: nothing offline reads them,
    and capturing them walks the stack and reads every frame's source file (pulumi_aws's are megabytes), about a
    quarter of a cold ``baseline preview``. The SDK's functions are restored afterwards."""
    names = ("_get_stack_trace", "_get_source_position")
    saved = {name: getattr(sdk_resource, name) for name in names if hasattr(sdk_resource, name)}
    if len(saved) == len(names):
        sdk_resource._get_stack_trace = source_pb2.StackTrace
        sdk_resource._get_source_position = lambda *_args, **_kwargs: None
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(sdk_resource, name, function)


def run_program(
    program: Callable[[], Any],
    *,
    stack: str = "dev",
    project: str = "ai-security-baseline",
    config: Mapping[str, Any] | None = None,
    account: FakeAccount | None = None,
    preview: bool = False,
    mocks: pulumi.runtime.Mocks | None = None,
    recorder: GraphRecorder | None = None,
) -> OfflineRun:
    """Run ``program`` under mocks and return its graph and resolved exports.

    The fake account's region follows ``aws:region`` in ``config``, as a real provider's would.
    Raises whatever the program raises (e.g. ConfigError) and UnknownOutputError for an unknown
    export. Pass your own ``recorder`` to inspect what was registered before a failure.
    """
    config = dict(config or {})
    account = account or FakeAccount()
    if "aws:region" in config:
        account = dataclasses.replace(account, region=str(config["aws:region"]))
    recorder = recorder or GraphRecorder(mocks or BaselineMocks(account))
    holder: dict[str, Any] = {}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config(_wire_config(config))
        pulumi.runtime.set_mocks(recorder.mocks, project=project, stack=stack, preview=preview, monitor=recorder)

        @pulumi.runtime.test  # type: ignore[untyped-decorator]
        def _run() -> Any:
            program()

            async def finish() -> None:
                root = settings.get_root_resource()
                outputs = dict(getattr(root, "outputs", {}) or {})
                holder["exports"] = {k: await _known(k, v) for k, v in sorted(outputs.items())}

            return finish()

        with without_source_positions(), collector_paused():
            _run()
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.run_until_complete(loop.shutdown_default_executor())
        recorder.close_thread_loops()
        loop.close()
        asyncio.set_event_loop(None)
        pulumi.runtime.reset_options()
        pulumi.runtime.set_all_config({})
    exports = holder.get("exports", {})
    records = [_with_stack_outputs(r, exports) for r in recorder.records.values()]
    return OfflineRun(
        graph=ResourceGraph(records, stack=stack, project=project),
        exports=exports,
        invokes=list(recorder.invokes),
    )


def _with_stack_outputs(record: Resource, exports: dict[str, Any]) -> Resource:
    if record.type != STACK_TYPE:
        return record
    return Resource(urn=record.urn, type=record.type, custom=False, outputs=dict(exports))


# ---- stacks on disk ----------------------------------------------------------------------------


def project_name(root: Path = PROJECT_ROOT) -> str:
    """The ``name`` in Pulumi.yaml."""
    document = _read_yaml(root / "Pulumi.yaml")
    name = document.get("name")
    if not isinstance(name, str):
        raise StackError(f"{root / 'Pulumi.yaml'}: field 'name' must be a string")
    return name


def available_stacks(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The ``config:`` map of ``Pulumi.<stack>.yaml``; StackError names the file or stack."""
    if not _STACK_NAME.match(stack):
        raise StackError(f"stack name {stack!r} is invalid (allowed: letters, digits, '-', '_', '.')")
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise StackError(
            f"unknown stack {stack!r}: no {path.name} (available: {', '.join(available_stacks(root)) or 'none'})"
        )
    config = _read_yaml(path).get("config") or {}
    if not isinstance(config, dict):
        raise StackError(f"{path}: field 'config' must be a mapping")
    for key in config:
        if not isinstance(key, str):
            raise StackError(f"{path}: config key {clip(repr(key))} is not text (allowed: namespace:name)")
    empty = [key for key, value in config.items() if value is None]
    if empty:  # passed on, a null would become the string "null" and pass as a value
        raise StackError(
            f"{path}: config key {clip(empty[0])} is empty (allowed: a value, or leave the key out for its default)"
        )
    return config


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = load_yaml(path) or {}
    except InputFileError as exc:
        raise StackError(str(exc)) from None
    if not isinstance(document, dict):
        raise StackError(f"{path}: expected a mapping at the top level")
    return document


def run_stack(
    stack: str,
    *,
    root: Path = PROJECT_ROOT,
    overrides: Mapping[str, Any] | None = None,
    account: FakeAccount | None = None,
    recorder: GraphRecorder | None = None,
    mocks: pulumi.runtime.Mocks | None = None,
) -> OfflineRun:
    """Run the real ``__main__.py`` offline with the config of ``Pulumi.<stack>.yaml`` (``mocks``: e.g. moto)."""
    config = {**stack_config(stack, root), **(overrides or {})}
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    main = str(root / "__main__.py")
    return run_program(
        lambda: runpy.run_path(main, run_name="__main__"),
        stack=stack,
        project=project_name(root),
        config=config,
        account=account,
        recorder=recorder,
        mocks=mocks,
    )

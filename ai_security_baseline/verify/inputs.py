"""Reading files a user hands the tool (stack files, waiver files, preview/export JSON) without trusting them.

Every file is read with a size cap (never an unbounded ``read()``: ``/dev/zero`` must not hang the tool), must be
UTF-8, and is parsed with its nesting bounded. YAML goes through one loader for stack and waiver files: aliases are
refused (nothing legitimate in these files needs them, and they are what an alias bomb is made of), duplicate keys
are an error naming the key (a mapping where the last one silently wins hides a setting), and dates stay text so
the field's own validation names a bad one. Every failure is one ``InputFileError`` line naming the file.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

from ai_security_baseline.controls.text import clip

#: Cap of a YAML file (stack or waiver file): far above any real one, far below what could hurt.
MAX_YAML_BYTES = 1 << 20
#: Cap of a preview/export JSON file: the largest stack the baseline builds exports a few MiB; a 50k-resource
#: preview (the scale benchmark's) is about 140 MiB.
MAX_JSON_BYTES = 256 << 20
#: Deepest nesting accepted in any input file; the baseline's own files stay under 12 levels.
MAX_DEPTH = 64


class InputFileError(ValueError):
    """A file refused before or while parsing; the message names the file and what is allowed."""


def _size_text(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit} bytes"


def read_capped(path: Path, limit: int) -> str:
    """At most ``limit`` bytes of ``path`` as UTF-8 text; a bigger, unreadable or non-UTF-8 file is refused."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):  # with no writer, reading one waits forever
            raise InputFileError(f"{path}: is a pipe or socket (allowed: a regular file; save a pipe's output first)")
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise InputFileError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise InputFileError(f"{path}: larger than {_size_text(limit)} (allowed: at most {_size_text(limit)})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}; allowed: UTF-8)"
        ) from None


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys, timestamps or nesting deeper than ``MAX_DEPTH``."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def _refuse(self, problem: str) -> ConstructorError:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        return ConstructorError(None, None, problem, event.start_mark)

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor  # type: ignore[no-untyped-call]
            raise self._refuse(f"alias *{clip(str(anchor), 60)} (allowed: no YAML aliases)")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise self._refuse(f"nested deeper than {MAX_DEPTH} levels (allowed: at most {MAX_DEPTH})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class names it
                continue
            if repeated:
                raise ConstructorError(
                    None, None, f"duplicate key {clip(repr(key), 80)} (allowed: each key once)", key_node.start_mark
                )
        return super().construct_mapping(node, deep)


_BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: where in the file and what, without PyYAML's multi-line snippet."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        return f"line {mark.line + 1}: {what}" if mark else what
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text with the bounded loader; ``source`` names it in the error."""
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text)
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise InputFileError(f"{source}: not valid YAML ({clip(_yaml_problem(exc))})") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer longer than Python converts
        raise InputFileError(f"{source}: not valid YAML ({clip(str(exc) or type(exc).__name__)})") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(path: Path) -> Any:
    """A stack or waiver file, read with the size cap and parsed with the bounded loader."""
    return parse_yaml(read_capped(path, MAX_YAML_BYTES), str(path))


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON-shaped ``value`` nests objects/arrays deeper than ``limit`` (iterative: no recursion)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def load_json(path: Path, limit: int = MAX_JSON_BYTES) -> Any:
    """A JSON file read with a size cap, its nesting bounded; every failure one line naming the file."""
    text = read_capped(path, limit)
    deep = f"{path}: nested deeper than {MAX_DEPTH} levels (allowed: at most {MAX_DEPTH})"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InputFileError(deep) from None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise InputFileError(f"{path}: not valid JSON ({clip(str(exc))})") from None
    if too_deep(document):
        raise InputFileError(deep)
    return document

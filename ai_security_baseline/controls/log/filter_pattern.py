"""Offline evaluator for CloudWatch Logs JSON filter patterns, so LOG-06's metric filters can be proved on events.

No library evaluates these patterns (moto's logs filter knows plain terms only). Standard library only: the
CrossGuard pack imports ``controls`` with nothing but pulumi-policy installed.

Semantics, from the CloudWatch Logs User Guide pages "Filter pattern syntax for metric filters, subscription
filters, filter log events, and Live Tail" and "Using filter patterns to match terms in JSON log events"
(formerly "Filter and Pattern Syntax", section "Matching Terms in JSON Log Events"):

- A JSON pattern is wrapped in ``{ }``. Conditions combine with ``&&`` and ``||``; parentheses group, and the
  documented precedence is ``()`` > ``&&`` > ``||``.
- Selectors start at ``$``; property names are letters, digits, ``-`` and ``_``; ``[N]`` indexes an array and must
  follow a property (``$.a[0]``, ``$.a[0].b``, ``$.a[0][1]``).
- ``=`` and ``!=`` take a string, quoted or not. ``*`` is a wildcard at the start or end only: ``*Event`` matches
  ``PutEvent``, ``Event*`` matches ``EventId``, ``Ev*ent`` only the literal text ``Ev*ent``; ``*`` alone matches any
  value (the documented ``{ $.latency = * }``). Wildcards apply inside quotes too (the CIS patterns rely on it).
- Numbers (integer or decimal, optional sign, scientific ``e`` with a signed integer exponent) take
  ``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=`` and compare numerically.
- ``IS NULL`` holds only for an explicit JSON null; ``NOT EXISTS`` only when the selector finds nothing;
  ``IS TRUE`` / ``IS FALSE`` only for that JSON boolean.
- A comparison needs a value node (string or number). When the selector finds nothing, or finds an array, an
  object, null or a boolean, the comparison does not match, ``!=`` included: the guide says both ``{$.users = 1}``
  and ``{$.users != 1}`` fail where users is an array (the selector "must point to a value node"), and that ``=``
  through a non-array or to a missing property "will be false". It states ``!=`` on a missing property nowhere
  explicitly; this evaluator applies the same value-node rule (nothing found is no value node), so absence is what
  ``NOT EXISTS`` tests, never ``!=``. A selector to an array without an index matches no element: the guide
  documents no any-element matching, and its users example says the opposite.

Refused with ``FilterPatternError`` because the guide leaves them undefined (never guessed):

- regular expressions ``%...%``: the guide lists the restricted dialect's characters and operators by example, not
  as a grammar, so it cannot be reproduced exactly;
- anything outside ``{ }`` (term and space-delimited patterns);
- backslash escapes in quoted strings, ``**`` in a string, unquoted strings with characters other than letters,
  digits, ``.``, ``-``, ``_`` and ``*``; unquoted tokens that look numeric but are no documented number (``1.2.3``,
  ``10E3``, ``.5``): quote them to mean a string;
- at match time (``UndecidableMatchError``): a number compared with a string value, or a string (other than ``*``)
  compared with a number value, since the guide does not say whether ``"400"`` equals ``400``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["FilterPatternError", "Pattern", "UndecidableMatchError", "parse"]


class FilterPatternError(ValueError):
    """A pattern this evaluator cannot read: malformed, or outside the documented syntax."""


class UndecidableMatchError(FilterPatternError):
    """An event on which the documented semantics do not decide the pattern: an error, never a match or not."""


Op = Literal["=", "!=", "<", ">", "<=", ">="]
Step = str | int


class _Missing:
    """The selector found nothing (distinct from a JSON null)."""


_MISSING = _Missing()

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?")
_NUMBERISH = re.compile(r"[+.-].*|[0-9][0-9.eE+-]*")
_UNQUOTED = re.compile(r"[A-Za-z0-9._*-]+")
_STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]")
_OPS: dict[str, Op] = {"=": "=", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\})
    |(?P<selector>\$[^\s=!<>()&|{}]*)
    |(?P<quoted>"[^"]*")
    |(?P<regex>%)
    |(?P<word>[^\s=!<>()&|{}"%]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class Selector:
    """A parsed ``$.a[0].b``: the keys and indexes to walk from the event's root."""

    text: str
    steps: tuple[Step, ...]

    def resolve(self, event: object) -> object:
        """The value the selector points at, or ``_MISSING`` when a step finds nothing."""
        node = event
        for step in self.steps:
            if isinstance(step, int):
                if not isinstance(node, list) or step >= len(node):
                    return _MISSING
                node = node[step]
            elif isinstance(node, Mapping) and step in node:
                node = node[step]
            else:
                return _MISSING
        return node


@dataclass(frozen=True)
class Comparison:
    """``selector op value``; ``value`` is a float for a numeric literal, else the string (wildcards kept)."""

    selector: Selector
    op: Op
    value: float | str

    def holds(self, event: Mapping[str, object]) -> bool:
        found = self.selector.resolve(event)
        if isinstance(found, bool) or not isinstance(found, str | int | float):
            return False
        if isinstance(self.value, float):
            if isinstance(found, str):
                raise UndecidableMatchError(f"{self.selector.text}: number compared with the string value {found!r}")
            return _compare_numbers(float(found), self.op, self.value)
        if isinstance(found, str):
            return _wildcard_match(self.value, found) == (self.op == "=")
        if self.value == "*":
            return self.op == "="
        raise UndecidableMatchError(f"{self.selector.text}: string {self.value!r} compared with the number {found}")


@dataclass(frozen=True)
class Check:
    """``IS NULL``, ``NOT EXISTS``, ``IS TRUE``, ``IS FALSE``."""

    selector: Selector
    kind: Literal["null", "absent", "true", "false"]

    def holds(self, event: Mapping[str, object]) -> bool:
        found = self.selector.resolve(event)
        if self.kind == "absent":
            return found is _MISSING
        if self.kind == "null":
            return found is None
        return found is (self.kind == "true")


@dataclass(frozen=True)
class Both:
    """``left && right``."""

    left: Expr
    right: Expr

    def holds(self, event: Mapping[str, object]) -> bool:
        return self.left.holds(event) and self.right.holds(event)


@dataclass(frozen=True)
class Either:
    """``left || right``."""

    left: Expr
    right: Expr

    def holds(self, event: Mapping[str, object]) -> bool:
        return self.left.holds(event) or self.right.holds(event)


Expr = Comparison | Check | Both | Either


@dataclass(frozen=True)
class Pattern:
    """A parsed JSON filter pattern."""

    text: str
    expr: Expr

    def matches(self, event: Mapping[str, object]) -> bool:
        """Whether CloudWatch Logs would count ``event`` (a decoded JSON log event) for this pattern."""
        return self.expr.holds(event)


def _compare_numbers(found: float, op: Op, wanted: float) -> bool:
    results = {
        "=": found == wanted,
        "!=": found != wanted,
        "<": found < wanted,
        ">": found > wanted,
        "<=": found <= wanted,
        ">=": found >= wanted,
    }
    return results[op]


def _wildcard_match(wanted: str, found: str) -> bool:
    """``*`` at the start and/or end of ``wanted`` matches any text there; any other ``*`` is literal."""
    if wanted == "*":
        return True
    leading, trailing = wanted.startswith("*"), wanted.endswith("*")
    core = wanted[1 if leading else 0 : -1 if trailing else None]
    if leading and trailing:
        return core in found
    if leading:
        return found.endswith(core)
    if trailing:
        return found.startswith(core)
    return found == core


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None and text[pos] == '"':
            raise FilterPatternError(f"filter pattern: at position {pos}: expected a closing '\"' for this string")
        if m is None or m.lastgroup is None:
            raise FilterPatternError(f"filter pattern: at position {pos}: unexpected character {text[pos]!r}")
        if m.lastgroup == "regex":
            raise FilterPatternError(
                f"filter pattern: at position {pos}: regular expressions (%...%) are not supported offline"
            )
        if m.lastgroup == "quoted" and "\\" in m.group():
            raise FilterPatternError(
                f"filter pattern: at position {pos}: backslash escapes in quoted strings are undocumented"
            )
        if m.lastgroup != "ws":
            tokens.append(_Token(m.lastgroup, m.group(), pos))
        pos = m.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _selector(token: _Token) -> Selector:
    steps: list[Step] = []
    rest, pos = token.text[1:], token.pos + 1
    while rest:
        m = _STEP.match(rest)
        if m is None:
            raise FilterPatternError(
                f"filter pattern: at position {pos}: expected '.name' or '[index]' in selector, found {rest!r}"
            )
        if m.group(2) is not None and not steps:
            raise FilterPatternError(f"filter pattern: at position {pos}: an array index must follow a property")
        steps.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos += m.end()
        rest = rest[m.end() :]
    if not steps:
        raise FilterPatternError(f"filter pattern: at position {token.pos}: expected a property after '$'")
    return Selector(token.text, tuple(steps))


def _literal(token: _Token) -> float | str:
    if token.kind == "quoted":
        value = token.text[1:-1]
    elif token.kind == "word":
        value = token.text
        if "*" not in value and _NUMBER.fullmatch(value):
            return float(value)
        if "*" not in value and _NUMBERISH.fullmatch(value):
            raise FilterPatternError(
                f"filter pattern: at position {token.pos}: {value!r} is no documented number; quote it for a string"
            )
        if not _UNQUOTED.fullmatch(value):
            raise FilterPatternError(
                f"filter pattern: at position {token.pos}: {value!r} must be quoted (only letters, digits, '.', '-', "
                "'_' and '*' go unquoted)"
            )
    else:
        raise FilterPatternError(f"filter pattern: at position {token.pos}: expected a value, found {token.text!r}")
    if "**" in value:
        raise FilterPatternError(f"filter pattern: at position {token.pos}: '**' in {value!r} is undocumented")
    return value


class _Parser:
    """Recursive descent over the token list; every error names the position and what was expected."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expect(self, text: str, what: str) -> _Token:
        token = self.take()
        if token.text != text or token.kind == "quoted":
            found = "the end" if token.kind == "end" else repr(token.text)
            raise FilterPatternError(f"filter pattern: at position {token.pos}: expected {what}, found {found}")
        return token

    def pattern(self) -> Expr:
        first = self.peek()
        if first.text != "{":
            raise FilterPatternError(
                f"filter pattern: at position {first.pos}: expected '{{' (only JSON filter patterns are supported)"
            )
        self.take()
        expr = self.either()
        self.expect("}", "'&&', '||' or '}'")
        self.expect("", "the end of the pattern after '}'")
        return expr

    def either(self) -> Expr:
        expr = self.both()
        while self.peek().text == "||" and self.peek().kind == "op":
            self.take()
            expr = Either(expr, self.both())
        return expr

    def both(self) -> Expr:
        expr = self.primary()
        while self.peek().text == "&&" and self.peek().kind == "op":
            self.take()
            expr = Both(expr, self.primary())
        return expr

    def primary(self) -> Expr:
        token = self.take()
        if token.kind == "op" and token.text == "(":
            expr = self.either()
            self.expect(")", "'&&', '||' or ')'")
            return expr
        if token.kind != "selector":
            found = "the end" if token.kind == "end" else repr(token.text)
            raise FilterPatternError(
                f"filter pattern: at position {token.pos}: expected a selector starting with '$' or '(', found {found}"
            )
        return self.condition(_selector(token))

    def condition(self, selector: Selector) -> Expr:
        token = self.take()
        if token.kind == "word" and token.text in ("IS", "NOT"):
            word = self.take()
            kinds: dict[tuple[str, str], Literal["null", "absent", "true", "false"]] = {
                ("IS", "NULL"): "null",
                ("IS", "TRUE"): "true",
                ("IS", "FALSE"): "false",
                ("NOT", "EXISTS"): "absent",
            }
            kind = kinds.get((token.text, word.text))
            if kind is None or word.kind != "word":
                wanted = "NULL, TRUE or FALSE" if token.text == "IS" else "EXISTS"
                raise FilterPatternError(
                    f"filter pattern: at position {word.pos}: expected {wanted} after {token.text}, found {word.text!r}"
                )
            return Check(selector, kind)
        op = _OPS.get(token.text) if token.kind == "op" else None
        if op is None:
            found = "the end" if token.kind == "end" else repr(token.text)
            raise FilterPatternError(
                f"filter pattern: at position {token.pos}: expected an operator (=, !=, <, >, <=, >=), IS or "
                f"NOT EXISTS after {selector.text}, found {found}"
            )
        value_token = self.take()
        value = _literal(value_token)
        if op not in ("=", "!=") and not isinstance(value, float):
            raise FilterPatternError(
                f"filter pattern: at position {value_token.pos}: expected a number after {op}, "
                f"found {value_token.text!r}"
            )
        return Comparison(selector, op, value)


def parse(pattern: str) -> Pattern:
    """Parse a CloudWatch Logs JSON filter pattern; ``FilterPatternError`` names the position and what was expected."""
    return Pattern(pattern, _Parser(pattern).pattern())

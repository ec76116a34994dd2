"""The offline CloudWatch Logs JSON filter-pattern evaluator: the documented grammar, semantics and refusals."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from ai_security_baseline.controls.log import filter_pattern
from ai_security_baseline.controls.log.filter_pattern import FilterPatternError, UndecidableMatchError, parse

#: The user guide's own example event for JSON filter patterns.
GUIDE_EVENT: dict[str, object] = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "ThisFlag": True,
}

#: The guide's compound-condition example event.
COMPOUND_EVENT: dict[str, object] = {
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
}


def matches(pattern: str, event: dict[str, object]) -> bool:
    return parse(pattern).matches(event)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventType = "UpdateTrail" }', True),
        ("{ $.eventType = UpdateTrail }", True),
        ('{ $.eventType = "updatetrail" }', False),
        ('{ $.eventType != "UpdateTrail" }', False),
        ("{ $.eventType != CreateTrail }", True),
        ('{ $.arrayKey[0] = "value" }', True),
        ('{ $.arrayKey[1] = "value" }', False),
        ("{ $.objectList[1].id = 2 }", True),
        ("{ $.objectList[0].id = 2 }", False),
        ('{ $.objectList[1].name = "b" }', True),
    ],
)
def test_filter_pattern_selectors_and_string_equality_follow_the_guide_examples(pattern: str, expected: bool) -> None:
    assert matches(pattern, GUIDE_EVENT) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) '
            "&& $.actions[2] = nomatch }",
            False,
        ),
        ("{ $.coordinates[1][2] = 6 }", True),
    ],
)
def test_filter_pattern_compound_conditions_match_the_guide_verdicts(pattern: str, expected: bool) -> None:
    assert matches(pattern, COMPOUND_EVENT) is expected


def test_filter_pattern_and_binds_tighter_than_or() -> None:
    """a || b && c is a || (b && c): with a true and c false it matches; (a || b) && c would not."""
    event: dict[str, object] = {"a": "x", "b": "x", "c": "y"}
    assert matches("{ $.a = x || $.b = x && $.c = x }", event) is True
    assert matches("{ ($.a = x || $.b = x) && $.c = x }", event) is False


@pytest.mark.parametrize(
    ("wanted", "found", "expected"),
    [
        ("*Event", "PutEvent", True),
        ("*Event", "PutEvents", False),
        ("Event*", "EventId", True),
        ("Event*", "AnEventId", False),
        ("*Unauthorized*", "Client.UnauthorizedOperation", True),
        ("Ev*ent", "Ev*ent", True),
        ("Ev*ent", "Evxent", False),
        ("*", "anything", True),
        ("123.123.*", "123.123.4.5", True),
        ("123.123.*", "111.111.111.111", False),
    ],
)
def test_filter_pattern_wildcards_only_at_the_ends_and_also_inside_quotes(
    wanted: str, found: str, expected: bool
) -> None:
    assert matches(f'{{ $.v = "{wanted}" }}', {"v": found}) is expected
    assert matches(f"{{ $.v = {wanted} }}", {"v": found}) is expected


def test_filter_pattern_not_equal_with_wildcard_excludes_the_prefix() -> None:
    assert matches("{ $.sourceIPAddress != 123.123.* }", GUIDE_EVENT) is True
    assert matches("{ $.sourceIPAddress != 111.* }", GUIDE_EVENT) is False


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.latency >= 500 }", True),
        ("{ $.latency > 500 }", False),
        ("{ $.latency <= 500 }", True),
        ("{ $.latency < 500.5 }", True),
        ("{ $.latency = 500 }", True),
        ("{ $.latency = 500.0 }", True),
        ("{ $.latency != 500 }", False),
        ("{ $.latency > +499 }", True),
        ("{ $.latency > -1 }", True),
        ("{ $.latency < 10e3 }", True),
        ("{ $.latency < 5e2 }", False),
        ("{ $.small < 10e-3 }", True),
        ("{ $.small > 1e-3 }", True),
        ("{ $.processes[1].averageRuntime <= 55.5 }", True),
        ("{ $.latency = * }", True),
    ],
)
def test_filter_pattern_numeric_comparisons_in_decimal_and_scientific_forms(pattern: str, expected: bool) -> None:
    event: dict[str, object] = {"latency": 500, "small": 0.005, "processes": [{}, {"averageRuntime": 55.5}]}
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.SomeObject IS NULL }", True),
        ("{ $.eventType IS NULL }", False),
        ("{ $.Missing IS NULL }", False),
        ("{ $.SomeOtherObject NOT EXISTS }", True),
        ("{ $.SomeObject NOT EXISTS }", False),
        ("{ $.ThisFlag IS TRUE }", True),
        ("{ $.ThisFlag IS FALSE }", False),
        ("{ $.eventType IS TRUE }", False),
        ("{ $.Missing IS FALSE }", False),
    ],
)
def test_filter_pattern_null_existence_and_boolean_checks(pattern: str, expected: bool) -> None:
    assert matches(pattern, GUIDE_EVENT) is expected


@pytest.mark.parametrize("op", ["=", "!="])
def test_filter_pattern_comparison_on_a_missing_field_never_matches_not_even_not_equal(op: str) -> None:
    assert matches(f"{{ $.errorCode {op} AccessDenied }}", GUIDE_EVENT) is False
    assert matches(f"{{ $.objectList[5].id {op} 2 }}", GUIDE_EVENT) is False
    assert matches(f"{{ $.eventType.inner {op} x }}", GUIDE_EVENT) is False


@pytest.mark.parametrize("op", ["=", "!="])
def test_filter_pattern_comparison_on_an_array_object_null_or_boolean_never_matches(op: str) -> None:
    """The guide: both {$.users = 1} and {$.users != 1} fail where users is an array; no any-element matching."""
    event: dict[str, object] = {"users": [1, 2, 3], "obj": {"a": 1}, "nothing": None, "flag": True}
    for selector in ("$.users", "$.obj", "$.nothing", "$.flag"):
        assert matches(f"{{ {selector} {op} 1 }}", event) is False
    assert matches(f'{{ $.arrayKey {op} "value" }}', GUIDE_EVENT) is False


def test_filter_pattern_index_into_a_non_array_does_not_match() -> None:
    assert matches('{ $.eventType[0] = "UpdateTrail" }', GUIDE_EVENT) is False


@pytest.mark.parametrize(
    ("pattern", "event"),
    [
        ("{ $.code = 400 }", {"code": "400"}),
        ('{ $.code = "400" }', {"code": 400}),
        ("{ $.code != abc }", {"code": 400}),
    ],
)
def test_filter_pattern_string_against_number_is_undecidable_never_a_verdict(
    pattern: str, event: dict[str, object]
) -> None:
    with pytest.raises(UndecidableMatchError, match=r"^\$\.code: "):
        matches(pattern, event)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("$.a = b", r"position 0: expected '\{' \(only JSON filter patterns"),
        ("ERROR", r"position 0: expected '\{'"),
        ("{ $.a = b", r"position 9: expected '&&', '\|\|' or '\}', found the end"),
        ("{ $.a = b } extra", r"position 12: expected the end of the pattern after '\}'"),
        ("{ }", r"position 2: expected a selector starting with '\$' or '\(', found '\}'"),
        ("{ ($.a = b }", r"position 11: expected '&&', '\|\|' or '\)', found '\}'"),
        ("{ $.a b }", r"position 6: expected an operator .* after \$\.a, found 'b'"),
        ("{ $.a = }", r"position 8: expected a value, found '\}'"),
        ("{ $.a == b }", r"position 7: expected a value, found '='"),
        ("{ $.a & $.b }", r"position 6: unexpected character '&'"),
        ('{ $.a = "abc }', r"position 8: expected a closing '\"' for this string"),
        ("{ $.a > b }", r"position 8: expected a number after >, found 'b'"),
        ("{ $.a IS EMPTY }", r"position 9: expected NULL, TRUE or FALSE after IS, found 'EMPTY'"),
        ("{ $.a NOT NULL }", r"position 10: expected EXISTS after NOT, found 'NULL'"),
        ("{ $ = b }", r"position 2: expected a property after '\$'"),
        ("{ $[0] = b }", r"position 3: an array index must follow a property"),
        ("{ $.a[x] = b }", r"position 5: expected '\.name' or '\[index\]' in selector"),
        ("{ $.a..b = c }", r"position 5: expected '\.name' or '\[index\]' in selector"),
        ("{ $.a = %AUTH% }", r"position 8: regular expressions \(%\.\.\.%\) are not supported"),
        ('{ $.a = "x\\"y" }', r"position 8: backslash escapes in quoted strings are undocumented"),
        ("{ $.a = b@c }", r"position 8: 'b@c' must be quoted"),
        ("{ $.a = 1.2.3 }", r"position 8: '1\.2\.3' is no documented number; quote it"),
        ("{ $.a = 10E3 }", r"position 8: '10E3' is no documented number"),
        ("{ $.a = .5 }", r"position 8: '\.5' is no documented number"),
        ('{ $.a = "**x" }', r"position 8: '\*\*' in '\*\*x' is undocumented"),
    ],
)
def test_filter_pattern_malformed_or_undocumented_patterns_are_refused_in_one_line(pattern: str, message: str) -> None:
    with pytest.raises(FilterPatternError, match=r"^filter pattern: at " + message) as raised:
        parse(pattern)
    assert "\n" not in str(raised.value)


def test_filter_pattern_quoted_strings_keep_any_characters() -> None:
    assert matches('{ $.a = "b@c d" }', {"a": "b@c d"}) is True
    assert matches('{ $.a = "1.2.3" }', {"a": "1.2.3"}) is True


def test_filter_pattern_module_imports_only_the_standard_library() -> None:
    """The CrossGuard pack imports controls/ with only pulumi-policy installed."""
    tree = ast.parse(Path(filter_pattern.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported
    assert not {m for m in imported if m.split(".")[0] not in sys.stdlib_module_names}


def test_filter_pattern_whitespace_between_tokens_is_optional() -> None:
    event: dict[str, object] = {"a": "b", "n": 3, "z": None}
    assert matches('{$.a="b"&&($.n>=3||$.z IS NULL)}', event) is True
    assert matches("{$.a!=b}", event) is False

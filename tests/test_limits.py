"""Limits: nesting depth (CQL007), query size (CQL006), and large inputs that
must neither crash (RecursionError) nor take long."""

from __future__ import annotations

import time

import pytest

import cqlang
from cqlang.filterlists import compile_filters
from cqlang.parser import MAX_DEPTH, MAX_QUERY_CHARS


def nested(levels: int, field: str = "priority") -> str:
    """``levels`` nested and/or groups around one predicate."""
    text = f"{field} = 0"
    for i in range(levels):
        text = f"({field} = {i % 7} {'and' if i % 2 else 'or'} {text})"
    return text


def diag_of(text: str) -> cqlang.Diagnostic:
    with pytest.raises(cqlang.CqlSyntaxError) as info:
        cqlang.parse(text)
    (diag,) = info.value.diagnostics
    return diag


def test_nesting_up_to_the_limit_is_accepted() -> None:
    # MAX_DEPTH counts levels of and/or/not, the predicate included.
    cqlang.parse("not " * (MAX_DEPTH - 1) + "priority = 1")
    cqlang.parse(nested(MAX_DEPTH - 1))
    plan = cqlang.plan(nested(MAX_DEPTH - 1))
    assert not plan.never_matches


@pytest.mark.parametrize(
    "text",
    [
        "not " * MAX_DEPTH + "priority = 1",
        nested(MAX_DEPTH),
        nested(5_000),
        "not " * 100_000 + "priority = 1",
        "(" * 20_000 + "not (" * 200 + "priority = 1" + ")" * 20_200,
        # two levels per parenthesis: an `and` inside an `or` in each group
        "priority = 2 or priority = 3 and (" * 60 + "priority = 1" + ")" * 60,
    ],
    ids=["not-limit", "nest-limit", "nest-5000", "not-100000", "parens-and-nots", "or-and"],
)
def test_nesting_beyond_the_limit_is_cql007(text: str) -> None:
    started = time.perf_counter()
    diag = diag_of(text)
    assert diag.code == "CQL007"
    assert str(MAX_DEPTH) in diag.message
    assert diag.hint and "flatten" in diag.hint
    # The caret is under the first word of the first part too deep.
    assert 0 < diag.end - diag.start <= len("priority")
    assert text[diag.start : diag.end] in ("not", "priority", "(")
    prefix = text[: diag.start]
    levels = prefix.count("not ") + prefix.count(" and ") + prefix.count(" or ") + 1
    assert levels >= MAX_DEPTH
    # The other entry points say the same, and nothing recurses.
    assert [d.code for d in cqlang.check(text)] == ["CQL007"]
    with pytest.raises(cqlang.CqlSyntaxError):
        cqlang.compile(text)
    with pytest.raises(cqlang.CqlSyntaxError):
        cqlang.format(text)
    assert time.perf_counter() - started < 30


def test_redundant_parentheses_do_not_nest() -> None:
    text = "(" * 50_000 + "priority = 1" + ")" * 50_000
    assert cqlang.compile(text) == [{"property": "priority", "operator": "eq", "value": 1}]
    assert cqlang.format(text) == "priority = 1"


def test_query_size_limit_is_cql006() -> None:
    text = "priority = 1 " + " " * MAX_QUERY_CHARS
    diag = diag_of(text)
    assert diag.code == "CQL006"
    assert (diag.start, diag.end) == (MAX_QUERY_CHARS, len(text))
    assert str(MAX_QUERY_CHARS) in diag.message
    assert [d.code for d in cqlang.check(text)] == ["CQL006"]


def test_a_query_of_exactly_the_limit_is_accepted() -> None:
    value = "x" * (MAX_QUERY_CHARS - len('close_reason = ""'))
    text = f'close_reason = "{value}"'
    assert len(text) == MAX_QUERY_CHARS
    assert cqlang.compile(text) == [{"property": "close_reason", "value": [value]}]


def test_long_lists_and_strings() -> None:
    values = ", ".join(str(i) for i in range(20_000))
    filters = cqlang.compile(f"priority in ({values})")
    assert filters == [
        {"property": "priority", "operator": "gte", "value": 0},
        {"property": "priority", "operator": "lte", "value": 19_999},
    ]
    plan = cqlang.plan(f"tenant_user_id in ({values})")
    assert len(plan.branches) == 1
    for value, expected in [(0, True), (19_999, True), (20_000, False), (-1, False)]:
        record = {"tenant_user_id": value}
        hit = compile_filters(plan.branches[0])(record)
        assert (hit and (plan.residual is None or plan.residual.matches(record))) is expected
    long_string = "ż" * 500_000
    assert cqlang.compile(f'custom.k = "{long_string}"')[0]["value"] == long_string


def test_exploding_nesting_fails_with_the_count_not_after_building_it() -> None:
    text = " and ".join(
        f"(contact_try = {i} or custom.a{i} = v or custom.b{i} = w)" for i in range(60)
    )
    with pytest.raises(cqlang.CqlPlanError) as info:
        cqlang.plan(text)
    assert info.value.diagnostics[0].code == "CQL205"
    # The parts share contact_try, so the count is an upper bound.
    assert "alternatives; planning stops at 65,536" in info.value.diagnostics[0].message


def test_a_long_line_is_shown_around_the_span() -> None:
    from cqlang.diagnostics import SHOWN_WIDTH

    text = "state = OPEN and " + "priority > 1 and " * 40 + "prioirty > 3"
    (diag,) = cqlang.check(text)
    shown = str(cqlang.CqlValidationError(diag.message, [diag], text))
    source, caret = shown.splitlines()[3:5]
    assert source.startswith("1 | …") and len(source) <= SHOWN_WIDTH + 10
    # The caret stands under the misspelt word, wherever the window starts.
    at = caret.index("^")
    assert source[at : at + len("prioirty")] == "prioirty"
    # A huge query is reported in a few lines, not echoed whole.
    huge = "a" * (MAX_QUERY_CHARS + 10)
    with pytest.raises(cqlang.CqlSyntaxError) as info:
        cqlang.parse(huge)
    assert len(str(info.value)) < 1000

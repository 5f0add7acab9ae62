"""cqlang.kinds: one wording of a value's kind, for each place a value
comes from (a JSON record, a TOML file, a Python argument)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given as hgiven
from hypothesis import strategies as st

from cqlang import kinds
from cqlang.config.validate import kind as toml_kind
from cqlang.env import freeze
from cqlang.recordids import json_kind


@pytest.mark.parametrize(
    ("value", "json", "toml", "python"),
    [
        (True, "a boolean", "true or false", "bool"),
        (3, "a number", "an integer", "int"),
        (1.5, "a number", "a number with a fraction", "float"),
        ("a", "a string", "a string", "str"),
        ([1], "an array", "an array", "list"),
        ({"a": 1}, "an object", "a table", "dict"),
        (None, "null", "NoneType", "NoneType"),
        (datetime(2026, 1, 1), "datetime", "a TOML datetime", "datetime"),
        (date(2026, 1, 1), "date", "a TOML date", "date"),
        (time(10, 0), "time", "a TOML time", "time"),
        (b"x", "bytes", "bytes", "bytes"),
    ],
)
def test_each_audience_names_the_kind_in_its_words(
    value: object, json: str, toml: str, python: str
) -> None:
    assert kinds.kind(value, kinds.JSON) == json == json_kind(value)
    assert kinds.kind(value, kinds.TOML) == toml == toml_kind(value)
    assert kinds.kind(value, kinds.PYTHON) == python
    # What an Env keeps of a caller's dict or list is named as what was given.
    assert kinds.kind(freeze(value), kinds.PYTHON) == python


@pytest.mark.parametrize(
    ("value", "toml", "python"),
    [
        (True, "true", "True"),
        ("it's", '"it\'s"', '"it\'s"'),
        ([3, "a", True], 'an array, [3, "a", true]', '[3, "a", True]'),
        ({"a b": 1, "c": [1]}, 'a table, {"a b" = 1, c = [1]}', '{"a b": 1, "c": [1]}'),
        (time(10, 0), "a TOML time, 10:00:00", "datetime.time(10, 0)"),
        (date(2026, 10, 25), "a TOML date, 2026-10-25", "datetime.date(2026, 10, 25)"),
        ((1,), "an array, [1]", "(1,)"),
    ],
)
def test_given_writes_the_value_as_its_place_does(value: object, toml: str, python: str) -> None:
    assert kinds.given(value, kinds.TOML) == toml
    assert kinds.given(value, kinds.PYTHON) == python
    assert kinds.given(freeze(value), kinds.PYTHON) == python.replace("(1,)", "(1,)")


def test_the_json_audience_writes_json() -> None:
    assert kinds.given(None, kinds.JSON) == "null"
    assert kinds.given([1, None], kinds.JSON) == "an array, [1, null]"
    assert kinds.given({"a": False}, kinds.JSON) == 'an object, {"a": false}'


def test_an_unknown_audience_is_refused() -> None:
    with pytest.raises(ValueError, match="audience"):
        kinds.kind(1, "yaml")  # type: ignore[arg-type]


@hgiven(st.text(max_size=30))
def test_a_string_reads_back_as_json_toml_and_python(text: str) -> None:
    """A string is written so that JSON, TOML and Python read it back."""
    import ast
    import json
    import tomllib

    shown = kinds.written(text, kinds.TOML)
    assert json.loads(shown) == text
    assert ast.literal_eval(shown) == text
    if "\x7f" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert tomllib.loads(f"v = {shown}")["v"] == text


def test_an_object_python_cannot_spell_is_cut_short() -> None:
    assert len(kinds.written(object.__new__(type("X" * 200, (), {})), kinds.PYTHON)) <= kinds.MOST


# ------------------------------------------------- bounded, whatever is given

HUGE = int("9" * 4000) * 10**1000  # past what Python writes as digits


@pytest.mark.parametrize("query", ["priority = $p", "priority in $p", "state = $p"])
def test_a_huge_integer_inside_a_parameter_is_named(query: str) -> None:
    import cqlang

    (d,) = cqlang.check(query, params={"p": {"a": HUGE}})
    assert d.code == "CQL113"
    assert d.message.endswith('got {"a": <an integer of more than 60 digits>}')


def test_a_long_dict_is_cut_with_its_length() -> None:
    import cqlang

    (d,) = cqlang.check("priority = $p", params={"p": {str(i): i for i in range(2000)}})
    assert d.code == "CQL113" and d.message.endswith("… (2,000 items)")
    assert len(d.message) < 150


def test_written_walks_any_nesting_and_cycles() -> None:
    deep: list[object] = []
    for _ in range(50_000):  # past the interpreter's recursion limit
        deep = [deep]
    assert kinds.written(deep, kinds.JSON) == "[" * 50_001 + "]" * 50_001
    assert kinds.given(deep, kinds.TOML) == "an array, " + "[" * 59 + "… (1 item)"
    loop: list[object] = [1]
    loop.append(loop)
    assert kinds.written(loop, kinds.PYTHON) == "[1, [...]]"
    table: dict[str, object] = {}
    table["a b"] = table
    assert kinds.written(table, kinds.TOML) == '{"a b" = {...}}'
    assert kinds.written(frozenset({HUGE}), kinds.PYTHON) == (
        "frozenset({<an integer of more than 60 digits>})"
    )


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.builds(lambda n, e: n * 10**e, st.integers(1, 10**6), st.integers(55, 6000))
    | st.floats()
    | st.text(max_size=80)
    | st.builds(lambda c, n: c * n, st.characters(), st.integers(0, 20_000))
    | st.dates()
    | st.times()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=40)
        | st.tuples(inner)
        | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=40)
        | st.frozensets(st.integers() | st.text(max_size=5), max_size=5)
    ),
    max_leaves=200,
)


@hgiven(
    _VALUES,
    st.sampled_from(
        [
            "priority = $p",
            "priority in $p",
            "state = $p",
            "state in $p",
            "created_date >= $p",
            "created_date in $p",
            "custom.x = $p",
            "custom.x in $p",
        ]
    ),
)
def test_any_parameter_value_gets_a_cql_error_of_a_line(value: object, query: str) -> None:
    """Whatever a caller binds, nested huge integers and long strings too,
    the answer is diagnostics (or a CqlError) whose messages stay short."""
    import cqlang

    try:
        diags = cqlang.check(query, params={"p": value})
    except cqlang.CqlError as exc:
        diags = list(exc.diagnostics)
    for d in diags:
        assert len(d.message) < 200, d.message
        assert d.hint is None or len(d.hint) < 400, d.hint

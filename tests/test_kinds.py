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
        (datetime(2026, 1, 1), "datetime", "a datetime", "datetime"),
        (date(2026, 1, 1), "date", "a date", "date"),
        (time(10, 0), "time", "a time", "time"),
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

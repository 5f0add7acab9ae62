"""CQL301 points at the value at fault where one is known, not at the
whole input (it spanned the whole text on every path): ``cqlang.encode``
of a value JSON cannot carry (NaN, a lone surrogate, nesting past 32
levels), and ``decompile`` of text that is not JSON (the character the
reader stopped at) or that nests too deep (the first list or object past
the limit), from the command line, a file or Python.
cqlang.jsonspans finds the value in the text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import Diagnostic
from cqlang.errors import CqlValidationError
from cqlang.jsonspans import too_deep, value_span

STATE = {"property": "state", "value": ["OPEN"]}


def nested(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


def only(call: Any) -> tuple[Diagnostic, str]:
    with pytest.raises(CqlValidationError) as caught:
        call()
    (diag,) = caught.value.diagnostics
    assert diag.code == "CQL301"
    assert caught.value.text is not None
    return diag, caught.value.text


@pytest.mark.parametrize(
    ("value", "shown"),
    [(float("nan"), "NaN"), (float("-inf"), "-Infinity"), ("x\udc80", '"x\\udc80"')],
)
def test_encode_points_at_the_value_json_cannot_carry(value: Any, shown: str) -> None:
    filters = [STATE, {"property": "custom_fields", "key": "a", "value": value}]
    diag, text = only(lambda: cqlang.encode(filters))
    assert text[diag.start : diag.end] == shown
    assert diag.start > text.index("custom_fields")


def test_encode_points_at_the_list_nested_too_deep() -> None:
    filters = [STATE, {"property": "priority", "operator": "in", "value": nested([1], 40)}]
    diag, text = only(lambda: cqlang.encode(filters))
    # The first list past the 32nd level: the list itself is level 1, so
    # the value's lists 31 and on.
    assert text[diag.start : diag.end] == json.dumps(nested([1], 10))


@pytest.mark.parametrize(
    ("source", "at"),
    [
        ('[{"property":"state","value":["OPEN"]}, {"property":"priority","value":3]', 72),
        ('[{"property":"state","value":["OPEN"]},]', 39),
        ('  [{"property": "state", "value": ', 34),
    ],
)
def test_decompile_of_text_that_is_no_json_points_where_it_stops(source: str, at: int) -> None:
    diag, text = only(lambda: cqlang.decompile(source))
    assert text == source and diag.start == at and diag.end == min(at + 1, len(source))
    assert f"at character {at}" in diag.message


def test_decompile_of_an_encoded_value_points_in_the_decoded_json() -> None:
    url = "http://h/voice_campaign/c/request?filter=" + "%5B%7B%22property%22%2C%5D"
    diag, text = only(lambda: cqlang.decompile(url))
    assert text == '[{"property",]' and text[diag.start : diag.end] == ","


def test_decompile_points_at_the_list_nested_too_deep() -> None:
    filters = [STATE, {"property": "priority", "operator": "in", "value": nested([1], 40)}]
    source = json.dumps(filters)
    for given_as in (source, filters):
        diag, text = only(lambda g=given_as: cqlang.decompile(g))
        assert "nested more than 32 levels deep" in diag.message
        assert text[diag.start : diag.end] == json.dumps(nested([1], 10))


def test_the_caret_of_decompile_from_a_file_is_under_the_fault(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text('[{"property": "state", "value": ["OPEN"]} {}]\n')
    with (tmp_path / "f.json").open() as fh:
        result = CliRunner().invoke(main, ["decompile", "-"], input=fh.read())
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[1] == " --> 1:43"  # where the reader wanted a comma: at the second {
    assert lines[-1].index("^") == lines[-2].index(" {}") + 1  # under the second {


# --------------------------------------------------------------- jsonspans

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=20,
)


def paths(value: Any) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [()]
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        out += [(key, *rest) for rest in paths(item)]
    return out


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 2]), st.integers(0, 3), st.data())
def test_value_span_finds_every_value_of_a_json_text(
    value: Any, indent: int | None, lead: int, data: st.DataObject
) -> None:
    text = " " * lead + json.dumps(value, indent=indent, ensure_ascii=False)
    path = data.draw(st.sampled_from(paths(value)))
    span = value_span(text, path)
    assert span is not None
    assert json.loads(text[span[0] : span[1]]) == at(value, path)


def test_value_span_of_no_such_value_is_none() -> None:
    text = '{"a": [1, 2], "a": [3]}'
    assert value_span(text, ("a", 0)) == (text.index("3"), text.index("3") + 1)  # the last "a"
    for path in (("a", 1), ("b",), (0,), ("a", "x")):
        assert value_span(text, path) is None
    assert value_span("[1,", (1,)) is None


def test_too_deep_finds_the_first_container_past_the_limit() -> None:
    assert too_deep([[1], [[[2]]]], 3) == (1, 0, 0)
    assert too_deep([[1], [[2]]], 3) is None
    loop: list[Any] = []
    loop.append(loop)
    assert too_deep(loop, 5) == (0, 0, 0, 0, 0)

"""The nesting bound of JSON from outside (cqlang/jsonlimit.py), measured
exactly on either walk: the plain one, for what json makes of a text with
no number with a fraction or an exponent (no Python call per value), and
the careful one, which passes over Numbers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqlang import jsonlimit


def real_depth(v: Any) -> int:
    if isinstance(v, list):
        return 1 + max((real_depth(x) for x in v), default=0)
    if isinstance(v, dict):
        return 1 + max((real_depth(x) for x in v.values()), default=0)
    return 0


def json_values(depth: int, floats: bool) -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=3)
    if floats:
        leaves |= st.floats(allow_nan=False, allow_infinity=False)
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
        ),
        max_leaves=depth,
    )


@given(value=json_values(40, floats=False), limit=st.integers(0, 12))
def test_the_plain_walk_measures_the_depth_exactly(value: Any, limit: int) -> None:
    parsed = json.loads(json.dumps(value))  # as json makes them (tracking and all)
    want = real_depth(parsed) > limit
    assert jsonlimit._plain_depth_exceeds(parsed, limit) is want
    assert jsonlimit.depth_exceeds(parsed, limit) is want


@given(value=json_values(40, floats=True), limit=st.integers(0, 12))
def test_loads_bounds_the_depth_with_or_without_fractions(value: Any, limit: int) -> None:
    text = json.dumps(value)
    if real_depth(value) > limit:
        with pytest.raises(jsonlimit.TooDeep):
            jsonlimit.loads(text, limit)
    else:
        assert jsonlimit.loads(text, limit) == value


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"x"', 0),
        ("[]", 1),
        ("{}", 1),
        ("[1]", 1),
        ('{"a": null}', 1),
        ("[[]]", 2),  # the deepest level is an empty list: one level more
        ('{"a": {}}', 2),
        ('[[1], {"b": {}}]', 3),
        ('{"a": [{"b": "c"}]}', 3),  # a dict of text at the bottom (never tracked)
        ('[[[[[]]]], 1, "x"]', 5),
    ],
)
def test_the_plain_walk_at_its_edges(text: str, depth: int) -> None:
    value = json.loads(text)
    for limit in range(max(0, depth - 2), depth + 2):
        assert jsonlimit._plain_depth_exceeds(value, limit) is (depth > limit), limit
        assert jsonlimit.depth_exceeds(value, limit) is (depth > limit), limit


def test_a_page_with_one_fraction_takes_the_careful_walk() -> None:
    # A Number holds its text and its class: the plain walk would go on
    # into the class; loads measures such a page with depth_exceeds.
    deep = "[" * 3 + "1.5" + "]" * 3
    assert jsonlimit.loads('{"data": [' + deep + "]}", 5) == {"data": [[[[1.5]]]]}
    with pytest.raises(jsonlimit.TooDeep):
        jsonlimit.loads('{"data": [' + deep + "]}", 4)

"""Python API arguments a user would expect to work: ``columns=`` of the
Arrow methods takes any iterable of names (a generator too), an ``in``
parameter any non-text sequence or set (a ``range``, an ``array``); text
and bytes stay one value. A ``timeout`` of the wrong kind (a ``Decimal``,
a list) is refused with words saying both forms taken."""

from __future__ import annotations

import array
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

KEY = "demo-key"


@pytest.mark.emulator(records=50, seed=2)
def test_columns_may_be_a_generator(emulator: Emulator) -> None:
    pytest.importorskip("pyarrow")
    client = cqlang.Client(emulator.url, KEY)
    names = ["id", "priority", "custom.region"]
    table = client.to_arrow(DEFAULT_CAMPAIGN, "priority >= 3", columns=(n for n in names))
    assert table.schema.names == names
    listed = client.to_arrow(DEFAULT_CAMPAIGN, "priority >= 3", columns=names)
    assert table.equals(listed)
    batches = client.iter_batches(DEFAULT_CAMPAIGN, "priority >= 3", columns=iter(names))
    assert [b.schema.names for b in batches][:1] == [names]


@pytest.mark.parametrize(
    ("columns", "words"),
    [
        (b"id", "columns is a list of column names, one str of them, or None, not bytes"),
        ({"id": 1}, "columns is a list of column names, one str of them, or None, not dict"),
        (3, "columns is a list of column names, one str of them, or None, not int"),
        ((n for n in ["id", 3]), "columns holds column names (str), not int: 3"),
    ],
)
def test_columns_of_the_wrong_type_are_refused_before_a_request(
    emulator: Emulator, columns: Any, words: str
) -> None:
    pytest.importorskip("pyarrow")
    client = cqlang.Client(emulator.url, KEY)
    with pytest.raises(TypeError, match=re.escape(words)):
        client.to_arrow(DEFAULT_CAMPAIGN, "", columns=columns)
    assert emulator.request_count == 0


@given(st.integers(0, 100), st.integers(0, 100))
@settings(max_examples=40)
def test_a_range_is_an_in_list(a: int, b: int) -> None:
    low, high = min(a, b), max(a, b) + 1
    values = range(low, high)
    got = cqlang.compile("priority in $p", params={"p": values})
    assert got == cqlang.compile("priority in $p", params={"p": list(values)})


@pytest.mark.parametrize("value", [range(1, 4), array.array("i", [1, 2, 3]), (1, 2, 3), {1, 2, 3}])
def test_a_sequence_or_set_of_ints_is_an_in_list(value: Any) -> None:
    want = cqlang.compile("priority in (1, 2, 3)")
    assert cqlang.compile("priority in $p", params={"p": value}) == want


@pytest.mark.parametrize("value", [b"12", bytearray(b"12")])
def test_bytes_are_not_a_list(value: Any) -> None:
    with pytest.raises(cqlang.CqlValidationError, match="CQL113"):
        cqlang.compile("priority in $p", params={"p": value})


def test_a_str_is_still_one_comma_separated_text() -> None:
    got = cqlang.compile("state in $p", params={"p": "OPEN,CLOSED"})
    assert got == [{"property": "state", "value": ["OPEN", "CLOSED"]}]


@pytest.mark.parametrize("timeout", [Decimal(5), [5, 30], "5"])
def test_a_timeout_of_the_wrong_kind_says_what_is_taken(timeout: Any) -> None:
    with pytest.raises(TypeError) as info:
        cqlang.Client("http://127.0.0.1:9", KEY, timeout=timeout)
    said = str(info.value)
    assert "a number of seconds (an int or a float) or a (connect, total) tuple" in said
    assert said.endswith(f"not {type(timeout).__name__}")

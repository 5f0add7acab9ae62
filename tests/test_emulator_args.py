"""Emulator(...) checks its Python arguments as every entry point does
(docs/python-api.md, "Arguments"; docs/emulator.md): a wrong type is a
TypeError naming the parameter, before any value check or record; and data
given as a mapping is checked for repeated ids per campaign served, not per
key (1 and "1" are one campaign)."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.emulator import Emulator

NAMES = (
    "records",
    "seed",
    "api_key",
    "campaigns",
    "faults",
    "strict",
    "data",
    "host",
    "port",
    "window_days",
    "schema",
    "max_limit",
)

AWKWARD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["", " ", "..", "500=2", "bogus=1", "c"]),
    st.binary(max_size=4),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=4)), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), st.integers(), max_size=2),
    st.builds(object),
)


def test_data_keys_naming_one_campaign_are_checked_together() -> None:
    # 1 and "1" are both served as campaign "1": a page would hold "a" twice.
    with pytest.raises(
        ValueError,
        match=r"data\[1\] and data\['1'\] \(all campaign '1'\): "
        r"record 2 \(id 'a'\) repeats the id of record 1",
    ):
        Emulator(data={1: [{"id": "a"}], "1": [{"id": "a"}]})


def test_data_keys_naming_one_campaign_with_distinct_ids_are_served() -> None:
    with Emulator(data={1: [{"id": "a"}], "1": [{"id": "b"}]}) as emu:
        assert [r["id"] for r in emu.records("1")] == ["a", "b"]


class Index:
    """An integer type that is no int (only ``__index__``, as numpy's)."""

    def __index__(self) -> int:
        return 3


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("api_key", None, "api_key is a str, not NoneType"),
        ("host", None, "host is a str, not NoneType"),
        ("window_days", True, "window_days is a number of days (an int or a float), not bool"),
        ("window_days", "9", "window_days is a number of days (an int or a float), not str"),
        ("records", "5", "records is an int, not str"),
        ("records", 1.5, "records is an int, not float"),
        ("seed", None, "seed is an int or a str, not NoneType"),
        ("seed", True, "seed is an int or a str, not bool"),
        ("port", "8080", "port is an int, not str"),
        ("max_limit", None, "max_limit is an int, not NoneType"),
        ("strict", "no", "strict is a bool (True or False), not str"),
        ("schema", {}, "schema is a cqlang.Schema or None, not dict"),
        ("campaigns", 3, "campaigns is a campaign id (a str) or a list of them, not int"),
        ("campaigns", ["c", 3], "campaigns holds campaign ids (str), not int: 3"),
        ("faults", 3, "faults is a fault spec (a str or a Fault) or a list of them, not int"),
        ("faults", [None], "faults holds specs (str or Fault), not NoneType: None"),
        ("data", 3, "data is a path, a list of records, a mapping of campaign id to records"),
        ("data", [{"id": "a"}, 3], "data: record 2 is int, not a mapping"),
        ("data", {"c": 3}, "data['c'] is a list of records (mappings), not int"),
    ],
)
def test_a_wrong_type_is_a_type_error_naming_the_parameter(
    name: str, value: Any, said: str
) -> None:
    kwargs: dict[str, Any] = {"records": 3, name: value}
    with pytest.raises(TypeError) as info:
        Emulator(**kwargs)
    assert str(info.value).startswith(said)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("records", -1, "records must be at least 0, not -1"),
        ("port", 65536, "port must be at most 65535, not 65536"),
        ("port", -1, "port must be at least 0, not -1"),
        ("max_limit", 0, "max_limit must be at least 1, not 0"),
        ("window_days", -1, "the window of days must be a positive, finite number"),
        ("window_days", float("nan"), "the window of days is not a number (nan)"),
    ],
)
def test_a_value_that_cannot_work_is_a_value_error(name: str, value: Any, said: str) -> None:
    with pytest.raises(ValueError, match=re.escape(said)):
        Emulator(**{"records": 3, name: value})


@pytest.mark.parametrize("value", [Index(), Fraction(1, 2), 1.5])
def test_the_window_is_any_number(value: Any) -> None:
    Emulator(records=3, window_days=value)


def test_an_integer_type_is_a_count_and_a_seed() -> None:
    emu = Emulator(records=Index(), seed=Index(), port=Index(), max_limit=Index())
    assert len(emu.records()) == 3
    assert emu.seed == 3 and type(emu.seed) is int
    assert emu.records() == Emulator(records=3, seed=3).records()


def test_one_fault_spec_given_as_text_is_one_spec(tmp_path: Path) -> None:
    # A str is not split into its letters ("5", "0", "0", "=", "2").
    with Emulator(records=3, faults="500=1") as emu:
        assert [f.kind for f in emu.faults] == ["500"]


def test_a_path_like_names_the_data_file(tmp_path: Path) -> None:
    class Where:
        def __fspath__(self) -> str:
            return str(tmp_path / "d.json")

    (tmp_path / "d.json").write_text('[{"id": "a"}]', encoding="utf-8")
    assert [r["id"] for r in Emulator(data=Where()).records()] == ["a"]


@given(name=st.sampled_from(NAMES), value=AWKWARD)
@settings(max_examples=60)
def test_only_checked_errors(name: str, value: Any) -> None:
    # data=[]: a count that passes makes no records. A text or a path for
    # data names a file that is not there (OSError, as open() says).
    kwargs: dict[str, Any] = {"data": [], name: value}
    try:
        Emulator(**kwargs)
    except TypeError as exc:
        assert str(exc).startswith((name, f"{name}[")) or name in str(exc), str(exc)
    except (ValueError, OSError):
        pass

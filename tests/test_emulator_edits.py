"""The emulator's data-changing methods (``insert``, ``churn``, ``close``,
``remove``, and ``records``'s campaign) check their arguments at the call,
as ``Emulator(...)`` does (docs/emulator.md): a wrong type is a TypeError
naming the parameter, a value that cannot work a SettingError (a CqlError
and a ValueError), never a message from deep inside; a refused change
leaves the data as it was."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator
from cqlang.emulator.data import MAX_RECORDS
from cqlang.errors import CqlError, SettingError

Call = Callable[[Emulator], Any]


def emu3() -> Emulator:
    return Emulator(records=3, seed=1, campaigns=("c1", "c2"))


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (lambda e: e.insert(0, [1]), "records: record 1 is int, not a mapping"),
        (lambda e: e.insert(0, "abc"), "records is a list of records (mappings), not str"),
        (lambda e: e.insert(0, {"id": "x"}), "records is a list of records (mappings), not dict"),
        (lambda e: e.insert(0, 5), "records is a list of records (mappings), not int"),
        (lambda e: e.insert("0", [{"id": "x"}]), "index is an int, not str"),
        (lambda e: e.insert(True, [{"id": "x"}]), "index is an int, not bool"),
        (lambda e: e.insert(0, [{"id": "x", "v": {1, 2}}]), "records: record 1 (id 'x'): "),
        (lambda e: e.churn(True), "n is an int, not bool"),
        (lambda e: e.churn(1.5), "n is an int, not float"),
        (lambda e: e.churn("3"), "n is an int, not str"),
        (lambda e: e.remove(5), "ids is a record id (a str) or a list of them, not int"),
        (lambda e: e.remove([1]), "ids holds record ids (str), not int: 1"),
        (lambda e: e.remove([[1]]), "ids holds record ids (str), not list: [1]"),
        (lambda e: e.close(5), "ids is a record id (a str) or a list of them, not int"),
        (lambda e: e.close(b"ab"), "ids is a record id (a str) or a list of them, not bytes"),
        (lambda e: e.records(5), "campaign is a str or None, not int"),
        (lambda e: e.remove([], campaign=b"c1"), "campaign is a str or None, not bytes"),
    ],
)
def test_a_wrong_type_is_a_type_error_naming_the_parameter(call: Call, said: str) -> None:
    emu = emu3()
    before = emu.records("c1")
    with pytest.raises(TypeError) as info:
        call(emu)
    assert str(info.value).startswith(said), str(info.value)
    assert emu.records("c1") == before


@pytest.mark.parametrize(
    ("call", "said", "setting"),
    [
        (lambda e: e.insert(0, [{"name": "x"}]), "records: record 1 has no id", "records"),
        (lambda e: e.insert(0, [{"id": ""}]), "records: record 1 has an empty id", "records"),
        (
            lambda e: e.insert(0, [{"id": "a"}, {"id": "a"}]),
            "records: record 2 (id 'a') repeats the id of record 1",
            "records",
        ),
        (
            lambda e: e.insert(0, [{"id": "new"}, e.records("c1")[0]]),
            "records: record 2 (id '",
            "records",
        ),
        (
            lambda e: e.insert(0, [{"id": "n", "p": float("nan")}]),
            "records: record 1 (id 'n'): nan is not a JSON number at p; JSON has no NaN",
            "records",
        ),
        (lambda e: e.insert(-1, [{"id": "x"}]), "index must be at least 0, not -1", "index"),
        (lambda e: e.insert(4, [{"id": "x"}]), "index must be at most 3 (campaign c1 has", "index"),
        (lambda e: e.churn(-1), "n must be at least 0, not -1", "n"),
        (lambda e: e.churn(MAX_RECORDS), "n is 500,000: churn would make 1,000,000", "n"),
        (lambda e: e.records("nope"), "campaign 'nope' is not served here", "campaign"),
        (lambda e: e.insert(0, [{"id": "x"}], campaign=""), "campaign '' is not", "campaign"),
        (lambda e: e.remove("a", campaign="c3"), "campaign 'c3' is not served here", "campaign"),
    ],
)
def test_a_value_that_cannot_work_is_a_setting_error(call: Call, said: str, setting: str) -> None:
    emu = emu3()
    before = emu.records("c1"), emu.records("c2")
    with pytest.raises(SettingError, match=re.escape(said)) as info:
        call(emu)
    assert isinstance(info.value, CqlError) and isinstance(info.value, ValueError)
    assert info.value.setting == setting
    assert (emu.records("c1"), emu.records("c2")) == before  # nothing half done


def test_ids_are_any_iterable_of_str_and_one_str_is_one_id() -> None:
    emu = emu3()
    ids = [r["id"] for r in emu.records("c1")]
    assert emu.remove(i for i in ids[:1]) == 1
    assert emu.remove(ids[1]) == 1  # the id, not its letters
    assert emu.remove("a") == 0
    assert [r["id"] for r in emu.records("c1")] == ids[2:]
    assert emu.close({ids[2]}) in (0, 1)  # 0 when it was closed already


def test_insert_takes_any_iterable_of_mappings_at_any_place_up_to_the_end() -> None:
    emu = emu3()
    ids = [r["id"] for r in emu.records("c1")]
    emu.insert(3, ({"id": f"n{i}"} for i in range(2)), campaign="c1")
    emu.insert(0, [{"id": "first"}], "c1")
    assert [r["id"] for r in emu.records("c1")] == ["first", *ids, "n0", "n1"]
    assert len(emu.records("c2")) == 3


def test_an_inserted_record_is_served() -> None:
    with Emulator(records=0) as emu:
        emu.insert(0, [{"id": "x", "priority": 3}])
        got = requests.get(
            f"{emu.url}/voice_campaign/{DEFAULT_CAMPAIGN}/request",
            headers={"Authorization": DEFAULT_API_KEY},
            timeout=10,
        )
        assert got.status_code == 200, got.text
        assert [r["id"] for r in json.loads(got.text)["data"]] == ["x"]


def test_churn_of_zero_changes_nothing_and_a_count_adds_records() -> None:
    emu = emu3()
    before = emu.records("c1")
    emu.churn(0)
    assert emu.records("c1") == before
    emu.churn(2)
    assert len(emu.records("c1")) == 5 and len(emu.records("c2")) == 5


AWKWARD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10),
    st.floats(allow_nan=True),
    st.text(max_size=4),
    st.binary(max_size=3),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["id", "x"]), st.integers() | st.text()), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(object),
)


@given(
    method=st.sampled_from(["insert", "churn", "close", "remove", "records"]),
    args=st.lists(AWKWARD, min_size=1, max_size=3),
)
@settings(max_examples=150, deadline=None)
def test_only_checked_errors(method: str, args: list[Any]) -> None:
    emu = Emulator(records=2, seed=1)
    try:
        getattr(emu, method)(*args)
    except TypeError as exc:
        said = str(exc)
        # Too many arguments, or one of the wrong type, named.
        assert said.startswith(("index", "records", "n ", "ids", "campaign")) or (
            "positional argument" in said
        ), said
    except SettingError:
        pass


def test_an_id_of_a_str_subclass_is_text() -> None:
    """A review: an id held in a `str` subclass (a StrEnum member) passed
    the id check and then failed an assertion (a bare AssertionError); it is
    text, as a record's text is everywhere (docs/language.md)."""
    from cqlang.recordids import record_ids

    class Text(str):
        pass

    assert record_ids([{"id": Text("x")}, {"id": "y"}]) == ["x", "y"]
    with Emulator(records=2) as emu:
        emu.insert(0, [{"id": Text("x1")}])
        with pytest.raises(SettingError, match="has the id of a record"):
            emu.insert(0, [{"id": Text("x1")}])

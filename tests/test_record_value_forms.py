"""How a record's values are read, as docs/language.md "Missing fields and
null" writes it down: a record's datetime in a shorter form is one instant
in UTC (a date alone is midnight, not the whole day; a minute its first
second), whatever the query's zone; a JSON integer where text belongs is
its decimal digits, and a number with a fraction is missing. The client's
matcher, the emulator (the API's stand-in) and an Arrow table agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import cqlang
from cqlang.checker import check_text
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.env import Env
from cqlang.evaluator import compile_matcher

RECORDS: list[dict[str, Any]] = [
    {"id": "date", "created_date": "2026-11-28"},
    {"id": "minute", "created_date": "2026-11-28T10:30"},
    {"id": "offset", "created_date": "2026-11-28+02:00"},
    {"id": "digits", "contact_number": 48123123123},
    {"id": "text", "contact_number": "48123123123"},
    {"id": "float", "contact_number": 4.8e10, "custom": '{"x": 5.0}'},
    {"id": "int", "custom": '{"x": 5}'},
]

CASES = [
    ("created_date = 2026-11-28", ["date", "minute"]),
    ('created_date = "2026-11-28 00:00:00"', ["date"]),
    ('created_date = "2026-11-28 10:30:00"', ["minute"]),
    ('created_date = "2026-11-27 22:00:00"', ["offset"]),
    ("created_date >= 2026-11-28T00:00:01Z", ["minute"]),
    ("contact_number = 48123123123", ["digits", "text"]),
    ('contact_number = "48123123123"', ["digits", "text"]),
    ("contact_number is null", ["date", "minute", "offset", "float", "int"]),
    ("custom.x = 5", ["int"]),
    ("custom.x is null", ["date", "minute", "offset", "digits", "text", "float"]),
]


#: In Warsaw a query's own datetimes without an offset move, a record's
#: do not: the cases that name an instant in UTC hold in either zone.
ZONED = [
    (query, ids, tz)
    for query, ids in CASES
    for tz in (None, "Europe/Warsaw")
    if tz is None or "created_date" not in query or "Z" in query
]


@pytest.mark.parametrize(("query", "ids", "tz"), ZONED)
def test_the_client_and_the_emulator_read_record_values_as_documented(
    emulator_factory: Any, query: str, ids: list[str], tz: str | None
) -> None:
    checked = check_text(query, Env(tz=tz))
    assert checked.ir is not None
    match = compile_matcher(checked.ir)
    assert [r["id"] for r in RECORDS if match(r)] == ids
    emu: Emulator = emulator_factory(data=RECORDS)
    with cqlang.Client(emu.url, emu.api_key, max_retries=0) as client:
        found = client.voice_campaign_requests(DEFAULT_CAMPAIGN, query, tz=tz)
        assert sorted(r["id"] for r in found) == sorted(ids)


def test_an_arrow_table_holds_the_same_instants_and_digits(emulator_factory: Any) -> None:
    emu: Emulator = emulator_factory(data=RECORDS)
    client = cqlang.Client(emu.url, emu.api_key, max_retries=0)
    table = client.to_arrow(DEFAULT_CAMPAIGN, columns=["id", "created_date", "contact_number"])
    rows = {r["id"]: r for r in table.to_pylist()}
    assert rows["date"]["created_date"] == datetime(2026, 11, 28, tzinfo=UTC)
    assert rows["minute"]["created_date"] == datetime(2026, 11, 28, 10, 30, tzinfo=UTC)
    assert rows["offset"]["created_date"] == datetime(2026, 11, 27, 22, tzinfo=UTC)
    assert rows["digits"]["contact_number"] == rows["text"]["contact_number"] == "48123123123"
    assert rows["float"]["contact_number"] == "48000000000.0"  # its JSON text, not null

"""A Parquet/Arrow file holds what the evaluator reads: a datetime it reads
as an instant is that instant, one it reads as missing is null and counted
(never the day a calendar overflow carries it to). Text in the API's shape
that names no second of the calendar (``2026-02-30 10:00:00``) is compared
as text by the evaluator, as the API compares it; a typed file cannot hold
it, so it is null there and counted too. An integer field's ``3.0`` is no
integer (docs/client.md, "A value that does not fit")."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from datetime_strategies import BLANKS, record_datetimes
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from cqlang import timeexpr
from cqlang.checker import check_text
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, generate_records
from cqlang.env import Env
from cqlang.evaluator import as_datetime, compile_matcher, field_value
from cqlang.ir import Atom, FieldRef
from cqlang.output.arrowconvert import Converter
from cqlang.output.columns import Column
from cqlang.schema import DEFAULT_SCHEMA

SCHEMA = DEFAULT_SCHEMA.with_custom_fields({"visit": "datetime"})


def field(text: str) -> FieldRef:
    checked = check_text(f"{text} is null", Env(schema=SCHEMA))
    assert isinstance(checked.ir, Atom), checked.diagnostics
    return checked.ir.field


CREATED, VISIT = field("created_date"), field("custom.visit")
COLUMNS = [
    Column("created_date", "created_date", "datetime"),
    Column("custom.visit", "custom", "datetime", key="visit"),
    Column("history", "history", "history"),
]


def instant(v: Any) -> datetime | None:
    """The evaluator's reading of a datetime (API text, or None), as the
    value a file should hold: None for API text that names no second of the
    calendar, which the evaluator compares as text but no file can hold."""
    if v is None or not timeexpr.is_api_text(v):
        return None
    return datetime.strptime(v, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def written(values: list[Any]) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """Each value in a record's ``created_date``, its custom ``visit`` and
    its ``history`` entry's ``date``, converted in one batch: the columns
    and the misfit counts."""
    records = [
        {
            "created_date": v,
            "custom": json.dumps({"visit": v}),
            "history": [{"date": v, "state": "OPEN", "tenant_user_id": 1}],
        }
        for v in values
    ]
    conv = Converter(COLUMNS, schema=SCHEMA)
    batch = conv.convert(records)
    rows = batch.to_pydict()
    cols = {
        "created_date": rows["created_date"],
        "custom.visit": rows["custom.visit"],
        "history.date": [h[0]["date"] for h in rows["history"]],
    }
    return cols, {k: n for k, (n, _) in conv.misfits.items()}


def check_agreement(values: list[Any]) -> None:
    cols, misfits = written(values)
    for name, ref in (("created_date", CREATED), ("custom.visit", VISIT)):
        want = [instant(field_value(r, ref)) for r in _records(values, name)]
        assert cols[name] == want, (name, values)
        missing = sum(v is not None and w is None for v, w in zip(values, want, strict=True))
        assert misfits.get(name, 0) == missing, (name, values)
    # A history entry's date is read as a record's own datetime.
    assert cols["history.date"] == [instant(as_datetime(v)) for v in values]


def _records(values: list[Any], name: str) -> list[dict[str, Any]]:
    if name == "created_date":
        return [{"created_date": v} for v in values]
    return [{"custom": json.dumps({"visit": v})} for v in values]


_API_TEXT = st.integers(timeexpr.CAL_MIN, timeexpr.CAL_MAX).map(timeexpr.format_utc)


@settings(max_examples=examples(400), deadline=None)
@given(
    st.integers(timeexpr.CAL_MIN, timeexpr.CAL_MAX) | st.integers(1_700_000_000, 1_800_000_000),
    st.data(),
)
def test_a_file_holds_the_evaluators_reading_of_any_datetime(at: int, data: Any) -> None:
    """Null exactly where the evaluator reads the field as missing (and then
    counted), else the evaluator's instant: for odd text in a batch (read
    value by value) and for batches all in the API's 19 characters (read
    by the strict cast), ``T`` and year 0000 included."""
    odd = st.lists(record_datetimes(at) | st.none(), min_size=1, max_size=8)
    shaped = st.lists(
        _API_TEXT
        | _API_TEXT.map(lambda t: t.replace(" ", "T"))
        | st.just("0000-01-01 00:00:00")
        | st.none(),
        min_size=1,
        max_size=8,
    )
    check_agreement(data.draw(odd | shaped))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-30 10:00:00", None),  # strptime: 2026-03-02
        ("2026-02-29 10:00:00", None),  # no leap year: 2026-03-01
        ("2024-02-29 10:00:00", "2024-02-29 10:00:00"),
        ("2100-02-29 10:00:00", None),  # divisible by 100, not by 400
        ("2000-02-29 10:00:00", "2000-02-29 10:00:00"),
        ("2026-04-31 10:00:00", None),  # 30 days: 2026-05-01
        ("2026-06-31 10:00:00", None),
        ("2026-12-31 23:59:59", "2026-12-31 23:59:59"),
        ("2026-01-01 10:00:60", None),  # strptime: 10:01:00
        ("2026-01-01 23:59:61", None),
        ("2026-1-1 1:2:3", None),
        ("2026-01-01 1:02:03", None),
        ("0000-01-01 00:00:00", None),
        ("0001-01-01 00:00:00", "0001-01-01 00:00:00"),
        ("9999-12-31 23:59:59", "9999-12-31 23:59:59"),
        ("", None),
        ("2026-10-25T10:00:00Z", "2026-10-25 10:00:00"),
        ("2026-10-25T10:00:00", "2026-10-25 10:00:00"),
        ("2026-10-25t12:00:00+02:00", "2026-10-25 10:00:00"),
        ("2026-10-25T00:30:00+0100", "2026-10-24 23:30:00"),
        ("2026-10-25T10:00", "2026-10-25 10:00:00"),
        ("2026-10-25", "2026-10-25 00:00:00"),
        ("2026-02-30T10:00:00Z", None),
        ("2026-10-25T10:00:00+24:00", None),
        (" 2026-10-25 10:00:00", "2026-10-25 10:00:00"),  # blanks around: parse_utc strips
        ("2026-10-25 10:00   ", None),  # the API's shape: text to a query, no instant
        ("2026-10-25 10:00:00\u3000", "2026-10-25 10:00:00"),
        ("２026-10-25 10:00:00", None),  # digits other than ASCII
    ],
)
def test_a_record_datetime_is_written_as_the_evaluator_reads_it(
    value: str, expected: str | None
) -> None:
    cols, misfits = written([value])
    assert cols["created_date"] == [instant(expected)]
    assert misfits.get("created_date", 0) == (expected is None)
    check_agreement([value])


def test_a_custom_datetime_is_the_apis_text_alone() -> None:
    cols, misfits = written(["2026-10-25T10:00:00Z", "2026-10-25 10:00:00", "2026-02-30 10:00:00"])
    assert cols["custom.visit"] == [None, instant("2026-10-25 10:00:00"), None]
    assert misfits["custom.visit"] == 2


def test_blanks_are_read_alike_by_both() -> None:
    check_agreement([b + "2026-10-25 10:00:00" + b for b in BLANKS])


# --------------------------------------- end to end: fetch against the emulator


@pytest.fixture
def served(emulator_factory: Any) -> dict[str, str]:
    recs = generate_records(6, seed=3)
    recs[0]["created_date"] = "2026-02-30 10:00:00"
    recs[1]["created_date"] = "2026-10-25T10:00:00Z"
    recs[4]["process_days"] = [1, 2.0]
    for rec in recs:
        if rec["priority"] == 3:
            rec["priority"] = 4
    recs[2]["priority"] = 3.0
    recs[3]["priority"] = 3
    emu = emulator_factory(data=recs)
    return {"CONPEEK_URL": emu.url, "CONPEEK_KEY": "demo-key"}


def fetch(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", *args], env=env
    )
    assert result.exit_code == 0, result.output
    return result


def test_fetch_writes_an_overflowing_date_as_null_and_counts_it(
    served: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "odd.parquet"
    result = fetch(served, "", "-o", str(out))
    table = pq.read_table(out)
    rows = {r["id"]: r for r in table.to_pylist()}
    ids = [
        json.loads(line)["id"]
        for line in fetch(served, "--format", "jsonl", "").stdout.splitlines()
    ]
    assert rows[ids[0]]["created_date"] is None  # not 2026-03-02
    assert rows[ids[1]]["created_date"] == datetime(2026, 10, 25, 10, tzinfo=UTC)
    assert rows[ids[2]]["priority"] is None  # 3.0 is no integer
    assert rows[ids[3]]["priority"] == 3
    assert rows[ids[4]]["process_days"] is None
    misfits = json.loads(pq.read_metadata(out).metadata[b"cqlang.misfits"])
    assert misfits == {"created_date": 1, "priority": 1, "process_days": 1}
    assert "created_date (1, e.g. '2026-02-30 10:00:00')" in result.stderr
    assert "priority (1, e.g. 3.0)" in result.stderr
    # The query never carries the date over into March, as the file did:
    # it compares the API's text as text, after February 28's last second
    # and before March, and `is null` does not find it (the value is there;
    # the file counts it a misfit).
    for query, found in [
        ("created_date >= 2026-03-01 and created_date <= 2026-03-03", []),
        ("created_date < 2026-03-01", []),
        ("created_date >= 2026-02-28 and created_date < 2026-03-01", []),
        ("created_date >= 2026-02-28 and created_date <= 2026-03-03", [ids[0]]),
        ("created_date = 2026-10-25T10:00:00Z", [ids[1]]),
        ("created_date is null", []),
        ("priority = 3", [ids[3]]),
    ]:
        lines = fetch(served, "--format", "jsonl", query).stdout.splitlines()
        got = [json.loads(line)["id"] for line in lines]
        assert [i for i in got if i in ids[:4]] == found, query


def test_the_matcher_and_the_file_agree_on_a_float_priority() -> None:
    checked = check_text("priority is null", Env())
    assert checked.ir is not None
    assert compile_matcher(checked.ir)({"priority": 3.0}) is True
    conv = Converter([Column("priority", "priority", "integer")])
    batch = conv.convert([{"priority": 3.0}, {"priority": 3}, {"priority": None}])
    assert batch.column(0).to_pylist() == [None, 3, None]
    assert batch.schema.field(0).type == pa.int64()
    assert conv.misfits["priority"][0] == 1


def test_a_list_entry_that_is_null_or_holds_a_float_integer_is_a_misfit() -> None:
    """A ``null`` entry of ``history`` ended the conversion with a
    TypeError; an entry's ``3.0`` was written as 3."""
    conv = Converter([Column("history", "history", "history")])
    entry = {"date": "2026-01-01 00:00:00", "state": "OPEN", "tenant_user_id": 3.0}
    batch = conv.convert([{"history": [None, entry]}, {"history": [dict(entry, tenant_user_id=3)]}])
    rows = batch.column(0).to_pylist()
    assert rows[0][0] is None and rows[0][1]["tenant_user_id"] is None
    assert rows[1][0]["tenant_user_id"] == 3
    assert {k: n for k, (n, _) in conv.misfits.items()} == {
        "history": 1,
        "history.tenant_user_id": 1,
    }

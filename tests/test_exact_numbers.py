"""A JSON number with a fraction leaves cqlang as the text it came as.

``12.50`` in a record's ``custom`` (or anywhere in a record) is written back
as ``12.50``, and ``0.10000000000000000001`` as that, by every format:
JSON Lines, JSON, CSV, the table, Parquet (whose string column holds the
text). Queries read such a number as before: a float, which a custom field
counts as missing (docs/config.md).
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang import jsonlimit
from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.evaluator import decode_custom, decode_custom_exact
from cqlang.output.columns import parse_columns, project
from cqlang.output.writers import make_writer, write_all

KEY = "demo-key"
CUSTOM = (
    '{"amount": 12345678901234567890.12, "price": 12.50, "rate": 0.10000000000000000001,'
    ' "big": 1E3, "n": 7, "list": [1.10, {"x": -0.0e-0}]}'
)
COLUMNS = "custom.amount,custom.price,custom.rate,custom.big,custom.n,custom.list"
TEXTS = ["12345678901234567890.12", "12.50", "0.10000000000000000001", "1E3", "7"]


def fetch(url: str, tmp_path: Path, *args: str) -> Result:
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env = {"CONPEEK_URL": url, "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}
    return CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", *args], env=env
    )


@pytest.fixture
def numbers(emulator_factory: Callable[..., Emulator]) -> Emulator:
    return emulator_factory(data=[{"id": "a1", "custom": CUSTOM}])


def test_custom_columns_in_csv_keep_the_number_text(numbers: Emulator, tmp_path: Path) -> None:
    result = fetch(numbers.url, tmp_path, "--format", "csv", "--columns", COLUMNS)
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert [row[f"custom.{k}"] for k in ("amount", "price", "rate", "big", "n")] == TEXTS
    assert row["custom.list"] == '[1.10,{"x":-0.0e-0}]'


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_custom_columns_in_json_keep_the_number_text(
    fmt: str, numbers: Emulator, tmp_path: Path
) -> None:
    result = fetch(numbers.url, tmp_path, "--format", fmt, "--columns", COLUMNS)
    assert result.exit_code == 0, result.output
    assert (
        '{"custom.amount": 12345678901234567890.12, "custom.price": 12.50, '
        '"custom.rate": 0.10000000000000000001, "custom.big": 1E3, "custom.n": 7, '
        '"custom.list": [1.10, {"x": -0.0e-0}]}'
    ) in result.stdout
    json.loads(result.stdout)  # still JSON


def test_custom_columns_in_the_table_keep_the_number_text(
    numbers: Emulator, tmp_path: Path
) -> None:
    result = fetch(numbers.url, tmp_path, "--format", "table", "--columns", COLUMNS)
    assert result.exit_code == 0, result.output
    for text in TEXTS[:3]:
        assert text in result.stdout


def test_custom_columns_in_parquet_hold_the_number_text(numbers: Emulator, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "n.parquet"
    result = fetch(numbers.url, tmp_path, "--columns", COLUMNS, "-o", str(out))
    assert result.exit_code == 0, result.output
    row = pq.read_table(out).to_pylist()[0]
    assert [row[f"custom.{k}"] for k in ("amount", "price", "rate", "big", "n")] == TEXTS
    assert row["custom.list"] == '[1.10,{"x":-0.0e-0}]'


def test_record_fields_outside_custom_keep_the_number_text(
    emulator_factory: Callable[..., Emulator], tmp_path: Path
) -> None:
    """A data file read by the emulator, served, fetched and written: a
    decimal in a record's own field is the text it was at every step."""
    data = tmp_path / "records.json"
    data.write_text(
        '[{"id": "a1", "score": 0.10000000000000000001, "priority": 3, '
        '"history": [{"date": "2026-10-01 10:00:00", "weight": 2.50}]}]',
        encoding="utf-8",
    )
    emu = emulator_factory(data=str(data))
    result = fetch(emu.url, tmp_path, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert '"score": 0.10000000000000000001' in line and '"weight": 2.50' in line
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "r.parquet"
    result = fetch(emu.url, tmp_path, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).to_pylist()[0]["score"] == "0.10000000000000000001"
    # Python: the records' numbers are floats, as before.
    client = cqlang.Client(emu.url, KEY)
    with client:
        (record,) = client.voice_campaign_requests(DEFAULT_CAMPAIGN)
    assert isinstance(record["score"], float) and record["score"] == 0.1


def test_the_writers_keep_the_text_of_custom_given_in_python() -> None:
    record = {"id": "a", "custom": CUSTOM}
    cols = parse_columns("id,custom.price,custom.rate")
    assert (
        json.dumps(project(record, cols)) == '{"id": "a", "custom.price": 12.5, "custom.rate": 0.1}'
    )
    out = io.StringIO()
    write_all([record], make_writer("jsonl", out, columns=cols))
    assert (
        out.getvalue()
        == '{"id": "a", "custom.price": 12.50, "custom.rate": 0.10000000000000000001}\n'
    )


@pytest.mark.parametrize(
    "query",
    [
        'custom.price is null or custom.region = "x"',
        'custom.price is not null or custom.region = "x"',
        'custom.price != "12.50" or custom.region = "x"',
        'priority is null or custom.region = "x"',
    ],
)
def test_queries_read_such_numbers_as_before(query: str) -> None:
    """A float custom value counts as missing, a Number as a float does;
    a query's own reading of a custom text makes plain floats."""
    text = '{"price": 12.50, "region": "PL"}'
    assert type((decode_custom({"custom": text})[0] or {})["price"]) is float
    as_text = {"id": "a", "custom": text, "priority": 1.5}
    as_read = jsonlimit.loads(json.dumps({"id": "a", "custom": json.loads(text), "priority": 1.5}))
    assert type(as_read["custom"]["price"]) is jsonlimit.Number
    plain = {"id": "a", "custom": {"price": 12.5, "region": "PL"}, "priority": 1.5}
    residual = cqlang.plan(query).residual
    assert residual is not None
    check = residual.matches
    assert check(as_text) == check(as_read) == check(plain)


_number_texts = st.builds(
    lambda i, f, e: f"{i}.{f}" + (f"e{e}" if e is not None else ""),
    st.integers(-(10**25), 10**25),
    st.text("0123456789", min_size=1, max_size=25),
    st.none() | st.integers(-300, 300),
)


@given(st.lists(_number_texts, max_size=5))
def test_exact_and_query_readings_agree(texts: list[str]) -> None:
    raw = "{" + ", ".join(f'"k{i}": {t}' for i, t in enumerate(texts)) + "}"
    record = {"custom": raw}
    plain, exact = decode_custom(record), decode_custom_exact(record)
    assert plain == exact  # the same fields (as floats) and the same ok
    if exact[1]:
        assert exact[0] is not None
        assert [v.text for v in exact[0].values()] == texts
        assert (
            jsonlimit.dumps(exact[0])
            == "{" + ", ".join(f'"k{i}": {t}' for i, t in enumerate(texts)) + "}"
        )


def test_number_is_a_float_that_keeps_its_text() -> None:
    n = jsonlimit.Number("12.50")
    assert n == 12.5 and isinstance(n, float) and n.text == "12.50"
    back = pickle.loads(pickle.dumps(n))
    assert back.text == "12.50" and back == n
    assert jsonlimit.dumps([n, 1.5, {"a": n}], separators=(",", ":")) == '[12.50,1.5,{"a":12.50}]'
    assert jsonlimit.dumps({"a": 1.5}) == json.dumps({"a": 1.5})
    with pytest.raises(ValueError):
        jsonlimit.dumps([n, float("nan")], allow_nan=False)


def test_the_depth_bound_walks_past_numbers() -> None:
    """A Number is tracked by the garbage collector (it has a slot): the
    depth walk must not step into it (its class, and all below)."""
    doc = jsonlimit.loads('{"data": [{"a": 1.5, "b": [2.25, {"c": 3.125}]}]}')
    plain = json.loads('{"data": [{"a": 1.5, "b": [2.25, {"c": 3.125}]}]}')
    for limit in range(7):
        assert jsonlimit.depth_exceeds(doc, limit) is jsonlimit.depth_exceeds(plain, limit)
    assert jsonlimit.depth_exceeds(doc, 5) is False and jsonlimit.depth_exceeds(doc, 4) is True
    assert jsonlimit.holds_number(doc) and not jsonlimit.holds_number({"a": [1, "x", None]})


def test_the_default_table_shows_custom_numbers_as_sent(
    emulator_factory: Callable[..., Emulator], tmp_path: Path
) -> None:
    """The table's own `custom` column reads custom as the writers do:
    `12.50` from custom's JSON text (it showed `12.5`, where a custom sent
    as an object showed its number's text)."""
    emu = emulator_factory(
        data=[
            {"id": "t1", "state": "OPEN", "custom": '{"price": 12.50, "e": 1E3}'},
            {"id": "t2", "state": "OPEN", "custom": {"price": 7.00}},
        ]
    )
    result = fetch(emu.url, tmp_path, "--format", "table")
    assert result.exit_code == 0, result.output
    assert "price=12.50" in result.stdout and "e=1E3" in result.stdout
    assert "price=7.0" in result.stdout  # given here as a Python float


def test_a_fraction_in_a_history_entry_is_a_misfit_not_cut_to_an_integer(
    emulator_factory: Callable[..., Emulator], tmp_path: Path
) -> None:
    """A number that keeps its text is a float all the same: `duration: 3.5`
    in a call_history entry is null and counted in Parquet, as it was
    before numbers kept their text (it was written as 3, silently)."""
    pq = pytest.importorskip("pyarrow.parquet")
    emu = emulator_factory(
        data=[
            {
                "id": "h1",
                "state": "OPEN",
                "history": [
                    {"date": "2026-01-01 10:00:00", "state": "OPEN", "tenant_user_id": 5.0}
                ],
                "call_history": [
                    {"start_time": "2026-01-01 10:00:00", "duration": 3.5, "result": "ok"}
                ],
            }
        ]
    )
    out = tmp_path / "h.parquet"
    result = fetch(emu.url, tmp_path, "--columns", "id,history,call_history", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "history.tenant_user_id" in result.output and "call_history.duration" in result.output
    row = pq.read_table(out).to_pylist()[0]
    assert row["history"] is None or row["history"][0]["tenant_user_id"] is None
    assert row["call_history"] is None or row["call_history"][0]["duration"] is None

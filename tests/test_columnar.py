"""Issue 14, items 1 and 2: every format read back and compared with the
JSON Lines of the same fetch, on the emulator; Parquet and Arrow typed as
docs/client.md says, custom keys that are not identifiers, records whose
custom is missing, null or not an object, and values that do not fit.

The expected value of each cell is computed here from the JSON Lines
record by the documented rules (a second, independent reading of them).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator, generate_records
from cqlang.output.columns import LIST_SHAPES, RECORD_LAYOUT, record_columns

CAMPAIGN = DEFAULT_CAMPAIGN
DECLARED = {"region": "string", "score": "integer", "visit": "datetime"}
ENUMS = {
    "state": ("OPEN", "PROCESSING", "CLOSED"),
    "application_state": ("NEW", "RECALL", "RETRY", "CLOSED"),
}
ODD_KEYS = ("lead source", "a.b", "ключ", "", "x,y", '"q"')


def records() -> list[dict[str, Any]]:
    """Emulator records, and some that test the edges."""
    recs = generate_records(120, seed=5)
    odd = recs[:12]
    odd[0]["custom"] = json.dumps({k: f"v{n}" for n, k in enumerate(ODD_KEYS)} | {"score": 7})
    del odd[1]["custom"]  # missing
    odd[2]["custom"] = None  # null
    odd[3]["custom"] = "not json"  # not an object
    odd[4]["custom"] = "[1, 2]"
    odd[5]["priority"] = "abc"  # does not fit int64
    odd[5]["created_date"] = "yesterday"  # does not parse
    odd[6]["state"] = "ARCHIVED"  # outside the closed enum
    odd[6]["custom"] = json.dumps({"score": "12", "visit": "2026-01-02 03:04:05", "region": 5})
    odd[7]["custom"] = json.dumps({"score": "twelve", "visit": "soon", "nested": {"a": [1]}})
    odd[8]["history"] = [{"date": "2026-01-01 00:00:00", "state": "OPEN", "note": "new key"}]
    odd[9]["new_field"] = {"from": "a newer API"}
    odd[10]["contact_number"] = 48123123123  # a number where a string belongs
    odd[11]["process_days"] = ["Mon"]
    return recs


@pytest.fixture
def served(emulator_factory: Any, tmp_path: Path) -> dict[str, str]:
    emu: Emulator = emulator_factory(data=records())
    config = tmp_path / "cqlang.toml"
    config.write_text(
        "[schema.custom_fields]\n" + "".join(f"{k} = '{t}'\n" for k, t in DECLARED.items()),
        encoding="utf-8",
    )
    return {"CONPEEK_URL": emu.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": str(config)}


def fetch(env: dict[str, str], *args: str) -> Result:
    result = CliRunner().invoke(
        main, ["fetch", "--campaign", CAMPAIGN, "--retries", "0", *args], env=env
    )
    assert result.exit_code == 0, result.output
    return result


def jsonl(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    out = fetch(env, "--format", "jsonl", *args).stdout
    return [json.loads(line) for line in out.splitlines()]


# ------------------------------------------------------- the rules, again


def text(v: Any) -> str | None:
    if v is None or isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def when(v: Any) -> datetime | None:
    try:
        return datetime.strptime(v, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def integer(v: Any, custom: bool = False) -> int | None:
    if type(v) is int:
        return v
    if custom and isinstance(v, str) and v.lstrip("-").isdigit() and str(int(v)) == v:
        return int(v)
    return None


def typed(kind: str, v: Any, *, custom: bool = False, enum: tuple[str, ...] = ()) -> Any:
    if kind == "integer":
        return integer(v, custom)
    if kind == "datetime":
        return when(v)
    if kind == "enum":
        return v if v in enum else None
    if kind == "integer_list":
        return v if isinstance(v, list) and all(type(x) is int for x in v) else None
    if kind in LIST_SHAPES:
        if not isinstance(v, list):
            return None
        return [
            {k: typed(t, e.get(k)) for k, t in LIST_SHAPES[kind]} if isinstance(e, dict) else None
            for e in v
        ]
    return text(v)


def custom_of(rec: dict[str, Any]) -> dict[str, Any] | None:
    raw = rec.get("custom")
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def expected_row(rec: dict[str, Any], custom_keys: list[str]) -> dict[str, Any]:
    row = {}
    for col in record_columns():  # a filter property typed by the schema
        row[col.name] = typed(col.type, rec.get(col.name), enum=ENUMS.get(col.name, ()))
    row["new_field"] = text(rec.get("new_field"))  # a field first seen in one record
    fields = custom_of(rec)
    for key in custom_keys:
        v = None if fields is None else fields.get(key)
        row[f"custom.{key}"] = typed(DECLARED.get(key, "string"), v, custom=True)
    return row


def custom_keys(recs: list[dict[str, Any]]) -> list[str]:
    """The custom columns' keys: the declared ones in their order, then the
    others sorted by code point (the stable layout)."""
    seen: set[str] = set()
    for rec in recs:
        seen.update(custom_of(rec) or {})
    return [*DECLARED, *sorted(seen - set(DECLARED))]


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_parquet_and_arrow_hold_the_jsonl_values_typed(
    served: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    want = jsonl(served)
    assert len(want) == 120
    out = tmp_path / f"all.{fmt}"
    result = fetch(served, "-o", str(out))
    if fmt == "parquet":
        table = pq.read_table(out)
    else:
        with pa.memory_map(str(out)) as source:
            table = pyarrow.ipc.open_file(source).read_all()
    keys = custom_keys(want)
    plain = [n for n, _ in RECORD_LAYOUT if n != "custom"]
    assert table.schema.names == [*plain, "new_field", *(f"custom.{k}" for k in keys)]
    got = table.to_pylist()
    assert [r["id"] for r in got] == [r["id"] for r in want]
    for row, rec in zip(got, want, strict=True):
        assert row == expected_row(rec, keys), rec["id"]
    # The types of the docs (Parquet has no seconds: it keeps milliseconds).
    unit = "s" if fmt == "arrow" else "ms"
    types = {f.name: f.type for f in table.schema}
    assert types["created_date"] == pa.timestamp(unit, tz="UTC")
    assert types["priority"] == types["custom.score"] == pa.int64()
    assert types["state"] == pa.dictionary(pa.int32(), pa.string())
    assert types["name"] == types["custom.lead source"] == types["custom.ключ"] == pa.string()
    assert types["process_days"] == pa.list_(pa.int64())
    history = types["history"]
    entry = [("date", pa.timestamp(unit, tz="UTC")), ("state", pa.string())]
    entry.append(("tenant_user_id", pa.int64()))
    assert pa.types.is_list(history) and history.value_type == pa.struct(entry)
    # What did not fit is said, and recorded in the file.
    warnings = result.stderr
    assert "did not fit the type of their column" in warnings
    for column in ("priority", "created_date", "state", "custom.score", "custom.visit",
                   "process_days"):  # fmt: skip
        assert f"{column} (" in warnings, column
    assert "history: 1 entry held keys its columns do not know" in warnings
    assert "2 records had a custom that is not a JSON object" in warnings
    if fmt == "parquet":
        meta = pq.read_metadata(out).metadata
        assert json.loads(meta[b"cqlang.misfits"])["priority"] == 1


def test_parquet_metadata_records_the_query_the_plan_and_the_time(
    served: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "hot.parquet"
    fetch(served, "state = OPEN or priority > 50", "-o", str(out))
    meta = {k.decode(): v.decode() for k, v in pq.read_metadata(out).metadata.items()}
    assert meta["cqlang.query"] == "state = OPEN or priority > 50"
    plan = json.loads(meta["cqlang.plan"])
    assert len(plan["requests"]) == 2
    fetched = datetime.strptime(meta["cqlang.fetched_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs((datetime.now(UTC).replace(tzinfo=None) - fetched).total_seconds()) < 600
    assert meta["cqlang.campaign"] == CAMPAIGN


def test_csv_holds_the_jsonl_values(served: dict[str, str]) -> None:
    want = jsonl(served)
    got = list(csv.DictReader(io.StringIO(fetch(served, "--format", "csv").stdout)))
    plain = [n for n, _ in RECORD_LAYOUT if n != "custom"]
    header = [*plain, *(f"custom.{k}" for k in DECLARED), "custom"]
    assert list(got[0]) == header
    for row, rec in zip(got, want, strict=True):
        for name in plain:
            assert row[name] == (text(rec.get(name)) or ""), name
        fields = custom_of(rec)
        for key in DECLARED:
            assert row[f"custom.{key}"] == (text((fields or {}).get(key)) or "")
        assert row["custom"] == (text(rec.get("custom")) or "")  # as it came
    assert len(got) == len(want)
    # The field the layout does not know has no column: said, not hidden.
    assert "new_field (1 record)" in fetch(served, "--format", "csv").stderr


COLUMNS = ["id", "state", "priority", "custom.region", "custom.lead source", "custom.ключ",
           'custom["x,y"]', "closed_date"]  # fmt: skip
NAMES = ["id", "state", "priority", "custom.region", "custom.lead source", "custom.ключ",
         "custom.x,y", "closed_date"]  # fmt: skip


def columns_arg() -> str:
    return ",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' for c in COLUMNS)


def test_columns_choose_and_order_the_fields_in_every_format(
    served: dict[str, str], tmp_path: Path
) -> None:
    want = jsonl(served)
    arg = columns_arg()

    def cells(rec: dict[str, Any]) -> list[Any]:
        fields = custom_of(rec) or {}
        return [rec.get(n) if not n.startswith("custom.") else fields.get(n[7:]) for n in NAMES]

    lines = jsonl(served, "--columns", arg)
    assert [list(r) for r in lines] == [NAMES] * len(want)
    assert [list(r.values()) for r in lines] == [cells(r) for r in want]
    listed = json.loads(fetch(served, "--format", "json", "--columns", arg).stdout)
    assert listed == lines
    rows = list(csv.reader(io.StringIO(fetch(served, "--format", "csv", "--columns", arg).stdout)))
    assert rows[0] == NAMES
    assert rows[1:] == [[text(v) or "" for v in cells(r)] for r in want]
    out = tmp_path / "cols.parquet"
    fetch(served, "--columns", arg, "-o", str(out))
    table = pq.read_table(out)
    assert table.schema.names == NAMES
    assert table.column("priority").type == pa.int64()
    expected_cols = {
        n: [typed(k, v, enum=ENUMS.get(n, ())) for v in col]
        for n, k, col in zip(
            NAMES,
            ["string", "enum", "integer", "string", "string", "string", "string", "datetime"],
            zip(*(cells(r) for r in want), strict=True),
            strict=True,
        )
    }
    assert table.to_pydict() == expected_cols
    # The table: those columns, in that order.
    shown = fetch(served, "--format", "table", "--columns", "id,state,priority,custom.region")
    head, _, *body = shown.stdout.splitlines()
    assert head.split() == ["id", "state", "priority", "custom.region"]
    for line, rec in zip(body, want, strict=True):
        values = cells(rec)[:4]
        if all(v not in (None, "") for v in values):
            assert line.split() == [str(v) for v in values]


def test_a_late_custom_key_still_gets_its_column(emulator_factory: Any, tmp_path: Path) -> None:
    """The file's columns grow: row groups already written are written again
    with the new column (null there)."""
    recs = generate_records(9000, seed=2)
    recs[-1]["custom"] = json.dumps({"late key": "here"})
    emu = emulator_factory(data=recs)
    config = str(tmp_path / "none.toml")
    env = {"CONPEEK_URL": emu.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": config}
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    for fmt in ("parquet", "arrow"):
        out = tmp_path / f"late.{fmt}"
        fetch(env, "--page-size", "5000", "-o", str(out))
        if fmt == "parquet":
            table = pq.read_table(out)
            assert pq.ParquetFile(out).metadata.num_row_groups >= 2
        else:
            table = pyarrow.ipc.open_file(pa.memory_map(str(out))).read_all()
        late = table.column("custom.late key").to_pylist()
        assert late[-1] == "here" and set(late[:-1]) == {None}
        assert table.num_rows == 9000
        assert not [p for p in tmp_path.iterdir() if ".cqlang-" in p.name]  # no spool left


def test_an_empty_result_is_a_file_with_the_columns(served: dict[str, str], tmp_path: Path) -> None:
    for query in ("priority > 1000", "state = OPEN and state = CLOSED"):
        out = tmp_path / "none.parquet"
        fetch(served, query, "-o", str(out))
        table = pq.read_table(out)
        assert table.num_rows == 0
        assert table.schema.names[:2] == ["id", "name"]
        assert table.schema.names[-3:] == [f"custom.{k}" for k in DECLARED]


def test_csv_writes_each_record_as_it_arrives() -> None:
    """The header with the first record (nothing before it: a fetch that
    fails first writes nothing), then each row as its record comes (the old
    CSV was built in memory and written after the last request)."""
    from cqlang.output.writers import make_writer

    out = io.StringIO()
    writer = make_writer("csv", out)
    assert out.getvalue() == ""
    for n, rec in enumerate(generate_records(5, seed=1), 2):
        writer.write(rec)
        assert out.getvalue().count("\n") >= n and rec["id"] in out.getvalue()
    writer.close()


def test_parquet_row_groups_leave_memory_as_they_fill(tmp_path: Path) -> None:
    """Row groups go to the spool file while records still come."""
    from cqlang.output.arrowfile import ROW_GROUP_ROWS
    from cqlang.output.writers import make_writer

    recs = generate_records(200, seed=1)
    with open(tmp_path / "out.parquet", "wb") as out:
        writer = make_writer("parquet", out, spool_dir=str(tmp_path), spool_prefix=".spool-")
        for n in range(ROW_GROUP_ROWS * 2 + 10):
            writer.write(recs[n % len(recs)])
        (spool,) = tmp_path.glob(".spool-*")
        assert spool.stat().st_size > 0  # two row groups written before the end
        writer.close()
    assert not list(tmp_path.glob(".spool-*"))
    assert pq.ParquetFile(tmp_path / "out.parquet").metadata.num_row_groups == 3


# ------------------------------------------ a property added to the schema


def schema_with_call_duration() -> Any:
    """The default schema and one more filter property, as docs/architecture.md
    ("Adding a record property") adds one: nothing else changed."""
    import copy

    from cqlang.schema import VOICE_CAMPAIGN_REQUEST_SPEC, Schema

    spec = copy.deepcopy(VOICE_CAMPAIGN_REQUEST_SPEC)
    spec["properties"]["call_duration"] = {
        "type": "integer",
        "api": "range",
        "operators": ["gt", "lt", "eq"],
    }
    return Schema.from_dict(spec)


def test_a_property_added_to_the_schema_is_a_column(tmp_path: Path) -> None:
    """Before, the checker and the compiler took the new property, but the
    output did not: it was in no default column, and --columns (columns=)
    refused it as an unknown field."""
    import cqlang
    from cqlang import Client
    from cqlang.output.columns import default_columns, known_fields, parse_columns
    from cqlang.output.write import emit

    schema = schema_with_call_duration()
    assert cqlang.compile("call_duration > 30", schema=schema) == [
        {"property": "call_duration", "operator": "gt", "value": 30}
    ]
    names = [c.name for c in default_columns(schema)]
    # After the fields the layout places (the custom fields' columns last).
    assert names == [*(n for n, _ in RECORD_LAYOUT if n != "custom"), "call_duration"]
    assert known_fields(schema)[-1] == "call_duration"
    picked = parse_columns("id,call_duration", schema)
    assert [(c.name, c.type) for c in picked] == [("id", "string"), ("call_duration", "integer")]

    records = generate_records(6, seed=3)
    for i, rec in enumerate(records):
        rec["call_duration"] = None if i == 0 else 10 * i
    with (
        Emulator(data=records, schema=schema, api_key="k") as emu,
        Client(emu.url, "k") as client,
    ):
        got = list(
            client.voice_campaign_requests(DEFAULT_CAMPAIGN, "call_duration > 15", schema=schema)
        )
    assert [r["call_duration"] for r in got] == [20, 30, 40, 50]

    whole = tmp_path / "all.csv"
    emit(got, "csv", str(whole), schema=schema)
    rows = list(csv.DictReader(io.StringIO(whole.read_text(encoding="utf-8"))))
    assert [r["call_duration"] for r in rows] == ["20", "30", "40", "50"]
    some = tmp_path / "some.csv"
    emit(got, "csv", str(some), schema=schema, columns=picked)
    assert some.read_text(encoding="utf-8").splitlines()[0] == "id,call_duration"
    table_path = tmp_path / "all.parquet"
    emit(got, "parquet", str(table_path), schema=schema)
    table = pq.read_table(table_path)
    assert table.schema.field("call_duration").type == pa.int64()
    assert table.column("call_duration").to_pylist() == [20, 30, 40, 50]

"""Parquet and Arrow output of the analyst's path (a review's findings):
the columns' layout does not depend on the order records come in (items
1), the misfit counts are in the schema's metadata of both file kinds
(item 9), a fetch of no records still yields a batch with a schema (item
10), and a fetch given a plan, or a prepared named query, records what it
ran (item 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.config import Config
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.errors import ColumnError

KEY = "demo-key"


def _records(n: int, customs: list[dict[str, Any]], **fields: Any) -> list[dict[str, Any]]:
    """``n`` records whose custom fields cycle through ``customs``."""
    return [
        {
            "id": f"r{i:05d}",
            "state": "OPEN",
            "priority": i % 7,
            "custom": json.dumps(customs[i % len(customs)]),
            **fields,
        }
        for i in range(n)
    ]


def _fetch(emulator: Emulator, tmp_path: Path, *args: str) -> Any:
    config = tmp_path / "cfg.toml"
    if not config.exists():
        config.write_text("[schema.custom_fields]\nzeta = 'integer'\n", encoding="utf-8")
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}
    return CliRunner().invoke(
        main, ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", *args], env=env
    )


# ------------------------------------------------------------------ item 1


@pytest.mark.parametrize("kind", ["parquet", "arrow"])
def test_files_of_one_query_line_up_whatever_order_the_keys_come_in(
    emulator_factory: Any, tmp_path: Path, kind: str
) -> None:
    # Two data sets of one campaign: the keys turn up in opposite orders,
    # and an unknown field too. Both files get one layout.
    first = _records(10, [{"b": 1, "a": "x", "zeta": 3}, {"ä": 2, "B": 1}], later="x", extra=1)
    second = _records(10, [{"B": 1, "ä": 2}, {"zeta": 3, "a": "x", "b": 1}], extra=2, later="y")
    paths = []
    for n, data in enumerate((first, second)):
        emu = emulator_factory(data=data)
        path = tmp_path / f"part{n}.{kind}"
        result = _fetch(emu, tmp_path, "-o", str(path))
        assert result.exit_code == 0, result.output
        paths.append(path)
    read = pq.read_table if kind == "parquet" else (lambda p: pa.ipc.open_file(p).read_all())
    tables = [read(p) for p in paths]
    names = tables[0].schema.names
    assert names == tables[1].schema.names
    # The record's fields, the unknown ones sorted, the declared custom
    # field, the other keys sorted by code point.
    assert names.index("extra") < names.index("later") < names.index("custom.zeta")
    assert names[names.index("custom.zeta") :] == [
        "custom.zeta",
        "custom.B",
        "custom.a",
        "custom.b",
        "custom.ä",
    ]
    both = pa.concat_tables([t.replace_schema_metadata(None) for t in tables])
    assert both.num_rows == 20


def test_a_key_seen_in_a_later_batch_takes_its_sorted_place(
    emulator_factory: Any, tmp_path: Path
) -> None:
    # More than one converted batch (4096 records), so the late key starts
    # a second spool file: the file still has the sorted layout.
    data = _records(5000, [{"m": 1}])
    data[4500]["custom"] = json.dumps({"m": 2, "a": 9})
    emu = emulator_factory(data=data)
    path = tmp_path / "late.parquet"
    result = _fetch(emu, tmp_path, "-o", str(path))
    assert result.exit_code == 0, result.output
    table = pq.read_table(path)
    assert table.schema.names[-3:] == ["custom.zeta", "custom.a", "custom.m"]
    assert table.column("custom.a").drop_null().to_pylist() == ["9"]
    client = cqlang.Client(emu.url, KEY)
    batches = list(client.iter_batches(DEFAULT_CAMPAIGN, batch_size=4000))
    # Streamed: the batches before the key have no column for it; from
    # then on it is in its sorted place.
    assert batches[0].schema.names[-1] == "custom.m"
    assert batches[-1].schema.names[-2:] == ["custom.a", "custom.m"]
    whole = client.to_arrow(DEFAULT_CAMPAIGN, batch_size=4000)
    assert whole.schema.names[-2:] == ["custom.a", "custom.m"]


# ------------------------------------------------------------------ item 9


@pytest.mark.parametrize("kind", ["parquet", "arrow"])
def test_misfit_counts_are_in_the_schema_metadata_of_both_kinds(
    emulator_factory: Any, tmp_path: Path, kind: str
) -> None:
    data = _records(30, [{"a": 1}])
    data[4]["priority"] = "high"
    data[5]["custom"] = '{"a": "x\\ud800"}'  # a lone surrogate: replaced, counted
    emu = emulator_factory(data=data)
    path = tmp_path / f"misfits.{kind}"
    result = _fetch(emu, tmp_path, "-o", str(path))
    assert result.exit_code == 0, result.output
    if kind == "parquet":
        meta = pq.read_table(path).schema.metadata
        assert pq.read_metadata(path).metadata[b"cqlang.misfits"] == meta[b"cqlang.misfits"]
    else:
        meta = pa.ipc.open_file(path).schema.metadata
    assert json.loads(meta[b"cqlang.misfits"]) == {"priority": 1}
    assert json.loads(meta[b"cqlang.replaced"]) == {"custom.a": 1}
    assert meta[b"cqlang.query"] == b""


def test_a_clean_file_is_copied_and_has_no_counts(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(data=_records(30, [{"a": 1}]))
    path = tmp_path / "clean.arrow"
    assert _fetch(emu, tmp_path, "-o", str(path)).exit_code == 0
    meta = pa.ipc.open_file(path).schema.metadata
    assert b"cqlang.misfits" not in meta and b"cqlang.query" in meta


# ----------------------------------------------------------------- item 10


def test_no_records_still_yield_one_batch_with_the_schema(emulator: Emulator) -> None:
    client = cqlang.Client(emulator.url, KEY)
    batches = list(client.iter_batches(DEFAULT_CAMPAIGN, "priority > 100"))
    assert len(batches) == 1 and batches[0].num_rows == 0
    assert batches[0].schema.names[0] == "id"
    assert batches[0].schema == client.to_arrow(DEFAULT_CAMPAIGN, "priority > 100").schema
    never = list(client.iter_batches(DEFAULT_CAMPAIGN, "state = OPEN and state = CLOSED"))
    assert [b.num_rows for b in never] == [0]
    columns = list(client.iter_batches(DEFAULT_CAMPAIGN, "priority > 100", columns="id,custom.x"))
    assert [b.schema.names for b in columns] == [["id", "custom.x"]]


# ------------------------------------------------------------------ item 5


def test_a_plan_given_records_its_own_query_and_params(emulator: Emulator) -> None:
    client = cqlang.Client(emulator.url, KEY)
    plan = cqlang.plan("priority >= $min and state = OPEN", params={"min": 3})
    table = client.to_arrow(DEFAULT_CAMPAIGN, plan=plan, columns="id")
    meta = table.schema.metadata
    assert meta[b"cqlang.query"] == b"priority >= $min and state = OPEN"
    assert json.loads(meta[b"cqlang.params"]) == {"min": 3}
    batch = next(client.iter_batches(DEFAULT_CAMPAIGN, plan=plan, columns="id"))
    assert batch.schema.metadata[b"cqlang.query"] == meta[b"cqlang.query"]
    # A plan is still equal to one of another text with the same requests.
    assert plan == cqlang.plan("priority >= 3 and state = OPEN")


def test_a_prepared_named_query_records_what_fetch_records(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "cqlang.toml"
    config.write_text(
        f'[connection]\ncampaign = "{DEFAULT_CAMPAIGN}"\n\n'
        '[queries.hot]\nquery = "priority >= $min and state = OPEN"\n'
        'params = { min = 50 }\nexclude = ["history"]\nlimit = 4\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CQLANG_CONFIG", str(config))
    spec = Config.load().prepare("@hot")
    client = cqlang.Client(emulator.url, KEY)
    table = spec.to_arrow(client)
    assert table.num_rows == 4 and "history" not in table.schema.names
    env = {"CONPEEK_URL": emulator.url, "CONPEEK_KEY": KEY, "CQLANG_CONFIG": str(config)}
    path = tmp_path / "hot.arrow"
    result = CliRunner().invoke(main, ["fetch", "@hot", "-o", str(path)], env=env)
    assert result.exit_code == 0, result.output
    from_cli = pa.ipc.open_file(path).read_all()
    keys = (b"cqlang.query", b"cqlang.params", b"cqlang.named_query", b"cqlang.campaign")
    for key in keys:
        assert table.schema.metadata[key] == from_cli.schema.metadata[key], key
    assert table.schema.metadata[b"cqlang.named_query"] == b"@hot"
    assert table.column("id").to_pylist() == from_cli.column("id").to_pylist()
    assert table.schema.names == from_cli.schema.names
    batches = list(spec.iter_batches(client, columns="id,priority", batch_size=2))
    assert [b.num_rows for b in batches] == [2, 2]
    before = emulator.request_count
    with pytest.raises(ColumnError, match=r"^columns= asks for history, which the exclude of @hot"):
        spec.to_arrow(client, columns="id,history")
    assert emulator.request_count == before
    full = Config.load().prepare("@hot", exclude=()).to_arrow(client, columns="id,history")
    assert full.schema.names == ["id", "history"] and full.num_rows == 4

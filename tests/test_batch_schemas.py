"""What docs/client.md promises of `iter_batches`' schemas: with
`columns=` one schema for every batch (a ParquetWriter made from the first
takes them all); without, a key first seen late adds a column, so such a
writer refuses that batch, and `to_arrow` has every column."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from cqlang import Client
from cqlang.emulator import DEFAULT_API_KEY, DEFAULT_CAMPAIGN, Emulator, generate_records

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def late_key_records() -> list[dict[str, Any]]:
    records = generate_records(120, seed=5)
    last = dict(records[-1])
    last["custom"] = json.dumps({**json.loads(last.get("custom") or "{}"), "aaa_late": "x"})
    return [*records[:-1], last]


def test_with_columns_every_batch_has_the_first_schema() -> None:
    with (
        Emulator(data=late_key_records(), api_key=DEFAULT_API_KEY) as emu,
        Client(emu.url, DEFAULT_API_KEY) as client,
    ):
        cols = "id,state,priority,custom.region,custom.aaa_late"
        batches = list(client.iter_batches(DEFAULT_CAMPAIGN, columns=cols, batch_size=50))
    assert len(batches) == 3
    assert all(b.schema.equals(batches[0].schema, check_metadata=True) for b in batches)
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, batches[0].schema) as writer:
        for batch in batches:
            writer.write_batch(batch)


def test_without_columns_a_late_key_adds_a_column() -> None:
    with (
        Emulator(data=late_key_records(), api_key=DEFAULT_API_KEY) as emu,
        Client(emu.url, DEFAULT_API_KEY) as client,
    ):
        batches = list(client.iter_batches(DEFAULT_CAMPAIGN, batch_size=50))
        table = client.to_arrow(DEFAULT_CAMPAIGN)
    first, last = batches[0].schema, batches[-1].schema
    assert "custom.aaa_late" not in first.names and "custom.aaa_late" in last.names
    assert set(first.names) <= set(last.names)  # none taken away
    assert last.names.index("custom.aaa_late") < len(last.names) - 1  # in its sorted place
    with pq.ParquetWriter(io.BytesIO(), first) as writer:
        writer.write_batch(batches[0])
        with pytest.raises((ValueError, pa.ArrowInvalid)):
            writer.write_batch(batches[-1])
    assert "custom.aaa_late" in table.schema.names
    assert all(b.schema.metadata == first.metadata for b in batches)

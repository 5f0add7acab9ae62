"""Issue 14, item 1: `Client.iter_batches` and `Client.to_arrow`."""

from __future__ import annotations

import json
import warnings

import pyarrow as pa
import pytest

import cqlang
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator, generate_records
from cqlang.output.arrow import MisfitWarning
from cqlang.output.columns import ColumnWarning

KEY = "demo-key"


@pytest.mark.emulator(records=500, seed=4)
def test_batches_and_table_hold_the_records(emulator: Emulator) -> None:
    client = cqlang.Client(emulator.url, KEY)
    plain = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, "state = OPEN"))
    batches = list(client.iter_batches(DEFAULT_CAMPAIGN, "state = OPEN", batch_size=64))
    assert all(isinstance(b, pa.RecordBatch) for b in batches)
    assert [b.num_rows for b in batches[:-1]] == [64] * (len(batches) - 1)
    table = client.to_arrow(DEFAULT_CAMPAIGN, "state = OPEN")
    assert table.num_rows == len(plain) == sum(b.num_rows for b in batches)
    assert table.column("id").to_pylist() == [r["id"] for r in plain]
    assert table.schema.field("created_date").type == pa.timestamp("s", tz="UTC")
    assert table.schema.field("state").type == pa.dictionary(pa.int32(), pa.string())
    meta = table.schema.metadata
    assert meta[b"cqlang.query"] == b"state = OPEN"
    assert json.loads(meta[b"cqlang.plan"])["requests"][0]["filter"] == [
        {"property": "state", "value": ["OPEN"]}
    ]
    assert b"cqlang.fetched_at" in batches[0].schema.metadata


@pytest.mark.emulator(records=300, seed=4)
def test_columns_choose_the_fields_and_leave_the_heavy_ones(emulator: Emulator) -> None:
    client = cqlang.Client(emulator.url, KEY)
    schema = cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": "integer"})
    with pytest.warns(ColumnWarning, match="lead source"):  # declared fields: CQL102's rule
        table = client.to_arrow(
            DEFAULT_CAMPAIGN,
            'custom.region = "PL"',
            columns=["id", "priority", "custom.score", "custom.lead source"],
            schema=schema,
        )
    assert table.schema.names == ["id", "priority", "custom.score", "custom.lead source"]
    assert table.schema.field("custom.score").type == pa.int64()
    target = emulator.log[-1].target
    assert (
        "exclude=" in target and "history" in target and "custom" not in target.split("exclude=")[1]
    )
    want = [
        json.loads(r["custom"]).get("score")
        for r in client.voice_campaign_requests(DEFAULT_CAMPAIGN, 'custom.region = "PL"')
    ]
    assert table.column("custom.score").to_pylist() == want


def test_a_bad_query_fails_before_any_request(emulator: Emulator) -> None:
    client = cqlang.Client(emulator.url, KEY)
    with pytest.raises(cqlang.CqlError):
        client.iter_batches(DEFAULT_CAMPAIGN, "prioirty > 3")
    with pytest.raises(cqlang.CqlError):
        client.to_arrow(DEFAULT_CAMPAIGN, "state = OPNE")
    strict = cqlang.DEFAULT_SCHEMA.with_custom_fields({}, strict=True)
    with pytest.raises(ValueError, match=r"^unknown field 'nope'"):  # no CLI option named
        client.iter_batches(DEFAULT_CAMPAIGN, columns="id,nope", schema=strict)
    with pytest.raises(cqlang.errors.ColumnError, match=r"^id is named twice"):
        client.to_arrow(DEFAULT_CAMPAIGN, columns="id,id")
    assert emulator.request_count == 0
    empty = client.to_arrow(DEFAULT_CAMPAIGN, "state = OPEN and state = CLOSED")
    assert empty.num_rows == 0 and empty.schema.names[0] == "id"


def test_misfits_are_a_warning(emulator_factory: object) -> None:
    recs = generate_records(20, seed=9)
    recs[3]["priority"] = "high"
    emu: Emulator = emulator_factory(data=recs)  # type: ignore[operator]
    client = cqlang.Client(emu.url, KEY)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = client.to_arrow(DEFAULT_CAMPAIGN)
    assert table.column("priority")[3].as_py() is None
    (warning,) = [w for w in caught if issubclass(w.category, MisfitWarning)]
    assert "priority (1, e.g. 'high')" in str(warning.message)
    assert json.loads(table.schema.metadata[b"cqlang.misfits"]) == {"priority": 1}


@pytest.mark.emulator(records=200, seed=4)
def test_a_prepared_query_and_the_client_make_the_same_batches(emulator: Emulator) -> None:
    """One implementation (output/arrow.py's `_batches`): FetchSpec.iter_batches
    sends what Client.iter_batches sends and converts the records alike."""
    from cqlang.config import Config

    client = cqlang.Client(emulator.url, KEY)
    query, columns = "priority >= 40", ["id", "priority", "state"]
    direct = client.to_arrow(
        DEFAULT_CAMPAIGN, query, columns=columns, exclude=["dialogs"], limit=30, page_size=7
    )
    sent = [entry.target for entry in emulator.log]
    spec = Config().prepare(
        query, campaign=DEFAULT_CAMPAIGN, exclude=["dialogs"], limit=30, page_size=7
    )
    prepared = spec.to_arrow(client, columns=columns)
    assert [entry.target for entry in emulator.log][len(sent) :] == sent
    assert prepared.equals(direct)  # the data and the schema, metadata aside
    for key in (b"cqlang.query", b"cqlang.plan", b"cqlang.campaign"):
        assert prepared.schema.metadata.get(key) == direct.schema.metadata.get(key)

"""A declared integer custom field holding ``"-0"`` counts as missing
everywhere (docs/config.md: a declared integer holds its plain decimal
text, and ``"-0"`` is not that, as ``"05"`` is not). It used to be 0 on the
client (``>=``, ``<=``, Arrow and Parquet) while the API, comparing text,
never matched it with ``= 0`` (sent as ``"0"``): ``>= 0`` returned the
record and ``>= 0 and <= 0``, merged into ``= 0``, did not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.config.fetchspec import stored_param
from cqlang.digits import CANONICAL_INT
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator
from cqlang.evaluator import as_int
from cqlang.output.arrow import MisfitWarning

SCHEMA = cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": "integer"})
RECORDS = [
    {"id": "m0", "custom": '{"score":"-0"}'},
    {"id": "z", "custom": '{"score":"0"}'},
    {"id": "o5", "custom": '{"score":"05"}'},
    {"id": "n3", "custom": '{"score":"-3"}'},
]

#: (query, the ids it returns): "-0" with the missing ones, never with 0.
CASES = [
    ("custom.score = 0", ["z"]),
    ("custom.score >= 0", ["z"]),
    ("custom.score <= 0", ["z", "n3"]),
    ("custom.score >= 0 and custom.score <= 0", ["z"]),
    ("custom.score between 0 and 0", ["z"]),
    ("custom.score in (0, 1)", ["z"]),
    ("custom.score != 0", ["n3"]),
    ("custom.score != 1", ["z", "n3"]),
    ("custom.score < 1", ["z", "n3"]),
    ("custom.score is null", ["m0", "o5"]),
    ("custom.score is not null", ["z", "n3"]),
]


def test_minus_zero_is_no_canonical_integer() -> None:
    for text in ("-0", "-00", "05", "+5", " 5"):
        assert CANONICAL_INT.match(text) is None, text
        assert as_int(text) is None
    for text, value in (("0", 0), ("-3", -3), ("5", 5)):
        assert as_int(text) == value
    # A stored parameter default keeps "-0" as the text it is.
    assert stored_param("-0") == "-0"
    assert stored_param("0") == 0


@pytest.fixture
def served(emulator_factory: Any) -> Emulator:
    emu: Emulator = emulator_factory(data=RECORDS)
    return emu


@pytest.mark.parametrize(("query", "ids"), CASES)
def test_the_client_and_the_api_agree_on_minus_zero(
    served: Emulator, query: str, ids: list[str]
) -> None:
    client = cqlang.Client(served.url, "demo-key")
    got = client.voice_campaign_requests(DEFAULT_CAMPAIGN, query, schema=SCHEMA)
    assert sorted(r["id"] for r in got) == sorted(ids)


def test_arrow_and_parquet_hold_minus_zero_as_null(served: Emulator, tmp_path: Path) -> None:
    client = cqlang.Client(served.url, "demo-key")
    with pytest.warns(MisfitWarning, match="custom.score"):
        table = client.to_arrow(DEFAULT_CAMPAIGN, columns=["id", "custom.score"], schema=SCHEMA)
    scores = dict(
        zip(table.column("id").to_pylist(), table.column("custom.score").to_pylist(), strict=True)
    )
    assert scores == {"m0": None, "z": 0, "o5": None, "n3": -3}
    config = tmp_path / "cqlang.toml"
    config.write_text("[schema.custom_fields]\nscore = 'integer'\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    env = {"CONPEEK_URL": served.url, "CONPEEK_KEY": "demo-key", "CQLANG_CONFIG": str(config)}
    args = ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--columns", "id,custom.score", "-o", str(out)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    rows = pq.read_table(out).to_pylist()
    assert {r["id"]: r["custom.score"] for r in rows} == scores
    assert "custom.score (2" in result.stderr, result.stderr  # "-0" and "05" did not fit
    assert json.loads(pq.read_metadata(out).metadata[b"cqlang.misfits"]) == {"custom.score": 2}

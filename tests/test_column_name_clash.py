"""A record's own field named ``custom.KEY`` would take the name of custom
field KEY's column: two columns of one name made Parquet and Arrow fail
(exit 70, a bare KeyError in Python) or a file its readers cannot look
up. Such a field is left out of typed files, and said so; the custom
field keeps its column (docs/client.md)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from cqlang.client import Client
from cqlang.emulator import Emulator

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

CAMPAIGN = "5b7c389fe8df7b60af688989"
RECORDS = [
    {"id": "a", "custom": '{"r": "one"}', "custom.r": "x", "custom.s": 2},
    {"id": "b", "custom": '{"r": "two"}'},
]


@pytest.mark.parametrize("name", ["o.parquet", "o.arrow"])
def test_fetch_writes_the_custom_column_and_says_what_it_left_out(
    tmp_path: Path, name: str
) -> None:
    with Emulator(data=RECORDS, api_key="k") as emu:
        env = {**os.environ, "CONPEEK_URL": emu.url, "CONPEEK_KEY": "k", "HOME": str(tmp_path)}
        res = subprocess.run(
            [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN, "-o", name],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
        )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "were left out: custom.r, custom.s" in res.stderr
    path = tmp_path / name
    if name.endswith(".parquet"):
        table = pq.read_table(path)
    else:
        with pa.ipc.open_file(path) as f:
            table = f.read_all()
    assert table.schema.names.count("custom.r") == 1
    assert table.column("custom.r").to_pylist() == ["one", "two"]
    assert "custom.s" not in table.schema.names


def test_to_arrow_leaves_the_field_out_with_a_warning() -> None:
    with (
        Emulator(data=RECORDS, api_key="k") as emu,
        Client(emu.url, "k") as client,
        warnings.catch_warnings(record=True) as seen,
    ):
        warnings.simplefilter("always")
        table = client.to_arrow(CAMPAIGN)
    assert table.column("custom.r").to_pylist() == ["one", "two"]
    assert any("custom.r, custom.s" in str(w.message) for w in seen)

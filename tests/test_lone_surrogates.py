"""A lone surrogate in a record (JSON's ``"a\\ud800"``): no UTF-8 can hold
it. CSV, Parquet and Arrow ended with exit 70 (UnicodeEncodeError); now
each is written as U+FFFD and counted per column, in the warnings after a
fetch and in a Parquet file's metadata (docs/client.md, "Text UTF-8 cannot
hold"). JSON Lines keeps it as its escape. A real server on loopback sends
it: the emulator refuses such data at start."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hostile import Hostile, answer
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.output.surrogates import LONE, mend_record
from cqlang.output.writers import make_writer, write_all
from cqlang.repl import Dispatcher, Session

CAMPAIGN = "c1"
# The custom field's JSON text spells its surrogate as an escape too, so
# that it is lone once decoded; "b" is clean.
BODY = (
    b'{"data":['
    b'{"id":"a\\ud800","state":"OPEN","name":"\\udce9x","custom":"{\\"k\\":\\"v\\\\udfff\\"}"},'
    b'{"id":"b","state":"OPEN","name":"Krak\\u00f3w","custom":"{\\"k\\":\\"w\\"}"}'
    b"]}"
)


@pytest.fixture
def server() -> Iterator[Hostile]:
    with Hostile(answer(200, BODY)) as s:
        yield s


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "none.toml"
    config.write_text("", encoding="utf-8")
    return {"CONPEEK_URL": url, "CONPEEK_KEY": "k", "CQLANG_CONFIG": str(config)}


def fetch(server: Hostile, tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["fetch", "--campaign", CAMPAIGN, "--retry-budget", "2", *args],
        env=_env(server.url, tmp_path),
    )


WARNING = (
    "cqlang: warning: 3 values hold a lone surrogate (U+D800 to U+DFFF), which UTF-8 "
    "cannot hold, written as U+FFFD: "
)


def test_csv_to_a_file_writes_u_fffd_and_counts_it(server: Hostile, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = fetch(server, tmp_path, "--columns", "id,name,custom.k", "-o", str(out))
    assert result.exit_code == 0, result.output  # was 70
    assert WARNING + "id (1), name (1), custom.k (1)" in result.stderr
    assert "wrote 2 records" in result.stderr
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["id", "name", "custom.k"]
    assert rows[1:] == [["a\ufffd", "\ufffdx", "v\ufffd"], ["b", "Kraków", "w"]]


def test_csv_to_standard_output_in_a_real_process(server: Hostile, tmp_path: Path) -> None:
    """stdout a pipe, as `cqlang fetch --format csv | ...`."""
    proc = subprocess.run(
        [sys.executable, "-m", "cqlang.cli", "fetch", "--campaign", CAMPAIGN, "--format", "csv"],
        env={**os.environ, **_env(server.url, tmp_path), "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr  # was 70
    text = proc.stdout.decode("utf-8")  # valid UTF-8 throughout
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["id"] for r in rows] == ["a\ufffd", "b"]
    assert json.loads(rows[0]["custom"]) == {"k": "v\udfff"}  # JSON keeps the escape
    assert "id (1), name (1)" in proc.stderr.decode()


def test_parquet_writes_u_fffd_and_records_the_counts(server: Hostile, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "x.parquet"
    result = fetch(server, tmp_path, "-o", str(out))
    assert result.exit_code == 0, result.output  # was 70
    assert WARNING + "id (1), name (1), custom.k (1)" in result.stderr
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == ["a\ufffd", "b"]
    assert table.column("name").to_pylist() == ["\ufffdx", "Kraków"]
    assert table.column("custom.k").to_pylist() == ["v\ufffd", "w"]
    meta = pq.read_metadata(out).metadata
    assert json.loads(meta[b"cqlang.replaced"]) == {"id": 1, "name": 1, "custom.k": 1}
    assert b"cqlang.misfits" not in meta  # nothing was written as null


def test_arrow_ipc_and_jsonl(server: Hostile, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    out = tmp_path / "x.arrow"
    result = fetch(server, tmp_path, "-o", str(out))
    assert result.exit_code == 0, result.output
    with pa.memory_map(str(out)) as source:
        table = pa.ipc.open_file(source).read_all()
    assert table.column("id").to_pylist() == ["a\ufffd", "b"]
    lines = fetch(server, tmp_path, "--format", "jsonl")
    assert lines.exit_code == 0 and "lone surrogate" not in lines.stderr
    assert json.loads(lines.stdout.splitlines()[0])["id"] == "a\ud800"  # kept, as its escape


def test_the_python_api_warns_and_records_the_counts(server: Hostile) -> None:
    pytest.importorskip("pyarrow")
    from cqlang import Client
    from cqlang.output.arrow import MisfitWarning

    with warnings.catch_warnings(record=True) as caught, Client(server.url, "k") as c:
        warnings.simplefilter("always")
        table = c.to_arrow(CAMPAIGN)
    assert table.column("id").to_pylist() == ["a\ufffd", "b"]
    assert json.loads(table.schema.metadata[b"cqlang.replaced"])["custom.k"] == 1
    assert any(w.category is MisfitWarning and "lone surrogate" in str(w.message) for w in caught)


@pytest.mark.parametrize("name", ["x.csv", "x.parquet"])
def test_the_repl_writes_them_too(server: Hostile, tmp_path: Path, name: str) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    session = Session(campaign=CAMPAIGN, base_url=server.url, api_key="k")
    d = Dispatcher(session, width=120)
    assert d.handle("state = OPEN").ok
    assert d.handle(f"\\o {tmp_path / name}").ok
    reply = d.handle("\\fetch all")
    assert reply.ok, reply.text  # was an internal error
    assert (tmp_path / name).exists()
    shown = d.handle("\\o")  # the screen again: the table draws it, as ever
    assert shown.ok and "a<U+D800>" in d.handle("\\fetch").text


def test_a_batch_after_a_mended_one_is_not_miscounted() -> None:
    """The retry undoes the failed try's counts: a misfit is counted once."""
    pytest.importorskip("pyarrow")
    from cqlang.output.arrowconvert import Converter

    conv = Converter()
    batch = conv.convert([{"id": "a\ud800", "priority": "x"}, {"id": "b", "priority": 1}])
    assert batch.column(0).to_pylist() == ["a\ufffd", "b"]
    assert conv.misfits["priority"][0] == 1 and conv.mended == {"id": 1}


text_with_surrogates = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from("\ud800\udbff\udc00\udce9\udfff")),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(text_with_surrogates, text_with_surrogates), max_size=5))
def test_csv_always_writes_utf_8_and_changes_only_the_surrogates(
    rows: list[tuple[str, str]],
) -> None:
    import io

    records = [{"id": i, "name": n} for i, n in rows]
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    from cqlang.output.columns import parse_columns

    writer = make_writer("csv", text, columns=parse_columns("id,name"))
    write_all(records, writer)
    text.flush()
    back = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"), newline="")))
    counts: dict[str, int] = {}
    expected = [[r["id"], r["name"]] for r in (mend_record(r, counts) for r in records)]
    assert back[1:] == expected
    assert writer.mended == {k: v for k, v in counts.items() if v}  # type: ignore[attr-defined]
    assert all(LONE.search(cell) is None for row in back for cell in row)


def test_the_emulator_serves_a_lone_surrogate_as_jsons_escape() -> None:
    """A record given from Python (or a data file's "\\udc80") with a lone
    surrogate in a field made the emulator fail at start with a raw
    UnicodeEncodeError; it is served as the escape a server may send, and
    the client reads it back as it came."""
    import cqlang
    from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator

    records = [{"id": "a", "name": "x\udc80y"}, {"id": "b", "name": "plain"}]
    with Emulator(data=records) as emu, cqlang.Client(emu.url, "demo-key") as client:
        got = list(client.voice_campaign_requests(DEFAULT_CAMPAIGN, ""))
    assert [r["name"] for r in got] == ["x\udc80y", "plain"]

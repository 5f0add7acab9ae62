"""What a Parquet or Arrow file records of its fetch (cqlang/output/filemeta.py):
the query, the named query and the parameters, from `fetch -o`, the REPL's
`\\o FILE` and Python's batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator


def run(env: dict[str, str], *args: str) -> None:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output


def config_env(tmp_path: Path, text: str, **extra: str) -> dict[str, str]:
    config = tmp_path / "cqlang.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    return {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": str(config), **extra}


HOT = """
[queries.hot]
query = "priority >= $min and state = $s"
params = { min = 40, s = "OPEN" }
"""


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_typed_file_records_the_named_query_and_the_params(
    tmp_path: Path, emulator: Emulator, ext: str
) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    env = config_env(tmp_path, HOT, CONPEEK_URL=emulator.url, CONPEEK_KEY="demo-key")
    out = tmp_path / f"hot.{ext}"
    run(env, "fetch", "--campaign", DEFAULT_CAMPAIGN, "@hot", "-p", "min=45", "-o", str(out))
    if ext == "parquet":
        meta = pq.read_metadata(out).metadata
    else:
        with pa.memory_map(str(out)) as source:
            meta = pa.ipc.open_file(source).schema.metadata
    assert meta[b"cqlang.query"] == b"priority >= $min and state = $s"
    assert meta[b"cqlang.named_query"] == b"@hot"
    assert json.loads(meta[b"cqlang.params"]) == {"min": "45", "s": "OPEN"}


def test_repl_o_file_records_the_named_query_and_the_params(
    tmp_path: Path, emulator: Emulator
) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from cqlang.config import Config
    from cqlang.repl import Dispatcher, Session

    config = tmp_path / "cqlang.toml"
    config.write_text(HOT, encoding="utf-8")
    cfg = Config.load(config)
    session = Session(
        campaign=DEFAULT_CAMPAIGN,
        base_url=emulator.url,
        api_key="demo-key",
        queries=dict(cfg.queries),
    )
    d = Dispatcher(session, width=100)
    assert d.handle("\\param min=41").ok
    assert d.handle("@hot").ok
    out = tmp_path / "hot.parquet"
    assert d.handle(f"\\o {out}").ok
    reply = d.handle("\\fetch 3")
    assert reply.ok, reply.text
    meta = pq.read_metadata(out).metadata
    assert meta[b"cqlang.named_query"] == b"@hot"
    assert json.loads(meta[b"cqlang.params"])["min"] == "41"


def test_python_batches_record_the_params(emulator: Emulator) -> None:
    pytest.importorskip("pyarrow")
    from cqlang import Client

    with Client(emulator.url, "demo-key") as client:
        table = client.to_arrow(DEFAULT_CAMPAIGN, "priority >= $min", params={"min": 45})
    assert json.loads(table.schema.metadata[b"cqlang.params"]) == {"min": 45}


def _file_metadata(path: Path) -> dict[bytes, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        meta = pq.read_metadata(path).metadata
    else:
        with pa.memory_map(str(path)) as source:
            meta = pa.ipc.open_file(source).schema.metadata
    return cqlang_keys(meta)


def cqlang_keys(meta: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """cqlang's own keys (Parquet adds ``ARROW:schema`` of its own)."""
    return {k: v for k, v in meta.items() if k.startswith(b"cqlang.")}


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_cli_repl_and_python_record_the_same_metadata(
    tmp_path: Path, emulator: Emulator, ext: str
) -> None:
    """`fetch -o`, the REPL's `\\o` and `FetchSpec.to_arrow` build a file's
    metadata through one helper (FetchSpec.file_metadata): for the same
    named query and parameters, the same keys and values, the time the
    fetch began aside."""
    pytest.importorskip("pyarrow")
    from cqlang import Client
    from cqlang.config import Config
    from cqlang.repl import Dispatcher, Session

    env = config_env(tmp_path, HOT, CONPEEK_URL=emulator.url, CONPEEK_KEY="demo-key")
    by_cli = tmp_path / f"cli.{ext}"
    run(env, "fetch", "--campaign", DEFAULT_CAMPAIGN, "@hot", "-p", "min=45", "-o", str(by_cli))

    cfg = Config.load(Path(env["CQLANG_CONFIG"]))
    session = Session(
        campaign=DEFAULT_CAMPAIGN,
        base_url=emulator.url,
        api_key="demo-key",
        queries=dict(cfg.queries),
    )
    d = Dispatcher(session, width=100)
    by_repl = tmp_path / f"repl.{ext}"
    for line in ("\\param min=45", "@hot", f"\\o {by_repl}", "\\fetch"):
        reply = d.handle(line)
        assert reply.ok, (line, reply.text)

    spec = cfg.prepare("@hot", params={"min": "45"}, campaign=DEFAULT_CAMPAIGN)
    with Client(emulator.url, "demo-key") as client:
        table = spec.to_arrow(client)
    by_python = cqlang_keys(table.schema.metadata)

    cli, repl = _file_metadata(by_cli), _file_metadata(by_repl)
    for meta in (cli, repl, by_python):
        assert meta.pop(b"cqlang.fetched_at")
        assert meta.pop(b"cqlang.now")  # the clock of each plan: a moment apart
        assert {k: meta[k] for k in WHOLE} == WHOLE
    assert cli[b"cqlang.named_query"] == b"@hot"
    assert json.loads(cli[b"cqlang.params"]) == {"min": "45", "s": "OPEN"}
    assert repl == cli
    assert by_python == cli


def test_writer_options_carry_metadata_for_binary_formats_only() -> None:
    """FetchSpec.writer_options: the one recipe of `fetch -o` and `\\o`;
    file_metadata has one import address (cqlang.output.filemeta)."""
    import cqlang.output.arrow as arrow_api
    import cqlang.output.arrowconvert as convert
    from cqlang import plan
    from cqlang.config.fetchspec import prepare
    from cqlang.output.formats import BINARY_FORMATS, FORMATS

    spec = prepare("priority >= $min", params={"min": "3"}, campaign=DEFAULT_CAMPAIGN)
    planned = plan("priority >= 3")
    for fmt in FORMATS:
        options = spec.writer_options(fmt, planned, columns=None)
        assert options["schema"] is spec.schema and options["exclude"] == spec.exclude
        assert ("metadata" in options) == (fmt in BINARY_FORMATS), fmt
    meta = spec.writer_options("parquet", planned)["metadata"]
    assert meta["cqlang.query"] == "priority >= $min"
    assert json.loads(meta["cqlang.params"]) == {"min": "3"}
    assert "file_metadata" not in vars(convert)
    assert "file_metadata" not in arrow_api.__all__


# ------------------------------------------- how to fetch the file again


WHOLE = {b"cqlang.tz": b"UTC", b"cqlang.complete": b"true"}


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_a_file_says_how_to_fetch_it_again(tmp_path: Path, emulator: Emulator, ext: str) -> None:
    """The zone, the clock, the limit, the columns and the exclude are in
    the file, and whether it holds every matching record."""
    pytest.importorskip("pyarrow")
    env = config_env(tmp_path, "", CONPEEK_URL=emulator.url, CONPEEK_KEY="demo-key")
    out = tmp_path / f"week.{ext}"
    base = ["fetch", "--campaign", DEFAULT_CAMPAIGN, "state = OPEN", "-o", str(out)]
    run(env, *base, "--tz", "Europe/Warsaw", "--now", "2026-10-25 12:00",
        "--limit", "5", "--columns", 'id,state,custom["a,b"]', "--exclude", "dialogs")  # fmt: skip
    meta = _file_metadata(out)
    assert meta[b"cqlang.tz"] == b"Europe/Warsaw"
    assert meta[b"cqlang.now"] == b"2026-10-25T11:00:00Z"  # noon in Warsaw, in UTC
    assert meta[b"cqlang.limit"] == b"5"
    assert meta[b"cqlang.complete"] == b"false"  # the limit stopped it: more may match
    assert json.loads(meta[b"cqlang.columns"]) == ["id", "state", "custom.a,b"]
    assert json.loads(meta[b"cqlang.exclude"]) == ["dialogs"]
    # No limit: every matching record, said at once; no columns, no exclude.
    run(env, *base)
    meta = _file_metadata(out)
    assert {k: meta[k] for k in WHOLE} == WHOLE
    assert meta[b"cqlang.now"].endswith(b"Z")  # the clock the plan was made with
    for key in (b"cqlang.limit", b"cqlang.columns", b"cqlang.exclude"):
        assert key not in meta
    # A limit that did not stop it: complete.
    run(env, *base, "--limit", "100000")
    meta = _file_metadata(out)
    assert (meta[b"cqlang.limit"], meta[b"cqlang.complete"]) == (b"100000", b"true")


@pytest.mark.parametrize("ext", ["parquet", "arrow"])
def test_cli_repl_and_python_record_the_same_limit_and_zone(
    tmp_path: Path, emulator: Emulator, ext: str
) -> None:
    """A limit that stops the fetch, in a zone: `fetch --limit 3 --tz`, the
    REPL's `\\tz` and `\\fetch 3` after `\\o`, and `FetchSpec.to_arrow(limit=3)`
    write the same metadata (the times aside): the file holds the first 3
    of more."""
    pytest.importorskip("pyarrow")
    from cqlang import Client
    from cqlang.config import Config
    from cqlang.repl import Dispatcher, Session

    env = config_env(tmp_path, HOT, CONPEEK_URL=emulator.url, CONPEEK_KEY="demo-key")
    by_cli = tmp_path / f"cli.{ext}"
    run(env, "fetch", "--campaign", DEFAULT_CAMPAIGN, "@hot", "-o", str(by_cli),
        "--limit", "3", "--tz", "Europe/Warsaw")  # fmt: skip

    cfg = Config.load(Path(env["CQLANG_CONFIG"]))
    session = Session(
        campaign=DEFAULT_CAMPAIGN, base_url=emulator.url, api_key="demo-key",
        queries=dict(cfg.queries),
    )  # fmt: skip
    d = Dispatcher(session, width=100)
    by_repl = tmp_path / f"repl.{ext}"
    for line in ("\\tz Europe/Warsaw", "@hot", f"\\o {by_repl}", "\\fetch 3"):
        reply = d.handle(line)
        assert reply.ok, (line, reply.text)

    spec = cfg.prepare("@hot", campaign=DEFAULT_CAMPAIGN, tz="Europe/Warsaw")
    with Client(emulator.url, "demo-key") as client:
        table = spec.to_arrow(client, limit=3)
    assert table.num_rows == 3

    metas = [_file_metadata(by_cli), _file_metadata(by_repl), cqlang_keys(table.schema.metadata)]
    for meta in metas:
        assert meta.pop(b"cqlang.fetched_at") and meta.pop(b"cqlang.now")
        assert meta[b"cqlang.limit"] == b"3" and meta[b"cqlang.complete"] == b"false"
        assert meta[b"cqlang.tz"] == b"Europe/Warsaw"
    assert metas[1] == metas[0]
    assert metas[2] == metas[0]


def test_python_records_the_clock_zone_limit_and_columns(emulator: Emulator) -> None:
    """`Client.to_arrow` records what it was given; a plan given as it is
    records neither zone nor clock (a plan keeps neither)."""
    pytest.importorskip("pyarrow")
    from datetime import UTC, datetime

    import cqlang
    from cqlang import Client

    now = datetime(2026, 10, 25, 10, 0, 0, 500000, tzinfo=UTC)
    with Client(emulator.url, "demo-key") as client:
        table = client.to_arrow(
            DEFAULT_CAMPAIGN, "created_date <= now", tz="Europe/Warsaw", now=now,
            limit=100000, columns=["id", "priority"], exclude=["history"],
        )  # fmt: skip
        meta = cqlang_keys(table.schema.metadata)
        assert meta[b"cqlang.now"] == b"2026-10-25T10:00:00Z"  # whole seconds, as planned
        assert meta[b"cqlang.tz"] == b"Europe/Warsaw"
        assert (meta[b"cqlang.limit"], meta[b"cqlang.complete"]) == (b"100000", b"true")
        assert json.loads(meta[b"cqlang.columns"]) == ["id", "priority"]
        assert json.loads(meta[b"cqlang.exclude"]) == ["history"]
        given = client.to_arrow(DEFAULT_CAMPAIGN, plan=cqlang.plan("state = OPEN"), limit=2)
        meta = cqlang_keys(given.schema.metadata)
        assert meta[b"cqlang.query"] == b"state = OPEN"
        assert b"cqlang.tz" not in meta and b"cqlang.now" not in meta
        assert (meta[b"cqlang.limit"], meta[b"cqlang.complete"]) == (b"2", b"false")


def test_batches_say_complete_when_it_is_known(emulator: Emulator) -> None:
    """Without a limit every batch says `complete`; with one, only the end
    knows: the batches leave it out, the table has it."""
    pytest.importorskip("pyarrow")
    from cqlang import Client

    with Client(emulator.url, "demo-key") as client:
        whole = list(client.iter_batches(DEFAULT_CAMPAIGN, "state = OPEN", batch_size=50))
        assert all(b.schema.metadata[b"cqlang.complete"] == b"true" for b in whole)
        capped = list(client.iter_batches(DEFAULT_CAMPAIGN, limit=60, batch_size=50))
        assert [b.num_rows for b in capped] == [50, 10]
        assert all(b"cqlang.complete" not in b.schema.metadata for b in capped)


@pytest.mark.parametrize("kind", ["parquet", "arrow"])
def test_metadata_known_at_the_end_reads_back_as_a_rewrite_would(tmp_path: Path, kind: str) -> None:
    """The ending's metadata (and misfit counts) go into a one-spool-file
    Parquet file's footer before it is copied (cqlang/output/arrowfile.py,
    `_stamp`), not by writing the file again: what a reader gets is what
    the rewrite gave, schema, metadata and rows."""
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cqlang.emulator import generate_records
    from cqlang.output import arrowfile
    from cqlang.output.arrowconvert import Converter

    class Rewriting(arrowfile.FileSink):
        def _stamp(self, final: object) -> bool:
            return False

    records = generate_records(300, seed=4)
    records[7] = {**records[7], "priority": "high"}  # a misfit: counted at the end
    tables = []
    for sink_class in (arrowfile.FileSink, Rewriting):
        converter = Converter(
            metadata={"cqlang.query": "q"}, ending=lambda: {"cqlang.complete": "false"}
        )
        path = tmp_path / f"{sink_class.__name__}.{kind}"
        with open(path, "wb") as out:
            sink = sink_class(out, kind, spool_dir=str(tmp_path), row_group_rows=100)
            for start in range(0, len(records), 100):
                sink.write(converter.convert(records[start : start + 100]))
            sink.close(converter.empty(), converter.final_schema())
        if kind == "parquet":
            tables.append(pq.read_table(path))
        else:
            with pa.memory_map(str(path)) as source:
                tables.append(pa.ipc.open_file(source).read_all())
    stamped, rewritten = tables
    assert stamped.schema.equals(rewritten.schema, check_metadata=True)
    assert stamped.schema.metadata[b"cqlang.complete"] == b"false"
    assert b"cqlang.misfits" in stamped.schema.metadata
    assert stamped.equals(rewritten)
    assert not list(tmp_path.glob(".cqlang-spool-*"))
